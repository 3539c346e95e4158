// A generated licensing ledger with planted violations, for `ltl-sim` and
// the monitor's tests (docs/monitor.md#ltl-sim).
//
// The honest part is a year of licensing: N creators (role licensor) with
// K works each, M AI firms (role licensee) with one model each; every
// creator publishes a public offer; firms sign agreements with some
// creators (co-signed, EU and US, pretrain and fine-tune, priced per million
// tokens, quarterly reports); firms file quarterly usage reports under
// their agreements (and now and then under an offer), with exact `owed`
// amounts and totals, pay every licensor each quarter and get receipts;
// creators reserve some works against text-and-data mining; one agreement is
// revoked (non-payment) from October.
//
// Then each requested violation is planted in entries of its own, and the
// finding the monitor must make is recorded with the references of the
// entries involved. The honest part produces no finding at all, so
// `expected` is exactly what a correct monitor reports (precision and
// recall 100%).
//
// Every entry passes the node's admission (node/admission.h): keys come
// first, signers are registered and inside their validity windows at any
// wall-clock time after 2025. Time-based findings (MISSING_REPORT) assume
// the monitor audits after `audit_after`.
//
// Deterministic: the same options give the same entries, byte for byte.
// Thread-safety: a pure function.
#ifndef LTL_MONITOR_SIM_SCENARIO_H_
#define LTL_MONITOR_SIM_SCENARIO_H_

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"
#include "ledger/entry.h"
#include "ledger/keys.h"
#include "monitor/finding.h"

namespace ltl::sim {

struct ScenarioOptions {
  uint32_t creators = 12;
  uint32_t firms = 5;
  uint32_t works_per_creator = 5;
  // Agreements per firm (with distinct creators), at most `creators`.
  uint32_t agreements_per_firm = 4;
  uint64_t seed = 1;
  // Plant every code PlantableCodes() lists, or only those in `plant`
  // (FindingCodeName spellings; empty: an honest ledger, no finding).
  bool plant_all = true;
  std::set<std::string> plant;
};

// The finding codes ltl-sim can plant through a node's admission (the log
// integrity codes and MALFORMED_ENTRY need a misbehaving log instead).
const std::vector<std::string>& PlantableCodes();

struct Scenario {
  std::vector<std::string> entries;  // signed notes, in submission order
  std::vector<monitor::Finding> expected;
  int64_t audit_after = 0;  // unix seconds; every report is due by then
  size_t honest_entries = 0;
};

// Errors: InvalidArgument for options out of range or an unknown code.
Result<Scenario> BuildScenario(const ScenarioOptions& options);

// Signs `body` (canonical text) with each key, in order.
// Errors: the entry's validation errors.
Result<std::string> SignEntry(const ledger::EntryBody& body,
                              const std::vector<const ledger::SigningKey*>& signers);

}  // namespace ltl::sim

#endif  // LTL_MONITOR_SIM_SCENARIO_H_
