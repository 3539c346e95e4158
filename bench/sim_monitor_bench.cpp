// Monitor audit throughput: a generated ledger (monitor/sim/scenario.h)
// audited entry by entry into a fresh state folder, as Monitor::RunOnce
// does after verification (one state transaction per 4,096 entries), plus
// the end-of-checkpoint report checks. No network: this measures the checks
// and the LMDB state, not HTTP or tile verification.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "ledger/keys.h"
#include "ledger/store/monitor_state.h"
#include "monitor/audit.h"
#include "monitor/sim/scenario.h"

namespace {

using namespace ltl;

const sim::Scenario& Scenario(int creators) {
  static std::map<int, sim::Scenario> cache;
  auto it = cache.find(creators);
  if (it != cache.end()) return it->second;
  (void)ledger::InitCrypto();
  sim::ScenarioOptions options;
  options.creators = static_cast<uint32_t>(creators);
  options.firms = static_cast<uint32_t>(creators / 4);
  options.agreements_per_firm = 8;
  return cache.emplace(creators, sim::BuildScenario(options).value()).first->second;
}

void BM_AuditScenario(benchmark::State& state) {
  const sim::Scenario& scenario = Scenario(static_cast<int>(state.range(0)));
  const auto dir = std::filesystem::temp_directory_path() / "ltl-monitor-bench";
  size_t findings = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::remove_all(dir);
    auto store = store::MonitorState::Open(dir).value();
    state.ResumeTiming();
    monitor::AuditContext context{scenario.entries.size(), {}, scenario.audit_after};
    std::vector<monitor::Finding> out;
    (void)store->Write([&](store::MonitorWriter& w) {
      return w.AddSighting({scenario.entries.size(), scenario.audit_after});
    });
    for (size_t begin = 0; begin < scenario.entries.size(); begin += 4096) {
      const size_t end = std::min(scenario.entries.size(), begin + 4096);
      Status s = store->Write([&](store::MonitorWriter& w) -> Status {
        for (size_t i = begin; i < end; ++i) {
          LTL_RETURN_IF_ERROR(monitor::AuditEntry(w, i, scenario.entries[i], context, {}, out));
        }
        if (end == scenario.entries.size()) {
          return monitor::AuditCheckpointEnd(w, context, {}, out);
        }
        return Status::Ok();
      });
      if (!s.ok()) state.SkipWithError(s.message().c_str());
    }
    findings = out.size();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * scenario.entries.size()));
  state.counters["entries"] = static_cast<double>(scenario.entries.size());
  state.counters["findings"] = static_cast<double>(findings);
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_AuditScenario)->Arg(40)->Arg(160)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
