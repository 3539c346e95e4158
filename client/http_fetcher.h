// HttpFetcher: the Fetcher (client/fetcher.h) that speaks HTTP/1.1 to a log.
//
// Scope: plain http:// only. https:// is refused with a clear error: this
// client does not carry a TLS stack; put the log behind a local
// TLS-terminating proxy or tunnel. (Nothing the client trusts depends on the
// transport: every byte it accepts is verified against signed checkpoints.)
//
// Base URL: "http://host[:port][/prefix]" (host a name, IPv4, or [IPv6];
// port 80 when absent). Request paths are appended to the prefix:
// base "http://log.example:8080/ltl" + "/checkpoint" ->
// GET /ltl/checkpoint on log.example:8080. No user info, query or fragment.
//
// Behaviour (defaults in HttpFetcherOptions):
//   - one TCP connection per request attempt ("Connection: close"): the
//     client's requests are few and a dead keep-alive connection is a worse
//     failure mode than a handshake;
//   - a connect timeout, and a timeout for sending the request and reading
//     the whole answer;
//   - retries with exponential backoff (initial_backoff * 2^n, capped at
//     max_backoff) after transport errors and after 503/429 answers; a
//     Retry-After in seconds replaces the backoff, capped at max_retry_after.
//     POST is retried too: POST /add is idempotent (the log answers a
//     resubmitted entry with the existing entry's receipt). After the last
//     attempt the last transport error, or the last 503 answer, is returned;
//   - "Accept-Encoding: gzip": a gzip-encoded answer is decoded with zlib;
//     any other Content-Encoding is an error;
//   - the body, before and after decoding, is capped at max_body_bytes.
//
// Thread-safety: Get and Post may be called from several threads at once
// (each call owns its own I/O context and socket).
#ifndef LTL_CLIENT_HTTP_FETCHER_H_
#define LTL_CLIENT_HTTP_FETCHER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "client/fetcher.h"

namespace ltl::client {

struct HttpFetcherOptions {
  // Resolving the host and completing the TCP handshake.
  std::chrono::milliseconds connect_timeout{5000};
  // Sending the request and reading the whole answer, per attempt.
  std::chrono::milliseconds request_timeout{30000};
  // Attempts per call, the first included (1 disables retries).
  int max_attempts = 4;
  std::chrono::milliseconds initial_backoff{250};
  std::chrono::milliseconds max_backoff{8000};
  // Largest Retry-After honoured; a larger value is clamped to this.
  std::chrono::seconds max_retry_after{30};
  // Largest body accepted, on the wire and after gzip decoding. A full entry
  // bundle is at most 256 * (2 + 65,535) bytes, about 16 MiB.
  size_t max_body_bytes = size_t{17} << 20;
  std::string user_agent = "ltl-client/0.1";
};

class HttpFetcher final : public Fetcher {
 public:
  // Errors: InvalidArgument for a malformed base URL, one with user info,
  // query or fragment, or an https:// URL (not supported; see above); or
  // invalid options (max_attempts < 1, zero timeouts or body cap).
  static Result<std::unique_ptr<HttpFetcher>> Create(std::string_view base_url,
                                                     HttpFetcherOptions options = {});

  Result<HttpResponse> Get(std::string_view path) override;
  Result<HttpResponse> Post(std::string_view path, std::string_view content_type,
                            std::string_view body) override;

  const std::string& host() const { return host_; }
  uint16_t port() const { return port_; }
  // The path prefix without a trailing '/'; empty for none.
  const std::string& prefix() const { return prefix_; }

 private:
  HttpFetcher(std::string host, uint16_t port, std::string prefix, HttpFetcherOptions options)
      : host_(std::move(host)), port_(port), prefix_(std::move(prefix)), options_(options) {}

  Result<HttpResponse> Call(bool post, std::string_view path, std::string_view content_type,
                            std::string_view body);

  std::string host_;
  uint16_t port_;
  std::string prefix_;
  HttpFetcherOptions options_;
};

}  // namespace ltl::client

#endif  // LTL_CLIENT_HTTP_FETCHER_H_
