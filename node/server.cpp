// The Beast loop behind node/server.h. The only translation unit of the node
// that includes Asio and Beast (compile time, and STYLE.md habit 15).
//
// Exceptions stop here (STYLE.md habit 3): all I/O uses
// as_tuple(use_awaitable), so errors arrive as values; every coroutine is
// spawned with a completion handler that logs an escaped exception instead of
// letting it unwind through io_context::run().
//
// Per connection, all state is touched only on the connection's strand: the
// reader and writer coroutines, the backend's answers (posted to the strand),
// and Stop()'s drain request (posted too). The two coroutines wake each other
// with steady_timers used as condition variables (expires_at(max) then wait;
// cancel() to notify). A waiter re-checks its condition before every wait,
// and checks and waits run atomically on the strand, so no wakeup is lost.
#include "node/server.h"

#include <array>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace ltl::node {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Strand = asio::strand<asio::io_context::executor_type>;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);

// After the last response of a connection we shut down our sending side and
// read (and discard) what the client still sends, for a short while, before
// closing. Closing a socket with unread input makes the kernel send RST,
// which can destroy the final response (say a 413) before the client reads
// it (RFC 9112 section 9.6).
constexpr std::chrono::milliseconds kLingerTime{1000};
constexpr size_t kLingerMaxBytes = 1 << 20;
// Connections refused at the cap still get a 503; this many at most at once,
// beyond which they are closed without a word.
constexpr size_t kMaxConcurrentRejections = 64;
constexpr size_t kReadChunk = 16 * 1024;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// Waits until `timer` is cancelled (the notify of our condition variables).
asio::awaitable<void> WaitForNotify(asio::steady_timer& timer) {
  timer.expires_at(asio::steady_timer::time_point::max());
  co_await timer.async_wait(kAsTuple);
}

// Bytes a log line may carry verbatim; anything else is written as \xHH so a
// hostile target cannot forge log lines.
std::string EscapeForLog(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\') {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

Method ToMethod(http::verb verb) {
  switch (verb) {
    case http::verb::get:
      return Method::kGet;
    case http::verb::head:
      return Method::kHead;
    case http::verb::post:
      return Method::kPost;
    default:
      return Method::kOther;
  }
}

bool IsHttpProtocolError(const beast::error_code& ec) {
  return ec.category() == beast::error_code(http::error::bad_target).category() &&
         ec != http::error::end_of_stream && ec != http::error::partial_message;
}

// Logs an exception escaping a coroutine; the connection or loop it ran ends.
auto LogEscapedException(const LogSink& log, std::string_view where) {
  return [&log, where](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      log(std::string("error: exception in ") + std::string(where) + ": " + ex.what());
    } catch (...) {
      log(std::string("error: unknown exception in ") + std::string(where));
    }
  };
}

}  // namespace

void LogToStderr(std::string_view line) {
  std::string s(line);
  s += '\n';
  // One fwrite per line: stdio locks the stream per call, so lines from
  // different threads do not interleave.
  std::fwrite(s.data(), 1, s.size(), stderr);
}

class Session;

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  Impl(const ServerOptions& o, LogBackend& backend, unsigned thread_count)
      : options(o),
        handler_context{.backend = backend,
                        .http_metrics = &metrics,
                        .options = o.handlers,
                        .network = o.network},
        io(static_cast<int>(thread_count)),
        server_strand(asio::make_strand(io)),
        acceptor(server_strand),
        grace_timer(server_strand),
        backoff_timer(server_strand),
        signals(server_strand) {}

  asio::awaitable<void> AcceptLoop();
  asio::awaitable<void> Reject(tcp::socket socket);
  void Stop();
  void ForceCloseAll();
  void SessionEnded(uint64_t id);

  // Plain state first: io objects below are destroyed before it, and their
  // destruction may destroy sessions, which call SessionEnded().
  const ServerOptions options;
  HttpMetrics metrics;
  HandlerContext handler_context;
  uint16_t bound_port = 0;
  std::vector<std::thread> threads;

  std::mutex mu;  // guards the three fields below
  bool stopping = false;
  uint64_t next_session_id = 0;
  std::unordered_map<uint64_t, std::weak_ptr<Session>> sessions;

  std::atomic<size_t> active_sessions{0};
  std::atomic<size_t> rejecting{0};
  std::atomic<bool> forced{false};
  std::atomic<bool> io_finished{false};

  asio::io_context io;
  Strand server_strand;
  tcp::acceptor acceptor;
  asio::steady_timer grace_timer;
  asio::steady_timer backoff_timer;
  asio::signal_set signals;
};

// One connection. Lives as long as one of its coroutines or a posted answer
// holds a reference.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Server::Impl& server, uint64_t id, Strand strand, tcp::socket socket)
      : server_(server),
        options_(server.options),
        id_(id),
        strand_(std::move(strand)),
        stream_(std::move(socket)),
        buffer_(options_.max_header_bytes + options_.handlers.max_entry_bytes + kReadChunk),
        reader_wake_(strand_),
        writer_wake_(strand_) {
    beast::error_code ec;
    tcp::endpoint peer = stream_.socket().remote_endpoint(ec);
    peer_ = ec ? std::string("?") : peer.address().to_string() + ":" + std::to_string(peer.port());
    server_.metrics.ConnectionOpened();
  }

  ~Session() {
    server_.metrics.ConnectionClosed();
    server_.SessionEnded(id_);
  }

  const Strand& strand() const { return strand_; }

  // REQUIRES: called once, before any other method.
  void Start(bool draining) {
    auto self = shared_from_this();
    asio::co_spawn(strand_, RunReader(self), LogEscapedException(server_.options.log, "reader"));
    asio::co_spawn(strand_, RunWriter(self), LogEscapedException(server_.options.log, "writer"));
    if (draining) asio::post(strand_, [self] { self->BeginDrain(); });
  }

  // Stop() on this connection. On the strand.
  void BeginDrain() {
    draining_ = true;
    reader_wake_.cancel();
    writer_wake_.cancel();
    // An idle connection (nothing queued, nothing being written, waiting for
    // a next request) is closed now. Cancelling the socket is safe only while
    // no write is in progress, since it cancels writes too.
    if (queue_.empty() && !writing_ && phase_ == ReaderPhase::kIdle) {
      beast::error_code ignored;
      stream_.socket().cancel(ignored);
    }
  }

  // Shutdown grace expired. On the strand.
  void ForceClose() {
    forced_ = true;
    closing_ = true;
    reader_wake_.cancel();
    writer_wake_.cancel();
    beast::error_code ignored;
    stream_.socket().cancel(ignored);
  }

 private:
  enum class ReaderPhase {
    kIdle,     // waiting for the first byte of a request, buffer empty
    kReading,  // a request is arriving
    kBlocked,  // pipelining queue full
    kDone,
  };

  // A request read and dispatched, waiting for (or holding) its answer.
  struct Pending {
    uint64_t id = 0;
    bool head = false;
    bool keep_alive = false;
    unsigned version = 11;
    std::string method;  // for the log line
    std::string target;  // for the log line
    Clock::time_point received;
    Clock::time_point answered;
    std::optional<Response> response;
  };

  // `self` keeps the session alive for as long as the coroutine runs.
  asio::awaitable<void> RunReader([[maybe_unused]] std::shared_ptr<Session> self) {
    try {
      co_await ReadLoop();
    } catch (const std::exception& e) {
      options_.log(std::string("error: connection ") + peer_ + ": reader: " + e.what());
      closing_ = true;
    }
    phase_ = ReaderPhase::kDone;
    writer_wake_.cancel();
  }

  asio::awaitable<void> RunWriter([[maybe_unused]] std::shared_ptr<Session> self) {
    try {
      co_await WriteLoop();
    } catch (const std::exception& e) {
      options_.log(std::string("error: connection ") + peer_ + ": writer: " + e.what());
    }
    closing_ = true;
    queue_.clear();
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  asio::awaitable<void> ReadLoop() {
    while (!closing_ && !draining_) {
      while (queue_.size() >= options_.max_pipelined_requests && !closing_ && !draining_) {
        phase_ = ReaderPhase::kBlocked;
        co_await WaitForNotify(reader_wake_);
      }
      if (closing_ || draining_) break;
      if (buffer_.size() == 0) {
        phase_ = ReaderPhase::kIdle;
        stream_.expires_after(options_.idle_timeout);
        auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(kReadChunk), kAsTuple);
        if (ec) break;  // closed, idle timeout, or cancelled by a drain
        buffer_.commit(n);
      }
      phase_ = ReaderPhase::kReading;
      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<uint32_t>(options_.max_header_bytes));
      parser.body_limit(options_.handlers.max_entry_bytes);
      stream_.expires_after(options_.read_timeout);
      auto [ec, n] = co_await http::async_read_header(stream_, buffer_, parser, kAsTuple);
      if (!ec && !parser.is_done() &&
          beast::iequals(parser.get()[http::field::expect], "100-continue") && queue_.empty() &&
          !writing_) {
        // curl and others wait up to a second for this before sending a body.
        // Only sent when no response is queued, since it must precede them.
        writing_ = true;
        auto [wec, wn] = co_await asio::async_write(
            stream_, asio::buffer(kContinue.data(), kContinue.size()), kAsTuple);
        writing_ = false;
        ec = wec;
      }
      if (!ec && !parser.is_done()) {
        auto [rec, rn] = co_await http::async_read(stream_, buffer_, parser, kAsTuple);
        ec = rec;
      }
      if (ec) {
        if (IsHttpProtocolError(ec) || ec == http::error::buffer_overflow) {
          std::string method, target;
          if (parser.is_header_done()) {
            method = std::string(parser.get().method_string());
            target = std::string(parser.get().target());
          }
          EnqueueProtocolError(ec, std::move(method), std::move(target));
        }
        break;
      }
      bool keep_alive = parser.get().keep_alive();
      Dispatch(parser.release());
      if (!keep_alive) break;
    }
  }

  // A request the parser refused: answer once and close.
  void EnqueueProtocolError(const beast::error_code& ec, std::string method, std::string target) {
    Response r;
    if (ec == http::error::body_limit || ec == http::error::buffer_overflow) {
      r = ErrorResponse(413, "body_too_large",
                        "request body larger than " +
                            std::to_string(options_.handlers.max_entry_bytes) + " bytes");
    } else if (ec == http::error::header_limit) {
      r = ErrorResponse(
          431, "header_too_large",
          "request header larger than " + std::to_string(options_.max_header_bytes) + " bytes");
    } else {
      r = ErrorResponse(400, "bad_request", "malformed HTTP request: " + ec.message());
    }
    r.route = "invalid_request";
    Pending p;
    p.id = next_request_id_++;
    p.keep_alive = false;
    p.method = method.empty() ? "-" : std::move(method);
    p.target = target.empty() ? "-" : std::move(target);
    p.received = p.answered = Clock::now();
    p.response = std::move(r);
    queue_.push_back(std::move(p));
    writer_wake_.cancel();
  }

  void Dispatch(http::request<http::string_body>&& req) {
    Pending p;
    p.id = next_request_id_++;
    p.head = req.method() == http::verb::head;
    p.keep_alive = req.keep_alive();
    p.version = req.version();
    if (options_.log_requests) {
      p.method = std::string(req.method_string());
      p.target = std::string(req.target());
    }
    p.received = Clock::now();
    queue_.push_back(std::move(p));

    Request request;
    request.method = ToMethod(req.method());
    request.target = std::string(req.target());
    request.content_type = std::string(req[http::field::content_type]);
    request.body = std::move(req.body());

    // The answer may come from a backend thread, possibly after the server
    // shut down: hold only weak references, and reach the strand through a
    // live session (a strand must not outlive its io_context).
    std::weak_ptr<Server::Impl> weak_server = server_.weak_from_this();
    std::weak_ptr<Session> weak_self = weak_from_this();
    uint64_t id = queue_.back().id;
    HandleRequest(std::move(request), server_.handler_context,
                  [weak_server, weak_self, id](Response response) {
                    std::shared_ptr<Server::Impl> server = weak_server.lock();
                    std::shared_ptr<Session> self = weak_self.lock();
                    if (!server || !self || server->io_finished.load()) return;
                    if (self->strand_.running_in_this_thread()) {
                      self->OnResponse(id, std::move(response));
                      return;
                    }
                    asio::post(self->strand_, [self, id, response = std::move(response)]() mutable {
                      self->OnResponse(id, std::move(response));
                    });
                  });
  }

  void OnResponse(uint64_t id, Response response) {
    if (queue_.empty() || id < queue_.front().id) return;  // connection already closing
    Pending& p = queue_[id - queue_.front().id];
    p.response = std::move(response);
    p.answered = Clock::now();
    if (p.id == queue_.front().id) writer_wake_.cancel();
  }

  asio::awaitable<void> WriteLoop() {
    bool clean = true;
    for (;;) {
      if (forced_) {
        clean = false;
        break;
      }
      if (!queue_.empty() && queue_.front().response) {
        Pending p = std::move(queue_.front());
        queue_.pop_front();
        reader_wake_.cancel();
        // While draining, the last answer closes the connection; a request
        // still arriving keeps it open until that request is answered.
        bool last = draining_ && queue_.empty() && phase_ != ReaderPhase::kReading;
        bool keep_alive = p.keep_alive && !last && !closing_;
        Record(p, keep_alive);
        writing_ = true;
        stream_.expires_after(options_.write_timeout);
        auto [ec, n] = co_await beast::async_write(stream_, BuildMessage(p, keep_alive), kAsTuple);
        writing_ = false;
        if (ec) {
          clean = false;
          break;
        }
        if (!keep_alive) break;
        continue;
      }
      if (queue_.empty() &&
          (phase_ == ReaderPhase::kDone || (draining_ && phase_ != ReaderPhase::kReading))) {
        break;
      }
      co_await WaitForNotify(writer_wake_);
    }
    closing_ = true;
    if (phase_ != ReaderPhase::kDone) {
      // Stop the reader, which may sit in a read or in the pipelining wait.
      // No write is in progress, so cancelling the socket only hits the read.
      reader_wake_.cancel();
      beast::error_code ignored;
      stream_.socket().cancel(ignored);
      while (phase_ != ReaderPhase::kDone) co_await WaitForNotify(writer_wake_);
    }
    if (clean) co_await LingeringClose();
  }

  asio::awaitable<void> LingeringClose() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) co_return;
    stream_.expires_after(kLingerTime);
    std::array<char, 4096> discard;
    size_t total = 0;
    while (total < kLingerMaxBytes && !forced_) {
      auto [rec, n] = co_await stream_.async_read_some(asio::buffer(discard), kAsTuple);
      if (rec) break;
      total += n;
    }
  }

  void Record(const Pending& p, bool keep_alive) {
    const Response& r = *p.response;
    auto duration = p.answered - p.received;
    server_.metrics.RecordRequest(r.route, r.status, duration);
    if (!options_.log_requests) return;
    std::string line =
        peer_ + " \"" + EscapeForLog(p.method) + " " + EscapeForLog(p.target) + "\" " +
        std::to_string(r.status) + " " + std::to_string(r.body.size()) + " " +
        std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(duration).count()) +
        "us " + std::string(r.route);
    if (!keep_alive) line += " close";
    if (!r.log_detail.empty()) line += " detail=\"" + EscapeForLog(r.log_detail) + "\"";
    options_.log(line);
  }

  static http::message_generator BuildMessage(Pending& p, bool keep_alive) {
    Response& r = *p.response;
    http::response<http::string_body> res{static_cast<http::status>(r.status), p.version};
    res.set(http::field::server, "ltl-node");
    if (!r.content_type.empty()) res.set(http::field::content_type, r.content_type);
    for (const auto& [name, value] : r.headers) res.set(name, value);
    res.keep_alive(keep_alive);
    res.body() = std::move(r.body);
    res.prepare_payload();
    if (p.head) {
      // Same header (Content-Length included), no body (RFC 9110 9.3.2).
      http::response<http::empty_body> head{std::move(res.base())};
      return http::message_generator(std::move(head));
    }
    return http::message_generator(std::move(res));
  }

  Server::Impl& server_;
  const ServerOptions& options_;
  const uint64_t id_;
  Strand strand_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  asio::steady_timer reader_wake_;  // notified when the queue shrinks or on close
  asio::steady_timer writer_wake_;  // notified when the front answer is ready,
                                    // the reader ended, or on drain/close
  std::string peer_;

  std::deque<Pending> queue_;
  uint64_t next_request_id_ = 0;
  ReaderPhase phase_ = ReaderPhase::kIdle;
  bool writing_ = false;
  bool draining_ = false;
  bool closing_ = false;
  bool forced_ = false;
};

asio::awaitable<void> Server::Impl::AcceptLoop() {
  for (;;) {
    Strand strand = asio::make_strand(io);
    tcp::socket socket(strand);
    auto [ec] = co_await acceptor.async_accept(socket, kAsTuple);
    if (!acceptor.is_open()) co_return;  // Stop() closed it
    if (ec) {
      // Typically EMFILE: back off instead of spinning on the error.
      options.log("error: accept: " + ec.message());
      backoff_timer.expires_after(std::chrono::milliseconds(100));
      co_await backoff_timer.async_wait(kAsTuple);
      continue;
    }
    if (active_sessions.load() >= options.max_connections) {
      metrics.ConnectionRejected();
      if (rejecting.load() < kMaxConcurrentRejections) {
        asio::co_spawn(strand, Reject(std::move(socket)),
                       LogEscapedException(options.log, "reject"));
      }
      continue;  // a socket not handed over closes here
    }
    uint64_t id;
    bool draining;
    std::shared_ptr<Session> session;
    {
      std::lock_guard<std::mutex> lock(mu);
      id = next_session_id++;
      draining = stopping;
      active_sessions.fetch_add(1);
      session = std::make_shared<Session>(*this, id, strand, std::move(socket));
      sessions.emplace(id, session);
    }
    session->Start(draining);
  }
}

asio::awaitable<void> Server::Impl::Reject(tcp::socket socket) {
  rejecting.fetch_add(1);
  beast::tcp_stream stream(std::move(socket));
  Response r = ErrorResponse(503, "overloaded", "too many connections; retry later");
  http::response<http::string_body> res{http::status::service_unavailable, 11};
  res.set(http::field::server, "ltl-node");
  res.set(http::field::content_type, r.content_type);
  res.set(http::field::retry_after, std::to_string(options.handlers.retry_after_seconds));
  res.keep_alive(false);
  res.body() = std::move(r.body);
  res.prepare_payload();
  stream.expires_after(kLingerTime);
  auto [ec, n] = co_await http::async_write(stream, res, kAsTuple);
  if (!ec) {
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    std::array<char, 1024> discard;
    for (size_t total = 0; total < kLingerMaxBytes;) {
      auto [rec, rn] = co_await stream.async_read_some(asio::buffer(discard), kAsTuple);
      if (rec) break;
      total += rn;
    }
  }
  rejecting.fetch_sub(1);
}

void Server::Impl::Stop() {
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (stopping) return;
    stopping = true;
    for (const auto& [id, weak] : sessions) {
      if (std::shared_ptr<Session> s = weak.lock()) live.push_back(std::move(s));
    }
  }
  asio::post(server_strand, [this] {
    beast::error_code ignored;
    acceptor.close(ignored);
    signals.cancel(ignored);
    backoff_timer.cancel();
    std::lock_guard<std::mutex> lock(mu);
    if (sessions.empty()) return;
    // SessionEnded() cancels this when the last session ends (it posts to
    // this strand, so the cancel cannot overtake the arming).
    grace_timer.expires_after(options.shutdown_grace);
    grace_timer.async_wait([this](beast::error_code ec) {
      if (!ec) ForceCloseAll();
    });
  });
  for (std::shared_ptr<Session>& s : live) {
    asio::post(s->strand(), [s] { s->BeginDrain(); });
  }
}

void Server::Impl::ForceCloseAll() {
  forced.store(true);
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard<std::mutex> lock(mu);
    for (const auto& [id, weak] : sessions) {
      if (std::shared_ptr<Session> s = weak.lock()) live.push_back(std::move(s));
    }
  }
  options.log("error: shutdown grace expired; cutting " + std::to_string(live.size()) +
              " connection(s)");
  for (std::shared_ptr<Session>& s : live) {
    asio::post(s->strand(), [s] { s->ForceClose(); });
  }
}

void Server::Impl::SessionEnded(uint64_t id) {
  active_sessions.fetch_sub(1);
  std::lock_guard<std::mutex> lock(mu);
  sessions.erase(id);
  if (stopping && sessions.empty() && !io_finished.load()) {
    asio::post(server_strand, [this] { grace_timer.cancel(); });
  }
}

Server::Server(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
  if (!waited_) {
    Stop();
    (void)Wait();
  }
}

Result<std::unique_ptr<Server>> Server::Start(const ServerOptions& options, LogBackend& backend) {
  if (options.max_connections == 0 || options.max_pipelined_requests == 0 ||
      options.max_header_bytes == 0 || options.handlers.max_entry_bytes == 0) {
    return Status::InvalidArgument("server limits must be at least 1");
  }
  if (options.read_timeout.count() <= 0 || options.idle_timeout.count() <= 0 ||
      options.write_timeout.count() <= 0 || options.shutdown_grace.count() < 0) {
    return Status::InvalidArgument("server timeouts must be positive");
  }
  if (!options.log) return Status::InvalidArgument("server log sink is empty");
  beast::error_code ec;
  asio::ip::address address = asio::ip::make_address(options.host, ec);
  if (ec) {
    return Status::InvalidArgument("listen host '" + options.host +
                                   "' is not an IP address literal");
  }
  unsigned thread_count = options.threads;
  if (thread_count == 0) thread_count = std::max(1u, std::thread::hardware_concurrency());

  auto impl = std::make_shared<Impl>(options, backend, thread_count);
  tcp::endpoint endpoint(address, options.port);
  std::string where = options.host + ":" + std::to_string(options.port);
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::Unavailable("cannot listen on " + where + ": " + ec.message());
  impl->bound_port = impl->acceptor.local_endpoint(ec).port();
  if (ec) return Status::Unavailable("cannot read the bound port: " + ec.message());

  Impl* raw = impl.get();
  asio::co_spawn(impl->server_strand, raw->AcceptLoop(),
                 LogEscapedException(raw->options.log, "accept loop"));
  if (options.stop_on_signals) {
    impl->signals.add(SIGINT, ec);
    if (!ec) impl->signals.add(SIGTERM, ec);
    if (ec) return Status::Internal("cannot install signal handlers: " + ec.message());
    impl->signals.async_wait([raw](beast::error_code wait_ec, int signal_number) {
      if (wait_ec) return;
      raw->options.log("received signal " + std::to_string(signal_number) + "; shutting down");
      raw->Stop();
    });
  }
  for (unsigned i = 0; i < thread_count; ++i) {
    impl->threads.emplace_back([raw] {
      for (;;) {
        try {
          raw->io.run();
          return;
        } catch (const std::exception& e) {
          // Handlers do not throw by design; if one does, log and keep the
          // pool serving rather than losing a thread.
          raw->options.log(std::string("error: exception in I/O thread: ") + e.what());
        }
      }
    });
  }
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

uint16_t Server::port() const { return impl_->bound_port; }

const HttpMetrics& Server::metrics() const { return impl_->metrics; }

void Server::Stop() { impl_->Stop(); }

Status Server::Wait() {
  for (std::thread& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
  impl_->io_finished.store(true);
  waited_ = true;
  if (impl_->forced.load()) {
    return Status::Unavailable("shutdown grace expired; connections were cut");
  }
  return Status::Ok();
}

}  // namespace ltl::node
