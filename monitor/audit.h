// The monitor's checks: what it derives from each verified entry, in log
// order, and from the passage of time (docs/monitor.md is the reference for
// every rule; DOMAIN.md names the groups).
//
// AuditEntry is called once per leaf, in index order, with bytes ALREADY
// proved to be in the tree of the checkpoint being audited (monitor.h does
// that before any entry reaches this file). It re-validates the entry
// (parse, signatures), computes its log time, runs the signer checks (B),
// the id checks (A), and for usage attestations the licence (D), opt-out
// (E) and accounting (F) checks against the state built from the entries
// before it; then it records the entry and its indexes in the state.
// Findings for an entry depend only on the entries before it and the
// checkpoint sightings, never on when the monitor ran, so a resumed audit
// derives exactly the findings of an uninterrupted one.
//
// AuditCheckpointEnd runs the checks that depend on time passing (G:
// reports due by the checkpoint's time) once every entry of a checkpoint is
// audited.
//
// Log time. An entry's log time is its claimed `issued` time clamped into
// the interval the monitor's own observations prove: after the time of the
// newest checkpoint sighting that did not include it (none when the entry
// was already in the first checkpoint the monitor saw, i.e. replayed
// history), and at most the time of the first sighting that included it
// (the earliest cosignature timestamp of the policy's witnesses on that
// checkpoint, else the monitor's clock when it verified it). Between two
// entries, "logged before" is index order, which the log's signed tree
// fixes. See docs/monitor.md#log-time.
//
// Thread-safety: functions over the state they are given.
#ifndef LTL_MONITOR_AUDIT_H_
#define LTL_MONITOR_AUDIT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "ledger/entry.h"
#include "ledger/store/monitor_state.h"
#include "ledger/time.h"
#include "monitor/finding.h"
#include "proofs/hash.h"

namespace ltl::monitor {

// Bits of store::MonitoredEntry::flags. DO NOT CHANGE (stored).
inline constexpr uint8_t kEntryParsed = 1;        // a well-formed, correctly signed entry
inline constexpr uint8_t kEntrySignersValid = 2;  // and every signer passed group B

struct AuditContext {
  uint64_t checkpoint_size = 0;
  proofs::Hash checkpoint_root{};
  int64_t checkpoint_time = 0;  // the sighting time of that checkpoint
};

struct AuditOptions {
  // A report for a period is due this long after the period ends (G20).
  int64_t report_grace_seconds = 30 * 86400;
  // Periods checked per grant at most (a P1D grant over decades is bounded).
  uint32_t max_periods_per_grant = 4000;
};

// One audited entry, for subscriptions and progress output.
struct AuditedEntry {
  uint64_t index = 0;
  std::string type;  // "licence-grant", ... or "malformed"
  proofs::Hash ref{};
  int64_t log_time = 0;
  std::vector<std::string> works;    // normalised
  std::vector<std::string> parties;  // key names named in the entry
};

// What a leaf's bytes alone say about it: its RFC 6962 leaf hash, its parse
// and whether its signatures verify. This is the costly, stateless part of
// auditing (one Ed25519 verification per required signer), split out so
// the monitor can run it on every core ahead of the in-order audit
// (monitor/leaf_checker.h). Exactly one of three outcomes:
//   entry empty,            invalid not OK: the leaf does not parse;
//   entry set,              invalid not OK: a required signature is missing
//                                           or does not verify;
//   entry set,              invalid OK:     a well-formed, correctly signed
//                                           entry.
struct CheckedLeaf {
  proofs::Hash leaf_hash{};
  std::optional<ledger::Entry> entry;
  Status invalid;
};

// Thread-safe (a pure function of `leaf`).
CheckedLeaf CheckLeaf(std::string_view leaf);

namespace detail {
struct StoredEntry;
}  // namespace detail

// Parsed copies of the entries an audit reads back from the state. A stored
// entry never changes once written, so a copy stays exact while the state
// transaction it was read in lasts. REQUIRES: one cache per MonitorWriter,
// destroyed before that transaction ends. Not thread-safe.
struct AuditCache {
  AuditCache();
  ~AuditCache();
  AuditCache(const AuditCache&) = delete;
  AuditCache& operator=(const AuditCache&) = delete;
  // index -> parsed entry (null: stored, but not an entry). Internal.
  std::unordered_map<uint64_t, std::shared_ptr<const detail::StoredEntry>> parsed;
};

// Audits leaf `index`. REQUIRES: index is the next index after the entries
// the state holds; a sighting covering `index` is recorded. Findings are
// appended to the state and to `findings`. Errors: state failures only
// (never for a bad entry: that is a finding).
Status AuditEntry(store::MonitorWriter& state, uint64_t index, std::string_view leaf,
                  const AuditContext& context, const AuditOptions& options,
                  std::vector<Finding>& findings, AuditedEntry* audited = nullptr);

// AuditEntry with the stateless part already done, and the entries it reads
// back from the state parsed once per `cache` (pass one cache to all the
// entries audited in one transaction): identical state changes and
// findings. REQUIRES: `checked` is CheckLeaf(leaf). `checked` is only read,
// so a state transaction that is retried may pass it again.
Status AuditCheckedEntry(store::MonitorWriter& state, AuditCache& cache, uint64_t index,
                         std::string_view leaf, const CheckedLeaf& checked,
                         const AuditContext& context, const AuditOptions& options,
                         std::vector<Finding>& findings, AuditedEntry* audited = nullptr);

// Time-based checks at `context.checkpoint_time` over every entry audited
// (G20 MISSING_REPORT, each (grant, period) reported once).
Status AuditCheckpointEnd(store::MonitorWriter& state, const AuditContext& context,
                          const AuditOptions& options, std::vector<Finding>& findings);

// Appends `finding` to the state and to `findings`.
Status EmitFinding(store::MonitorWriter& state, Finding finding, std::vector<Finding>& findings);

// t + d in the proleptic Gregorian calendar (months and years keep the day
// of month, clamped to the month's length: Jan 31 + P1M = Feb 28/29).
// Errors: OutOfRange past kMaxTimestampSeconds.
Result<int64_t> AddDuration(int64_t unix_seconds, ledger::Duration duration);

// Whether a usage in `territory` is inside a grant's territory list
// (WORLD covers all; EU covers the 27 member states and EU itself).
bool TerritoryCovered(const std::vector<std::string>& granted, std::string_view territory);

// Whether a usage's model (with version) is inside a grant's model scope
// (empty: every model; a scope without version covers every version).
bool ModelCovered(const std::vector<std::string>& scopes, std::string_view model);

}  // namespace ltl::monitor

#endif  // LTL_MONITOR_AUDIT_H_
