// Fsck: re-derives a log from its stored entries and checks everything else
// against them, for `ltl-node fsck` (which prints the report and exits
// non-zero on a discrepancy).
//
// Checked, in one read transaction, streaming (memory independent of the
// log size):
//   - meta records: schema, origin, log key, tree state, latest checkpoint;
//   - every entry (sealed bundles and the tail) in order: its leaf hash is
//     the stored level-0 hash; every node at a tile level that the rebuilt
//     tree completes equals the stored tile hash; nothing is stored beyond
//     the tree (tiles, bundles, tail entries); every entry has an entry
//     reference and is listed under it in by-ref (through which
//     deduplication finds a logged leaf);
//   - the rebuilt tree's nodes and root equal the stored tree state and the
//     latest checkpoint;
//   - every stored checkpoint: the log key's signature verifies, its origin
//     and size match, and its root is the root of the rebuilt tree at its
//     size. So every checkpoint is a prefix of the current tree: they are
//     mutually consistent, and the log never forked.
// The first discrepancy stops the walk and is reported.
//
// Thread-safety: takes the folder's lock; fails while a node has it open.
#ifndef LTL_LEDGER_STORE_FSCK_H_
#define LTL_LEDGER_STORE_FSCK_H_

#include <cstdint>
#include <filesystem>

#include "base/result.h"

namespace ltl::store {

struct FsckReport {
  uint64_t tree_size = 0;
  uint64_t entries_checked = 0;
  uint64_t tile_hashes_checked = 0;  // stored hashes compared, all levels
  uint64_t bundles_checked = 0;      // sealed bundles
  uint64_t checkpoints_checked = 0;
  // OK, or the first discrepancy (DataLoss naming the record).
  Status problem;
  bool ok() const { return problem.ok(); }
};

// Errors (fsck could not run; not a verdict): NotFound (no folder),
// FailedPrecondition (folder in use or not initialised).
Result<FsckReport> Fsck(const std::filesystem::path& dir);

}  // namespace ltl::store

#endif  // LTL_LEDGER_STORE_FSCK_H_
