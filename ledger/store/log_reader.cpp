#include "ledger/store/log_reader.h"

#include <algorithm>
#include <array>
#include <bit>
#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include "ledger/store/integrator.h"
#include "ledger/store/log_db.h"
#include "proofs/compact_range.h"
#include "proofs/consistency.h"
#include "proofs/inclusion.h"
#include "proofs/tiles.h"

namespace ltl::store {

using detail::Dbs;
using detail::Txn;
using proofs::Hash;
using proofs::kTileHeight;
using proofs::kTileWidth;
using proofs::NodeId;

// The last tree state record and checkpoint note that CheckedTree found to
// agree, and the tree decoded from them.
struct CheckedHead {
  proofs::CompactRange tree;
  Hash root;
};

class CheckedHeadMemo {
 public:
  std::optional<CheckedHead> Find(ByteSpan tree_record, ByteSpan note) const {
    std::lock_guard lock(mu_);
    if (!std::ranges::equal(tree_record, tree_record_) || !std::ranges::equal(note, note_)) {
      return std::nullopt;
    }
    return head_;
  }
  void Remember(ByteSpan tree_record, ByteSpan note, const CheckedHead& head) {
    std::lock_guard lock(mu_);
    tree_record_.assign(tree_record.begin(), tree_record.end());
    note_.assign(note.begin(), note.end());
    head_ = head;
  }

 private:
  mutable std::mutex mu_;
  Bytes tree_record_;
  Bytes note_;
  std::optional<CheckedHead> head_;
};

namespace {

// The stored tree state, checked against the latest checkpoint. The check
// (parsing the checkpoint note, hashing the tree's root) is remembered for the
// exact record bytes it passed on, so that reads between two batches pay two
// comparisons instead.
Result<CheckedHead> CheckedTree(const Txn& txn, const Dbs& dbs, CheckedHeadMemo& memo) {
  LTL_ASSIGN_OR_RETURN(auto tree_record, txn.Get(dbs.meta, AsBytes(detail::kMetaTree)));
  if (!tree_record) return Status::DataLoss("the tree state record is missing");
  LTL_ASSIGN_OR_RETURN(auto note_record, txn.Get(dbs.meta, AsBytes(detail::kMetaCheckpoint)));
  if (!note_record) return Status::DataLoss("the latest checkpoint record is missing");
  if (auto checked = memo.Find(*tree_record, *note_record)) return std::move(*checked);
  LTL_ASSIGN_OR_RETURN(proofs::CompactRange tree, detail::DecodeTreeState(*tree_record));
  LTL_ASSIGN_OR_RETURN(auto head, detail::ParseStoredCheckpoint(AsChars(*note_record)));
  LTL_ASSIGN_OR_RETURN(Hash root, tree.GetRootHash());
  if (head.size != tree.end() || head.root != root) {
    return Status::DataLoss("the stored tree state is not the tree of the latest checkpoint");
  }
  CheckedHead checked{std::move(tree), root};
  memo.Remember(*tree_record, *note_record, checked);
  return checked;
}

// Root of a perfect subtree over `hashes` (a power of two of them, at most
// 2^kSummaryHeight: larger subtrees come from TileSummary).
Hash PerfectRoot(std::span<const Hash> hashes) {
  std::array<Hash, size_t{1} << detail::kSummaryHeight> level;
  std::copy(hashes.begin(), hashes.end(), level.begin());
  for (size_t n = hashes.size(); n > 1; n /= 2) {
    for (size_t i = 0; i < n / 2; ++i)
      level[i] = proofs::HashChildren(level[2 * i], level[2 * i + 1]);
  }
  return level[0];
}

std::string TileName(int level, uint64_t index) {
  return "tile " +
         proofs::FormatTilePath(proofs::TileId{static_cast<uint8_t>(level), index, kTileWidth});
}

// Checks the levels of tile (level, index) (TileSummary::Build's all_levels)
// against the tree: a full tile must hash to its parent node in the tile
// level above; a partial tile's hashes must fold into the tree state's nodes
// at tree levels [8L, 8L + 8).
Status CheckTileLevels(const Txn& txn, const Dbs& dbs, const proofs::CompactRange& tree, int level,
                       uint64_t index, const std::vector<std::vector<Hash>>& levels) {
  const size_t width = levels[0].size();
  if (width == kTileWidth) {
    if (level + 1 >= detail::kTileLevels) {
      return Status::DataLoss(TileName(level, index) + ": impossible full tile");
    }
    auto parent = detail::GetLevelHash(txn, dbs, level + 1, index);
    if (!parent) {
      return Status::DataLoss(TileName(level, index) +
                              ": parent node missing: " + parent.error().message());
    }
    if (levels[kTileHeight][0] != *parent) {
      return Status::DataLoss(TileName(level, index) +
                              " does not hash to its parent node: corrupt tile");
    }
    return Status::Ok();
  }
  const std::vector<NodeId> nodes = proofs::RangeNodes(0, tree.end());
  const uint64_t tile_first = index * kTileWidth;
  uint64_t covered = 0;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const NodeId& node = nodes[i];
    if (node.level < level * kTileHeight || node.level >= (level + 1) * kTileHeight) continue;
    const int height = node.level - level * kTileHeight;
    const uint64_t first = (node.index << height) - tile_first;
    const uint64_t count = uint64_t{1} << height;
    if (first + count > width) {
      return Status::DataLoss(TileName(level, index) + ": shorter than the tree");
    }
    if (levels[height][first >> height] != tree.hashes()[i]) {
      return Status::DataLoss(TileName(level, index) +
                              " does not hash to the tree state: corrupt tile");
    }
    covered += count;
  }
  if (covered != width) return Status::DataLoss(TileName(level, index) + ": wider than the tree");
  return Status::Ok();
}

// How many hashes tile (level, index) holds in `tree`; 0 if none.
uint64_t TileWidthInTree(const proofs::CompactRange& tree, int level, uint64_t index) {
  const uint64_t available = proofs::TileLevelHashCount(tree.end(), level);
  if (available <= index * kTileWidth) return 0;
  return std::min<uint64_t>(kTileWidth, available - index * kTileWidth);
}

// Reads tile (level, index) of `tree`, checks it (CheckTileLevels) and
// remembers its summary. `hashes_out`, if given, receives the stored hashes.
Result<std::shared_ptr<const detail::TileSummary>> ReadCheckedTile(const Txn& txn, const Dbs& dbs,
                                                                   const proofs::CompactRange& tree,
                                                                   TileCache& cache, int level,
                                                                   uint64_t index,
                                                                   std::vector<Hash>* hashes_out) {
  const uint64_t want = TileWidthInTree(tree, level, index);
  LTL_ASSIGN_OR_RETURN(auto hashes, detail::GetTileHashes(txn, dbs, level, index));
  if (hashes.size() != want) {
    return Status::DataLoss(TileName(level, index) + ": " + FormatDecimalU64(hashes.size()) +
                            " hashes stored, the tree has " + FormatDecimalU64(want));
  }
  std::vector<std::vector<Hash>> levels;
  auto summary =
      std::make_shared<const detail::TileSummary>(detail::TileSummary::Build(hashes, &levels));
  LTL_RETURN_IF_ERROR(CheckTileLevels(txn, dbs, tree, level, index, levels));
  cache.PutSummary(static_cast<uint8_t>(level), index, summary);
  if (hashes_out != nullptr) *hashes_out = std::move(hashes);
  return summary;
}

// Node hashes fetched within one read transaction, for proofs and roots of
// trees up to `tree` (the checked current tree).
class NodeFetcher {
 public:
  NodeFetcher(const Txn& txn, const Dbs& dbs, const CheckedHead& head, TileCache& cache)
      : txn_(txn), dbs_(dbs), tree_(head.tree), root_(head.root), cache_(cache) {}

  // The hash of a perfect node of the current tree: stored as is (a tile
  // level), looked up in its tile's checked summary (heights >= 4 above a
  // tile level), or rebuilt from the at most 8 stored hashes under it.
  Result<Hash> Get(NodeId node) {
    const auto key = std::make_pair(node.level, node.index);
    if (auto it = memo_.find(key); it != memo_.end()) return it->second;
    Result<Hash> hash = Lookup(node);
    if (!hash) {
      if (hash.error().code() == StatusCode::kNotFound) {
        return Status::DataLoss("node " + proofs::NodeIdToString(node) +
                                " of the tree is not stored: " + hash.error().message());
      }
      return hash.error();
    }
    memo_.emplace(key, *hash);
    return *hash;
  }

  Result<std::vector<Hash>> Proof(const proofs::ProofNodes& nodes) {
    std::vector<Hash> fetched;
    fetched.reserve(nodes.ids.size());
    for (const NodeId& id : nodes.ids) {
      LTL_ASSIGN_OR_RETURN(Hash h, Get(id));
      fetched.push_back(h);
    }
    auto proof = proofs::Rehash(fetched, nodes);
    if (!proof) return Status::Internal("rehash: " + proof.error().message());
    return std::move(proof).value();
  }

  // The root of the tree of `size` leaves, `size` <= the current tree: the
  // current root, a signed checkpoint's root, or rebuilt from stored nodes.
  Result<Hash> RootAt(uint64_t size) {
    if (size == tree_.end()) return root_;
    LTL_ASSIGN_OR_RETURN(auto signed_at, txn_.Get(dbs_.checkpoints, detail::EncodeU64Key(size)));
    if (signed_at) {
      LTL_ASSIGN_OR_RETURN(auto head, detail::ParseStoredCheckpoint(AsChars(*signed_at)));
      return head.root;
    }
    std::vector<Hash> hashes;
    for (const NodeId& id : proofs::RangeNodes(0, size)) {
      LTL_ASSIGN_OR_RETURN(Hash h, Get(id));
      hashes.push_back(h);
    }
    auto range = proofs::CompactRange::FromHashes(0, size, std::move(hashes));
    if (!range) return Status::Internal("root at size: " + range.error().message());
    return range->GetRootHash();
  }

 private:
  Result<Hash> Lookup(NodeId node) {
    const proofs::NodeInTile at = proofs::LocateNode(node);
    if (at.tile_level >= detail::kTileLevels) return Status::NotFound("node beyond any tree");
    const uint64_t first = at.tile_index * kTileWidth + at.first;
    const int height = std::countr_zero(at.count);
    if (height < detail::kSummaryHeight) {
      // The node and its siblings below the summary all lie in one aligned
      // group of stored hashes: read it once per proof.
      const uint64_t group_first = first & ~(kGroupWidth - 1);
      LTL_ASSIGN_OR_RETURN(const std::vector<Hash>* group, Group(at.tile_level, group_first));
      const uint64_t offset = first - group_first;
      if (offset + at.count > group->size()) return Status::NotFound("node not in the tree yet");
      return PerfectRoot(std::span<const Hash>(*group).subspan(offset, at.count));
    }
    const uint16_t min_width = static_cast<uint16_t>(at.first + at.count);
    auto summary = cache_.Summary(at.tile_level, at.tile_index, min_width);
    if (summary == nullptr) {
      if (TileWidthInTree(tree_, at.tile_level, at.tile_index) < min_width) {
        return Status::NotFound("node not in the tree yet");
      }
      LTL_ASSIGN_OR_RETURN(summary, ReadCheckedTile(txn_, dbs_, tree_, cache_, at.tile_level,
                                                    at.tile_index, nullptr));
    }
    auto hash = summary->Node(height, at.first >> height);
    if (!hash) return Status::Internal("tile summary lacks a node it should hold");
    return *hash;
  }

  static constexpr uint64_t kGroupWidth = uint64_t{1} << detail::kSummaryHeight;

  // The stored hashes [first, first + kGroupWidth) of a tile level, or fewer
  // where the stored ones end.
  Result<const std::vector<Hash>*> Group(uint8_t level, uint64_t first) {
    const auto key = std::make_pair(level, first);
    auto it = groups_.find(key);
    if (it == groups_.end()) {
      LTL_ASSIGN_OR_RETURN(auto hashes,
                           detail::GetLevelHashes(txn_, dbs_, level, first, first + kGroupWidth));
      it = groups_.emplace(key, std::move(hashes)).first;
    }
    return &it->second;
  }

  const Txn& txn_;
  const Dbs& dbs_;
  const proofs::CompactRange& tree_;
  const Hash root_;
  TileCache& cache_;
  std::map<std::pair<uint8_t, uint64_t>, Hash> memo_;
  std::map<std::pair<uint8_t, uint64_t>, std::vector<Hash>> groups_;
};

Result<Hash> StoredLeafHash(const Txn& txn, const Dbs& dbs, uint64_t index) {
  auto hash = detail::GetLevelHash(txn, dbs, 0, index);
  if (!hash && hash.error().code() == StatusCode::kNotFound) {
    return Status::DataLoss("leaf hash " + FormatDecimalU64(index) + " is missing");
  }
  return hash;
}

// The last stored checkpoint note parsed for a receipt: a batch's receipts
// all point at the batch's checkpoint.
struct LastParsedCheckpoint {
  std::string note;
  detail::CheckpointHead head;
};

Result<Receipt> ReceiptInTxn(const Txn& txn, const Dbs& dbs, uint64_t index, uint64_t tree_size,
                             NodeFetcher& fetcher, std::optional<LastParsedCheckpoint>& parsed) {
  if (index >= tree_size) {
    return Status::OutOfRange("index " + FormatDecimalU64(index) + " is beyond the tree of size " +
                              FormatDecimalU64(tree_size));
  }
  LTL_ASSIGN_OR_RETURN(auto covering, detail::GetCheckpointAtOrAfter(txn, dbs, index + 1));
  if (!covering) {
    return Status::DataLoss("no stored checkpoint covers index " + FormatDecimalU64(index));
  }
  if (!parsed || parsed->note != covering->second) {
    LTL_ASSIGN_OR_RETURN(auto fresh, detail::ParseStoredCheckpoint(covering->second));
    parsed = LastParsedCheckpoint{covering->second, fresh};
  }
  const detail::CheckpointHead& head = parsed->head;
  Receipt receipt;
  receipt.index = index;
  LTL_ASSIGN_OR_RETURN(receipt.leaf_hash, fetcher.Get(NodeId{0, index}));
  LTL_ASSIGN_OR_RETURN(receipt.entry_ref, detail::GetEntryRef(txn, dbs, index));
  LTL_ASSIGN_OR_RETURN(auto nodes, proofs::InclusionNodes(index, head.size));
  LTL_ASSIGN_OR_RETURN(receipt.inclusion_proof, fetcher.Proof(nodes));
  Status verified = proofs::VerifyInclusion(index, head.size, receipt.leaf_hash,
                                            receipt.inclusion_proof, head.root);
  if (!verified.ok()) {
    return Status::DataLoss("receipt for index " + FormatDecimalU64(index) +
                            " does not verify against its checkpoint: " + verified.message());
  }
  receipt.checkpoint = std::move(covering->second);
  return receipt;
}

Status CheckIndexKey(std::string_view key) {
  if (key.empty() || key.size() > detail::kMaxIndexKeySize) {
    return Status::InvalidArgument("index keys are 1 to 255 bytes");
  }
  return Status::Ok();
}

}  // namespace

std::shared_ptr<CheckedHeadMemo> LogReader::MakeHeadMemo() {
  return std::make_shared<CheckedHeadMemo>();
}

Result<uint64_t> LogReader::TreeSize() const {
  LTL_ASSIGN_OR_RETURN(auto txn, detail::ReadTxn::Begin(db_.env()));
  LTL_ASSIGN_OR_RETURN(auto tree, detail::GetTree(*txn, db_.dbs()));
  return tree.end();
}

Result<std::string> LogReader::Checkpoint() const {
  LTL_ASSIGN_OR_RETURN(auto txn, detail::ReadTxn::Begin(db_.env()));
  LTL_ASSIGN_OR_RETURN(auto note, detail::GetMeta(*txn, db_.dbs(), detail::kMetaCheckpoint));
  if (!note) return Status::DataLoss("the latest checkpoint record is missing");
  return std::move(*note);
}

Result<std::string> LogReader::CheckpointAt(uint64_t size) const {
  LTL_ASSIGN_OR_RETURN(auto txn, detail::ReadTxn::Begin(db_.env()));
  LTL_ASSIGN_OR_RETURN(auto note, txn->Get(db_.dbs().checkpoints, detail::EncodeU64Key(size)));
  if (!note) {
    return Status::NotFound("the log signed no checkpoint of size " + FormatDecimalU64(size));
  }
  return std::string(AsChars(*note));
}

Result<Bytes> LogReader::Tile(uint8_t level, uint64_t index, uint16_t width) const {
  if (width == 0 || width > kTileWidth || level > proofs::kMaxTileLevel) {
    return Status::InvalidArgument("tile level must be 0..63 and width 1..256");
  }
  const std::string what = proofs::FormatTilePath(proofs::TileId{level, index, width});
  if (level >= detail::kTileLevels) return Status::NotFound(what + " is beyond the tree");
  // A full tile checked once never changes: serve it from memory.
  if (width == kTileWidth) {
    if (auto body = cache_->FullTile(level, index)) return *body;
  }
  LTL_ASSIGN_OR_RETURN(auto txn, detail::ReadTxn::Begin(db_.env()));
  LTL_ASSIGN_OR_RETURN(const CheckedHead head, CheckedTree(*txn, db_.dbs(), *head_memo_));
  const proofs::CompactRange& tree = head.tree;
  if (TileWidthInTree(tree, level, index) < width) {
    return Status::NotFound(what + " is beyond the tree");
  }
  std::vector<Hash> hashes;
  LTL_RETURN_IF_ERROR(
      ReadCheckedTile(*txn, db_.dbs(), tree, *cache_, level, index, &hashes).error());
  if (hashes.size() == kTileWidth) {
    auto body = std::make_shared<const Bytes>(proofs::EncodeTileHashes(hashes));
    cache_->PutFullTile(level, index, body);
    if (width == kTileWidth) return *body;
  }
  return proofs::EncodeTileHashes(std::span<const Hash>(hashes).first(width));
}

Result<Bytes> LogReader::EntryBundle(uint64_t index, uint16_t width) const {
  if (width == 0 || width > kTileWidth) return Status::InvalidArgument("width must be 1..256");
  const std::string what = proofs::FormatTilePath(proofs::TilePath::ForEntryBundle(index, width));
  LTL_ASSIGN_OR_RETURN(auto txn, detail::ReadTxn::Begin(db_.env()));
  LTL_ASSIGN_OR_RETURN(auto tree, detail::GetTree(*txn, db_.dbs()));
  if (index >= tree.end() / kTileWidth + 1 || index * kTileWidth + width > tree.end()) {
    return Status::NotFound(what + " is beyond the tree");
  }
  LTL_ASSIGN_OR_RETURN(Bytes bundle, detail::GetBundle(*txn, db_.dbs(), index, width));
  LTL_ASSIGN_OR_RETURN(auto hashes, detail::GetTileHashes(*txn, db_.dbs(), 0, index));
  if (hashes.size() < width) return Status::DataLoss(what + ": leaf hashes missing");
  // Check every entry against its stored leaf hash before serving.
  size_t at = 0;
  for (uint16_t i = 0; i < width; ++i) {
    const size_t len = GetBigEndian16(bundle.data() + at);
    const ByteSpan entry(bundle.data() + at + 2, len);
    if (proofs::HashLeaf(entry) != hashes[i]) {
      return Status::DataLoss(what + ": entry " + FormatDecimalU64(index * kTileWidth + i) +
                              " does not match its leaf hash: corrupt entry or tile");
    }
    at += 2 + len;
  }
  return bundle;
}

Result<std::string> LogReader::Entry(uint64_t index) const {
  LTL_ASSIGN_OR_RETURN(auto txn, detail::ReadTxn::Begin(db_.env()));
  LTL_ASSIGN_OR_RETURN(auto tree, detail::GetTree(*txn, db_.dbs()));
  if (index >= tree.end()) {
    return Status::NotFound("entry " + FormatDecimalU64(index) + " is beyond the tree");
  }
  LTL_ASSIGN_OR_RETURN(std::string leaf, detail::GetEntry(*txn, db_.dbs(), index));
  LTL_ASSIGN_OR_RETURN(Hash stored, StoredLeafHash(*txn, db_.dbs(), index));
  if (proofs::HashLeaf(leaf) != stored) {
    return Status::DataLoss("entry " + FormatDecimalU64(index) +
                            " does not match its leaf hash: corrupt entry or tile");
  }
  return leaf;
}

Result<std::optional<uint64_t>> LogReader::IndexOfLeaf(const Hash& leaf_hash,
                                                       const Hash& entry_ref) const {
  LTL_ASSIGN_OR_RETURN(auto txn, detail::ReadTxn::Begin(db_.env()));
  return detail::FindLeaf(*txn, db_.dbs(), leaf_hash, entry_ref);
}

Result<std::optional<uint64_t>> LogReader::IndexByEntryRef(const Hash& entry_ref) const {
  LTL_ASSIGN_OR_RETURN(auto txn, detail::ReadTxn::Begin(db_.env()));
  return detail::FindEntryRef(*txn, db_.dbs(), entry_ref);
}

Result<IndexPage> LogReader::Lookup(IndexKind kind, std::string_view key, uint64_t from,
                                    size_t limit) const {
  if (limit == 0) return Status::InvalidArgument("limit must be at least 1");
  LTL_RETURN_IF_ERROR(CheckIndexKey(key));
  const Dbs& dbs = db_.dbs();
  MDB_dbi dbi = kind == IndexKind::kWork     ? dbs.by_work
                : kind == IndexKind::kSigner ? dbs.by_signer
                                             : dbs.by_grant;
  LTL_ASSIGN_OR_RETURN(auto txn, detail::ReadTxn::Begin(db_.env()));
  LTL_ASSIGN_OR_RETURN(auto range, detail::GetIndexes(*txn, dbi, AsBytes(key), from, limit));
  IndexPage page;
  page.next = range.next;
  for (uint64_t index : range.indexes) {
    LTL_ASSIGN_OR_RETURN(Hash ref, detail::GetEntryRef(*txn, dbs, index));
    page.hits.push_back(IndexHit{index, ref});
  }
  return page;
}

Result<std::vector<Hash>> LogReader::InclusionProof(uint64_t index, uint64_t tree_size) const {
  LTL_ASSIGN_OR_RETURN(auto txn, detail::ReadTxn::Begin(db_.env()));
  LTL_ASSIGN_OR_RETURN(const CheckedHead head, CheckedTree(*txn, db_.dbs(), *head_memo_));
  const proofs::CompactRange& tree = head.tree;
  if (tree_size > tree.end()) {
    return Status::OutOfRange("tree size " + FormatDecimalU64(tree_size) +
                              " is beyond the current tree of size " +
                              FormatDecimalU64(tree.end()));
  }
  LTL_ASSIGN_OR_RETURN(auto nodes, proofs::InclusionNodes(index, tree_size));
  NodeFetcher fetcher(*txn, db_.dbs(), head, *cache_);
  LTL_ASSIGN_OR_RETURN(auto proof, fetcher.Proof(nodes));
  LTL_ASSIGN_OR_RETURN(Hash root, fetcher.RootAt(tree_size));
  // The leaf hash is in the group of stored hashes the proof has just read.
  LTL_ASSIGN_OR_RETURN(Hash leaf, fetcher.Get(NodeId{0, index}));
  Status verified = proofs::VerifyInclusion(index, tree_size, leaf, proof, root);
  if (!verified.ok()) {
    return Status::DataLoss("inclusion proof does not verify: corrupt tiles: " +
                            verified.message());
  }
  return proof;
}

Result<std::vector<Hash>> LogReader::ConsistencyProof(uint64_t size1, uint64_t size2) const {
  LTL_ASSIGN_OR_RETURN(auto nodes, proofs::ConsistencyNodes(size1, size2));
  LTL_ASSIGN_OR_RETURN(auto txn, detail::ReadTxn::Begin(db_.env()));
  LTL_ASSIGN_OR_RETURN(const CheckedHead head, CheckedTree(*txn, db_.dbs(), *head_memo_));
  const proofs::CompactRange& tree = head.tree;
  if (size2 > tree.end()) {
    return Status::OutOfRange("tree size " + FormatDecimalU64(size2) +
                              " is beyond the current tree of size " +
                              FormatDecimalU64(tree.end()));
  }
  NodeFetcher fetcher(*txn, db_.dbs(), head, *cache_);
  LTL_ASSIGN_OR_RETURN(auto proof, fetcher.Proof(nodes));
  LTL_ASSIGN_OR_RETURN(Hash root1, fetcher.RootAt(size1));
  LTL_ASSIGN_OR_RETURN(Hash root2, fetcher.RootAt(size2));
  Status verified = proofs::VerifyConsistency(size1, size2, proof, root1, root2);
  if (!verified.ok()) {
    return Status::DataLoss("consistency proof does not verify: corrupt tiles: " +
                            verified.message());
  }
  return proof;
}

Result<Receipt> LogReader::ReceiptFor(uint64_t index) const {
  LTL_ASSIGN_OR_RETURN(auto receipts, ReceiptsFor(std::span<const uint64_t>(&index, 1)));
  return std::move(receipts[0]);
}

Result<std::vector<Receipt>> LogReader::ReceiptsFor(std::span<const uint64_t> indexes) const {
  LTL_ASSIGN_OR_RETURN(auto txn, detail::ReadTxn::Begin(db_.env()));
  LTL_ASSIGN_OR_RETURN(const CheckedHead head, CheckedTree(*txn, db_.dbs(), *head_memo_));
  const proofs::CompactRange& tree = head.tree;
  NodeFetcher fetcher(*txn, db_.dbs(), head, *cache_);
  std::optional<LastParsedCheckpoint> parsed;
  std::vector<Receipt> out;
  out.reserve(indexes.size());
  for (uint64_t index : indexes) {
    LTL_ASSIGN_OR_RETURN(Receipt r,
                         ReceiptInTxn(*txn, db_.dbs(), index, tree.end(), fetcher, parsed));
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace ltl::store
