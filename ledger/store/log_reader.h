// LogReader: the read-only view of a log that the HTTP layer, witnesses'
// clients and the sequencer's receipts need. It cannot write.
//
// Every method runs in its own short LMDB read transaction and returns
// copies: nothing returned points into the database, and no transaction
// outlives the call (so callers may use it from coroutines freely).
//
// Served data is checked on the way out, so corruption on disk is reported,
// never served:
//   - Entry / EntryBundle: each entry's RFC 6962 leaf hash must equal the
//     stored level-0 hash;
//   - Tile: a full tile must hash to its parent node in the tile level above;
//     a partial tile must hash to the nodes of the stored tree state (which
//     itself must match the latest checkpoint). Checked full tiles and every
//     checked tile's upper levels are remembered (TileCache, bounded): data
//     checked once is served from memory, so a later corruption on disk is
//     found when the tile is next read from disk or by `ltl-node fsck`;
//   - InclusionProof / ConsistencyProof / ReceiptFor: each proof is verified
//     against the roots of the trees it is for before it is returned.
// A failed check is DataLoss (and `ltl-node fsck` finds the record).
//
// Tree sizes: a request about a tree larger than the current one is
// OutOfRange; a tile or bundle not (yet) in the tree is NotFound (HTTP 404,
// as tlog-tiles expects).
//
// Thread-safety: all methods are const and thread-safe.
#ifndef LTL_LEDGER_STORE_LOG_READER_H_
#define LTL_LEDGER_STORE_LOG_READER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/encoding.h"
#include "base/result.h"
#include "ledger/store/tile_cache.h"
#include "proofs/hash.h"

namespace ltl::store {

namespace detail {
class LogDb;
}
class CheckedHeadMemo;

// What an acknowledged entry gets: where it is and the evidence for it.
struct Receipt {
  uint64_t index = 0;        // 0-based position in the log
  proofs::Hash leaf_hash{};  // RFC 6962 leaf hash of the logged bytes
  proofs::Hash entry_ref{};  // from admission (DOMAIN.md choice 3)
  std::string checkpoint;    // signed checkpoint note of the batch that sequenced it
  std::vector<proofs::Hash> inclusion_proof;  // of `index` in that checkpoint's tree
  friend bool operator==(const Receipt&, const Receipt&) = default;
};

// The secondary indexes.
enum class IndexKind {
  kWork,    // normalised work identifier (AdmittedEntry::work_keys)
  kSigner,  // signer key name (AdmittedEntry::signer_keys)
  kGrant,   // grant reference (AdmittedEntry::grant_keys)
};

struct IndexHit {
  uint64_t index = 0;
  proofs::Hash entry_ref{};
  friend bool operator==(const IndexHit&, const IndexHit&) = default;
};

// One page of index hits in increasing log index order.
struct IndexPage {
  std::vector<IndexHit> hits;
  // The `from` of the next page; nullopt on the last page.
  std::optional<uint64_t> next;
};

class LogReader {
 public:
  // REQUIRES: `db` outlives the reader.
  explicit LogReader(const detail::LogDb& db, TileCacheLimits limits = {})
      : db_(db), cache_(std::make_shared<TileCache>(limits)), head_memo_(MakeHeadMemo()) {}

  // The number of entries in the latest checkpoint.
  Result<uint64_t> TreeSize() const;
  // The latest signed checkpoint (note wire text).
  Result<std::string> Checkpoint() const;
  // The checkpoint the log signed for tree size `size` (every one is kept).
  // Errors: NotFound if the log never signed that size.
  Result<std::string> CheckpointAt(uint64_t size) const;

  // Hash tile `index` at tile level `level` holding `width` hashes (1..256,
  // 256 = full), width * 32 bytes, as tlog-tiles v0.1.0 serves it: a partial
  // tile is the prefix of the tile, so any width up to the current one is
  // served. Errors: InvalidArgument for width outside 1..256 or level > 63;
  // NotFound when the tile does not hold `width` hashes in the current tree.
  Result<Bytes> Tile(uint8_t level, uint64_t index, uint16_t width) const;
  // Entry bundle `index` holding `width` entries (1..256), tlog-tiles
  // encoding. Errors: as Tile.
  Result<Bytes> EntryBundle(uint64_t index, uint16_t width) const;
  // The logged bytes of leaf `index`. Errors: NotFound beyond the tree.
  Result<std::string> Entry(uint64_t index) const;

  // The index of the entry with this leaf hash, or nullopt. `entry_ref` is
  // that leaf's entry reference (what admission gave for it): leaves are
  // found among the entries sharing their reference (no index by leaf hash,
  // ledger/store/log_db.h).
  Result<std::optional<uint64_t>> IndexOfLeaf(const proofs::Hash& leaf_hash,
                                              const proofs::Hash& entry_ref) const;
  // The lowest index of an entry with this entry reference, or nullopt.
  // (Several entries can share a reference: an offer and its co-signed
  // agreement have the same text.)
  Result<std::optional<uint64_t>> IndexByEntryRef(const proofs::Hash& entry_ref) const;
  // Up to `limit` entries under `key` with index >= `from`. An unknown key
  // gives an empty page. Errors: InvalidArgument for limit 0 or a key that
  // is empty or longer than 255 bytes.
  Result<IndexPage> Lookup(IndexKind kind, std::string_view key, uint64_t from, size_t limit) const;

  // RFC 6962 inclusion proof of leaf `index` in the tree of `tree_size`.
  // Errors: OutOfRange if tree_size exceeds the current tree or index >=
  // tree_size.
  Result<std::vector<proofs::Hash>> InclusionProof(uint64_t index, uint64_t tree_size) const;
  // RFC 6962 consistency proof from `size1` to `size2`.
  // Errors: InvalidArgument unless 0 < size1 <= size2; OutOfRange if size2
  // exceeds the current tree.
  Result<std::vector<proofs::Hash>> ConsistencyProof(uint64_t size1, uint64_t size2) const;

  // The receipt of leaf `index`: its batch's checkpoint (the first checkpoint
  // whose tree contains it) and the inclusion proof in that tree; the same
  // receipt the entry got when it was sequenced. Errors: OutOfRange beyond
  // the tree.
  Result<Receipt> ReceiptFor(uint64_t index) const;
  // ReceiptFor for several indexes in one read transaction (a batch's
  // receipts share most proof nodes). Fails as a whole on the first error.
  Result<std::vector<Receipt>> ReceiptsFor(std::span<const uint64_t> indexes) const;

 private:
  const detail::LogDb& db_;
  // Shared, so that the methods stay const and copies share what was checked.
  std::shared_ptr<TileCache> cache_;
  std::shared_ptr<CheckedHeadMemo> head_memo_;

  static std::shared_ptr<CheckedHeadMemo> MakeHeadMemo();
};

}  // namespace ltl::store

#endif  // LTL_LEDGER_STORE_LOG_READER_H_
