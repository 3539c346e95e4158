// ltl-scale-bench: issue 9, target 4. Builds a log of --entries entries of
// about --entry-bytes bytes through the store API (Integrator batches, no
// HTTP, no admission: signatures are not what is measured here), and prints:
//
//   - inclusion-proof latency (LogReader::InclusionProof, random index, at
//     the tree size of the moment) when the log holds --small entries and
//     again when it holds all of them, and their ratio: each size with a
//     fresh reader, --proofs proofs cold (empty tile cache) then --proofs
//     warm; inclusion_latency_ratio is the warm one (a serving node's steady
//     state), cold_inclusion_latency_ratio the other;
//   - bytes on disk (data.mdb, free pages included) per entry, next to the
//     raw entry bytes and the goal 1.3 x raw + 40 bytes per entry.
//
//   ltl-scale-bench [--entries 10000..100000000 (10000000)] [--small 1000..1000000 (10000)]
//                   [--entry-bytes 100..4000 (500)] [--proofs 1000..10000000 (200000)]
//                   [--dir FOLDER (a fresh folder under $TMPDIR, removed at exit)]
//
// With --dir, FOLDER/log (the full log) and FOLDER/log-small (a compact copy
// made when the log held --small entries) are left for `ltl-node serve`.
//
// Entries look like admitted ones: a unique text, one signer key and one work
// key in the secondary indexes, an entry reference. Output lines are
// "name value" pairs, one per line, for bench/run to read. It measures; it
// never asserts.
#include <stdlib.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <lmdb.h>

#include "base/encoding.h"
#include "base/result.h"
#include "base/status.h"
#include "ledger/keys.h"
#include "ledger/store/init_log.h"
#include "ledger/store/integrator.h"
#include "ledger/store/lmdb_env.h"
#include "ledger/store/log.h"
#include "ledger/store/log_db.h"
#include "proofs/hash.h"

namespace ltl::store {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kBatchEntries = 4096;

struct Config {
  uint64_t entries = 10'000'000;
  uint64_t small = 10'000;
  uint64_t entry_bytes = 500;
  uint64_t proofs = 200'000;
  std::string dir;  // empty: a fresh temporary folder
};

Result<Config> ParseArgs(int argc, char** argv) {
  Config c;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) return Status::InvalidArgument(std::string(flag) + " needs a value");
    const std::string_view value = argv[++i];
    auto number = [&](uint64_t min, uint64_t max) -> Result<uint64_t> {
      Result<uint64_t> n = ParseDecimalU64(value);
      if (!n || *n < min || *n > max) {
        return Status::InvalidArgument(std::string(flag) + ": want " + std::to_string(min) + ".." +
                                       std::to_string(max));
      }
      return n;
    };
    if (flag == "--entries") {
      LTL_ASSIGN_OR_RETURN(c.entries, number(10'000, 100'000'000));
    } else if (flag == "--small") {
      LTL_ASSIGN_OR_RETURN(c.small, number(1'000, 1'000'000));
    } else if (flag == "--entry-bytes") {
      LTL_ASSIGN_OR_RETURN(c.entry_bytes, number(100, 4'000));
    } else if (flag == "--proofs") {
      LTL_ASSIGN_OR_RETURN(c.proofs, number(1'000, 10'000'000));
    } else if (flag == "--dir") {
      if (value.empty()) return Status::InvalidArgument("--dir: empty");
      c.dir = std::string(value);
    } else {
      return Status::InvalidArgument("unknown flag " + std::string(flag));
    }
  }
  if (c.small >= c.entries) return Status::InvalidArgument("--small must be below --entries");
  return c;
}

// The folder the log lives in; a temporary one is removed at exit.
class WorkDir {
 public:
  static Result<WorkDir> Make(const std::string& requested) {
    WorkDir d;
    if (!requested.empty()) {
      d.path_ = requested;
      std::error_code ec;
      if (std::filesystem::exists(d.path_ / "log", ec)) {
        return Status::AlreadyExists((d.path_ / "log").string() + " exists");
      }
      std::filesystem::create_directories(d.path_, ec);
      if (ec) return Status::Unavailable("create " + requested + ": " + ec.message());
      return d;
    }
    std::string tmpl = (std::filesystem::temp_directory_path() / "ltl-scale-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) return Status::Unavailable("mkdtemp failed");
    d.path_ = tmpl;
    d.remove_ = true;
    return d;
  }
  WorkDir(WorkDir&& other) noexcept : path_(std::move(other.path_)), remove_(other.remove_) {
    other.remove_ = false;
  }
  ~WorkDir() {
    if (!remove_) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  WorkDir() = default;
  std::filesystem::path path_;
  bool remove_ = false;
};

// Entry i: unique, about `bytes` long, shaped like an admitted entry.
AdmittedEntry MakeEntry(uint64_t i, uint64_t bytes, std::mt19937_64& rng) {
  AdmittedEntry e;
  e.leaf = "ltl/scale-bench v1\nid " + std::to_string(i) + "\nwork isrc:SCALE" + std::to_string(i) +
           "\nnote ";
  // Hex filler from the generator: incompressible, like signatures and ids.
  static constexpr char kHex[] = "0123456789abcdef";
  while (e.leaf.size() + 1 < bytes) e.leaf += kHex[rng() & 15];
  e.leaf += '\n';
  e.entry_ref = proofs::Sha256(e.leaf);
  e.work_keys = {"isrc:scale" + std::to_string(i)};
  e.signer_keys = {"signer" + std::to_string(i % 64) + ".scale.test/ltl"};
  return e;
}

struct ProofLatency {
  double mean_ns = 0;
  double p50_ns = 0;
  double p99_ns = 0;
};

// `count` inclusion proofs for random indexes at `size`, each timed alone.
Result<ProofLatency> MeasureProofs(const LogReader& reader, uint64_t size, uint64_t count,
                                   uint64_t seed) {
  std::mt19937_64 rng(size * 31 + seed);
  std::vector<double> ns;
  ns.reserve(count);
  double total = 0;
  for (uint64_t k = 0; k < count; ++k) {
    const uint64_t index = rng() % size;
    const Clock::time_point start = Clock::now();
    auto proof = reader.InclusionProof(index, size);
    const double took = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
    if (!proof) return proof.error();
    ns.push_back(took);
    total += took;
  }
  std::sort(ns.begin(), ns.end());
  return ProofLatency{total / count, ns[static_cast<size_t>(0.5 * (count - 1))],
                      ns[static_cast<size_t>(0.99 * (count - 1))]};
}

// A compact copy of the log as it is now, with its key, that `ltl-node serve
// --data <to>` can serve (bench/run measures proofs over HTTP on both logs).
Status CopyLog(const detail::LogDb& db, const std::filesystem::path& from,
               const std::filesystem::path& to) {
  std::error_code ec;
  std::filesystem::create_directories(to, ec);
  if (ec) return Status::Unavailable("create " + to.string() + ": " + ec.message());
  if (int rc = mdb_env_copy2(db.env().raw(), to.c_str(), MDB_CP_COMPACT); rc != 0) {
    return detail::LmdbStatus(rc, "mdb_env_copy2");
  }
  std::filesystem::copy_file(from / "log.key", to / "log.key", ec);
  if (ec) return Status::Unavailable("copy log.key: " + ec.message());
  return Status::Ok();
}

// A fresh reader (empty tile cache, as after a node restart) answers `count`
// random proofs (cold), then the same number again (warm: the steady state of
// a serving node, whose cache then holds the upper levels of every tile the
// first pass touched; 200k proofs touch 99% of a 10M-entry log's tiles).
Result<std::pair<ProofLatency, ProofLatency>> MeasureColdThenWarm(const detail::LogDb& db,
                                                                  uint64_t size, uint64_t count) {
  LogReader reader(db);
  LTL_ASSIGN_OR_RETURN(ProofLatency cold, MeasureProofs(reader, size, count, 1));
  LTL_ASSIGN_OR_RETURN(ProofLatency warm, MeasureProofs(reader, size, count, 2));
  return std::make_pair(cold, warm);
}

void PrintLatency(const char* which, const std::pair<ProofLatency, ProofLatency>& latency) {
  std::printf("%s_inclusion_mean_ns %.0f\n%s_inclusion_p50_ns %.0f\n%s_inclusion_p99_ns %.0f\n",
              which, latency.second.mean_ns, which, latency.second.p50_ns, which,
              latency.second.p99_ns);
  std::printf("%s_cold_inclusion_mean_ns %.0f\n%s_cold_inclusion_p99_ns %.0f\n", which,
              latency.first.mean_ns, which, latency.first.p99_ns);
  std::fflush(stdout);
}

Status Run(const Config& config) {
  LTL_ASSIGN_OR_RETURN(WorkDir dir, WorkDir::Make(config.dir));
  const auto folder = dir.path() / "log";
  std::array<uint8_t, 32> seed;
  seed.fill(7);
  LTL_ASSIGN_OR_RETURN(ledger::SigningKey log_key,
                       ledger::SigningKey::FromSeed("scale.ltl.test/log", seed));
  LTL_RETURN_IF_ERROR(InitLogWithKey(folder, log_key).error());
  detail::EnvOptions options;
  options.initial_map_size = size_t{1} << 30;
  LTL_ASSIGN_OR_RETURN(std::unique_ptr<detail::LogDb> db,
                       detail::LogDb::Open(folder, options, false));
  LTL_ASSIGN_OR_RETURN(std::unique_ptr<detail::Integrator> integrator,
                       detail::Integrator::Create(*db, log_key));
  // The builder skips the fsync of each batch (MDB_NOSYNC) and syncs once at
  // the end: what target 4 measures is the finished log, and a durable commit
  // per 4096 entries would make a 10M-entry build take many minutes.
  if (int rc = mdb_env_set_flags(db->env().raw(), MDB_NOSYNC, 1); rc != 0) {
    return detail::LmdbStatus(rc, "mdb_env_set_flags(MDB_NOSYNC)");
  }
  std::mt19937_64 rng(1);
  uint64_t raw_bytes = 0;
  uint64_t integrated = 0;
  const Clock::time_point build_start = Clock::now();
  auto grow_to = [&](uint64_t target) -> Status {
    std::vector<AdmittedEntry> batch;
    batch.reserve(kBatchEntries);
    while (integrated < target) {
      batch.clear();
      for (; integrated < target && batch.size() < kBatchEntries; ++integrated) {
        batch.push_back(MakeEntry(integrated, config.entry_bytes, rng));
        raw_bytes += batch.back().leaf.size();
      }
      LTL_RETURN_IF_ERROR(integrator->Integrate(batch).error());
    }
    return Status::Ok();
  };

  LTL_RETURN_IF_ERROR(grow_to(config.small));
  if (!config.dir.empty()) {
    LTL_RETURN_IF_ERROR(CopyLog(*db, folder, dir.path() / "log-small"));
  }
  LTL_ASSIGN_OR_RETURN(auto small, MeasureColdThenWarm(*db, config.small, config.proofs));
  std::printf("small_entries %llu\n", static_cast<unsigned long long>(config.small));
  PrintLatency("small", small);

  LTL_RETURN_IF_ERROR(grow_to(config.entries));
  if (int rc = mdb_env_sync(db->env().raw(), 1); rc != 0) {
    return detail::LmdbStatus(rc, "mdb_env_sync");
  }
  const double build_s = std::chrono::duration<double>(Clock::now() - build_start).count();
  std::printf("entries %llu\nbuild_s %.1f\nbuild_entries_per_s %.0f\n",
              static_cast<unsigned long long>(config.entries), build_s,
              static_cast<double>(config.entries) / build_s);
  std::fflush(stdout);
  LTL_ASSIGN_OR_RETURN(auto large, MeasureColdThenWarm(*db, config.entries, config.proofs));
  PrintLatency("large", large);
  std::printf("inclusion_latency_ratio %.3f\n", large.second.mean_ns / small.second.mean_ns);
  std::printf("cold_inclusion_latency_ratio %.3f\n", large.first.mean_ns / small.first.mean_ns);

  const double n = static_cast<double>(config.entries);
  const double file_bytes = static_cast<double>(std::filesystem::file_size(folder / "data.mdb"));
  const double raw_per_entry = static_cast<double>(raw_bytes) / n;
  std::printf("raw_bytes_per_entry %.1f\ndisk_bytes_per_entry %.1f\ngoal_bytes_per_entry %.1f\n",
              raw_per_entry, file_bytes / n, 1.3 * raw_per_entry + 40);
  return Status::Ok();
}

}  // namespace
}  // namespace ltl::store

int main(int argc, char** argv) {
  ltl::Result<ltl::store::Config> config = ltl::store::ParseArgs(argc, argv);
  if (!config) {
    std::fprintf(stderr,
                 "ltl-scale-bench: %s\nusage: ltl-scale-bench [--entries N] [--small N] "
                 "[--entry-bytes N] [--proofs N] [--dir FOLDER]\n",
                 config.error().ToString().c_str());
    return 2;
  }
  if (!ltl::ledger::InitCrypto().ok()) return 1;
  const ltl::Status status = ltl::store::Run(*config);
  if (!status.ok()) {
    std::fprintf(stderr, "ltl-scale-bench: %s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}
