// ltl-sim: builds a realistic licensing ledger with planted violations
// (monitor/sim/scenario.h), submits it to a node over HTTP, and writes the
// findings a correct monitor must report (docs/monitor.md#ltl-sim).
//
//   ltl-sim --log http://127.0.0.1:8080 --expected expected.jsonl
//           [--creators N] [--firms M] [--works K] [--agreements A]
//           [--seed S] [--plant CODE ...] [--plant-none] [--dry-run]
//
// Entries are submitted one at a time, each after the previous one's
// receipt, so every `key` entry is committed before its key signs anything
// (the node's admission reads committed state). Exit codes: 0 done, 2 usage,
// 3 node unreachable, 4 an entry was refused.
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <string>

#include "base/encoding.h"
#include "client/http_fetcher.h"
#include "ledger/keys.h"
#include "monitor/finding.h"
#include "monitor/sim/scenario.h"

namespace {

constexpr const char* kUsage =
    "Usage: ltl-sim --log URL --expected FILE [FLAGS]\n"
    "  --log URL          the node to submit to (http://host:port)\n"
    "  --expected FILE    where to write the expected findings (JSON lines)\n"
    "  --creators N       creators (default 12)        --firms M      AI firms (default 5)\n"
    "  --works K          works per creator (default 5) --agreements A per firm (default 4)\n"
    "  --seed S           key and content seed (default 1)\n"
    "  --plant CODE       plant this violation (repeatable; default: every plantable code)\n"
    "  --plant-none       plant nothing (an honest ledger: no finding expected)\n"
    "  --dry-run          build and write the expected findings, submit nothing\n"
    "Plantable codes:";

int Usage(const std::string& message) {
  std::fprintf(stderr, "ltl-sim: %s (see: ltl-sim --help)\n", message.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ltl;
  sim::ScenarioOptions options;
  std::string log_url, expected_path;
  bool dry_run = false, plant_none = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= argc) return std::nullopt;
      return std::string(argv[++i]);
    };
    auto number = [&](uint32_t& out) -> bool {
      std::optional<std::string> v = value();
      if (!v) return false;
      Result<uint64_t> n = ParseDecimalU64(*v);
      if (!n || *n > UINT32_MAX) return false;
      out = static_cast<uint32_t>(*n);
      return true;
    };
    if (arg == "--help" || arg == "-h") {
      std::printf("%s", kUsage);
      for (const std::string& c : sim::PlantableCodes()) std::printf(" %s", c.c_str());
      std::printf("\n");
      return 0;
    } else if (arg == "--log" || arg == "--expected" || arg == "--plant") {
      std::optional<std::string> v = value();
      if (!v || v->empty()) return Usage(arg + " needs a value");
      if (arg == "--log") log_url = *v;
      if (arg == "--expected") expected_path = *v;
      if (arg == "--plant") options.plant.insert(*v);
    } else if (arg == "--seed") {
      std::optional<std::string> v = value();
      Result<uint64_t> n = v ? ParseDecimalU64(*v) : Result<uint64_t>(Status::InvalidArgument(""));
      if (!n) return Usage("--seed needs a number");
      options.seed = *n;
    } else if (arg == "--creators" || arg == "--firms" || arg == "--works" ||
               arg == "--agreements") {
      uint32_t* target = arg == "--creators" ? &options.creators
                         : arg == "--firms"  ? &options.firms
                         : arg == "--works"  ? &options.works_per_creator
                                             : &options.agreements_per_firm;
      if (!number(*target)) return Usage(arg + " needs a number");
    } else if (arg == "--dry-run") {
      dry_run = true;
    } else if (arg == "--plant-none") {
      plant_none = true;
    } else {
      return Usage("unknown flag '" + arg + "'");
    }
  }
  if (expected_path.empty()) return Usage("--expected is required");
  if (log_url.empty() && !dry_run) return Usage("--log is required (or --dry-run)");
  if (plant_none && !options.plant.empty()) return Usage("--plant-none excludes --plant");
  if (!options.plant.empty() || plant_none) options.plant_all = false;
  if (Status s = ledger::InitCrypto(); !s.ok()) return Usage(s.message());
  Result<sim::Scenario> scenario = sim::BuildScenario(options);
  if (!scenario) return Usage(scenario.error().message());

  if (!dry_run) {
    Result<std::unique_ptr<client::HttpFetcher>> fetcher = client::HttpFetcher::Create(log_url);
    if (!fetcher) return Usage("--log: " + fetcher.error().message());
    for (size_t i = 0; i < scenario->entries.size(); ++i) {
      Result<client::HttpResponse> r =
          (*fetcher)->Post("/add", "text/plain; charset=utf-8", scenario->entries[i]);
      if (!r) {
        std::fprintf(stderr, "ltl-sim: entry %zu: %s\n", i, r.error().message().c_str());
        return 3;
      }
      if (r->status != 200) {
        std::fprintf(stderr, "ltl-sim: entry %zu refused (%d): %s\n", i, r->status,
                     r->body.substr(0, 300).c_str());
        return 4;
      }
    }
  }
  std::ofstream out(expected_path, std::ios::trunc);
  for (const monitor::Finding& f : scenario->expected) out << monitor::FindingToJson(f) << "\n";
  out.flush();
  if (!out) {
    std::fprintf(stderr, "ltl-sim: cannot write %s\n", expected_path.c_str());
    return 2;
  }
  std::printf("%zu entries (%zu honest, %zu planted), %zu expected findings; audit after %s\n",
              scenario->entries.size(), scenario->honest_entries,
              scenario->entries.size() - scenario->honest_entries, scenario->expected.size(),
              monitor::FormatTime(scenario->audit_after).c_str());
  return 0;
}
