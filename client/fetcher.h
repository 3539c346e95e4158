// Fetcher: how the verifying client reaches a log, reduced to two calls.
//
// Everything in client/ that talks to a log goes through this interface, so
// tests substitute an in-memory log (tests/client/fake_log.h) and the CLI uses
// HttpFetcher (client/http_fetcher.h). Paths are relative to the log's base
// URL and start with '/': "/checkpoint", "/tile/0/x001/234.p/7", "/add".
//
// A Fetcher reports *transport* failures as errors and HTTP answers as
// values: a 404 or a 503 is an HttpResponse, not an error, because what it
// means depends on the caller (a partial tile that 404s is looked up in the
// full tile; a 404 checkpoint means the log is empty or wrong). Callers turn
// an unexpected answer into a Status with HttpAnswerToStatus().
//
// Thread-safety: implementations document their own; HttpFetcher is safe to
// call from several threads at once.
#ifndef LTL_CLIENT_FETCHER_H_
#define LTL_CLIENT_FETCHER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/status.h"

namespace ltl::client {

struct HttpResponse {
  int status = 0;            // HTTP status code, e.g. 200
  std::string content_type;  // the Content-Type header, empty when absent
  // Retry-After in seconds when the answer carried one in delta-seconds form.
  std::optional<uint32_t> retry_after_seconds;
  std::string body;  // decoded: any Content-Encoding has been removed
};

class Fetcher {
 public:
  virtual ~Fetcher() = default;

  // GET <base><path>. Errors: Unavailable when the log cannot be reached or
  // the exchange fails (connection refused, timeout, truncated answer);
  // ResourceExhausted when the answer exceeds the fetcher's body cap;
  // DataLoss when the answer cannot be decoded (corrupt gzip, unknown
  // Content-Encoding); InvalidArgument for a path that does not start with '/'.
  virtual Result<HttpResponse> Get(std::string_view path) = 0;

  // POST <base><path> with the given body and Content-Type. Errors as Get().
  virtual Result<HttpResponse> Post(std::string_view path, std::string_view content_type,
                                    std::string_view body) = 0;
};

// The Status that a non-2xx answer stands for, with the log's JSON "error" and
// "reason" (docs/api.md#errors) or a prefix of the body in the message:
// 400 InvalidArgument, 403 PermissionDenied, 404 NotFound, 409 AlreadyExists,
// 413 ResourceExhausted, 429/503 Unavailable, other 4xx FailedPrecondition,
// other 5xx Unavailable. `what` names the request ("GET /checkpoint").
// REQUIRES: response.status is not 2xx.
Status HttpAnswerToStatus(const HttpResponse& response, std::string_view what);

// GET `path` and return the body of a 200 answer; any other answer becomes
// HttpAnswerToStatus(). Errors: those of Fetcher::Get and HttpAnswerToStatus.
Result<std::string> GetBody(Fetcher& fetcher, std::string_view path);

}  // namespace ltl::client

#endif  // LTL_CLIENT_FETCHER_H_
