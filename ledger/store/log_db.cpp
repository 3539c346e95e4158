// Typed access to the LMDB records of a log. The key schema is at the top of
// ledger/store/log_db.h; docs/storage.md explains it.
#include "ledger/store/log_db.h"

#include <bit>
#include <cstring>
#include <utility>

#include "proofs/tiles.h"

namespace ltl::store::detail {

using proofs::Hash;
using proofs::kHashSize;
using proofs::kTileWidth;

U64Key EncodeU64Key(uint64_t value) {
  U64Key key;
  PutBigEndian64(key.data(), value);
  return key;
}

Result<uint64_t> DecodeU64Key(ByteSpan key) {
  if (key.size() != 8) return Status::DataLoss("stored key is not 8 bytes");
  return GetBigEndian64(key.data());
}

HashPrefixKey EncodeHashPrefixKey(const Hash& hash) {
  HashPrefixKey key;
  std::memcpy(key.data(), hash.data(), key.size());
  return key;
}

IndexedHash EncodeIndexedHash(uint64_t index, const Hash& hash) {
  IndexedHash value;
  PutBigEndian64(value.data(), index);
  std::memcpy(value.data() + 8, hash.data(), kHashSize);
  return value;
}

Bytes EncodeTreeState(const proofs::CompactRange& tree) {
  Bytes out;
  out.reserve(8 + tree.hashes().size() * kHashSize);
  AppendBigEndian64(out, tree.end());
  for (const Hash& h : tree.hashes()) out.insert(out.end(), h.begin(), h.end());
  return out;
}

Result<proofs::CompactRange> DecodeTreeState(ByteSpan bytes) {
  if (bytes.size() < 8) return Status::DataLoss("tree state record shorter than 8 bytes");
  const uint64_t size = GetBigEndian64(bytes.data());
  const size_t count = static_cast<size_t>(std::popcount(size));
  if (bytes.size() != 8 + count * kHashSize) {
    return Status::DataLoss("tree state record for size " + FormatDecimalU64(size) + " has " +
                            FormatDecimalU64(bytes.size()) + " bytes, want " +
                            FormatDecimalU64(8 + count * kHashSize));
  }
  std::vector<Hash> hashes(count);
  for (size_t i = 0; i < count; ++i) {
    std::memcpy(hashes[i].data(), bytes.data() + 8 + i * kHashSize, kHashSize);
  }
  auto range = proofs::CompactRange::FromHashes(0, size, std::move(hashes));
  if (!range) return Status::DataLoss("tree state record: " + range.error().message());
  return std::move(range).value();
}

std::vector<NamedDb> AllDbs(const Dbs& dbs) {
  return {{"meta", dbs.meta},        {"entries", dbs.entries}, {"bundles", dbs.bundles},
          {"tiles", dbs.tiles},      {"refs", dbs.refs},       {"checkpoints", dbs.checkpoints},
          {"by-ref", dbs.by_ref},    {"by-work", dbs.by_work}, {"by-signer", dbs.by_signer},
          {"by-grant", dbs.by_grant}};
}

namespace {

// v1 -> v2: drop the `by-leaf` index and record the new version, in one
// transaction: a crash before the commit leaves the folder at v1, intact.
Status MigrateFromV1(Env& env, const Dbs& dbs) {
  LTL_ASSIGN_OR_RETURN(auto txn, WriteTxn::Begin(env));
  MDB_dbi by_leaf;
  int rc = mdb_dbi_open(txn->raw(), "by-leaf", MDB_DUPSORT | MDB_DUPFIXED, &by_leaf);
  if (rc == 0) {
    // del = 1: empties the database and removes it from the environment.
    rc = mdb_drop(txn->raw(), by_leaf, 1);
    if (rc != 0) return LmdbStatus(rc, "mdb_drop by-leaf (schema v1 -> v2)");
  } else if (rc != MDB_NOTFOUND) {
    return LmdbStatus(rc, "mdb_dbi_open by-leaf (schema v1 -> v2)");
  }
  LTL_RETURN_IF_ERROR(PutMeta(*txn, dbs, kMetaSchema, AsBytes(kSchemaVersion)));
  return txn->Commit();
}

}  // namespace

Result<std::unique_ptr<LogDb>> LogDb::Open(const std::filesystem::path& dir,
                                           const EnvOptions& options, bool create) {
  LTL_ASSIGN_OR_RETURN(std::unique_ptr<Env> env, Env::Open(dir, options));
  Dbs dbs;
  constexpr unsigned kIndex = MDB_DUPSORT | MDB_DUPFIXED;
  const std::vector<Env::DbSpec> specs = {
      {"meta", 0, &dbs.meta},
      {"entries", 0, &dbs.entries},
      {"bundles", 0, &dbs.bundles},
      {"tiles", kIndex, &dbs.tiles},
      {"refs", kIndex, &dbs.refs},
      {"checkpoints", 0, &dbs.checkpoints},
      {"by-ref", kIndex, &dbs.by_ref},
      {"by-work", kIndex, &dbs.by_work},
      {"by-signer", kIndex, &dbs.by_signer},
      {"by-grant", kIndex, &dbs.by_grant},
  };
  LTL_RETURN_IF_ERROR(env->OpenDbs(specs, create));

  auto db = std::unique_ptr<LogDb>(new LogDb(std::move(env), dbs));
  LTL_ASSIGN_OR_RETURN(auto txn, ReadTxn::Begin(db->env()));
  LTL_ASSIGN_OR_RETURN(auto schema, GetMeta(*txn, dbs, kMetaSchema));
  txn.reset();
  if (schema == kSchemaVersionV1 && !db->env().read_only()) {
    LTL_RETURN_IF_ERROR(MigrateFromV1(db->env(), dbs));
    schema = std::string(kSchemaVersion);
  }
  if (schema.has_value() && *schema != kSchemaVersion && *schema != kSchemaVersionV1) {
    return Status::FailedPrecondition("data folder " + dir.string() + " has store schema '" +
                                      *schema + "', this program reads '" +
                                      std::string(kSchemaVersion) + "'");
  }
  if (!schema.has_value() && !create) {
    return Status::FailedPrecondition("data folder " + dir.string() +
                                      " is not an initialised LTL log (run init)");
  }
  return db;
}

// ---- Reads ------------------------------------------------------------------

Result<std::optional<std::string>> GetMeta(const Txn& txn, const Dbs& dbs, std::string_view name) {
  LTL_ASSIGN_OR_RETURN(auto value, txn.Get(dbs.meta, AsBytes(name)));
  if (!value) return std::optional<std::string>();
  return std::optional<std::string>(std::string(AsChars(*value)));
}

Result<proofs::CompactRange> GetTree(const Txn& txn, const Dbs& dbs) {
  LTL_ASSIGN_OR_RETURN(auto value, txn.Get(dbs.meta, AsBytes(kMetaTree)));
  if (!value) return Status::DataLoss("the tree state record is missing");
  return DecodeTreeState(*value);
}

namespace {

// The key of refs: it has one.
constexpr uint64_t kRefsKey = 0;

Hash HashFromIndexed(ByteSpan value) {
  Hash h;
  std::memcpy(h.data(), value.data() + 8, kHashSize);
  return h;
}

// Reads the indexed hashes [begin, end) of `key` in a DUPFIXED database
// (tiles, refs), stopping early where the stored ones end. Errors: DataLoss
// if an index in the range is skipped or a value is malformed.
Result<std::vector<Hash>> ReadIndexedRange(const Txn& txn, MDB_dbi dbi, uint64_t key,
                                           uint64_t begin, uint64_t end) {
  std::vector<Hash> out;
  LTL_ASSIGN_OR_RETURN(Cursor cursor, Cursor::Open(txn, dbi));
  const IndexedHash probe = EncodeIndexedHash(begin, Hash{});
  LTL_ASSIGN_OR_RETURN(auto item, cursor.Get(MDB_GET_BOTH_RANGE, EncodeU64Key(key), probe));
  for (uint64_t index = begin; item && index < end; ++index) {
    if (item->value.size() != kIndexedHashSize) {
      return Status::DataLoss("stored hash record is not 40 bytes");
    }
    const uint64_t stored = GetBigEndian64(item->value.data());
    if (stored >= end) break;
    if (stored != index) {
      return Status::DataLoss("stored hashes skip index " + FormatDecimalU64(index));
    }
    out.push_back(HashFromIndexed(item->value));
    LTL_ASSIGN_OR_RETURN(item, cursor.Get(MDB_NEXT_DUP));
  }
  return out;
}

Result<Hash> ReadIndexed(const Txn& txn, MDB_dbi dbi, uint64_t key, uint64_t index) {
  LTL_ASSIGN_OR_RETURN(auto hashes, ReadIndexedRange(txn, dbi, key, index, index + 1));
  if (hashes.empty())
    return Status::NotFound("no hash stored for index " + FormatDecimalU64(index));
  return hashes[0];
}

// Walks a tlog-tiles bundle and returns the byte length of its first `count`
// entries (and, through `last`, a view of entry count - 1).
Result<size_t> BundlePrefix(ByteSpan bundle, size_t count, std::string_view* last) {
  size_t at = 0;
  for (size_t i = 0; i < count; ++i) {
    if (bundle.size() - at < 2) return Status::DataLoss("stored bundle truncated");
    const size_t len = GetBigEndian16(bundle.data() + at);
    if (bundle.size() - at - 2 < len) return Status::DataLoss("stored bundle truncated");
    if (last != nullptr) *last = AsChars(bundle.subspan(at + 2, len));
    at += 2 + len;
  }
  return at;
}

}  // namespace

Result<std::vector<Hash>> GetTileHashes(const Txn& txn, const Dbs& dbs, int level, uint64_t index) {
  return ReadIndexedRange(txn, dbs.tiles, static_cast<uint64_t>(level), index * kTileWidth,
                          index * kTileWidth + kTileWidth);
}

Result<std::vector<Hash>> GetLevelHashes(const Txn& txn, const Dbs& dbs, int level, uint64_t begin,
                                         uint64_t end) {
  return ReadIndexedRange(txn, dbs.tiles, static_cast<uint64_t>(level), begin, end);
}

Result<Hash> GetLevelHash(const Txn& txn, const Dbs& dbs, int level, uint64_t index) {
  return ReadIndexed(txn, dbs.tiles, static_cast<uint64_t>(level), index);
}

Result<Hash> GetNodeHash(const Txn& txn, const Dbs& dbs, proofs::NodeId node) {
  const proofs::NodeInTile at = proofs::LocateNode(node);
  if (at.tile_level >= kTileLevels) {
    return Status::NotFound("node " + proofs::NodeIdToString(node) + " is beyond any tree");
  }
  if (at.count == 1) {
    return GetLevelHash(txn, dbs, at.tile_level, at.tile_index * kTileWidth + at.first);
  }
  LTL_ASSIGN_OR_RETURN(auto hashes, GetTileHashes(txn, dbs, at.tile_level, at.tile_index));
  if (hashes.size() < size_t{at.first} + at.count) {
    return Status::NotFound("node " + proofs::NodeIdToString(node) + " is not in the tree yet");
  }
  const proofs::TileId tile{at.tile_level, at.tile_index, static_cast<uint16_t>(hashes.size())};
  auto hash = proofs::HashFromTile(node, tile, hashes);
  if (!hash)
    return Status::Internal("rebuilding " + proofs::NodeIdToString(node) + ": " +
                            hash.error().message());
  return *hash;
}

Result<Hash> GetEntryRef(const Txn& txn, const Dbs& dbs, uint64_t index) {
  return ReadIndexed(txn, dbs.refs, kRefsKey, index);
}

Result<std::string> GetEntry(const Txn& txn, const Dbs& dbs, uint64_t index) {
  const uint64_t bundle_index = index / kTileWidth;
  LTL_ASSIGN_OR_RETURN(auto bundle, txn.Get(dbs.bundles, EncodeU64Key(bundle_index)));
  if (bundle) {
    std::string_view entry;
    LTL_RETURN_IF_ERROR(BundlePrefix(*bundle, index % kTileWidth + 1, &entry).error());
    return std::string(entry);
  }
  LTL_ASSIGN_OR_RETURN(auto tail, txn.Get(dbs.entries, EncodeU64Key(index)));
  if (!tail) return Status::DataLoss("entry " + FormatDecimalU64(index) + " is missing");
  return std::string(AsChars(*tail));
}

Result<Bytes> GetBundle(const Txn& txn, const Dbs& dbs, uint64_t index, uint16_t width) {
  LTL_ASSIGN_OR_RETURN(auto sealed, txn.Get(dbs.bundles, EncodeU64Key(index)));
  if (sealed) {
    LTL_ASSIGN_OR_RETURN(size_t length, BundlePrefix(*sealed, width, nullptr));
    return Bytes(sealed->begin(), sealed->begin() + length);
  }
  Bytes out;
  const uint64_t first = index * kTileWidth;
  LTL_ASSIGN_OR_RETURN(Cursor cursor, Cursor::Open(txn, dbs.entries));
  LTL_ASSIGN_OR_RETURN(auto item, cursor.Get(MDB_SET_KEY, EncodeU64Key(first)));
  for (uint64_t i = 0; i < width; ++i) {
    if (!item) return Status::DataLoss("entry " + FormatDecimalU64(first + i) + " is missing");
    LTL_ASSIGN_OR_RETURN(uint64_t key, DecodeU64Key(item->key));
    if (key != first + i || item->value.size() > proofs::kMaxEntrySize) {
      return Status::DataLoss("entry " + FormatDecimalU64(first + i) + " is missing or too long");
    }
    const size_t at = out.size();
    out.resize(at + 2 + item->value.size());
    PutBigEndian16(out.data() + at, static_cast<uint16_t>(item->value.size()));
    std::memcpy(out.data() + at + 2, item->value.data(), item->value.size());
    LTL_ASSIGN_OR_RETURN(item, cursor.Get(MDB_NEXT));
  }
  return out;
}

Result<std::optional<std::pair<uint64_t, std::string>>> GetCheckpointAtOrAfter(const Txn& txn,
                                                                               const Dbs& dbs,
                                                                               uint64_t size) {
  using Found = std::optional<std::pair<uint64_t, std::string>>;
  LTL_ASSIGN_OR_RETURN(Cursor cursor, Cursor::Open(txn, dbs.checkpoints));
  LTL_ASSIGN_OR_RETURN(auto item, cursor.Get(MDB_SET_RANGE, EncodeU64Key(size)));
  if (!item) return Found();
  LTL_ASSIGN_OR_RETURN(uint64_t found_size, DecodeU64Key(item->key));
  return Found(std::make_pair(found_size, std::string(AsChars(item->value))));
}

Result<IndexRange> GetIndexes(const Txn& txn, MDB_dbi dbi, ByteSpan key, uint64_t from,
                              size_t limit) {
  IndexRange out;
  LTL_ASSIGN_OR_RETURN(Cursor cursor, Cursor::Open(txn, dbi));
  LTL_ASSIGN_OR_RETURN(auto item, cursor.Get(MDB_GET_BOTH_RANGE, key, EncodeU64Key(from)));
  while (item) {
    LTL_ASSIGN_OR_RETURN(uint64_t index, DecodeU64Key(item->value));
    if (out.indexes.size() == limit) {
      out.next = index;
      break;
    }
    out.indexes.push_back(index);
    LTL_ASSIGN_OR_RETURN(item, cursor.Get(MDB_NEXT_DUP));
  }
  return out;
}

Result<std::optional<uint64_t>> FindLeaf(const Txn& txn, const Dbs& dbs, const Hash& leaf_hash,
                                         const Hash& entry_ref) {
  const HashPrefixKey key = EncodeHashPrefixKey(entry_ref);
  uint64_t from = 0;
  while (true) {
    LTL_ASSIGN_OR_RETURN(IndexRange range, GetIndexes(txn, dbs.by_ref, key, from, 16));
    for (uint64_t index : range.indexes) {
      LTL_ASSIGN_OR_RETURN(Hash stored, GetLevelHash(txn, dbs, 0, index));
      if (stored == leaf_hash) return std::optional<uint64_t>(index);
    }
    if (!range.next) return std::optional<uint64_t>();
    from = *range.next;
  }
}

Result<std::optional<uint64_t>> FindEntryRef(const Txn& txn, const Dbs& dbs, const Hash& ref) {
  const HashPrefixKey key = EncodeHashPrefixKey(ref);
  uint64_t from = 0;
  while (true) {
    LTL_ASSIGN_OR_RETURN(IndexRange range, GetIndexes(txn, dbs.by_ref, key, from, 16));
    for (uint64_t index : range.indexes) {
      LTL_ASSIGN_OR_RETURN(Hash stored, GetEntryRef(txn, dbs, index));
      if (stored == ref) return std::optional<uint64_t>(index);
    }
    if (!range.next) return std::optional<uint64_t>();
    from = *range.next;
  }
}

// ---- Writes -----------------------------------------------------------------

Status PutMeta(WriteTxn& txn, const Dbs& dbs, std::string_view name, ByteSpan value) {
  return txn.Put(dbs.meta, AsBytes(name), value);
}

Status AppendLevelHash(WriteTxn& txn, const Dbs& dbs, int level, uint64_t index, const Hash& hash) {
  return txn.Put(dbs.tiles, EncodeU64Key(static_cast<uint64_t>(level)),
                 EncodeIndexedHash(index, hash), MDB_APPENDDUP);
}

Status AppendEntryRef(WriteTxn& txn, const Dbs& dbs, uint64_t index, const Hash& ref) {
  return txn.Put(dbs.refs, EncodeU64Key(kRefsKey), EncodeIndexedHash(index, ref), MDB_APPENDDUP);
}

Status AppendTailEntry(WriteTxn& txn, const Dbs& dbs, uint64_t index, std::string_view leaf) {
  return txn.Put(dbs.entries, EncodeU64Key(index), AsBytes(leaf), MDB_APPEND);
}

Status DeleteTailEntries(WriteTxn& txn, const Dbs& dbs, uint64_t begin, uint64_t end) {
  for (uint64_t index = begin; index < end; ++index) {
    Status s = txn.Delete(dbs.entries, EncodeU64Key(index));
    if (s.code() == StatusCode::kNotFound) {
      return Status::DataLoss("tail entry " + FormatDecimalU64(index) + " is missing");
    }
    LTL_RETURN_IF_ERROR(s);
  }
  return Status::Ok();
}

Status AppendBundle(WriteTxn& txn, const Dbs& dbs, uint64_t index, ByteSpan bundle) {
  return txn.Put(dbs.bundles, EncodeU64Key(index), bundle, MDB_APPEND);
}

Status AppendCheckpoint(WriteTxn& txn, const Dbs& dbs, uint64_t size, std::string_view note) {
  return txn.Put(dbs.checkpoints, EncodeU64Key(size), AsBytes(note), MDB_APPEND);
}

Status AddIndex(WriteTxn& txn, MDB_dbi dbi, ByteSpan key, uint64_t index) {
  // Indexes only grow within a key, so the new duplicate sorts last.
  return txn.Put(dbi, key, EncodeU64Key(index), MDB_APPENDDUP);
}

}  // namespace ltl::store::detail
