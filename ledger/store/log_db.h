// LogDb: the LMDB databases of one log, their key schema, and typed access to
// each record kind. Internal to ledger/store (namespace detail); the public
// faces are ledger/store/log.h (writing), ledger/store/log_reader.h (reading),
// ledger/store/init_log.h and ledger/store/fsck.h. docs/storage.md explains
// the schema and the life of an entry.
//
// ============================ KEY SCHEMA =====================================
// DO NOT CHANGE an existing encoding: data folders on disk depend on it. A
// change needs a new kSchemaVersion and a migration.
//
// database      key                        value                           flags / write mode
// ------------  -------------------------  ------------------------------  -------------------
// meta          ASCII name                 see below                       (fixed keys)
//   "schema"      kSchemaVersion
//   "origin"      the log origin (= the log key name)
//   "log-key"     the log's verifier key string (vkey)
//   "tree"        tree state: u64be size || hash of each node of
//                 RangeNodes(0, size) (popcount(size) x 32 bytes)
//   "checkpoint"  the latest signed checkpoint (note wire text)
// entries       u64be leaf index           the leaf bytes                  MDB_APPEND
//               Only the entries of the last, unsealed bundle: when a bundle
//               fills, its 256 entries move to `bundles` in the same txn.
// bundles       u64be bundle index N       tlog-tiles entry bundle of the  MDB_APPEND
//                                          256 leaves [256N, 256N + 256)
// tiles         u64be tile level L         u64be node index i || 32-byte   DUPSORT|DUPFIXED,
//               (0..7)                     hash of node [8L, i]            MDB_APPENDDUP
// refs          u64be 0 (the only key)     u64be leaf index || 32-byte     DUPSORT|DUPFIXED,
//                                          entry reference                 MDB_APPENDDUP
// checkpoints   u64be tree size            signed checkpoint note          MDB_APPEND
// by-ref        entry reference[0:8]       u64be leaf index                DUPSORT|DUPFIXED
// by-work       normalised work id bytes   u64be leaf index                DUPSORT|DUPFIXED
// by-signer     signer key name bytes      u64be leaf index                DUPSORT|DUPFIXED
// by-grant      grant reference bytes      u64be leaf index                DUPSORT|DUPFIXED
//
// Tile N at level L is the duplicates of key L with node indexes
// [256N, 256N + 256); a partial tile is a prefix of them.
//
// Why these shapes (bytes on disk, docs/storage.md#bytes-on-disk):
//  - Hashes and references are fixed-size duplicates of one key: LMDB packs
//    DUPFIXED duplicates on LEAF2 pages without per-item headers, 40 bytes
//    each, with MDB_APPENDDUP filling every page. (A record per hash costs
//    ~50 bytes; a key per 256-hash tile costs ~64, as its 8,448 bytes of
//    duplicates need three pages and a branch page.)
//  - Full bundles are single values on overflow pages: entry bytes plus 2
//    bytes each, with no per-entry page slack.
//  - by-ref keeps an 8-byte prefix: a hit is a candidate that is confirmed
//    against refs (or, to find a leaf, against its level-0 hash in tiles), so
//    a prefix collision costs a lookup, never a wrong answer.
//  - No index by leaf hash (schema v1 had `by-leaf`): equal leaves have equal
//    entry references (admission.h), so a leaf is found among the by-ref
//    candidates of its entry reference. A third random-key index cost a
//    dirty 4 KiB page per entry at commit and ~38 bytes per entry on disk
//    (docs/performance.md). Opening a v1 folder for writing drops `by-leaf`
//    and records v2 (MigrateFromV1 in log_db.cpp).
//  - Secondary index keys are at most kMaxIndexKeySize bytes (LMDB's 511-byte
//    key limit, with room to spare).
// ============================================================================
//
// Thread-safety: LogDb is thread-safe (it is an Env plus handles); the
// functions below follow the rules of the Txn they are given.
#ifndef LTL_LEDGER_STORE_LOG_DB_H_
#define LTL_LEDGER_STORE_LOG_DB_H_

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/encoding.h"
#include "base/result.h"
#include "ledger/store/lmdb_env.h"
#include "proofs/compact_range.h"
#include "proofs/hash.h"
#include "proofs/node_id.h"

namespace ltl::store::detail {

inline constexpr std::string_view kSchemaVersion = "ltl-store-v2";
// The previous schema: v2 plus the `by-leaf` index (leaf hash[0:8] -> index).
inline constexpr std::string_view kSchemaVersionV1 = "ltl-store-v1";
// Tile levels 0..7 hold every node of a tree of up to 2^64 - 1 leaves.
inline constexpr int kTileLevels = 8;
inline constexpr size_t kMaxIndexKeySize = 255;

inline constexpr std::string_view kMetaSchema = "schema";
inline constexpr std::string_view kMetaOrigin = "origin";
inline constexpr std::string_view kMetaLogKey = "log-key";
inline constexpr std::string_view kMetaTree = "tree";
inline constexpr std::string_view kMetaCheckpoint = "checkpoint";

// DO NOT CHANGE: the key of entries, bundles, tiles, refs and checkpoints:
// an unsigned 64-bit integer, big-endian, so that LMDB's byte order is
// numeric order and MDB_APPEND applies.
using U64Key = std::array<uint8_t, 8>;
U64Key EncodeU64Key(uint64_t value);
// Errors: DataLoss if the stored key is not 8 bytes.
Result<uint64_t> DecodeU64Key(ByteSpan key);

// DO NOT CHANGE: the key of by-ref: the first 8 bytes of the hash.
using HashPrefixKey = std::array<uint8_t, 8>;
HashPrefixKey EncodeHashPrefixKey(const proofs::Hash& hash);

// DO NOT CHANGE: the duplicate values of tiles and refs: the u64be node or
// leaf index, then the 32-byte hash, so duplicates sort by index.
inline constexpr size_t kIndexedHashSize = 40;
using IndexedHash = std::array<uint8_t, kIndexedHashSize>;
IndexedHash EncodeIndexedHash(uint64_t index, const proofs::Hash& hash);

// DO NOT CHANGE: the "tree" meta value.
Bytes EncodeTreeState(const proofs::CompactRange& tree);
// Errors: DataLoss for any malformed record (wrong length for its size).
Result<proofs::CompactRange> DecodeTreeState(ByteSpan bytes);

struct Dbs {
  MDB_dbi meta = 0;
  MDB_dbi entries = 0;
  MDB_dbi bundles = 0;
  MDB_dbi tiles = 0;
  MDB_dbi refs = 0;
  MDB_dbi checkpoints = 0;
  MDB_dbi by_ref = 0;
  MDB_dbi by_work = 0;
  MDB_dbi by_signer = 0;
  MDB_dbi by_grant = 0;
};

// The names of the databases, in Dbs order (for statistics and tools).
struct NamedDb {
  std::string name;
  MDB_dbi dbi;
};
std::vector<NamedDb> AllDbs(const Dbs& dbs);

class LogDb {
 public:
  // Opens the environment in `dir` and its databases, creating them when
  // `create`. A folder of schema v1 is migrated first (its `by-leaf` index
  // dropped, in one write transaction) unless the environment is read-only;
  // read-only, it is read as it is (nothing of v2 reads `by-leaf`).
  // Errors: those of Env::Open and Env::OpenDbs; FailedPrecondition when the
  // schema version is neither (an initialised folder of another version).
  static Result<std::unique_ptr<LogDb>> Open(const std::filesystem::path& dir,
                                             const EnvOptions& options, bool create);

  Env& env() const { return *env_; }
  const Dbs& dbs() const { return dbs_; }

 private:
  LogDb(std::unique_ptr<Env> env, Dbs dbs) : env_(std::move(env)), dbs_(dbs) {}
  std::unique_ptr<Env> env_;
  Dbs dbs_;
};

// ---- Reads (any transaction) ----------------------------------------------

// A meta value, copied; nullopt when absent.
Result<std::optional<std::string>> GetMeta(const Txn& txn, const Dbs& dbs, std::string_view name);
// The stored tree state. Errors: DataLoss when missing or malformed.
Result<proofs::CompactRange> GetTree(const Txn& txn, const Dbs& dbs);

// The stored hashes of tile `index` at tile level `level`, at most 256, in
// order. Errors: DataLoss if the stored node indexes skip one.
Result<std::vector<proofs::Hash>> GetTileHashes(const Txn& txn, const Dbs& dbs, int level,
                                                uint64_t index);
// The stored hashes [begin, end) of tile level `level` (tree level 8 *
// level), stopping where the stored ones end. Errors: as GetTileHashes.
Result<std::vector<proofs::Hash>> GetLevelHashes(const Txn& txn, const Dbs& dbs, int level,
                                                 uint64_t begin, uint64_t end);
// The hash of node [8 * level, index]. Errors: NotFound when not stored.
Result<proofs::Hash> GetLevelHash(const Txn& txn, const Dbs& dbs, int level, uint64_t index);
// The hash of any perfect node stored or rebuilt from its tile
// (proofs::HashFromTile). Errors: NotFound when the tree does not have it yet.
Result<proofs::Hash> GetNodeHash(const Txn& txn, const Dbs& dbs, proofs::NodeId node);

// The entry reference of leaf `index`. Errors: NotFound.
Result<proofs::Hash> GetEntryRef(const Txn& txn, const Dbs& dbs, uint64_t index);

// The bytes of leaf `index`, unchecked (callers compare the leaf hash).
// REQUIRES: index < tree size. Errors: DataLoss if the stored bundle or entry
// is missing or malformed.
Result<std::string> GetEntry(const Txn& txn, const Dbs& dbs, uint64_t index);

// The bytes of bundle `index` holding `width` entries (tlog-tiles
// encoding), unchecked: a prefix of the sealed bundle, or the tail entries
// encoded. REQUIRES: 256 * index + width <= tree size, 1 <= width <= 256.
// Errors: DataLoss for missing or malformed records.
Result<Bytes> GetBundle(const Txn& txn, const Dbs& dbs, uint64_t index, uint16_t width);

// The first stored checkpoint whose tree size is >= `size`: (size, note).
Result<std::optional<std::pair<uint64_t, std::string>>> GetCheckpointAtOrAfter(const Txn& txn,
                                                                               const Dbs& dbs,
                                                                               uint64_t size);

// Indexes stored under `key` in DUPSORT database `dbi`, >= `from`, at most
// `limit`; `next` is the first index not returned, if any.
struct IndexRange {
  std::vector<uint64_t> indexes;
  std::optional<uint64_t> next;
};
Result<IndexRange> GetIndexes(const Txn& txn, MDB_dbi dbi, ByteSpan key, uint64_t from,
                              size_t limit);

// The index of the logged entry with this leaf hash, if any: the by-ref
// candidates of `entry_ref` (the leaf's entry reference: equal leaves have
// equal references) confirmed against the level-0 hashes.
Result<std::optional<uint64_t>> FindLeaf(const Txn& txn, const Dbs& dbs,
                                         const proofs::Hash& leaf_hash,
                                         const proofs::Hash& entry_ref);
// The lowest index of a logged entry with this entry reference, if any:
// by-ref candidates confirmed against refs.
Result<std::optional<uint64_t>> FindEntryRef(const Txn& txn, const Dbs& dbs,
                                             const proofs::Hash& entry_ref);

// ---- Writes ---------------------------------------------------------------

Status PutMeta(WriteTxn& txn, const Dbs& dbs, std::string_view name, ByteSpan value);
// Appends node [8 * level, index]. REQUIRES: index is the next node of the level.
Status AppendLevelHash(WriteTxn& txn, const Dbs& dbs, int level, uint64_t index,
                       const proofs::Hash& hash);
Status AppendEntryRef(WriteTxn& txn, const Dbs& dbs, uint64_t index, const proofs::Hash& ref);
Status AppendTailEntry(WriteTxn& txn, const Dbs& dbs, uint64_t index, std::string_view leaf);
// Removes the tail entries [begin, end) once their bundle is sealed.
// Errors: DataLoss if one is missing.
Status DeleteTailEntries(WriteTxn& txn, const Dbs& dbs, uint64_t begin, uint64_t end);
Status AppendBundle(WriteTxn& txn, const Dbs& dbs, uint64_t index, ByteSpan bundle);
Status AppendCheckpoint(WriteTxn& txn, const Dbs& dbs, uint64_t size, std::string_view note);
Status AddIndex(WriteTxn& txn, MDB_dbi dbi, ByteSpan key, uint64_t index);

}  // namespace ltl::store::detail

#endif  // LTL_LEDGER_STORE_LOG_DB_H_
