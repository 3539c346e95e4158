#include "ledger/store/fsck.h"

#include <optional>
#include <string>
#include <utility>

#include "ledger/keys.h"
#include "ledger/store/integrator.h"
#include "ledger/store/log_db.h"
#include "proofs/compact_range.h"
#include "proofs/tiles.h"

namespace ltl::store {

using detail::Cursor;
using detail::Dbs;
using detail::Txn;
using proofs::Hash;
using proofs::kTileWidth;

namespace {

std::string Num(uint64_t v) { return FormatDecimalU64(v); }

// Walks the stored checkpoints in size order alongside the rebuilt tree.
class CheckpointWalk {
 public:
  CheckpointWalk(Cursor cursor, const ledger::VerifierKey& key, FsckReport* report)
      : cursor_(std::move(cursor)), key_(key), report_(report) {}

  Status Start() { return Load(MDB_FIRST); }

  // Checks every stored checkpoint of the size the tree has just reached.
  Status AtSize(const proofs::CompactRange& tree) {
    while (next_ && next_->first == tree.end()) {
      const std::string where = "checkpoint at size " + Num(next_->first);
      auto head = detail::OpenStoredCheckpoint(next_->second, key_);
      if (!head) return head.error().WithContext(where);
      LTL_ASSIGN_OR_RETURN(Hash root, tree.GetRootHash());
      if (head->size != next_->first) {
        return Status::DataLoss(where + " is stored under the wrong size (" + Num(head->size) +
                                ")");
      }
      if (head->root != root) {
        return Status::DataLoss(where + " has root " + proofs::HashToHex(head->root) +
                                " but the stored entries give " + proofs::HashToHex(root) +
                                ": signed tree inconsistent with the log");
      }
      last_note_ = std::move(next_->second);
      ++report_->checkpoints_checked;
      LTL_RETURN_IF_ERROR(Load(MDB_NEXT));
    }
    return Status::Ok();
  }

  const std::optional<std::pair<uint64_t, std::string>>& next() const { return next_; }
  const std::string& last_note() const { return last_note_; }

 private:
  Status Load(MDB_cursor_op op) {
    LTL_ASSIGN_OR_RETURN(auto item, cursor_.Get(op));
    if (!item) {
      next_.reset();
      return Status::Ok();
    }
    LTL_ASSIGN_OR_RETURN(uint64_t size, detail::DecodeU64Key(item->key));
    next_ = std::make_pair(size, std::string(AsChars(item->value)));
    return Status::Ok();
  }

  Cursor cursor_;
  const ledger::VerifierKey& key_;
  FsckReport* report_;
  std::optional<std::pair<uint64_t, std::string>> next_;
  std::string last_note_;
};

// Checks that the duplicates of `key` in an indexed-hash database (tiles,
// refs) end with index count - 1: nothing is stored beyond the tree.
Status CheckIndexedExtent(const Txn& txn, MDB_dbi dbi, uint64_t key, uint64_t count,
                          const std::string& what) {
  LTL_ASSIGN_OR_RETURN(Cursor cursor, Cursor::Open(txn, dbi));
  LTL_ASSIGN_OR_RETURN(auto found, cursor.Get(MDB_SET_KEY, detail::EncodeU64Key(key)));
  if (count == 0) {
    if (found) return Status::DataLoss(what + ": holds data beyond the tree");
    return Status::Ok();
  }
  if (!found) return Status::DataLoss(what + ": empty, the tree needs " + Num(count));
  LTL_ASSIGN_OR_RETURN(auto last, cursor.Get(MDB_LAST_DUP));
  if (!last || last->value.size() != detail::kIndexedHashSize ||
      GetBigEndian64(last->value.data()) != count - 1) {
    return Status::DataLoss(what + ": last stored item is not item " + Num(count - 1) +
                            " of the tree");
  }
  return Status::Ok();
}

class Checker {
 public:
  Checker(const Txn& txn, const Dbs& dbs, FsckReport* report)
      : txn_(txn), dbs_(dbs), report_(report) {}

  Status Run() {
    LTL_ASSIGN_OR_RETURN(auto schema, detail::GetMeta(txn_, dbs_, detail::kMetaSchema));
    LTL_ASSIGN_OR_RETURN(auto origin, detail::GetMeta(txn_, dbs_, detail::kMetaOrigin));
    LTL_ASSIGN_OR_RETURN(auto vkey, detail::GetMeta(txn_, dbs_, detail::kMetaLogKey));
    LTL_ASSIGN_OR_RETURN(auto latest, detail::GetMeta(txn_, dbs_, detail::kMetaCheckpoint));
    if (!schema || !origin || !vkey || !latest) {
      return Status::DataLoss("meta: schema, origin, log-key or checkpoint record missing");
    }
    auto key = ledger::VerifierKey::Parse(*vkey);
    if (!key) return Status::DataLoss("meta log-key: " + key.error().message());
    if (key->name() != *origin) return Status::DataLoss("meta: origin is not the log key name");
    LTL_ASSIGN_OR_RETURN(proofs::CompactRange stored_tree, detail::GetTree(txn_, dbs_));
    const uint64_t size = stored_tree.end();
    report_->tree_size = size;

    LTL_ASSIGN_OR_RETURN(Cursor cp_cursor, Cursor::Open(txn_, dbs_.checkpoints));
    CheckpointWalk checkpoints(std::move(cp_cursor), *key, report_);
    LTL_RETURN_IF_ERROR(checkpoints.Start());
    LTL_RETURN_IF_ERROR(checkpoints.AtSize(tree_));

    // Every leaf, sealed bundles first, then the tail.
    const uint64_t sealed = size / kTileWidth;
    LTL_ASSIGN_OR_RETURN(Cursor bundles, Cursor::Open(txn_, dbs_.bundles));
    LTL_ASSIGN_OR_RETURN(auto bundle, bundles.Get(MDB_FIRST));
    for (uint64_t n = 0; n < sealed; ++n) {
      const std::string where = "bundle " + Num(n);
      if (!bundle) return Status::DataLoss(where + " is missing");
      LTL_ASSIGN_OR_RETURN(uint64_t key_n, detail::DecodeU64Key(bundle->key));
      if (key_n != n) return Status::DataLoss(where + " is missing (found " + Num(key_n) + ")");
      auto entries = proofs::ParseEntryBundle(bundle->value);
      if (!entries) return Status::DataLoss(where + ": " + entries.error().message());
      if (entries->size() != kTileWidth) {
        return Status::DataLoss(where + " holds " + Num(entries->size()) + " entries, not 256");
      }
      for (const std::string& leaf : *entries) {
        LTL_RETURN_IF_ERROR(Leaf(leaf, checkpoints));
      }
      ++report_->bundles_checked;
      LTL_ASSIGN_OR_RETURN(bundle, bundles.Get(MDB_NEXT));
    }
    if (bundle) return Status::DataLoss("bundles: a bundle is stored beyond the tree");

    LTL_ASSIGN_OR_RETURN(Cursor tail, Cursor::Open(txn_, dbs_.entries));
    LTL_ASSIGN_OR_RETURN(auto entry, tail.Get(MDB_FIRST));
    for (uint64_t i = sealed * kTileWidth; i < size; ++i) {
      if (!entry) return Status::DataLoss("entry " + Num(i) + " is missing");
      LTL_ASSIGN_OR_RETURN(uint64_t key_i, detail::DecodeU64Key(entry->key));
      if (key_i != i) return Status::DataLoss("entry " + Num(i) + " is missing");
      LTL_RETURN_IF_ERROR(Leaf(AsChars(entry->value), checkpoints));
      LTL_ASSIGN_OR_RETURN(entry, tail.Get(MDB_NEXT));
    }
    if (entry) return Status::DataLoss("entries: an entry is stored beyond the tree");
    LTL_RETURN_IF_ERROR(node_status_);

    // Nothing stored beyond the tree.
    for (int level = 0; level < detail::kTileLevels; ++level) {
      LTL_RETURN_IF_ERROR(CheckIndexedExtent(txn_, dbs_.tiles, static_cast<uint64_t>(level),
                                             proofs::TileLevelHashCount(size, level),
                                             "tile level " + Num(level)));
    }
    LTL_RETURN_IF_ERROR(CheckIndexedExtent(txn_, dbs_.refs, 0, size, "refs"));

    // The rebuilt tree is the stored tree state and the latest checkpoint.
    if (tree_.hashes() != stored_tree.hashes()) {
      return Status::DataLoss("meta tree: the stored tree state differs from the entries");
    }
    if (checkpoints.next()) {
      return Status::DataLoss("checkpoint at size " + Num(checkpoints.next()->first) +
                              " is beyond the tree of size " + Num(size));
    }
    if (checkpoints.last_note() != *latest) {
      return Status::DataLoss(
          "meta checkpoint: the latest checkpoint is not the last one in the history");
    }
    auto head = detail::OpenStoredCheckpoint(*latest, *key);
    if (!head) return head.error().WithContext("meta checkpoint");
    if (head->size != size) return Status::DataLoss("meta checkpoint: wrong size");
    return Status::Ok();
  }

 private:
  Status Leaf(std::string_view leaf, CheckpointWalk& checkpoints) {
    const uint64_t index = tree_.end();
    const std::string where = "entry " + Num(index);
    const Hash leaf_hash = proofs::HashLeaf(leaf);
    tree_.Append(leaf_hash, [this](proofs::NodeId node, const Hash& hash) { Node(node, hash); });
    LTL_RETURN_IF_ERROR(node_status_);
    auto ref = detail::GetEntryRef(txn_, dbs_, index);
    if (!ref) return Status::DataLoss(where + ": entry reference: " + ref.error().message());
    // Deduplication finds a logged leaf through by-ref (detail::FindLeaf).
    LTL_ASSIGN_OR_RETURN(
        auto found,
        detail::GetIndexes(txn_, dbs_.by_ref, detail::EncodeHashPrefixKey(*ref), index, 1));
    if (found.indexes.empty() || found.indexes[0] != index) {
      return Status::DataLoss(where + " is missing from the by-ref index");
    }
    ++report_->entries_checked;
    return checkpoints.AtSize(tree_);
  }

  // Called for every node the rebuilt tree completes.
  void Node(proofs::NodeId node, const Hash& hash) {
    if (!node_status_.ok() || node.level % proofs::kTileHeight != 0) return;
    const int level = node.level / proofs::kTileHeight;
    const std::string where =
        "tile level " + Num(level) + " hash " + Num(node.index) + " (" +
        proofs::FormatTilePath(
            proofs::TileId{static_cast<uint8_t>(level), node.index / kTileWidth, kTileWidth}) +
        ")";
    auto stored = detail::GetLevelHash(txn_, dbs_, level, node.index);
    if (!stored) {
      node_status_ = Status::DataLoss(where + ": " + stored.error().message());
    } else if (*stored != hash && level == 0) {
      node_status_ =
          Status::DataLoss("entry " + Num(node.index) + " does not match its stored leaf hash, " +
                           where + ": corrupt entry or tile");
    } else if (*stored != hash) {
      node_status_ =
          Status::DataLoss(where + " differs from the hash of the stored entries: corrupt tile");
    } else {
      ++report_->tile_hashes_checked;
    }
  }

  const Txn& txn_;
  const Dbs& dbs_;
  FsckReport* report_;
  proofs::CompactRange tree_{0};
  Status node_status_;
};

}  // namespace

Result<FsckReport> Fsck(const std::filesystem::path& dir) {
  LTL_RETURN_IF_ERROR(ledger::InitCrypto());
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return Status::NotFound("data folder " + dir.string() + " does not exist");
  }
  detail::EnvOptions options;
  options.read_only = true;
  LTL_ASSIGN_OR_RETURN(auto db, detail::LogDb::Open(dir, options, /*create=*/false));
  LTL_ASSIGN_OR_RETURN(auto txn, detail::ReadTxn::Begin(db->env()));
  FsckReport report;
  report.problem = Checker(*txn, db->dbs(), &report).Run();
  return report;
}

}  // namespace ltl::store
