#include "ledger/store/log.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <future>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ledger/keys.h"
#include "ledger/store/integrator.h"
#include "ledger/store/log_db.h"
#include "proofs/tiles.h"

namespace ltl::store {

using proofs::Hash;

namespace {

struct HashKeyHasher {
  size_t operator()(const Hash& h) const {
    size_t v;
    std::memcpy(&v, h.data(), sizeof v);
    return v;
  }
};

Result<ledger::SigningKey> ReadLogKey(const std::filesystem::path& dir) {
  const std::filesystem::path path = dir / kLogKeyFile;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return Status::NotFound("log key file " + path.string() +
                            " not found: " + std::strerror(errno));
  }
  if ((st.st_mode & 077) != 0) {
    return Status::FailedPrecondition("log key file " + path.string() +
                                      " is accessible by group or others (chmod 600 it)");
  }
  // Read with plain read(2) into one buffer that is wiped after parsing: the
  // seed must not linger in freed heap memory (or a core dump); an ifstream
  // and a stringstream would each keep copies we cannot wipe.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::Unavailable("cannot open log key file " + path.string());
  constexpr size_t kMaxKeyFile = 1024;  // a key string is ~100 bytes
  std::string key(kMaxKeyFile + 1, '\0');
  size_t len = 0;
  while (len < key.size()) {
    const ssize_t n = ::read(fd, key.data() + len, key.size() - len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    len += static_cast<size_t>(n);
  }
  ::close(fd);
  Result<ledger::SigningKey> parsed = Status::InvalidArgument("log key file is too large");
  if (len <= kMaxKeyFile) {
    std::string_view text(key.data(), len);
    if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
    parsed = ledger::SigningKey::ParsePrivateKey(text);
  }
  sodium_memzero(key.data(), key.size());
  if (!parsed) return parsed.error().WithContext("log key file " + path.string());
  return parsed;
}

Status CheckAdmitted(const AdmittedEntry& entry) {
  if (entry.leaf.size() > proofs::kMaxEntrySize) {
    return Status::InvalidArgument("entry is longer than 65535 bytes");
  }
  for (const auto* keys : {&entry.work_keys, &entry.signer_keys, &entry.grant_keys}) {
    for (const std::string& key : *keys) {
      if (key.empty() || key.size() > detail::kMaxIndexKeySize) {
        return Status::InvalidArgument("index key of " + FormatDecimalU64(key.size()) +
                                       " bytes: keys are 1 to 255 bytes");
      }
    }
  }
  return Status::Ok();
}

}  // namespace

struct Log::Impl {
  Impl(std::unique_ptr<detail::LogDb> db_in, std::unique_ptr<detail::Integrator> integrator_in,
       AdmissionFn admit_in, const LogOptions& options_in)
      : db(std::move(db_in)),
        integrator(std::move(integrator_in)),
        reader(*db, options_in.tile_cache),
        admit(std::move(admit_in)),
        options(options_in),
        tree_size(integrator->last_signed_size()) {}

  // ---- state ----
  std::unique_ptr<detail::LogDb> db;
  std::unique_ptr<detail::Integrator> integrator;  // sequencer thread only
  LogReader reader;
  AdmissionFn admit;
  LogOptions options;

  std::atomic<bool> closed{false};
  std::atomic<size_t> in_flight{0};
  std::mutex idle_mu;
  std::condition_variable idle_cv;  // in_flight reached 0

  // The writer's freeze (see log.h). Guarded by frozen_mu.
  mutable std::mutex frozen_mu;
  Status frozen;                  // OK until a batch fails
  bool frozen_retryable = false;  // the cause may pass: retry after the back-off
  std::chrono::milliseconds retry_delay{0};
  std::chrono::steady_clock::time_point next_retry;

  // Worker pool.
  std::mutex work_mu;
  std::condition_variable work_cv;
  std::deque<std::function<void()>> work;
  bool work_stop = false;
  std::vector<std::thread> workers;

  // Entries waiting for the sequencer.
  struct Queued {
    AdmittedEntry entry;
    std::chrono::steady_clock::time_point since;
  };
  std::mutex seq_mu;
  std::condition_variable seq_cv;
  std::deque<Queued> queue;
  bool seq_stop = false;
  // The size of the last batch, the depth at which the next one is
  // committed without waiting (see LogOptions::eager_batch_entries).
  size_t last_batch_entries = 0;
  std::thread sequencer;

  // Leaf hash -> callbacks of every submission of those bytes in flight.
  std::mutex pending_mu;
  std::unordered_map<Hash, std::vector<SubmitCallback>, HashKeyHasher> pending;

  // Stats.
  std::atomic<uint64_t> tree_size;
  std::atomic<uint64_t> batches{0};
  std::atomic<uint64_t> last_batch_size{0};
  std::atomic<uint64_t> map_growths{0};
  std::atomic<uint64_t> write_failures{0};
  std::atomic<uint64_t> write_recoveries{0};

  void Start() {
    unsigned n = options.worker_threads;
    if (n == 0) n = std::max(1u, std::thread::hardware_concurrency());
    for (unsigned i = 0; i < n; ++i) workers.emplace_back([this] { WorkerLoop(); });
    sequencer = std::thread([this] { SequencerLoop(); });
  }

  Status FrozenStatus() const {
    std::lock_guard<std::mutex> lock(frozen_mu);
    return frozen;
  }

  // OK when a write may be attempted now: the log is not frozen, or it is
  // frozen by a passing cause whose back-off has expired. Otherwise the
  // freeze error, to refuse a submission with.
  Status WriteGate() const {
    std::lock_guard<std::mutex> lock(frozen_mu);
    if (frozen.ok()) return frozen;
    if (frozen_retryable && std::chrono::steady_clock::now() >= next_retry) return Status::Ok();
    return frozen;
  }

  static bool MayPass(const Status& s) {
    return s.code() == StatusCode::kResourceExhausted || s.code() == StatusCode::kUnavailable;
  }

  // A batch failed with `cause`: freeze, or lengthen the back-off.
  void RecordWriteFailure(const Status& cause) {
    ++write_failures;
    Status health;
    {
      std::lock_guard<std::mutex> lock(frozen_mu);
      if (!frozen.ok() && !frozen_retryable) return;  // already frozen for good
      frozen_retryable = MayPass(cause);
      frozen =
          cause.WithContext(frozen_retryable ? "the log is read-only until a write succeeds again"
                                             : "the log writer stopped; restart the log");
      retry_delay = retry_delay.count() == 0 ? options.write_retry_min
                                             : std::min(retry_delay * 2, options.write_retry_max);
      next_retry = std::chrono::steady_clock::now() + retry_delay;
      health = frozen;
    }
    if (options.on_health_change) options.on_health_change(health);
  }

  void RecordWriteSuccess() {
    {
      std::lock_guard<std::mutex> lock(frozen_mu);
      if (frozen.ok()) return;
      frozen = Status::Ok();
      frozen_retryable = false;
      retry_delay = std::chrono::milliseconds(0);
      ++write_recoveries;
    }
    if (options.on_health_change) options.on_health_change(Status::Ok());
  }

  void Post(std::function<void()> task) {
    {
      std::lock_guard<std::mutex> lock(work_mu);
      work.push_back(std::move(task));
    }
    work_cv.notify_one();
  }

  void WorkerLoop() {
    while (true) {
      std::function<void()> task;
      {
        std::unique_lock<std::mutex> lock(work_mu);
        work_cv.wait(lock, [this] { return work_stop || !work.empty(); });
        if (work.empty()) return;  // stopping and drained
        task = std::move(work.front());
        work.pop_front();
      }
      task();
    }
  }

  // Answers one submission and releases its queue slot.
  // The slot is released first so that a callback may submit again.
  void Answer(const SubmitCallback& done, Result<Receipt> result) {
    Release();
    done(std::move(result));
  }

  void Release() {
    if (in_flight.fetch_sub(1) == 1) {
      std::lock_guard<std::mutex> lock(idle_mu);
      idle_cv.notify_all();
    }
  }

  // Answers every submission of the bytes with this leaf hash.
  void Finish(const Hash& leaf_hash, const Result<Receipt>& result) {
    std::vector<SubmitCallback> waiters;
    {
      std::lock_guard<std::mutex> lock(pending_mu);
      auto it = pending.find(leaf_hash);
      if (it == pending.end()) return;
      waiters = std::move(it->second);
      pending.erase(it);
    }
    for (const SubmitCallback& done : waiters) Answer(done, result);
  }

  // On a worker: admission, then dedup, then hand-off to the sequencer.
  void Admit(const std::string& bytes, SubmitCallback done) {
    Result<AdmittedEntry> admitted = Status::Internal("admission did not run");
    try {
      admitted = admit(bytes);
    } catch (const std::exception& e) {
      admitted = Status::Internal(std::string("admission threw: ") + e.what());
    }
    if (!admitted) return Answer(done, admitted.error());
    if (Status s = CheckAdmitted(*admitted); !s.ok()) return Answer(done, s);
    const Hash leaf_hash = proofs::HashLeaf(admitted->leaf);
    {
      std::lock_guard<std::mutex> lock(pending_mu);
      auto [it, inserted] = pending.try_emplace(leaf_hash);
      it->second.push_back(std::move(done));
      if (!inserted) return;  // the same bytes are already on their way
    }
    // First of its bytes in flight: anything committed earlier is visible
    // to this read (its pending record was erased after the commit).
    auto logged = reader.IndexOfLeaf(leaf_hash, admitted->entry_ref);
    if (!logged) return Finish(leaf_hash, logged.error());
    if (logged->has_value()) return Finish(leaf_hash, reader.ReceiptFor(**logged));
    bool wake;
    {
      std::lock_guard<std::mutex> lock(seq_mu);
      queue.push_back(Queued{std::move(admitted).value(), std::chrono::steady_clock::now()});
      // Wake the sequencer only when its wait condition may have changed:
      // the queue stopped being empty or became deep enough for a batch. A
      // wakeup per entry would cost a futex call and a context switch each.
      wake = queue.size() == 1 || queue.size() == EagerBatchEntries();
    }
    if (wake) seq_cv.notify_one();
  }

  // The queue depth at which the sequencer commits without waiting.
  // REQUIRES: seq_mu held.
  size_t EagerBatchEntries() const {
    return std::min(std::max(options.eager_batch_entries, last_batch_entries),
                    options.max_batch_entries);
  }

  void SequencerLoop() {
    while (true) {
      std::vector<AdmittedEntry> batch;
      {
        std::unique_lock<std::mutex> lock(seq_mu);
        seq_cv.wait(lock, [this] { return seq_stop || !queue.empty(); });
        if (queue.empty()) return;  // stopping and drained
        const auto deadline = queue.front().since + options.max_batch_delay;
        seq_cv.wait_until(lock, deadline,
                          [this] { return seq_stop || queue.size() >= EagerBatchEntries(); });
        const size_t n = std::min(queue.size(), options.max_batch_entries);
        batch.reserve(n);
        for (size_t i = 0; i < n; ++i) {
          batch.push_back(std::move(queue.front().entry));
          queue.pop_front();
        }
        last_batch_entries = n;
      }
      RunBatch(batch);
    }
  }

  void RunBatch(const std::vector<AdmittedEntry>& batch) {
    // Entries queued before a freeze, or inside a back-off, are refused
    // without touching the store; the first batch after the back-off tries.
    const Status gate = WriteGate();
    Result<detail::IntegratedBatch> result =
        gate.ok() ? integrator->Integrate(batch) : Result<detail::IntegratedBatch>(gate);
    if (!result) {
      if (gate.ok()) RecordWriteFailure(result.error());
      const Status answer = gate.ok() ? FrozenStatus() : gate;
      for (const AdmittedEntry& entry : batch) Finish(proofs::HashLeaf(entry.leaf), answer);
      return;
    }
    RecordWriteSuccess();
    uint64_t fresh = 0;
    for (const auto& e : result->entries) fresh += e.duplicate ? 0 : 1;
    tree_size = result->tree_size;
    ++batches;
    last_batch_size = fresh;
    map_growths += result->map_growths;
    if (options.on_batch) options.on_batch(BatchInfo{fresh, result->tree_size});
    // Receipts (proof generation) on the pool, never on the writer.
    auto entries =
        std::make_shared<std::vector<detail::IntegratedEntry>>(std::move(result->entries));
    Post([this, entries] {
      std::vector<uint64_t> indexes;
      for (const auto& e : *entries) indexes.push_back(e.index);
      auto receipts = reader.ReceiptsFor(indexes);
      for (size_t i = 0; i < entries->size(); ++i) {
        if (receipts) {
          Finish((*entries)[i].leaf_hash, (*receipts)[i]);
        } else {
          Finish((*entries)[i].leaf_hash, receipts.error());
        }
      }
    });
  }

  void Close() {
    if (closed.exchange(true)) return;
    {
      std::unique_lock<std::mutex> lock(idle_mu);
      idle_cv.wait(lock, [this] { return in_flight.load() == 0; });
    }
    {
      std::lock_guard<std::mutex> lock(seq_mu);
      seq_stop = true;
    }
    seq_cv.notify_all();
    sequencer.join();
    {
      std::lock_guard<std::mutex> lock(work_mu);
      work_stop = true;
    }
    work_cv.notify_all();
    for (std::thread& t : workers) t.join();
  }
};

Log::Log(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Log::~Log() { Close(); }

Result<std::unique_ptr<Log>> Log::Open(const std::filesystem::path& dir, AdmissionFn admit,
                                       const LogOptions& options) {
  if (!admit) return Status::InvalidArgument("an admission function is required");
  if (options.max_batch_entries == 0 || options.eager_batch_entries == 0 ||
      options.max_queued_entries == 0) {
    return Status::InvalidArgument(
        "max_batch_entries, eager_batch_entries and max_queued_entries must be >= 1");
  }
  if (options.write_retry_min.count() <= 0 || options.write_retry_max < options.write_retry_min) {
    return Status::InvalidArgument("want 0 < write_retry_min <= write_retry_max");
  }
  LTL_RETURN_IF_ERROR(ledger::InitCrypto());
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return Status::NotFound("data folder " + dir.string() + " does not exist");
  }
  LTL_ASSIGN_OR_RETURN(ledger::SigningKey key, ReadLogKey(dir));
  detail::EnvOptions env_options;
  env_options.initial_map_size = options.initial_map_size;
  env_options.max_map_size = options.max_map_size;
  env_options.max_readers = options.max_readers;
  LTL_ASSIGN_OR_RETURN(auto db, detail::LogDb::Open(dir, env_options, /*create=*/false));
  LTL_ASSIGN_OR_RETURN(auto integrator, detail::Integrator::Create(*db, std::move(key)));
  auto impl =
      std::make_unique<Impl>(std::move(db), std::move(integrator), std::move(admit), options);
  impl->Start();
  return std::unique_ptr<Log>(new Log(std::move(impl)));
}

void Log::Submit(std::string bytes, SubmitCallback done) {
  Impl& s = *impl_;
  if (bytes.size() > proofs::kMaxEntrySize) {
    return done(Status::InvalidArgument("entry is " + FormatDecimalU64(bytes.size()) +
                                        " bytes; entries are at most 65535 bytes"));
  }
  // Take a slot before looking at `closed`: Close() sets `closed` and then
  // waits for the slots to drain, so a slot taken here is either refused
  // below or waited for.
  if (s.in_flight.fetch_add(1) >= s.options.max_queued_entries) {
    s.Release();
    return done(Status::ResourceExhausted("the sequencer queue is full (" +
                                          FormatDecimalU64(s.options.max_queued_entries) +
                                          " entries in flight); retry later"));
  }
  if (s.closed.load()) return s.Answer(done, Status::FailedPrecondition("the log is closed"));
  if (Status gate = s.WriteGate(); !gate.ok()) return s.Answer(done, gate);
  s.Post([&s, bytes = std::move(bytes), done = std::move(done)]() mutable {
    s.Admit(bytes, std::move(done));
  });
}

Result<Receipt> Log::SubmitAndWait(std::string bytes) {
  std::promise<Result<Receipt>> promise;
  auto future = promise.get_future();
  Submit(std::move(bytes), [&promise](Result<Receipt> r) { promise.set_value(std::move(r)); });
  return future.get();
}

const LogReader& Log::reader() const { return impl_->reader; }

Status Log::Health() const { return impl_->FrozenStatus(); }

LogStats Log::Stats() const {
  LogStats stats;
  stats.tree_size = impl_->tree_size.load();
  stats.queued = impl_->in_flight.load();
  stats.batches = impl_->batches.load();
  stats.last_batch_size = impl_->last_batch_size.load();
  stats.map_growths = impl_->map_growths.load();
  stats.map_size = impl_->db->env().map_size();
  stats.write_failures = impl_->write_failures.load();
  stats.write_recoveries = impl_->write_recoveries.load();
  return stats;
}

Status Log::ReleaseMappedPages() const { return impl_->db->env().ReleaseMappedPages(); }

void Log::Close() { impl_->Close(); }

}  // namespace ltl::store
