// Log: an open data folder: the append-only log on LMDB, its single writer
// (the sequencer) and its readers. docs/storage.md tells the life of an entry.
//
//   Submit(bytes)                    caller's thread: size and queue checks only
//     -> admission worker pool       AdmissionFn (parse + signatures), dedup
//     -> sequencer thread            batches of <= max_batch_entries, after
//                                    max_batch_delay or at once when the
//                                    queue is as deep as the last batch (and
//                                    >= eager_batch_entries); ONE write txn
//                                    per batch
//                                    (ledger/store/integrator.h), durable commit
//     -> worker pool                 receipts (checkpoint + verified inclusion
//                                    proof), callbacks
//
// Guarantees:
//  - An entry is acknowledged (callback with a Receipt) only after the write
//    transaction holding it, its tiles and its checkpoint committed durably.
//  - Admission runs before sequencing; a refused entry leaves no trace.
//  - Resubmitting logged bytes (or submitting the same bytes concurrently)
//    gives the original index and the same receipt; nothing is appended twice.
//  - The log never signs a checkpoint that does not extend the last one it
//    signed (compare-and-swap in the write transaction).
//  - Overload is answered immediately: ResourceExhausted when
//    max_queued_entries submissions are in flight.
//  - A failed batch commit freezes the writer (as leveldb does after a failed
//    sync): later submissions fail at once with the error, reads continue,
//    and Health() reports it. Nothing of the failed batch is stored, and
//    the writer's state is the last durable commit, so trying again is safe.
//    When the cause may pass (ResourceExhausted: disk full; Unavailable: I/O
//    error) the writer tries again with the next batch once a back-off has
//    expired (write_retry_min, doubling up to write_retry_max): submissions
//    inside the back-off are refused at once, the first one after it is
//    sequenced as a probe, and a successful commit unfreezes the log. Any
//    other cause (DataLoss, a failed compare-and-swap, an LMDB panic) keeps
//    the writer frozen until a restart reopens from the last durable state.
//
// Thread-safety: all methods are thread-safe. Callbacks run on a store
// worker thread (or, for immediate refusals, inside Submit) and must not
// block for long; they may call Submit.
#ifndef LTL_LEDGER_STORE_LOG_H_
#define LTL_LEDGER_STORE_LOG_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "base/result.h"
#include "ledger/store/admission.h"
#include "ledger/store/log_reader.h"

namespace ltl::store {

// What the writer reports after each durable batch commit.
struct BatchInfo {
  uint64_t new_entries = 0;  // entries appended (duplicates excluded)
  uint64_t tree_size = 0;    // the tree size of the batch's checkpoint
};

struct LogOptions {
  // A batch is committed as soon as it holds this many entries...
  size_t max_batch_entries = 1024;
  // ...or when its oldest entry has waited this long. Every batch costs one
  // fsync pair and one signed checkpoint (~200 bytes kept forever).
  std::chrono::milliseconds max_batch_delay{20};
  // What the log's reader remembers of tiles it has checked (tile_cache.h).
  TileCacheLimits tile_cache{};
  // ...or, without waiting for max_batch_delay, as soon as the queue is as
  // deep as the last batch was, and at least eager_batch_entries deep. A
  // queue this deep means load: each batch already spreads its fsync pair
  // and checkpoint over many entries, and waiting would only add latency
  // (and cap clients that wait for their receipt before sending again at
  // clients / delay). Taking the last batch's size as the depth to wait for
  // keeps batches large when commits are slow (the clients of one batch
  // come back as the next), so a slow disk does not make the writer commit
  // many small batches. Entries that arrive while a batch commits go into the
  // next one, up to max_batch_entries, so batches grow with the load. Below
  // this depth the delay gathers small batches.
  size_t eager_batch_entries = 64;
  // Submissions accepted and not yet answered, at most; beyond it Submit
  // answers ResourceExhausted at once (the node: 503 + Retry-After).
  size_t max_queued_entries = 16384;
  // Admission (signature checks) and receipt workers; 0 = one per core.
  unsigned worker_threads = 0;
  // LMDB memory map: starts at this size and doubles when full, up to
  // max_map_size. It is address space; the file grows with the data.
  size_t initial_map_size = size_t{64} << 20;
  size_t max_map_size = size_t{1} << 40;
  // Concurrent read transactions (LMDB reader slots).
  unsigned max_readers = 126;
  // After a failed batch with a passing cause (disk full, I/O error): the
  // first back-off before a submission may try to write again; it doubles
  // after each failed try, up to write_retry_max.
  std::chrono::milliseconds write_retry_min{1000};
  std::chrono::milliseconds write_retry_max{30'000};
  // Called on the writer thread after every committed batch (metrics). Must
  // be cheap and must not call back into the Log. Empty: not called.
  std::function<void(const BatchInfo&)> on_batch = nullptr;
  // Called on the writer thread when a batch fails (with Health(), the
  // freeze error) and when a frozen writer commits again (with OK), so the
  // operator's log says when and why the log turned read-only. Must be cheap
  // and must not call back into the Log. Empty: not called.
  std::function<void(const Status&)> on_health_change = nullptr;
};

struct LogStats {
  uint64_t tree_size = 0;         // entries durably sequenced
  uint64_t queued = 0;            // submissions in flight
  uint64_t batches = 0;           // batches committed since Open
  uint64_t last_batch_size = 0;   // new entries in the last committed batch
  uint64_t map_growths = 0;       // times the LMDB map doubled since Open
  size_t map_size = 0;            // current LMDB map size in bytes
  uint64_t write_failures = 0;    // batches that failed since Open
  uint64_t write_recoveries = 0;  // times a frozen writer committed again
};

class Log {
 public:
  using SubmitCallback = std::function<void(Result<Receipt>)>;

  // Opens the log in `dir` (created by InitLog, ledger/store/init_log.h)
  // with the key in <dir>/log.key. Errors: NotFound (no such folder or key
  // file), FailedPrecondition (folder in use by another process, not
  // initialised, key file readable by others or not this log's key),
  // DataLoss (stored state unreadable).
  static Result<std::unique_ptr<Log>> Open(const std::filesystem::path& dir, AdmissionFn admit,
                                           const LogOptions& options = {});
  // Close()s.
  ~Log();
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  // Queues `bytes` for admission and sequencing; `done` gets the receipt
  // once the entry is durable, or the error. Immediate errors (inside this
  // call): InvalidArgument (longer than 65,535 bytes), ResourceExhausted
  // (queue full), FailedPrecondition (closed), the freeze error. Later:
  // admission's error, or the batch's error.
  void Submit(std::string bytes, SubmitCallback done);
  // Submit and wait: for tests and tools.
  Result<Receipt> SubmitAndWait(std::string bytes);

  // Reads. Valid until the Log is destroyed.
  const LogReader& reader() const;

  // OK, or the error that froze the writer (see "Guarantees" above).
  Status Health() const;
  LogStats Stats() const;

  // Unmaps, from this process only, the store's pages read so far: they stop
  // counting in its resident set and stay in the kernel's page cache (see
  // Env::ReleaseMappedPages in ledger/store/lmdb_env.h). Reads and writes may
  // run meanwhile; hot pages come back on their next touch, one minor fault
  // each. Errors: Internal.
  Status ReleaseMappedPages() const;

  // Stops accepting submissions, waits until every accepted one is answered
  // (committed or failed), and stops the threads. Idempotent.
  void Close();

 private:
  struct Impl;
  explicit Log(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The log key file in a data folder.
inline constexpr std::string_view kLogKeyFile = "log.key";

}  // namespace ltl::store

#endif  // LTL_LEDGER_STORE_LOG_H_
