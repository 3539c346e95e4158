// Integrator: appends one batch of admitted entries to the log as ONE LMDB
// write transaction and signs the new checkpoint inside it. Internal to
// ledger/store (namespace detail); the sequencer in ledger/store/log.cpp is
// its only production caller, tests call it directly to probe the
// compare-and-swap.
//
// One Integrate() call, in one write transaction:
//   1. read the stored tree state and the latest checkpoint; refuse
//      (DataLoss) if they disagree, and refuse (FailedPrecondition) if they
//      are not the tree this integrator last signed: the compare-and-swap
//      that makes signing two inconsistent checkpoints impossible;
//   2. drop entries already logged or repeated in the batch (deduplication);
//   3. for each new entry: its level-0 hash and every new perfect node at a
//      tile level (CompactRange::Append visits them), its entry reference,
//      its index keys, and its bytes (tail entry, or sealed into a bundle
//      when the batch completes the bundle);
//   4. the new tree state, the new checkpoint signed with the log key
//      (history + latest);
//   5. commit durably. On MDB_MAP_FULL the transaction is aborted, the map
//      grows and the batch is retried from step 1.
// Nothing is acknowledged before step 5 returns OK.
//
// Thread-safety: not thread-safe; one Integrator, used by one thread, per
// log (LMDB allows one writer anyway).
#ifndef LTL_LEDGER_STORE_INTEGRATOR_H_
#define LTL_LEDGER_STORE_INTEGRATOR_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "ledger/keys.h"
#include "ledger/store/admission.h"
#include "ledger/store/log_db.h"
#include "proofs/hash.h"

namespace ltl::store::detail {

struct IntegratedEntry {
  uint64_t index = 0;
  proofs::Hash leaf_hash{};
  proofs::Hash entry_ref{};  // as stored for `index`
  bool duplicate = false;    // already logged (or earlier in the batch)
};

struct IntegratedBatch {
  // One per input entry, in input order.
  std::vector<IntegratedEntry> entries;
  uint64_t tree_size = 0;
  // The checkpoint covering every entry of the batch: the newly signed one,
  // or, when the whole batch was duplicates, empty (callers look receipts up).
  std::string checkpoint;
  proofs::Hash root{};
  // How many times the map had to grow for this batch.
  int map_growths = 0;
};

class Integrator {
 public:
  // Reads the latest stored checkpoint as the tree this integrator extends.
  // Errors: FailedPrecondition if `log_key` is not the folder's log key;
  // DataLoss if the stored state is unreadable or inconsistent.
  static Result<std::unique_ptr<Integrator>> Create(LogDb& db, ledger::SigningKey log_key);

  // REQUIRES: every entry's leaf is at most 65,535 bytes and its index keys
  // obey AdmittedEntry's limits (the sequencer checks them at admission).
  // Errors: FailedPrecondition (the compare-and-swap failed: the stored tree
  // is not the one this integrator last signed), DataLoss (stored state is
  // corrupt), ResourceExhausted (disk full or map at its maximum),
  // Unavailable (I/O error). On any error nothing of the batch is stored.
  Result<IntegratedBatch> Integrate(std::span<const AdmittedEntry> batch);

  uint64_t last_signed_size() const { return last_size_; }

 private:
  Integrator(LogDb& db, ledger::SigningKey key, std::string origin, uint64_t size,
             proofs::Hash root)
      : db_(db),
        key_(std::move(key)),
        origin_(std::move(origin)),
        last_size_(size),
        last_root_(root) {}

  // One attempt in one transaction; sets *map_full when the map was full.
  Result<IntegratedBatch> TryIntegrate(std::span<const AdmittedEntry> batch, bool* map_full);

  LogDb& db_;
  ledger::SigningKey key_;
  std::string origin_;
  // The tree of the last checkpoint this integrator signed (or loaded).
  uint64_t last_size_;
  proofs::Hash last_root_;
};

// The tree size and root of a stored checkpoint note, checked against the
// log key. Errors: DataLoss when the note does not open or parse.
struct CheckpointHead {
  uint64_t size = 0;
  proofs::Hash root{};
};
Result<CheckpointHead> OpenStoredCheckpoint(std::string_view note,
                                            const ledger::VerifierKey& log_key);
// The same without the signature check, for hot read paths (the note was
// checked when it was signed; fsck checks it again).
Result<CheckpointHead> ParseStoredCheckpoint(std::string_view note);

}  // namespace ltl::store::detail

#endif  // LTL_LEDGER_STORE_INTEGRATOR_H_
