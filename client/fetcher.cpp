#include "client/fetcher.h"

#include <string>

#include "client/json_detail.h"

namespace ltl::client {
namespace {

// How much of a non-JSON error body goes into a message: enough to recognise
// a proxy's error page, not enough to flood a terminal.
constexpr size_t kMaxBodyInMessage = 200;

StatusCode CodeForHttpStatus(int status) {
  switch (status) {
    case 400:
      return StatusCode::kInvalidArgument;
    case 403:
      return StatusCode::kPermissionDenied;
    case 404:
      return StatusCode::kNotFound;
    case 409:
      return StatusCode::kAlreadyExists;
    case 413:
      return StatusCode::kResourceExhausted;
    case 429:
    case 503:
      return StatusCode::kUnavailable;
    default:
      return status >= 500 ? StatusCode::kUnavailable : StatusCode::kFailedPrecondition;
  }
}

// Printable ASCII only: the body is whatever the server sent.
std::string Sanitise(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, kMaxBodyInMessage)) {
    out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  }
  if (text.size() > kMaxBodyInMessage) out += "...";
  return out;
}

// The log's error body: {"error": "...", "reason": "..."} (docs/api.md#errors).
std::string DescribeErrorBody(std::string_view body) {
  rapidjson::Document doc;
  if (detail::ParseJsonObject(body, doc).ok()) {
    detail::JsonObject object(doc, "error body");
    auto error = object.String("error");
    auto reason = object.String("reason");
    if (error.has_value()) {
      return Sanitise(*error) + (reason.has_value() ? " (" + Sanitise(*reason) + ")" : "");
    }
  }
  return Sanitise(body);
}

}  // namespace

Status HttpAnswerToStatus(const HttpResponse& response, std::string_view what) {
  std::string message = std::string(what) + ": HTTP " + std::to_string(response.status);
  if (!response.body.empty()) message += ": " + DescribeErrorBody(response.body);
  return Status(CodeForHttpStatus(response.status), message);
}

Result<std::string> GetBody(Fetcher& fetcher, std::string_view path) {
  LTL_ASSIGN_OR_RETURN(HttpResponse response, fetcher.Get(path));
  if (response.status != 200) {
    return HttpAnswerToStatus(response, "GET " + std::string(path));
  }
  return std::move(response.body);
}

}  // namespace ltl::client
