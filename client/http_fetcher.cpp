#include "client/http_fetcher.h"

#include <zlib.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "base/encoding.h"

namespace ltl::client {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
// Header block cap: a log's answers carry a handful of short headers.
constexpr uint32_t kMaxHeaderBytes = 16 * 1024;

bool IsPathChar(char c) { return c > 0x20 && c < 0x7f; }

Status CheckPath(std::string_view path) {
  if (path.empty() || path[0] != '/') {
    return Status::InvalidArgument("request path must start with '/'");
  }
  if (!std::all_of(path.begin(), path.end(), IsPathChar)) {
    return Status::InvalidArgument("request path contains a space or control character");
  }
  return Status::Ok();
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

// Decodes one gzip member; the whole input must be that member.
Result<std::string> Gunzip(std::string_view compressed, size_t max_bytes) {
  z_stream zs{};
  // 16 + MAX_WBITS: expect a gzip header and trailer (not zlib, not raw).
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
    return Status::Internal("zlib: inflateInit2 failed");
  }
  std::string out;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  zs.avail_in = static_cast<uInt>(compressed.size());
  char chunk[16384];
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(chunk);
    zs.avail_out = sizeof(chunk);
    rc = inflate(&zs, Z_NO_FLUSH);
    size_t produced = sizeof(chunk) - zs.avail_out;
    if (out.size() + produced > max_bytes) {
      inflateEnd(&zs);
      return Status::ResourceExhausted("gzip body inflates beyond " + std::to_string(max_bytes) +
                                       " bytes");
    }
    out.append(chunk, produced);
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) break;  // input ended early
  }
  const bool complete = rc == Z_STREAM_END && zs.avail_in == 0;
  inflateEnd(&zs);
  if (!complete) {
    return Status::DataLoss(rc == Z_STREAM_END ? "gzip body has trailing bytes"
                                               : "gzip body is corrupt or truncated");
  }
  return out;
}

std::string HostHeader(const std::string& host, uint16_t port) {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != 80) h += ":" + std::to_string(port);
  return h;
}

using Request = http::request<http::string_body>;

Status TransportError(const beast::error_code& ec, std::string_view step,
                      std::chrono::milliseconds timeout) {
  if (ec == beast::error::timeout || ec == asio::error::operation_aborted) {
    return Status::Unavailable(std::string(step) + ": timed out after " +
                               std::to_string(timeout.count()) + " ms");
  }
  if (ec == http::error::body_limit || ec == http::error::header_limit) {
    return Status::ResourceExhausted(std::string(step) + ": answer too large (" + ec.message() +
                                     ")");
  }
  return Status::Unavailable(std::string(step) + ": " + ec.message());
}

// One attempt: resolve, connect, send, read. Errors as values throughout
// (as_tuple), so nothing here throws on I/O failure.
asio::awaitable<Result<HttpResponse>> Exchange(std::string host, uint16_t port, Request request,
                                               HttpFetcherOptions options) {
  auto executor = co_await asio::this_coro::executor;

  // The resolver has no timeout of its own: a timer cancels it. The timer's
  // handler may run after this frame is gone, hence the weak_ptr.
  auto resolver = std::make_shared<tcp::resolver>(executor);
  asio::steady_timer resolve_timer(executor, options.connect_timeout);
  resolve_timer.async_wait([weak = std::weak_ptr<tcp::resolver>(resolver)](beast::error_code ec) {
    if (ec) return;
    if (auto r = weak.lock()) r->cancel();
  });
  auto [resolve_ec, endpoints] =
      co_await resolver->async_resolve(host, std::to_string(port), kAsTuple);
  resolve_timer.cancel();
  if (resolve_ec)
    co_return TransportError(resolve_ec, "resolving " + host, options.connect_timeout);

  beast::tcp_stream stream(executor);
  stream.expires_after(options.connect_timeout);
  auto [connect_ec, endpoint] = co_await stream.async_connect(endpoints, kAsTuple);
  if (connect_ec) {
    co_return TransportError(connect_ec, "connecting to " + HostHeader(host, port),
                             options.connect_timeout);
  }

  // One deadline for sending the request and reading the whole answer.
  stream.expires_after(options.request_timeout);
  auto [write_ec, written] = co_await http::async_write(stream, request, kAsTuple);
  if (write_ec) co_return TransportError(write_ec, "sending request", options.request_timeout);

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.header_limit(kMaxHeaderBytes);
  parser.body_limit(options.max_body_bytes);
  auto [read_ec, read] = co_await http::async_read(stream, buffer, parser, kAsTuple);
  if (read_ec) co_return TransportError(read_ec, "reading answer", options.request_timeout);

  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);

  http::response<http::string_body> response = parser.release();
  HttpResponse out;
  out.status = static_cast<int>(response.result_int());
  out.content_type = std::string(response[http::field::content_type]);
  if (auto it = response.find(http::field::retry_after); it != response.end()) {
    // Delta-seconds only; an HTTP-date falls back to our own backoff.
    auto seconds = ParseDecimalU64(std::string_view(it->value().data(), it->value().size()));
    if (seconds.has_value()) {
      out.retry_after_seconds = static_cast<uint32_t>(std::min<uint64_t>(*seconds, UINT32_MAX));
    }
  }
  std::string_view encoding = response[http::field::content_encoding];
  if (encoding.empty() || encoding == "identity") {
    out.body = std::move(response.body());
  } else if (encoding == "gzip" || encoding == "x-gzip") {
    auto decoded = Gunzip(response.body(), options.max_body_bytes);
    if (!decoded.has_value()) co_return decoded.error();
    out.body = std::move(decoded).value();
  } else {
    co_return Status::DataLoss("unsupported Content-Encoding \"" + std::string(encoding) + "\"");
  }
  co_return out;
}

// co_spawn needs a default-constructible result, which Result is not: the
// exchange's outcome is written through `out` instead.
asio::awaitable<void> ExchangeInto(std::string host, uint16_t port, Request request,
                                   HttpFetcherOptions options,
                                   std::optional<Result<HttpResponse>>* out) {
  *out = co_await Exchange(std::move(host), port, std::move(request), std::move(options));
}

Result<HttpResponse> RunExchange(const std::string& host, uint16_t port, Request request,
                                 const HttpFetcherOptions& options) {
  asio::io_context io;
  std::optional<Result<HttpResponse>> outcome;
  asio::co_spawn(io, ExchangeInto(host, port, std::move(request), options, &outcome),
                 [&outcome](std::exception_ptr error) {
                   if (!error) return;
                   try {
                     std::rethrow_exception(error);
                   } catch (const std::exception& e) {
                     outcome = Status::Internal(std::string("HTTP exchange failed: ") + e.what());
                   } catch (...) {
                     outcome = Status::Internal("HTTP exchange failed");
                   }
                 });
  io.run();
  if (!outcome.has_value()) return Status::Internal("HTTP exchange did not complete");
  return std::move(*outcome);
}

bool ShouldRetry(const Result<HttpResponse>& attempt) {
  if (!attempt.has_value()) return attempt.error().code() == StatusCode::kUnavailable;
  return attempt->status == 503 || attempt->status == 429;
}

}  // namespace

Result<std::unique_ptr<HttpFetcher>> HttpFetcher::Create(std::string_view base_url,
                                                         HttpFetcherOptions options) {
  if (options.max_attempts < 1 || options.connect_timeout.count() <= 0 ||
      options.request_timeout.count() <= 0 || options.max_body_bytes == 0) {
    return Status::InvalidArgument("HttpFetcherOptions: invalid limits");
  }
  if (StartsWithNoCase(base_url, "https://")) {
    return Status::InvalidArgument(
        "https:// is not supported: this client speaks plain http:// only (use a local "
        "TLS-terminating proxy); every answer is verified against signed checkpoints anyway");
  }
  if (!StartsWithNoCase(base_url, "http://")) {
    return Status::InvalidArgument("log URL must start with http://");
  }
  std::string_view rest = base_url.substr(7);
  if (rest.find_first_of("@?#") != std::string_view::npos) {
    return Status::InvalidArgument("log URL must not contain user info, a query or a fragment");
  }
  if (!std::all_of(rest.begin(), rest.end(), IsPathChar)) {
    return Status::InvalidArgument("log URL contains a space or control character");
  }
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view prefix = slash == std::string_view::npos ? "" : rest.substr(slash);
  while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);

  std::string_view host;
  std::string_view port_text;
  if (!authority.empty() && authority[0] == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return Status::InvalidArgument("log URL: unclosed '['");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return Status::InvalidArgument("log URL: junk after IPv6 address");
      port_text = after.substr(1);
      if (port_text.empty()) return Status::InvalidArgument("log URL: empty port");
    }
  } else {
    const size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return Status::InvalidArgument("log URL: empty port");
    }
  }
  if (host.empty()) return Status::InvalidArgument("log URL: empty host");
  uint16_t port = 80;
  if (!port_text.empty()) {
    auto parsed = ParseDecimalU64(port_text);
    if (!parsed.has_value() || *parsed == 0 || *parsed > 65535) {
      return Status::InvalidArgument("log URL: port must be 1..65535");
    }
    port = static_cast<uint16_t>(*parsed);
  }
  return std::unique_ptr<HttpFetcher>(
      new HttpFetcher(std::string(host), port, std::string(prefix), options));
}

Result<HttpResponse> HttpFetcher::Get(std::string_view path) { return Call(false, path, "", ""); }

Result<HttpResponse> HttpFetcher::Post(std::string_view path, std::string_view content_type,
                                       std::string_view body) {
  return Call(true, path, content_type, body);
}

Result<HttpResponse> HttpFetcher::Call(bool post, std::string_view path,
                                       std::string_view content_type, std::string_view body) {
  LTL_RETURN_IF_ERROR(CheckPath(path));
  if (body.size() > options_.max_body_bytes) {
    return Status::ResourceExhausted("request body exceeds the body cap");
  }
  try {
    std::chrono::milliseconds backoff = options_.initial_backoff;
    for (int attempt = 1;; ++attempt) {
      Request request(post ? http::verb::post : http::verb::get, prefix_ + std::string(path), 11);
      request.set(http::field::host, HostHeader(host_, port_));
      request.set(http::field::user_agent, options_.user_agent);
      request.set(http::field::accept_encoding, "gzip");
      request.set(http::field::connection, "close");
      if (post) {
        request.set(http::field::content_type, content_type);
        request.body() = std::string(body);
        request.prepare_payload();
      }
      Result<HttpResponse> result = RunExchange(host_, port_, std::move(request), options_);
      if (attempt >= options_.max_attempts || !ShouldRetry(result)) return result;

      std::chrono::milliseconds wait = backoff;
      if (result.has_value() && result->retry_after_seconds.has_value()) {
        wait = std::chrono::seconds(
            std::min<int64_t>(*result->retry_after_seconds, options_.max_retry_after.count()));
      }
      std::this_thread::sleep_for(wait);
      backoff = std::min(backoff * 2, options_.max_backoff);
    }
  } catch (const std::exception& e) {
    // Beast and Asio throw on allocation failure or misuse; stop it here.
    return Status::Internal(std::string("HTTP client: ") + e.what());
  }
}

}  // namespace ltl::client
