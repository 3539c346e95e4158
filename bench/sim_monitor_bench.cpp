// Monitor audit throughput over a generated ledger (monitor/sim/scenario.h).
//
// BM_AuditScenario: the ledger audited entry by entry into a fresh state
// folder, as Monitor::RunOnce does after verification (one state
// transaction and one AuditCache per 4,096 entries), plus the
// end-of-checkpoint report checks. The leaves are checked (CheckLeaf: hash,
// parse, signatures) on the auditing thread, as RunOnce does with
// check_threads = 0. No network: this measures the checks and the LMDB
// state, not HTTP or tile verification.
//
// BM_CheckLeaves/threads:N: the stateless part alone through the monitor's
// LeafChecker with N worker threads (0: the taking thread checks every
// leaf), in tickets of 4,096 leaves with one ticket queued ahead, as RunOnce
// reads chunks ahead. Compare with store_bench's BM_Ed25519Verify on as many
// threads: the gap is parsing, hashing and the pool.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "ledger/keys.h"
#include "ledger/store/monitor_state.h"
#include "monitor/audit.h"
#include "monitor/leaf_checker.h"
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
        monitor::AuditCache cache;
        for (size_t i = begin; i < end; ++i) {
          const std::string& leaf = scenario.entries[i];
          LTL_RETURN_IF_ERROR(monitor::AuditCheckedEntry(
              w, cache, i, leaf, monitor::CheckLeaf(leaf), context, {}, out));
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

void BM_CheckLeaves(benchmark::State& state) {
  const sim::Scenario& scenario = Scenario(160);
  constexpr size_t kTicket = 4096;
  monitor::LeafChecker checker(static_cast<size_t>(state.range(0)));
  size_t invalid = 0;
  auto submit = [&](size_t begin) {
    const size_t end = std::min(scenario.entries.size(), begin + kTicket);
    return checker.Submit(
        std::vector<std::string>(scenario.entries.begin() + begin, scenario.entries.begin() + end));
  };
  for (auto _ : state) {
    invalid = 0;
    monitor::CheckTicket next = submit(0);
    for (size_t begin = 0; begin < scenario.entries.size(); begin += kTicket) {
      monitor::CheckTicket current = std::move(next);
      if (begin + kTicket < scenario.entries.size()) next = submit(begin + kTicket);
      monitor::CheckedLeaves checked = checker.Take(std::move(current));
      for (const monitor::CheckedLeaf& c : checked.checks) invalid += c.invalid.ok() ? 0 : 1;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * scenario.entries.size()));
  state.counters["entries"] = static_cast<double>(scenario.entries.size());
  state.counters["invalid"] = static_cast<double>(invalid);
}
BENCHMARK(BM_CheckLeaves)
    ->ArgName("threads")
    ->Arg(0)
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
