#include "client/outcome.h"

namespace ltl::client {

std::string_view VerifyOutcomeName(VerifyOutcome outcome) {
  switch (outcome) {
    case VerifyOutcome::kOk:
      return "ok";
    case VerifyOutcome::kUsage:
      return "usage";
    case VerifyOutcome::kNetwork:
      return "network";
    case VerifyOutcome::kLogError:
      return "log_error";
    case VerifyOutcome::kInvalidEntry:
      return "invalid_entry";
    case VerifyOutcome::kBadSignature:
      return "bad_signature";
    case VerifyOutcome::kPolicy:
      return "policy";
    case VerifyOutcome::kProofFailure:
      return "proof_failure";
    case VerifyOutcome::kInconsistent:
      return "inconsistent";
    case VerifyOutcome::kLocalState:
      return "local_state";
  }
  return "unknown";
}

std::string VerifyFailure::ToString() const {
  return std::string(VerifyOutcomeName(outcome)) + ": " + status.message();
}

VerifyFailure FailFetch(Status status) {
  const VerifyOutcome outcome = status.code() == StatusCode::kUnavailable
                                    ? VerifyOutcome::kNetwork
                                    : VerifyOutcome::kLogError;
  return Fail(outcome, std::move(status));
}

}  // namespace ltl::client
