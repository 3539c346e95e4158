// Monitor: follows one log through its tiles, verifies everything, and
// audits every entry (monitor/audit.h) into its own state
// (ledger/store/monitor_state.h). The engine behind `ltl monitor`.
//
// One pass (RunOnce):
//
//   GET /checkpoint --> VerifyCheckpoint (log signature, witness quorum)
//        |                  fails: BAD_CHECKPOINT_SIGNATURE / QUORUM_MISSING
//        v
//   consistent with the saved checkpoint? (consistency proof from tiles)
//        |                  no: LOG_INCONSISTENT / SPLIT_VIEW, with evidence
//        v
//   save it, record its sighting time (log time of the entries it adds)
//        v
//   for each chunk of entry bundles after the audited prefix:
//     read bundles (each checked against its level-0 tile)
//     check each leaf (hash, parse, signatures: CheckLeaf) on worker threads
//     extend the audited compact range with their leaf hashes, and prove
//     that prefix consistent with the signed root  -- fails: TREE_MISMATCH
//     THEN, in one state transaction: audit the entries, save the progress,
//     (last chunk) run the time-based checks; commit; report the findings.
//
// Pipelining: the bundles of chunks k+1 and k+2 are read, and their leaves
// checked by the workers (monitor/leaf_checker.h), while chunk k is
// verified and audited. Only the stateless checks run ahead; everything
// that depends on the state or has an effect (tree verification, findings,
// the state transaction, callbacks) happens in log order on the calling
// thread, and an error reading a later chunk surfaces only once the chunks
// before it are committed, as it would without the pipeline.
//
// So no licence finding is ever derived from data not yet proved to be in
// the signed tree, and a crash or --max-entries stop resumes at a chunk
// boundary with identical results. A log-integrity finding stops the pass:
// the state keeps the last verified checkpoint and progress, and the
// finding (with evidence) is stored and reported.
//
// Thread-safety: a Monitor is used by one thread at a time.
#ifndef LTL_MONITOR_MONITOR_H_
#define LTL_MONITOR_MONITOR_H_

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "base/result.h"
#include "client/fetcher.h"
#include "client/policy.h"
#include "client/tile_reader.h"
#include "ledger/store/monitor_state.h"
#include "monitor/audit.h"
#include "monitor/finding.h"
#include "monitor/leaf_checker.h"

namespace ltl::monitor {

// Unix seconds now (the observation clock); injectable for tests.
int64_t SystemClockSeconds();

struct MonitorOptions {
  // Which checkpoints to believe: the log key, witnesses, quorum.
  client::VerificationPolicy policy;
  AuditOptions audit;
  // Entry bundles (256 entries each) verified and committed per transaction.
  size_t chunk_bundles = 16;
  // Worker threads checking leaves ahead of the audit; 0 checks them on the
  // calling thread; nullopt: one per core (std::thread::hardware_concurrency).
  std::optional<size_t> check_threads;
  // Stop a pass once this many entries were audited in it (0: no limit).
  // The state is left at a chunk boundary; the next pass resumes.
  uint64_t max_entries = 0;
  // Observation time of a checkpoint without witness cosignatures.
  std::function<int64_t()> clock = SystemClockSeconds;
  // Called after each committed chunk, in order: findings, audited entries,
  // progress (audited size, checkpoint size). Optional.
  std::function<void(const Finding&)> on_finding;
  std::function<void(const AuditedEntry&)> on_entry;
  std::function<void(uint64_t audited, uint64_t total)> on_progress;
};

struct RunSummary {
  uint64_t checkpoint_size = 0;  // the checkpoint audited against
  uint64_t audited_from = 0;     // audited prefix before the pass
  uint64_t audited_to = 0;       // and after it
  size_t findings = 0;           // findings made in this pass
  // A log-integrity finding stopped the pass (its code); nothing after the
  // verified prefix was audited.
  std::optional<FindingCode> integrity_failure;
  bool complete() const { return !integrity_failure && audited_to == checkpoint_size; }
};

class Monitor {
 public:
  // REQUIRES: `fetcher` and `state` outlive the Monitor.
  // Errors: FailedPrecondition when the state folder audits another log
  // (bound to another log key).
  static Result<std::unique_ptr<Monitor>> Create(MonitorOptions options, client::Fetcher& fetcher,
                                                 store::MonitorState& state);

  // One pass, as above. Errors (not findings): Unavailable when the log
  // cannot be reached; InvalidArgument / NotFound when it answers with a
  // malformed checkpoint or lacks a tile it must serve; state failures.
  Result<RunSummary> RunOnce();

 private:
  Monitor(MonitorOptions options, client::Fetcher& fetcher, store::MonitorState& state,
          size_t check_threads)
      : options_(std::move(options)),
        fetcher_(fetcher),
        reader_(fetcher),
        state_(state),
        checker_(check_threads) {}

  struct Chunk;
  Chunk ReadChunk(uint64_t begin, uint64_t size);
  Status Integrity(Finding finding, RunSummary& summary);

  MonitorOptions options_;
  client::Fetcher& fetcher_;
  client::TileReader reader_;
  store::MonitorState& state_;
  LeafChecker checker_;
};

}  // namespace ltl::monitor

#endif  // LTL_MONITOR_MONITOR_H_
