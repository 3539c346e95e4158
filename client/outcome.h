// Verification outcomes: why the client did not accept what a log showed it.
//
// STYLE.md habit 11: outcomes are distinct reasons, and the `ltl` CLI maps
// each to its own exit code. Every client operation that *verifies* something
// (client/policy.h, state.h, receipt.h, verify.h) returns a VerifyResult<T>:
// the verified value, or a VerifyFailure naming one reason, a Status with the
// details, and, for kInconsistent, the evidence (client/evidence.h).
//
// The reasons separate who is at fault and what a user should do:
//
//   kUsage         the caller's input is wrong (malformed key, receipt file,
//                  URL, an index beyond the tree): fix the command.
//   kNetwork       the log could not be reached or kept failing (transport
//                  errors, timeouts, 5xx after retries): try again later.
//   kLogError      the log answered, but not with what the protocol
//                  requires: a malformed or missing tile, checkpoint or
//                  receipt, an unexpected HTTP status. Suspicious, but not
//                  proof of misbehaviour.
//   kInvalidEntry  the entry is not acceptable: it does not parse, its
//                  signatures are missing, the log refused it, or the entry
//                  given does not match the receipt's leaf hash / reference.
//   kBadSignature  a checkpoint is not signed by the expected log key, or
//                  names another origin, or carries a failing signature.
//   kPolicy        signatures are fine but fewer than K trusted witnesses
//                  cosigned (the witness quorum is not met).
//   kProofFailure  a Merkle proof, tile or entry bundle does not match a
//                  signed root: the log served data its checkpoint does not
//                  commit to.
//   kInconsistent  two checkpoints signed by the log's key cannot both be
//                  true (no valid consistency proof): the log may have
//                  rewritten history. Evidence is attached.
//   kLocalState    the client's own state folder cannot be read or written,
//                  or holds a corrupt file.
//
// Thread-safety: values.
#ifndef LTL_CLIENT_OUTCOME_H_
#define LTL_CLIENT_OUTCOME_H_

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "base/status.h"
#include "client/evidence.h"

namespace ltl::client {

enum class VerifyOutcome : uint8_t {
  kOk = 0,
  kUsage,
  kNetwork,
  kLogError,
  kInvalidEntry,
  kBadSignature,
  kPolicy,
  kProofFailure,
  kInconsistent,
  kLocalState,
};

// Stable snake_case name ("bad_signature"), for JSON and messages.
std::string_view VerifyOutcomeName(VerifyOutcome outcome);

struct VerifyFailure {
  VerifyOutcome outcome = VerifyOutcome::kUsage;  // never kOk
  Status status;                                  // never OK
  std::optional<Evidence> evidence;               // set for kInconsistent only

  // "<outcome name>: <status message>".
  std::string ToString() const;
};

// A failure of the given reason. REQUIRES: outcome != kOk and !status.ok().
inline VerifyFailure Fail(VerifyOutcome outcome, Status status) {
  return VerifyFailure{outcome, std::move(status), std::nullopt};
}

// The reason a plain Status from a fetch (Fetcher, GetBody, TileReader's
// transport errors) stands for: Unavailable -> kNetwork, anything else ->
// kLogError. REQUIRES: !status.ok().
VerifyFailure FailFetch(Status status);

// A T or a VerifyFailure, with std::expected-like member names (as Result).
template <typename T>
class [[nodiscard]] VerifyResult {
 public:
  VerifyResult(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT
  VerifyResult(VerifyFailure failure)                                      // NOLINT
      : v_(std::in_place_index<1>, std::move(failure)) {}

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & {
    Check();
    return std::get<0>(v_);
  }
  const T& value() const& {
    Check();
    return std::get<0>(v_);
  }
  T&& value() && {
    Check();
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // The failure. REQUIRES: !has_value().
  const VerifyFailure& error() const& { return std::get<1>(v_); }
  VerifyFailure&& error() && { return std::get<1>(std::move(v_)); }
  // kOk when has_value().
  VerifyOutcome outcome() const {
    return has_value() ? VerifyOutcome::kOk : std::get<1>(v_).outcome;
  }

 private:
  void Check() const {
    if (!has_value()) {
      std::fprintf(stderr, "VerifyResult::value() on failure: %s\n",
                   std::get<1>(v_).ToString().c_str());
      std::abort();
    }
  }
  std::variant<T, VerifyFailure> v_;
};

}  // namespace ltl::client

#endif  // LTL_CLIENT_OUTCOME_H_
