// Store benchmarks (print figures, assert nothing):
//   BM_Ingest           entries/s through Log::Submit with admission by
//                       OpenNote (one Ed25519 verify per entry), ~500-byte
//                       pre-signed notes, 1 and 2 workers, batches 64..4096;
//                       also bytes on disk per entry.
//   BM_Ed25519Verify    the machine's verify rate on 1 and 2 threads, to
//                       compare ingest with the signature-check ceiling.
//   BM_InclusionProof / BM_ConsistencyProof
//                       proofs/s from a log of LTL_BENCH_PROOF_ENTRIES entries
//                       (default 1,000,000), built once into a temp folder.
// Every log lives in a fresh folder under $TMPDIR, removed at exit.
#include <benchmark/benchmark.h>
#include <stdlib.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ledger/keys.h"
#include "ledger/note.h"
#include "ledger/store/init_log.h"
#include "ledger/store/integrator.h"
#include "ledger/store/log.h"
#include "ledger/store/log_db.h"
#include "proofs/hash.h"

namespace ltl::store {
namespace {

class BenchDir {
 public:
  BenchDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ltl-bench-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) std::abort();
    path_ = tmpl;
  }
  ~BenchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

ledger::SigningKey Key(std::string_view name, uint8_t fill) {
  std::array<uint8_t, 32> seed;
  seed.fill(fill);
  return ledger::SigningKey::FromSeed(name, seed).value();
}

const ledger::SigningKey& LogKey() {
  static const auto* key = new ledger::SigningKey(Key("bench.ltl.test/log", 1));
  return *key;
}
const ledger::SigningKey& Submitter() {
  static const auto* key = new ledger::SigningKey(Key("alice.ltl.test/ltl", 2));
  return *key;
}

constexpr size_t kIngestEntries = 40000;

// ~500-byte single-signature notes, signed once for all runs.
const std::vector<std::string>& SignedNotes() {
  static const auto* notes = [] {
    auto* out = new std::vector<std::string>;
    for (size_t i = 0; i < kIngestEntries; ++i) {
      std::string text = "ltl/bench-entry v1\nid " + std::to_string(i) + "\nwork isrc:BENCH" +
                         std::to_string(i % 977) + "\n";
      text += "note " + std::string(500 - 120 - text.size(), 'n') + "\n";
      out->push_back(ledger::SignNote(text, Submitter()).value());
    }
    return out;
  }();
  return *notes;
}

AdmissionFn NoteAdmission() {
  std::vector<ledger::VerifierKey> keys = {Submitter().verifier()};
  return [keys](std::string_view submitted) -> Result<AdmittedEntry> {
    LTL_ASSIGN_OR_RETURN(ledger::VerifiedNote note, ledger::OpenNote(submitted, keys));
    AdmittedEntry out;
    out.leaf = std::string(submitted);
    out.entry_ref = proofs::Sha256(note.note.text);
    for (const auto& k : note.verified_by) out.signer_keys.push_back(k.name());
    return out;
  };
}

// Bytes of live pages: the size of a compacted copy (mdb_env_copy2 with
// MDB_CP_COMPACT omits free pages). The file itself also holds the free
// pages of the last transactions, which LMDB reuses as the log grows.
uint64_t LiveBytes(const std::filesystem::path& folder) {
  detail::EnvOptions options;
  options.read_only = true;
  auto db = detail::LogDb::Open(folder, options, false).value();
  const auto copy = folder.parent_path() / "compact";
  std::filesystem::create_directories(copy);
  if (mdb_env_copy2(db->env().raw(), copy.c_str(), MDB_CP_COMPACT) != 0) std::abort();
  return std::filesystem::file_size(copy / "data.mdb");
}

// Args: worker threads, max batch entries.
void BM_Ingest(benchmark::State& state) {
  const auto& notes = SignedNotes();
  size_t raw_bytes = 0;
  for (const auto& n : notes) raw_bytes += n.size();
  for (auto _ : state) {
    state.PauseTiming();
    BenchDir dir;
    const auto folder = dir.path() / "log";
    if (!InitLogWithKey(folder, LogKey()).has_value()) std::abort();
    const auto initial_bytes = std::filesystem::file_size(folder / "data.mdb");  // ~17 pages
    auto log = Log::Open(folder, NoteAdmission(),
                         LogOptions{.max_batch_entries = static_cast<size_t>(state.range(1)),
                                    .max_batch_delay = std::chrono::milliseconds(20),
                                    .max_queued_entries = kIngestEntries,
                                    .worker_threads = static_cast<unsigned>(state.range(0)),
                                    .initial_map_size = size_t{1} << 30})
                   .value();
    std::mutex mu;
    std::condition_variable cv;
    size_t answered = 0;
    size_t failed = 0;
    state.ResumeTiming();
    for (const std::string& note : notes) {
      log->Submit(note, [&](Result<Receipt> r) {
        std::lock_guard<std::mutex> lock(mu);
        if (!r) ++failed;
        if (++answered == notes.size()) cv.notify_one();
      });
    }
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return answered == notes.size(); });
    }
    state.PauseTiming();
    if (failed != 0) state.SkipWithError("submissions failed");
    const LogStats stats = log->Stats();
    log.reset();
    const auto bytes = std::filesystem::file_size(folder / "data.mdb") - initial_bytes;
    state.counters["batches"] = static_cast<double>(stats.batches);
    state.counters["file_B_per_entry"] = static_cast<double>(bytes) / notes.size();
    state.counters["live_B_per_entry"] =
        static_cast<double>(LiveBytes(folder) - initial_bytes) / notes.size();
    state.counters["raw_B_per_entry"] = static_cast<double>(raw_bytes) / notes.size();
    state.counters["target_B_per_entry"] = 1.3 * raw_bytes / notes.size() + 40;
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * notes.size()));
}
BENCHMARK(BM_Ingest)
    ->ArgNames({"workers", "batch"})
    ->ArgsProduct({{1, 2}, {64, 256, 1024, 4096}})
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// Ed25519 verifications per second on `threads` threads (Google Benchmark
// runs the body on each thread; items/s is the total).
void BM_Ed25519Verify(benchmark::State& state) {
  const std::string& note = SignedNotes()[0];
  const auto parsed = ledger::ParseNote(note).value();
  const ledger::VerifierKey& key = Submitter().verifier();
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        key.VerifyEd25519(AsBytes(parsed.text), parsed.signatures[0].signature));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Ed25519Verify)->Threads(1)->Threads(2)->UseRealTime();

// A log of many entries for proof benchmarks, built once (through the
// integrator: admission is not what is measured here).
struct ProofLog {
  BenchDir dir;
  std::unique_ptr<detail::LogDb> db;
  std::unique_ptr<LogReader> reader;
  uint64_t size = 0;
  double bytes_per_entry = 0;
  double raw_per_entry = 0;
};

ProofLog& BigLog() {
  static ProofLog* log = [] {
    auto* p = new ProofLog;
    uint64_t entries = 1'000'000;
    if (const char* env = std::getenv("LTL_BENCH_PROOF_ENTRIES")) entries = std::stoull(env);
    const auto folder = p->dir.path() / "log";
    if (!InitLogWithKey(folder, LogKey()).has_value()) std::abort();
    detail::EnvOptions options;
    options.initial_map_size = size_t{4} << 30;
    p->db = detail::LogDb::Open(folder, options, false).value();
    auto integrator = detail::Integrator::Create(*p->db, LogKey()).value();
    const auto start = std::chrono::steady_clock::now();
    size_t raw = 0;
    for (uint64_t i = 0; i < entries;) {
      std::vector<AdmittedEntry> batch;
      for (; i < entries && batch.size() < 4096; ++i) {
        AdmittedEntry e;
        e.leaf = "proof bench entry " + std::to_string(i) + "\n";
        raw += e.leaf.size();
        e.entry_ref = proofs::Sha256(e.leaf);
        batch.push_back(std::move(e));
      }
      if (!integrator->Integrate(batch).has_value()) std::abort();
    }
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    p->size = entries;
    p->bytes_per_entry =
        static_cast<double>(std::filesystem::file_size(folder / "data.mdb")) / entries;
    p->raw_per_entry = static_cast<double>(raw) / entries;
    std::printf(
        "proof log: %llu entries integrated in %.1f s (%.0f entries/s, batches of 4096, "
        "no admission); %.1f bytes on disk per %.1f-byte entry\n",
        static_cast<unsigned long long>(entries), secs, entries / secs, p->bytes_per_entry,
        p->raw_per_entry);
    p->reader = std::make_unique<LogReader>(*p->db);
    return p;
  }();
  return *log;
}

void BM_InclusionProof(benchmark::State& state) {
  ProofLog& log = BigLog();
  std::mt19937_64 rng(42);
  for (auto _ : state) {
    auto proof = log.reader->InclusionProof(rng() % log.size, log.size);
    if (!proof) state.SkipWithError(proof.error().ToString().c_str());
    benchmark::DoNotOptimize(proof);
  }
  state.counters["tree_size"] =
      benchmark::Counter(static_cast<double>(log.size), benchmark::Counter::kAvgThreads);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_InclusionProof)->Threads(1)->Threads(2)->UseRealTime();

void BM_ConsistencyProof(benchmark::State& state) {
  ProofLog& log = BigLog();
  std::mt19937_64 rng(43);
  // Sizes the log signed (every 4096 entries), as clients ask for.
  const uint64_t checkpoints = log.size / 4096;
  for (auto _ : state) {
    const uint64_t size1 = (1 + rng() % checkpoints) * 4096;
    auto proof = log.reader->ConsistencyProof(size1, log.size);
    if (!proof) state.SkipWithError(proof.error().ToString().c_str());
    benchmark::DoNotOptimize(proof);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ConsistencyProof)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace
}  // namespace ltl::store

int main(int argc, char** argv) {
  if (!ltl::ledger::InitCrypto().ok()) return 1;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
