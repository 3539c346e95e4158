// The HTTP API of a log node as plain functions over typed requests
// (STYLE.md habit 10). No Beast here: node/server.cpp turns bytes into a
// Request and a Response back into bytes; everything between is in this
// module and is tested without sockets. The routes and their answers are
// specified in docs/api.md.
//
//   GET  /checkpoint                          latest signed checkpoint
//   GET  /tile/<L>/<N>[.p/<W>]                hash tile (tlog-tiles)
//   GET  /tile/entries/<N>[.p/<W>]            entry bundle (tlog-tiles)
//   POST /add                                 submit an entry -> JSON receipt
//   GET  /proof/inclusion?index=I&size=S      inclusion proof (or entry_ref=HEX&size=S)
//   GET  /proof/consistency?from=A&to=B       consistency proof
//   GET  /entry/<index>                       one logged entry
//   GET  /lookup?work=ID|signer=NAME|grant=REF[&cursor=C][&limit=L]
//   GET  /healthz                             liveness and store health
//   GET  /metrics                             Prometheus text
//
// Routes of the network roles (docs/network.md), served when the node has
// the role (NetworkRoutes below; 404 otherwise):
//   POST /add-checkpoint                      tlog-witness v1.0.0 (witness)
//   GET  /gossip/checkpoint?origin=O          this node's view of a log (gossip)
//   GET  /alarms                              gossip alarms and refusals, JSON
//   POST /add?wait=witnessed                  receipt at the first witnessed
//                                             checkpoint covering the entry (log)
//
// Errors are JSON `{"error": "<message>", "reason": "<machine code>"}` with the
// HTTP status from HttpStatusFor(); see docs/api.md#errors.
// Thread-safety: the functions are reentrant; concurrency is the backend's
// and the metrics' concern (both are thread-safe).
#ifndef LTL_NODE_HTTP_HANDLERS_H_
#define LTL_NODE_HTTP_HANDLERS_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "node/log_backend.h"
#include "node/metrics.h"

namespace ltl::node {

enum class Method { kGet, kHead, kPost, kOther };

// A parsed HTTP request, as the server hands it over.
struct Request {
  Method method = Method::kGet;
  std::string target;        // request-target in origin form: "/path?query"
  std::string content_type;  // the Content-Type header, empty when absent
  std::string body;
};

struct Response {
  int status = 200;
  std::string content_type;
  std::string body;
  // Extra headers (Cache-Control, Allow, Retry-After), in order.
  std::vector<std::pair<std::string, std::string>> headers;
  // The route label used for metrics and logs ("tile", "add", ...); one of a
  // fixed set of static strings, never derived from the request.
  std::string_view route = "unknown";
  // For the server's log only, never sent: the original message of an error
  // whose details are hidden from the client (Internal, DataLoss).
  std::string log_detail;
};

// Limits and knobs of the handlers; defaults are documented in
// docs/operations.md.
struct HandlerOptions {
  // Largest accepted POST /add body. tlog-tiles entry bundles cap an entry
  // at 65,535 bytes (uint16 length prefix).
  size_t max_entry_bytes = 65535;
  // Retry-After (seconds) on 503 answers.
  uint32_t retry_after_seconds = 1;
  // Cache-Control max-age of GET /checkpoint (tlog-tiles: a few seconds at most).
  uint32_t checkpoint_max_age_seconds = 2;
  // GET /lookup page size when `limit` is absent, and the largest accepted.
  uint32_t lookup_default_limit = 100;
  uint32_t lookup_max_limit = 1000;
};

// Routes served by the network roles (node/witness.h, node/cosigning.h,
// node/gossip.h), plugged in by `ltl-node serve`. Each is optional: an empty
// function means the node does not have that role, and the route is 404.
struct NetworkRoutes {
  // POST /add-checkpoint: the witness's whole answer to a request body.
  std::function<Response(std::string_view body)> add_checkpoint;
  // GET /gossip/checkpoint?origin=O: the signed checkpoint this node holds
  // for origin O (text/plain), NotFound when it holds none.
  std::function<Result<std::string>(std::string_view origin)> gossip_checkpoint;
  // GET /alarms: the JSON document of alarms and evidence.
  std::function<Result<std::string>()> alarms;
  // Appends the roles' metrics (Prometheus text) to GET /metrics.
  std::function<void(std::string& out)> metrics;
  // POST /add?wait=witnessed: called with the receipt the log just issued;
  // must call `done` exactly once, from any thread, with the receipt moved to
  // the first published (witnessed) checkpoint that covers it, or an error
  // (Unavailable when the wait bound passed). Empty: wait=witnessed is 400.
  std::function<void(Receipt receipt, std::function<void(Result<Receipt>)> done)> await_witnessed;
};

// What the handlers need besides the request.
struct HandlerContext {
  LogBackend& backend;
  // For GET /metrics; may be null (then only backend metrics are rendered).
  const HttpMetrics* http_metrics = nullptr;
  HandlerOptions options{};
  NetworkRoutes network{};
  // Wall clock for the checkpoint age gauge (a parameter so tests can fix it).
  std::function<std::chrono::system_clock::time_point()> now = [] {
    return std::chrono::system_clock::now();
  };
};

// Receives the response; called exactly once per HandleRequest().
using Respond = std::function<void(Response)>;

// Routes and answers `request`. Every route but POST /add answers before
// returning; POST /add answers from the backend's thread once the entry is
// durable (or refused). The caller must therefore make `respond` safe to call
// from another thread.
void HandleRequest(Request request, const HandlerContext& context, Respond respond);

// The one table from Status codes to HTTP statuses (docs/api.md#errors).
int HttpStatusFor(StatusCode code);

// The JSON error answer for `status` (REQUIRES: !status.ok()). Internal and
// DataLoss messages are replaced by a generic text (the caller logs the
// original); 503 answers carry Retry-After.
Response ErrorResponse(const Status& status, uint32_t retry_after_seconds);

// A JSON error with an explicit HTTP status and machine reason, for answers
// that do not come from a Status (405, 413, 431, 503 connection cap).
Response ErrorResponse(int http_status, std::string_view reason, std::string_view message);

// The path and decoded query parameters of a request-target.
struct Target {
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;  // in request order
};

// Splits "/path?a=1&b=2" and percent-decodes parameter names and values
// (RFC 3986: "%2B" is '+', and '+' stays '+', since verifier keys contain it).
// Strict: rejects a target not starting with '/', '%' not followed by two hex
// digits, a decoded NUL or control character, a parameter without '=', an
// empty name, and a name given twice. Errors: InvalidArgument.
Result<Target> ParseTarget(std::string_view target);

}  // namespace ltl::node

#endif  // LTL_NODE_HTTP_HANDLERS_H_
