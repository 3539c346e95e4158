// Findings: what an independent monitor reports about a log (DOMAIN.md,
// "What an independent monitor checks"; docs/monitor.md lists every code
// with its exact rule).
//
// A finding names a code, a severity, the entries involved (log index and
// entry reference) and the checkpoint it was derived at, so anyone can fetch
// the same entries with inclusion proofs and re-check it. Findings about a
// usage line name the line; accounting and completeness findings name the
// party and period concerned.
//
// JSON form (one object per line, `ltl monitor --json`; FindingToJson):
//   {"code":"USAGE_WITHOUT_LICENCE","severity":"violation",
//    "entries":[{"index":12,"ref":"<64 hex>"}],
//    "checkpoint":{"size":300,"root":"<base64>"},
//    "log_time":"2026-02-03T00:00:00Z","line":"1","party":"<key name>",
//    "period":{"start":"...","end":"..."},"works":["isbn:978..."],
//    "parties":["alice.example/ltl"],"message":"...","evidence":{...}}
// `code`, `severity`, `entries`, `checkpoint` and `message` are always
// present; the others only when they apply. A malformed leaf has no entry
// reference: its entry carries "leaf_hash" instead of "ref".
// Thread-safety: values and pure functions.
#ifndef LTL_MONITOR_FINDING_H_
#define LTL_MONITOR_FINDING_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "proofs/hash.h"

namespace ltl::monitor {

enum class Severity : uint8_t { kInfo, kReview, kViolation };
std::string_view SeverityName(Severity severity);

// Group letters follow DOMAIN.md.
enum class FindingCode : uint8_t {
  // A. Log integrity.
  kBadCheckpointSignature,  // a checkpoint not validly signed by the log key
  kQuorumMissing,           // fewer witness cosignatures than the policy's quorum
  kLogInconsistent,         // a checkpoint not consistent with the last verified one
  kSplitView,               // two checkpoints of one size with different roots
  kTreeMismatch,            // tiles or bundles that do not match the signed root
  kMalformedEntry,          // a leaf that does not parse or whose signatures fail
  kDuplicateId,             // an id (or key name) used twice by one signer
  // B. Signers.
  kKeyNotValid,   // signer not registered earlier, outside validity, or revoked
  kRoleMismatch,  // signer's registered roles do not fit the entry
  // D. Usage against licence.
  kUsageWithoutLicence,
  kLicenseeMismatch,
  kRetroactiveLicence,
  kWorkNotInGrant,
  kUseOutOfScope,
  kStageOutOfScope,
  kTerritoryOutOfScope,
  kModelOutOfScope,
  kLicenceNotYetValid,
  kLicenceExpired,
  kUsageAfterRevocation,
  // E. Opt-outs.
  kOptOutIgnored,
  kDisclosedUnlicensed,
  // F. Accounting.
  kUnderreportedAmount,
  kTotalsMismatch,
  // G. Completeness.
  kMissingReport,
};

// "USAGE_WITHOUT_LICENCE", ...
std::string_view FindingCodeName(FindingCode code);
std::optional<FindingCode> FindingCodeFromName(std::string_view name);
// 'A'..'G'.
char FindingGroup(FindingCode code);
// Log-integrity findings stop the audit (nothing after them is trusted).
bool StopsAudit(FindingCode code);

struct EntryPointer {
  uint64_t index = 0;
  std::optional<proofs::Hash> ref;        // nullopt for a leaf that is not an entry
  std::optional<proofs::Hash> leaf_hash;  // set when ref is not
  friend bool operator==(const EntryPointer&, const EntryPointer&) = default;
};

struct Finding {
  FindingCode code = FindingCode::kMalformedEntry;
  Severity severity = Severity::kViolation;
  std::vector<EntryPointer> entries;  // the subject first
  uint64_t checkpoint_size = 0;
  proofs::Hash checkpoint_root{};
  std::optional<int64_t> log_time;  // of the subject entry
  std::string line;                 // usage line id, or empty
  std::string party;                // the key name the finding is about, or empty
  std::optional<int64_t> period_start;
  std::optional<int64_t> period_end;
  std::vector<std::string> works;    // normalised work ids concerned
  std::vector<std::string> parties;  // key names concerned (subscriptions)
  std::string message;
  std::string evidence_json;  // a JSON object (client/evidence.h), or empty

  friend bool operator==(const Finding&, const Finding&) = default;
};

// One line of JSON, without a trailing newline.
std::string FindingToJson(const Finding& finding);
// Inverse of FindingToJson, for the monitor's own stored findings and the
// expected-findings files of ltl-sim. Errors: InvalidArgument.
Result<Finding> FindingFromJson(std::string_view json);

// What identifies a finding when comparing two runs or a run against
// ltl-sim's plan: code, entry references (or leaf hashes), line, party and
// period. Severity, message and checkpoint are not part of it.
std::string FindingKey(const Finding& finding);

// "2026-02-03T00:00:00Z" for a time in range, else the decimal seconds.
std::string FormatTime(int64_t unix_seconds);

}  // namespace ltl::monitor

#endif  // LTL_MONITOR_FINDING_H_
