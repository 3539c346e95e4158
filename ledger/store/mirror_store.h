// MirrorStore: a mirror's copy of another log's tree, in its own LMDB
// environment (docs/network.md#mirror).
//
// The store holds one log's entries, every perfect node of its tree, the
// compact range of the tree (its right edge) and the checkpoint the mirror
// serves. It is extended only by Extend(), which appends entries, rebuilds the
// tree and checks, INSIDE the write transaction, that the result has exactly
// the size and root of the new checkpoint; otherwise nothing is written. So
// the store never holds data its served checkpoint does not commit to, and
// each stored tree extends the previous one (its leaves are appended to the
// old ones): consistency by construction, no proof needed.
//
// Reads serve the tlog-tiles API at the stored size: hash tiles (the nodes at
// tree level 8L, partial widths included), entry bundles, entries, and
// inclusion / consistency proofs from stored nodes. The tiles are the same
// bytes the upstream log serves: tiles are a function of the tree.
//
// Thread-safety: all methods are thread-safe; Extend calls are serialised by
// LMDB's writer lock. Reads return copies.
#ifndef LTL_LEDGER_STORE_MIRROR_STORE_H_
#define LTL_LEDGER_STORE_MIRROR_STORE_H_

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/encoding.h"
#include "base/result.h"
#include "proofs/hash.h"

namespace ltl::store {

struct MirrorStoreOptions {
  size_t initial_map_size = size_t{64} << 20;
  size_t max_map_size = size_t{1} << 40;
};

class MirrorStore {
 public:
  // Opens (creating when absent) the mirror of the log `origin` whose
  // verifier key is `log_key` in `dir`. Errors: FailedPrecondition when the
  // folder is in use or already mirrors another log (origin or key differ);
  // file system and LMDB failures.
  static Result<std::unique_ptr<MirrorStore>> Open(const std::filesystem::path& dir,
                                                   std::string_view origin,
                                                   std::string_view log_key,
                                                   const MirrorStoreOptions& options = {});
  ~MirrorStore();
  MirrorStore(const MirrorStore&) = delete;
  MirrorStore& operator=(const MirrorStore&) = delete;

  // The number of entries stored (the size of Checkpoint()'s tree; 0 before
  // the first Extend).
  Result<uint64_t> TreeSize() const;
  // The served checkpoint note. Errors: NotFound before the first Extend.
  Result<std::string> Checkpoint() const;

  // Appends `entries` (leaves TreeSize() .. TreeSize() + entries.size() - 1)
  // and stores `checkpoint_note` as the served checkpoint, in one durable
  // write transaction, if and only if the extended tree has `size` leaves and
  // root `root`. Errors: OutOfRange if size != TreeSize() + entries.size() or
  // size < TreeSize(); DataLoss naming both roots when the root differs
  // (nothing is written: the upstream served data its checkpoint does not
  // commit to, or forked); InvalidArgument for an entry longer than 65,535
  // bytes; ResourceExhausted when the map is full at its maximum.
  Status Extend(std::span<const std::string> entries, uint64_t size, const proofs::Hash& root,
                std::string_view checkpoint_note);

  // tlog-tiles reads at the stored size. Errors as store::LogReader: the
  // tile, bundle or entry not (yet) in the tree is NotFound; InvalidArgument
  // for a width outside 1..256 or a level above 63.
  Result<Bytes> Tile(uint8_t level, uint64_t index, uint16_t width) const;
  Result<Bytes> EntryBundle(uint64_t index, uint16_t width) const;
  Result<std::string> Entry(uint64_t index) const;

  // Proofs from stored nodes. Errors: OutOfRange beyond the stored tree or
  // index >= tree_size; InvalidArgument unless 0 < from <= to.
  Result<std::vector<proofs::Hash>> InclusionProof(uint64_t index, uint64_t tree_size) const;
  Result<std::vector<proofs::Hash>> ConsistencyProof(uint64_t from, uint64_t to) const;

 private:
  struct Impl;
  explicit MirrorStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ltl::store

#endif  // LTL_LEDGER_STORE_MIRROR_STORE_H_
