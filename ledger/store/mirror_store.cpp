// The LMDB records of a MirrorStore (ledger/store/mirror_store.h).
//
// ============================ KEY SCHEMA =====================================
// DO NOT CHANGE an existing encoding: folders on disk depend on it. A change
// needs a new kMirrorSchema and a migration.
//
// database   key                         value
// ---------  --------------------------  ---------------------------------------------
// meta       "schema"                    kMirrorSchema
//            "origin"                    the mirrored log's origin
//            "log-key"                   the mirrored log's verifier key string
//            "tree"                      u64be size || hash of each node of
//                                        RangeNodes(0, size) (the log's encoding,
//                                        ledger/store/log_db.h EncodeTreeState)
//            "checkpoint"                the served checkpoint note
// entries    u64be leaf index            the leaf bytes                     (MDB_APPEND)
// nodes      u8 level || u64be index     32-byte hash of perfect node [level index]
//
// Every perfect node of the tree is stored (about 2 hashes per leaf), so a
// proof or a tile is a handful of point reads; the log's store is more
// compact (tile levels only), a mirror trades bytes for simplicity.
// ============================================================================
#include "ledger/store/mirror_store.h"

#include <cstring>
#include <utility>

#include "ledger/store/lmdb_env.h"
#include "ledger/store/log_db.h"
#include "proofs/compact_range.h"
#include "proofs/consistency.h"
#include "proofs/inclusion.h"
#include "proofs/proof.h"
#include "proofs/tiles.h"

namespace ltl::store {
namespace {

using detail::Env;
using detail::ReadTxn;
using detail::Txn;
using detail::WriteTxn;

constexpr std::string_view kMirrorSchema = "ltl-mirror-store-v1";
constexpr std::string_view kMetaSchema = "schema";
constexpr std::string_view kMetaOrigin = "origin";
constexpr std::string_view kMetaLogKey = "log-key";
constexpr std::string_view kMetaTree = "tree";
constexpr std::string_view kMetaCheckpoint = "checkpoint";

// DO NOT CHANGE: the key of `nodes`.
std::array<uint8_t, 9> NodeKey(proofs::NodeId id) {
  std::array<uint8_t, 9> key;
  key[0] = id.level;
  PutBigEndian64(key.data() + 1, id.index);
  return key;
}

Result<std::optional<std::string>> GetMeta(const Txn& txn, MDB_dbi meta, std::string_view name) {
  LTL_ASSIGN_OR_RETURN(std::optional<ByteSpan> v, txn.Get(meta, AsBytes(name)));
  if (!v) return std::optional<std::string>();
  return std::optional<std::string>(std::string(AsChars(*v)));
}

Result<proofs::CompactRange> GetTree(const Txn& txn, MDB_dbi meta) {
  LTL_ASSIGN_OR_RETURN(std::optional<ByteSpan> v, txn.Get(meta, AsBytes(kMetaTree)));
  if (!v) return proofs::CompactRange(0);
  return detail::DecodeTreeState(*v);
}

Result<proofs::Hash> GetNode(const Txn& txn, MDB_dbi nodes, proofs::NodeId id) {
  const auto key = NodeKey(id);
  LTL_ASSIGN_OR_RETURN(std::optional<ByteSpan> v, txn.Get(nodes, key));
  if (!v) {
    return Status::DataLoss("mirror store: node " + proofs::NodeIdToString(id) + " is missing");
  }
  return proofs::HashFromBytes(*v);
}

Result<std::vector<proofs::Hash>> FetchProof(const Txn& txn, MDB_dbi nodes,
                                             const proofs::ProofNodes& ids) {
  std::vector<proofs::Hash> fetched;
  fetched.reserve(ids.ids.size());
  for (const proofs::NodeId& id : ids.ids) {
    LTL_ASSIGN_OR_RETURN(proofs::Hash h, GetNode(txn, nodes, id));
    fetched.push_back(h);
  }
  return proofs::Rehash(fetched, ids);
}

}  // namespace

struct MirrorStore::Impl {
  std::unique_ptr<Env> env;
  MDB_dbi meta = 0;
  MDB_dbi entries = 0;
  MDB_dbi nodes = 0;

  Status Write(const std::function<Status(WriteTxn&)>& body) {
    return detail::WriteWithGrowth(*env, body);
  }

  Result<uint64_t> Size(const Txn& txn) const {
    LTL_ASSIGN_OR_RETURN(proofs::CompactRange tree, GetTree(txn, meta));
    return tree.end();
  }
};

MirrorStore::MirrorStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MirrorStore::~MirrorStore() = default;

Result<std::unique_ptr<MirrorStore>> MirrorStore::Open(const std::filesystem::path& dir,
                                                       std::string_view origin,
                                                       std::string_view log_key,
                                                       const MirrorStoreOptions& options) {
  auto impl = std::make_unique<Impl>();
  const Env::DbSpec specs[] = {
      {"meta", 0, &impl->meta},
      {"entries", 0, &impl->entries},
      {"nodes", 0, &impl->nodes},
  };
  LTL_ASSIGN_OR_RETURN(impl->env, detail::OpenStoreFolder(dir, options.initial_map_size,
                                                          options.max_map_size, specs));
  Impl* raw = impl.get();
  LTL_RETURN_IF_ERROR(raw->Write([&](WriteTxn& txn) -> Status {
    LTL_ASSIGN_OR_RETURN(std::optional<std::string> schema, GetMeta(txn, raw->meta, kMetaSchema));
    if (!schema) {
      LTL_RETURN_IF_ERROR(txn.Put(raw->meta, AsBytes(kMetaSchema), AsBytes(kMirrorSchema)));
      LTL_RETURN_IF_ERROR(txn.Put(raw->meta, AsBytes(kMetaOrigin), AsBytes(origin)));
      return txn.Put(raw->meta, AsBytes(kMetaLogKey), AsBytes(log_key));
    }
    if (*schema != kMirrorSchema) {
      return Status::FailedPrecondition(dir.string() + " holds a store of schema '" + *schema +
                                        "', not '" + std::string(kMirrorSchema) + "'");
    }
    LTL_ASSIGN_OR_RETURN(std::optional<std::string> stored_origin,
                         GetMeta(txn, raw->meta, kMetaOrigin));
    LTL_ASSIGN_OR_RETURN(std::optional<std::string> stored_key,
                         GetMeta(txn, raw->meta, kMetaLogKey));
    if (stored_origin != origin || stored_key != log_key) {
      return Status::FailedPrecondition(dir.string() + " mirrors " + stored_origin.value_or("?") +
                                        " (key " + stored_key.value_or("?") + "), not " +
                                        std::string(log_key));
    }
    return Status::Ok();
  }));
  return std::unique_ptr<MirrorStore>(new MirrorStore(std::move(impl)));
}

Result<uint64_t> MirrorStore::TreeSize() const {
  LTL_ASSIGN_OR_RETURN(std::unique_ptr<ReadTxn> txn, ReadTxn::Begin(*impl_->env));
  return impl_->Size(*txn);
}

Result<std::string> MirrorStore::Checkpoint() const {
  LTL_ASSIGN_OR_RETURN(std::unique_ptr<ReadTxn> txn, ReadTxn::Begin(*impl_->env));
  LTL_ASSIGN_OR_RETURN(std::optional<std::string> cp, GetMeta(*txn, impl_->meta, kMetaCheckpoint));
  if (!cp) return Status::NotFound("the mirror has not stored a checkpoint yet");
  return std::move(*cp);
}

Status MirrorStore::Extend(std::span<const std::string> entries, uint64_t size,
                           const proofs::Hash& root, std::string_view checkpoint_note) {
  for (const std::string& e : entries) {
    if (e.size() > proofs::kMaxEntrySize) {
      return Status::InvalidArgument("mirror store: entry longer than 65,535 bytes");
    }
  }
  Impl* impl = impl_.get();
  return impl->Write([&](WriteTxn& txn) -> Status {
    LTL_ASSIGN_OR_RETURN(proofs::CompactRange tree, GetTree(txn, impl->meta));
    const uint64_t old_size = tree.end();
    if (size < old_size || size - old_size != entries.size()) {
      return Status::OutOfRange("mirror store: " + std::to_string(entries.size()) +
                                " entries do not extend size " + FormatDecimalU64(old_size) +
                                " to " + FormatDecimalU64(size));
    }
    Status node_status;
    auto store_node = [&](proofs::NodeId id, const proofs::Hash& h) {
      if (!node_status.ok()) return;
      const auto key = NodeKey(id);
      node_status = txn.Put(impl->nodes, key, h);
    };
    for (uint64_t i = 0; i < entries.size(); ++i) {
      const auto key = detail::EncodeU64Key(old_size + i);
      LTL_RETURN_IF_ERROR(txn.Put(impl->entries, key, AsBytes(entries[i]), MDB_APPEND));
      tree.Append(proofs::HashLeaf(entries[i]), store_node);
      LTL_RETURN_IF_ERROR(node_status);
    }
    LTL_ASSIGN_OR_RETURN(proofs::Hash computed, tree.GetRootHash());
    if (computed != root) {
      return Status::DataLoss("mirror store: the entries give root " + proofs::HashToHex(computed) +
                              " at size " + FormatDecimalU64(size) + ", the checkpoint says " +
                              proofs::HashToHex(root));
    }
    const Bytes state = detail::EncodeTreeState(tree);
    LTL_RETURN_IF_ERROR(txn.Put(impl->meta, AsBytes(kMetaTree), state));
    return txn.Put(impl->meta, AsBytes(kMetaCheckpoint), AsBytes(checkpoint_note));
  });
}

Result<Bytes> MirrorStore::Tile(uint8_t level, uint64_t index, uint16_t width) const {
  if (width == 0 || width > proofs::kTileWidth || level > proofs::kMaxTileLevel) {
    return Status::InvalidArgument("tile: width must be 1..256 and level 0..63");
  }
  LTL_ASSIGN_OR_RETURN(std::unique_ptr<ReadTxn> txn, ReadTxn::Begin(*impl_->env));
  LTL_ASSIGN_OR_RETURN(uint64_t size, impl_->Size(*txn));
  const uint64_t count = proofs::TileLevelHashCount(size, level);
  if (index >= count / proofs::kTileWidth + 1 || index * proofs::kTileWidth + width > count) {
    return Status::NotFound("tile not in the mirrored tree");
  }
  std::vector<proofs::Hash> hashes;
  hashes.reserve(width);
  for (uint64_t i = 0; i < width; ++i) {
    const proofs::NodeId id{static_cast<uint8_t>(level * proofs::kTileHeight),
                            index * proofs::kTileWidth + i};
    LTL_ASSIGN_OR_RETURN(proofs::Hash h, GetNode(*txn, impl_->nodes, id));
    hashes.push_back(h);
  }
  return proofs::EncodeTileHashes(hashes);
}

Result<Bytes> MirrorStore::EntryBundle(uint64_t index, uint16_t width) const {
  if (width == 0 || width > proofs::kTileWidth) {
    return Status::InvalidArgument("entry bundle: width must be 1..256");
  }
  LTL_ASSIGN_OR_RETURN(std::unique_ptr<ReadTxn> txn, ReadTxn::Begin(*impl_->env));
  LTL_ASSIGN_OR_RETURN(uint64_t size, impl_->Size(*txn));
  if (index >= size / proofs::kTileWidth + 1 || index * proofs::kTileWidth + width > size) {
    return Status::NotFound("entry bundle not in the mirrored tree");
  }
  std::vector<std::string> entries;
  std::vector<std::string_view> views;
  entries.reserve(width);
  for (uint64_t i = 0; i < width; ++i) {
    const auto key = detail::EncodeU64Key(index * proofs::kTileWidth + i);
    LTL_ASSIGN_OR_RETURN(std::optional<ByteSpan> v, txn->Get(impl_->entries, key));
    if (!v) return Status::DataLoss("mirror store: entry missing");
    entries.emplace_back(AsChars(*v));
  }
  for (const std::string& e : entries) views.push_back(e);
  return proofs::EncodeEntryBundle(views);
}

Result<std::string> MirrorStore::Entry(uint64_t index) const {
  LTL_ASSIGN_OR_RETURN(std::unique_ptr<ReadTxn> txn, ReadTxn::Begin(*impl_->env));
  LTL_ASSIGN_OR_RETURN(uint64_t size, impl_->Size(*txn));
  if (index >= size) return Status::NotFound("no entry " + FormatDecimalU64(index));
  const auto key = detail::EncodeU64Key(index);
  LTL_ASSIGN_OR_RETURN(std::optional<ByteSpan> v, txn->Get(impl_->entries, key));
  if (!v) return Status::DataLoss("mirror store: entry missing");
  return std::string(AsChars(*v));
}

Result<std::vector<proofs::Hash>> MirrorStore::InclusionProof(uint64_t index,
                                                              uint64_t tree_size) const {
  LTL_ASSIGN_OR_RETURN(std::unique_ptr<ReadTxn> txn, ReadTxn::Begin(*impl_->env));
  LTL_ASSIGN_OR_RETURN(uint64_t size, impl_->Size(*txn));
  if (tree_size > size || index >= tree_size) {
    return Status::OutOfRange("inclusion proof beyond the mirrored tree of size " +
                              FormatDecimalU64(size));
  }
  LTL_ASSIGN_OR_RETURN(proofs::ProofNodes nodes, proofs::InclusionNodes(index, tree_size));
  return FetchProof(*txn, impl_->nodes, nodes);
}

Result<std::vector<proofs::Hash>> MirrorStore::ConsistencyProof(uint64_t from, uint64_t to) const {
  LTL_ASSIGN_OR_RETURN(std::unique_ptr<ReadTxn> txn, ReadTxn::Begin(*impl_->env));
  LTL_ASSIGN_OR_RETURN(uint64_t size, impl_->Size(*txn));
  if (to > size) {
    return Status::OutOfRange("consistency proof beyond the mirrored tree of size " +
                              FormatDecimalU64(size));
  }
  LTL_ASSIGN_OR_RETURN(proofs::ProofNodes nodes, proofs::ConsistencyNodes(from, to));
  return FetchProof(*txn, impl_->nodes, nodes);
}

}  // namespace ltl::store
