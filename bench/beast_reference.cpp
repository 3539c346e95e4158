// ltl-beast-reference: the machine's raw Boost.Beast request rate, the
// reference that bench/run divides LTL's tile-serving rate by (issue 9,
// target 3). It is the thinnest server that still speaks correct keep-alive
// HTTP/1.1 with Beast: one coroutine per connection on an Asio thread pool,
// every GET answered 200 with the same fixed 1 KiB body, no routing, no
// storage, no logging. Whatever LTL's server costs beyond this is LTL's.
//
//   ltl-beast-reference --port PORT [--threads 1..64 (0 = one per core)]
//                       [--duration 1..600 seconds (120)]
//
// The body's first two lines are "beast-reference" and "1000000", so that
// ltl-loadgen's tile mode (which reads the tree size from the second line of
// GET /checkpoint) can drive this server with exactly the requests it sends
// to a node. It listens on 127.0.0.1 only and exits by itself after
// --duration seconds (or on SIGINT/SIGTERM), so a forgotten instance cannot
// linger.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "base/encoding.h"
#include "base/result.h"
#include "base/status.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
constexpr size_t kBodyBytes = 1024;

struct Config {
  uint16_t port = 0;
  unsigned threads = 0;
  uint64_t duration_seconds = 120;
};

ltl::Result<Config> ParseArgs(int argc, char** argv) {
  Config c;
  bool have_port = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) return ltl::Status::InvalidArgument(std::string(flag) + " needs a value");
    const std::string_view value = argv[++i];
    auto number = [&](uint64_t min, uint64_t max) -> ltl::Result<uint64_t> {
      ltl::Result<uint64_t> n = ltl::ParseDecimalU64(value);
      if (!n || *n < min || *n > max) {
        return ltl::Status::InvalidArgument(std::string(flag) + ": want " + std::to_string(min) +
                                            ".." + std::to_string(max));
      }
      return n;
    };
    if (flag == "--port") {
      LTL_ASSIGN_OR_RETURN(uint64_t p, number(1, 65535));
      c.port = static_cast<uint16_t>(p);
      have_port = true;
    } else if (flag == "--threads") {
      LTL_ASSIGN_OR_RETURN(uint64_t t, number(0, 64));
      c.threads = static_cast<unsigned>(t);
    } else if (flag == "--duration") {
      LTL_ASSIGN_OR_RETURN(c.duration_seconds, number(1, 600));
    } else {
      return ltl::Status::InvalidArgument("unknown flag " + std::string(flag));
    }
  }
  if (!have_port) return ltl::Status::InvalidArgument("--port is required");
  return c;
}

// The fixed 1 KiB body: two lines loadgen can parse, then filler.
std::string MakeBody() {
  std::string body = "beast-reference\n1000000\n";
  body.resize(kBodyBytes - 1, 'x');
  body += '\n';
  return body;
}

asio::awaitable<void> Serve(tcp::socket socket, const std::string& body) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    stream.expires_after(std::chrono::seconds(30));
    http::request<http::string_body> req;
    auto [rec, rn] = co_await http::async_read(stream, buffer, req, kAsTuple);
    if (rec) break;
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::content_type, "application/octet-stream");
    res.keep_alive(req.keep_alive());
    res.body() = body;
    res.prepare_payload();
    auto [wec, wn] = co_await http::async_write(stream, res, kAsTuple);
    if (wec || !res.keep_alive()) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> Accept(tcp::acceptor& acceptor, const std::string& body) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(kAsTuple);
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) continue;
    asio::co_spawn(acceptor.get_executor(), Serve(std::move(socket), body), asio::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  ltl::Result<Config> config = ParseArgs(argc, argv);
  if (!config) {
    std::fprintf(stderr,
                 "ltl-beast-reference: %s\nusage: ltl-beast-reference --port PORT "
                 "[--threads 0..64] [--duration 1..600]\n",
                 config.error().ToString().c_str());
    return 2;
  }
  unsigned threads = config->threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  const std::string body = MakeBody();
  asio::io_context io(static_cast<int>(threads));
  beast::error_code ec;
  tcp::acceptor acceptor(io);
  const tcp::endpoint endpoint(asio::ip::make_address_v4("127.0.0.1"), config->port);
  if (acceptor.open(endpoint.protocol(), ec); !ec) {
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    acceptor.bind(endpoint, ec);
  }
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    std::fprintf(stderr, "ltl-beast-reference: listen on 127.0.0.1:%u: %s\n", config->port,
                 ec.message().c_str());
    return 1;
  }
  asio::co_spawn(io, Accept(acceptor, body), asio::detached);

  // Bounded life: stop after --duration or on a signal.
  asio::steady_timer deadline(io, std::chrono::seconds(config->duration_seconds));
  asio::signal_set signals(io, SIGINT, SIGTERM);
  auto stop = [&] { io.stop(); };
  deadline.async_wait([&](beast::error_code) { stop(); });
  signals.async_wait([&](beast::error_code, int) { stop(); });

  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
  io.run();
  for (std::thread& t : pool) t.join();
  return 0;
}
