// http_request: node::HandleRequest, the whole HTTP API behind the Beast
// loop, over the in-memory FakeBackend of the node tests.
// Input layout: byte 0 picks the method (GET, HEAD, POST, other) and the
// submit behaviour of the backend; then the request target up to the first
// "\n", the Content-Type up to the next "\n", and the rest is the body.
// Properties:
//   - exactly one answer per request, synchronously (the fake backend
//     answers Submit inside the call), with an HTTP status from 200..599;
//   - the route label is one of the fixed set (bounded metric labels);
//   - every 503 carries Retry-After; every error body is a JSON object with
//     "error" and "reason"; an Internal/DataLoss detail is never sent.
#include <string>

#include "fuzz/targets.h"
#include "fuzz/targets/fuzz_keys.h"
#include "node/http_handlers.h"
#include "tests/node/fake_backend.h"

namespace ltl::fuzz {
namespace {

constexpr std::string_view kName = "http_request";
constexpr std::string_view kRoutes[] = {
    "checkpoint", "tile",   "tile_entries", "add",     "proof_inclusion", "proof_consistency",
    "entry",      "lookup", "healthz",      "metrics", "unknown"};
// Planted in backend errors that must never reach the client.
constexpr std::string_view kSecret = "secret-detail-5d1c";

std::string_view NextLine(std::string_view& rest) {
  const size_t nl = rest.find('\n');
  std::string_view line = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  return line;
}

}  // namespace

int FuzzHttpRequest(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  std::string_view rest = AsText(data + 1, size - 1);
  node::Request request;
  constexpr node::Method kMethods[] = {node::Method::kGet, node::Method::kHead, node::Method::kPost,
                                       node::Method::kOther};
  request.method = kMethods[mode % 4];
  request.target = std::string(NextLine(rest));
  request.content_type = std::string(NextLine(rest));
  request.body = std::string(rest);

  node::testing::FakeBackend backend;
  backend.AddEntry("fuzz entry 0\n");
  backend.AddEntry("fuzz entry 1\n");
  switch ((mode >> 2) % 4) {
    case 0:
      backend.submit_mode = node::testing::FakeBackend::SubmitMode::kImmediate;
      break;
    case 1:
      backend.submit_mode = node::testing::FakeBackend::SubmitMode::kFail;
      backend.submit_error = Status::ResourceExhausted("queue full");
      break;
    case 2:
      backend.submit_mode = node::testing::FakeBackend::SubmitMode::kFail;
      backend.submit_error = Status::Internal(std::string(kSecret) + " internal");
      break;
    default:
      backend.health = Status::Unavailable("the log writer stopped");
      backend.proof_error = Status::DataLoss(std::string(kSecret) + " corrupt");
      break;
  }
  node::HandlerContext context{.backend = backend};
  context.options.max_entry_bytes = 4096;

  int answers = 0;
  node::Response response;
  node::HandleRequest(request, context, [&](node::Response r) {
    ++answers;
    response = std::move(r);
  });
  if (answers != 1) Violation(kName, "not exactly one answer");
  if (response.status < 200 || response.status > 599) Violation(kName, "status outside 200..599");
  bool known_route = false;
  for (std::string_view r : kRoutes) known_route |= response.route == r;
  if (!known_route) Violation(kName, "a route label outside the fixed set");
  bool retry_after = false;
  for (const auto& [name, value] : response.headers) retry_after |= name == "Retry-After";
  if (response.status == 503 && !retry_after) Violation(kName, "503 without Retry-After");
  if (response.status >= 400) {
    if (response.content_type != "application/json" || !response.body.starts_with("{\"error\":") ||
        response.body.find("\"reason\":") == std::string::npos) {
      Violation(kName, "an error answer that is not the JSON error shape");
    }
    // (Unless the request itself carried the marker: answers may quote it.)
    if (response.body.find(kSecret) != std::string::npos &&
        request.target.find(kSecret) == std::string::npos) {
      Violation(kName, "an internal error detail was sent to the client");
    }
  }
  return 0;
}

}  // namespace ltl::fuzz
