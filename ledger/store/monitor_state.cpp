// The LMDB records of a MonitorState (ledger/store/monitor_state.h).
//
// ============================ KEY SCHEMA =====================================
// DO NOT CHANGE an existing encoding: folders on disk depend on it. A change
// needs a new kMonitorSchema and a migration.
//
// database   key                          value                              write mode
// ---------  ---------------------------  ---------------------------------  ------------
// meta       "schema"                     kMonitorSchema                     put
//            "log-key"                    the audited log's verifier key     put
//            "checkpoint"                 latest verified checkpoint note    put
//            "progress"                   u64be size || RangeNodes(0, size)  put
//                                         hashes (32 bytes each)
// sightings  u64be tree size              u64be unix seconds (two's          MDB_APPEND
//                                         complement of the int64)
// entries    u64be leaf index             u64be log time || u8 flags ||      MDB_APPEND
//                                         leaf bytes
// refs       32-byte entry reference      u64be leaf index (the first)       NOOVERWRITE
// index      u8 MonitorIndex || key       u64be leaf index                   DUPSORT|DUPFIXED
// findings   u64be sequence number        the finding document               MDB_APPEND
// totals     u8 MonitorTotal || key       canonical decimal text             put (replace)
//
// Index and total keys longer than kMaxMonitorIndexKey bytes are replaced
// by "#" + 64 hex digits of their SHA-256 (LMDB's key limit is 511 bytes).
// ============================================================================
#include "ledger/store/monitor_state.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "base/encoding.h"
#include "ledger/store/lmdb_env.h"
#include "proofs/hash.h"

namespace ltl::store {
namespace {

using detail::Cursor;
using detail::Env;
using detail::ReadTxn;
using detail::Txn;
using detail::WriteTxn;

constexpr std::string_view kMonitorSchema = "ltl-monitor-state-v1";
constexpr std::string_view kMetaSchema = "schema";
constexpr std::string_view kMetaLogKey = "log-key";
constexpr std::string_view kMetaCheckpoint = "checkpoint";
constexpr std::string_view kMetaProgress = "progress";
constexpr size_t kEntryHeader = 9;

struct Dbs {
  MDB_dbi meta = 0;
  MDB_dbi sightings = 0;
  MDB_dbi entries = 0;
  MDB_dbi refs = 0;
  MDB_dbi index = 0;
  MDB_dbi findings = 0;
  MDB_dbi totals = 0;
};

// DO NOT CHANGE: u64 keys are big-endian so LMDB's byte order is numeric.
std::array<uint8_t, 8> U64Key(uint64_t v) {
  std::array<uint8_t, 8> key;
  PutBigEndian64(key.data(), v);
  return key;
}

Result<uint64_t> DecodeU64(ByteSpan bytes, std::string_view what) {
  if (bytes.size() != 8)
    return Status::DataLoss("monitor state: " + std::string(what) + " not 8 bytes");
  return GetBigEndian64(bytes.data());
}

// DO NOT CHANGE: the key of `index` and `totals` records.
Bytes KindKey(uint8_t kind, std::string_view key) {
  std::string body(key);
  if (key.size() > kMaxMonitorIndexKey) body = "#" + proofs::HashToHex(proofs::Sha256(key));
  // Sized once and filled (g++ 12 warns wrongly about push_back + insert).
  Bytes out(1 + body.size());
  out[0] = kind;
  std::memcpy(out.data() + 1, body.data(), body.size());
  return out;
}

// DO NOT CHANGE: the "progress" meta value.
Bytes EncodeProgress(const proofs::CompactRange& range) {
  Bytes out;
  AppendBigEndian64(out, range.end());
  for (const proofs::Hash& h : range.hashes()) out.insert(out.end(), h.begin(), h.end());
  return out;
}

Result<proofs::CompactRange> DecodeProgress(ByteSpan bytes) {
  if (bytes.size() < 8 || (bytes.size() - 8) % proofs::kHashSize != 0) {
    return Status::DataLoss("monitor state: malformed progress record");
  }
  const uint64_t size = GetBigEndian64(bytes.data());
  std::vector<proofs::Hash> hashes((bytes.size() - 8) / proofs::kHashSize);
  for (size_t i = 0; i < hashes.size(); ++i) {
    std::memcpy(hashes[i].data(), bytes.data() + 8 + i * proofs::kHashSize, proofs::kHashSize);
  }
  Result<proofs::CompactRange> range = proofs::CompactRange::FromHashes(0, size, std::move(hashes));
  if (!range) return Status::DataLoss("monitor state: progress record: " + range.error().message());
  return range;
}

Result<MonitoredEntry> DecodeEntry(uint64_t index, ByteSpan value) {
  if (value.size() < kEntryHeader) return Status::DataLoss("monitor state: entry record too short");
  MonitoredEntry entry;
  entry.index = index;
  entry.log_time = static_cast<int64_t>(GetBigEndian64(value.data()));
  entry.flags = value[8];
  entry.leaf = std::string(AsChars(value.subspan(kEntryHeader)));
  return entry;
}

Result<ledger::Decimal> DecodeDecimal(ByteSpan value) {
  Result<ledger::Decimal> d = ledger::Decimal::Parse(AsChars(value));
  if (!d) return Status::DataLoss("monitor state: malformed total: " + d.error().message());
  return d;
}

// One implementation for both interfaces: reads through `txn_`, writes
// through `write_` (null in a read transaction).
class TxnView final : public MonitorWriter {
 public:
  TxnView(const Dbs& dbs, const Txn& txn, WriteTxn* write) : dbs_(dbs), txn_(txn), write_(write) {}

  Result<std::optional<std::string>> LogKey() const override { return Meta(kMetaLogKey); }
  Result<std::optional<std::string>> Checkpoint() const override { return Meta(kMetaCheckpoint); }

  Result<proofs::CompactRange> Progress() const override {
    LTL_ASSIGN_OR_RETURN(std::optional<ByteSpan> v, txn_.Get(dbs_.meta, AsBytes(kMetaProgress)));
    if (!v) return proofs::CompactRange(0);
    return DecodeProgress(*v);
  }

  Result<std::optional<CheckpointSighting>> FirstCovering(uint64_t index) const override {
    if (index == UINT64_MAX) return std::optional<CheckpointSighting>();
    LTL_ASSIGN_OR_RETURN(Cursor cursor, Cursor::Open(txn_, dbs_.sightings));
    LTL_ASSIGN_OR_RETURN(auto item, cursor.Get(MDB_SET_RANGE, U64Key(index + 1)));
    if (!item) return std::optional<CheckpointSighting>();
    return DecodeSighting(*item);
  }

  Result<std::optional<CheckpointSighting>> LastNotCovering(uint64_t index) const override {
    LTL_ASSIGN_OR_RETURN(Cursor cursor, Cursor::Open(txn_, dbs_.sightings));
    std::optional<Cursor::Item> item;
    if (index == UINT64_MAX) {
      LTL_ASSIGN_OR_RETURN(item, cursor.Get(MDB_LAST));
    } else {
      LTL_ASSIGN_OR_RETURN(item, cursor.Get(MDB_SET_RANGE, U64Key(index + 1)));
      if (item) {
        LTL_ASSIGN_OR_RETURN(item, cursor.Get(MDB_PREV));
      } else {
        LTL_ASSIGN_OR_RETURN(item, cursor.Get(MDB_LAST));
      }
    }
    if (!item) return std::optional<CheckpointSighting>();
    return DecodeSighting(*item);
  }

  Result<std::vector<CheckpointSighting>> Sightings() const override {
    std::vector<CheckpointSighting> out;
    LTL_ASSIGN_OR_RETURN(Cursor cursor, Cursor::Open(txn_, dbs_.sightings));
    for (MDB_cursor_op op = MDB_FIRST;; op = MDB_NEXT) {
      LTL_ASSIGN_OR_RETURN(auto item, cursor.Get(op));
      if (!item) break;
      LTL_ASSIGN_OR_RETURN(std::optional<CheckpointSighting> s, DecodeSighting(*item));
      out.push_back(*s);
    }
    return out;
  }

  Result<std::optional<MonitoredEntry>> Entry(uint64_t index) const override {
    LTL_ASSIGN_OR_RETURN(std::optional<ByteSpan> v, txn_.Get(dbs_.entries, U64Key(index)));
    if (!v) return std::optional<MonitoredEntry>();
    LTL_ASSIGN_OR_RETURN(MonitoredEntry entry, DecodeEntry(index, *v));
    return std::optional<MonitoredEntry>(std::move(entry));
  }

  Result<std::optional<uint64_t>> FindRef(const proofs::Hash& ref) const override {
    LTL_ASSIGN_OR_RETURN(std::optional<ByteSpan> v, txn_.Get(dbs_.refs, ref));
    if (!v) return std::optional<uint64_t>();
    LTL_ASSIGN_OR_RETURN(uint64_t index, DecodeU64(*v, "ref record"));
    return std::optional<uint64_t>(index);
  }

  Result<std::vector<uint64_t>> Lookup(MonitorIndex index, std::string_view key) const override {
    std::vector<uint64_t> out;
    if (key.empty()) return out;
    const Bytes k = KindKey(static_cast<uint8_t>(index), key);
    LTL_ASSIGN_OR_RETURN(Cursor cursor, Cursor::Open(txn_, dbs_.index));
    LTL_ASSIGN_OR_RETURN(auto item, cursor.Get(MDB_SET_KEY, k));
    while (item) {
      LTL_ASSIGN_OR_RETURN(uint64_t v, DecodeU64(item->value, "index value"));
      out.push_back(v);
      LTL_ASSIGN_OR_RETURN(item, cursor.Get(MDB_NEXT_DUP));
    }
    return out;
  }

  Result<std::vector<std::string>> Keys(MonitorIndex index) const override {
    return KeysOf(dbs_.index, static_cast<uint8_t>(index), /*dupsort=*/true);
  }

  Result<uint64_t> FindingCount() const override {
    LTL_ASSIGN_OR_RETURN(Cursor cursor, Cursor::Open(txn_, dbs_.findings));
    LTL_ASSIGN_OR_RETURN(auto last, cursor.Get(MDB_LAST));
    if (!last) return uint64_t{0};
    LTL_ASSIGN_OR_RETURN(uint64_t seq, DecodeU64(last->key, "finding key"));
    return seq + 1;
  }

  Result<std::vector<std::string>> Findings(uint64_t from, size_t limit) const override {
    std::vector<std::string> out;
    if (limit == 0) return out;
    LTL_ASSIGN_OR_RETURN(Cursor cursor, Cursor::Open(txn_, dbs_.findings));
    LTL_ASSIGN_OR_RETURN(auto item, cursor.Get(MDB_SET_RANGE, U64Key(from)));
    while (item && out.size() < limit) {
      out.emplace_back(AsChars(item->value));
      LTL_ASSIGN_OR_RETURN(item, cursor.Get(MDB_NEXT));
    }
    return out;
  }

  Result<ledger::Decimal> Total(MonitorTotal total, std::string_view key) const override {
    const Bytes k = KindKey(static_cast<uint8_t>(total), key);
    LTL_ASSIGN_OR_RETURN(std::optional<ByteSpan> v, txn_.Get(dbs_.totals, k));
    if (!v) return ledger::Decimal();
    return DecodeDecimal(*v);
  }

  Result<std::vector<std::pair<std::string, ledger::Decimal>>> Totals(
      MonitorTotal total) const override {
    std::vector<std::pair<std::string, ledger::Decimal>> out;
    const uint8_t kind = static_cast<uint8_t>(total);
    LTL_ASSIGN_OR_RETURN(Cursor cursor, Cursor::Open(txn_, dbs_.totals));
    const uint8_t prefix[1] = {kind};
    LTL_ASSIGN_OR_RETURN(auto item, cursor.Get(MDB_SET_RANGE, ByteSpan(prefix, 1)));
    while (item && !item->key.empty() && item->key[0] == kind) {
      LTL_ASSIGN_OR_RETURN(ledger::Decimal d, DecodeDecimal(item->value));
      out.emplace_back(std::string(AsChars(item->key.subspan(1))), d);
      LTL_ASSIGN_OR_RETURN(item, cursor.Get(MDB_NEXT));
    }
    return out;
  }

  // ---- writes ----

  Status SetLogKey(std::string_view vkey) override { return PutMeta(kMetaLogKey, vkey); }
  Status SetCheckpoint(std::string_view note) override { return PutMeta(kMetaCheckpoint, note); }

  Status SetProgress(const proofs::CompactRange& progress) override {
    LTL_RETURN_IF_ERROR(Writable());
    if (progress.begin() != 0)
      return Status::InvalidArgument("monitor state: progress must start at 0");
    return write_->Put(dbs_.meta, AsBytes(kMetaProgress), EncodeProgress(progress));
  }

  Status AddSighting(const CheckpointSighting& sighting) override {
    LTL_RETURN_IF_ERROR(Writable());
    LTL_ASSIGN_OR_RETURN(std::optional<CheckpointSighting> last, LastNotCovering(UINT64_MAX));
    if (last && last->size >= sighting.size) {
      return Status::InvalidArgument("monitor state: sighting of size " +
                                     std::to_string(sighting.size) + " after size " +
                                     std::to_string(last->size));
    }
    const auto time = U64Key(static_cast<uint64_t>(sighting.time));
    return write_->Put(dbs_.sightings, U64Key(sighting.size), time, MDB_APPEND);
  }

  Status PutEntry(const MonitoredEntry& entry, const proofs::Hash& ref) override {
    LTL_RETURN_IF_ERROR(Writable());
    LTL_ASSIGN_OR_RETURN(Cursor cursor, Cursor::Open(txn_, dbs_.entries));
    LTL_ASSIGN_OR_RETURN(auto last, cursor.Get(MDB_LAST));
    uint64_t next = 0;
    if (last) {
      LTL_ASSIGN_OR_RETURN(uint64_t i, DecodeU64(last->key, "entry key"));
      next = i + 1;
    }
    if (entry.index != next) {
      return Status::InvalidArgument("monitor state: entry " + std::to_string(entry.index) +
                                     " stored out of order (next is " + std::to_string(next) + ")");
    }
    Bytes value;
    value.reserve(kEntryHeader + entry.leaf.size());
    AppendBigEndian64(value, static_cast<uint64_t>(entry.log_time));
    value.push_back(entry.flags);
    value.insert(value.end(), entry.leaf.begin(), entry.leaf.end());
    LTL_RETURN_IF_ERROR(write_->Put(dbs_.entries, U64Key(entry.index), value, MDB_APPEND));
    Status s = write_->Put(dbs_.refs, ref, U64Key(entry.index), MDB_NOOVERWRITE);
    if (s.code() == StatusCode::kAlreadyExists) return Status::Ok();
    return s;
  }

  Status SetEntryFlags(uint64_t index, uint8_t flags) override {
    LTL_RETURN_IF_ERROR(Writable());
    LTL_ASSIGN_OR_RETURN(std::optional<ByteSpan> v, txn_.Get(dbs_.entries, U64Key(index)));
    if (!v) return Status::NotFound("monitor state: no entry " + std::to_string(index));
    if (v->size() < kEntryHeader) return Status::DataLoss("monitor state: entry record too short");
    Bytes value(v->begin(), v->end());
    value[8] = flags;
    return write_->Put(dbs_.entries, U64Key(index), value);
  }

  Status AddToIndex(MonitorIndex index, std::string_view key, uint64_t entry_index) override {
    LTL_RETURN_IF_ERROR(Writable());
    if (key.empty()) return Status::InvalidArgument("monitor state: empty index key");
    Status s = write_->Put(dbs_.index, KindKey(static_cast<uint8_t>(index), key),
                           U64Key(entry_index), MDB_NODUPDATA);
    if (s.code() == StatusCode::kAlreadyExists) return Status::Ok();
    return s;
  }

  Result<uint64_t> AppendFinding(std::string_view document) override {
    LTL_RETURN_IF_ERROR(Writable());
    LTL_ASSIGN_OR_RETURN(uint64_t seq, FindingCount());
    LTL_RETURN_IF_ERROR(write_->Put(dbs_.findings, U64Key(seq), AsBytes(document), MDB_APPEND));
    return seq;
  }

  Status AddToTotal(MonitorTotal total, std::string_view key,
                    const ledger::Decimal& amount) override {
    LTL_RETURN_IF_ERROR(Writable());
    LTL_ASSIGN_OR_RETURN(ledger::Decimal current, Total(total, key));
    LTL_ASSIGN_OR_RETURN(ledger::Decimal sum, ledger::Add(current, amount));
    const std::string text = sum.ToString();
    return write_->Put(dbs_.totals, KindKey(static_cast<uint8_t>(total), key), AsBytes(text));
  }

 private:
  Status Writable() const {
    if (write_ == nullptr)
      return Status::FailedPrecondition("monitor state: read-only transaction");
    return Status::Ok();
  }

  Result<std::optional<std::string>> Meta(std::string_view name) const {
    LTL_ASSIGN_OR_RETURN(std::optional<ByteSpan> v, txn_.Get(dbs_.meta, AsBytes(name)));
    if (!v) return std::optional<std::string>();
    return std::optional<std::string>(std::string(AsChars(*v)));
  }

  Status PutMeta(std::string_view name, std::string_view value) {
    LTL_RETURN_IF_ERROR(Writable());
    if (value.empty()) return Status::InvalidArgument("monitor state: empty " + std::string(name));
    return write_->Put(dbs_.meta, AsBytes(name), AsBytes(value));
  }

  static Result<std::optional<CheckpointSighting>> DecodeSighting(const Cursor::Item& item) {
    LTL_ASSIGN_OR_RETURN(uint64_t size, DecodeU64(item.key, "sighting key"));
    LTL_ASSIGN_OR_RETURN(uint64_t time, DecodeU64(item.value, "sighting value"));
    return std::optional<CheckpointSighting>(CheckpointSighting{size, static_cast<int64_t>(time)});
  }

  Result<std::vector<std::string>> KeysOf(MDB_dbi dbi, uint8_t kind, bool dupsort) const {
    std::vector<std::string> out;
    LTL_ASSIGN_OR_RETURN(Cursor cursor, Cursor::Open(txn_, dbi));
    const uint8_t prefix[1] = {kind};
    LTL_ASSIGN_OR_RETURN(auto item, cursor.Get(MDB_SET_RANGE, ByteSpan(prefix, 1)));
    while (item && !item->key.empty() && item->key[0] == kind) {
      out.emplace_back(AsChars(item->key.subspan(1)));
      LTL_ASSIGN_OR_RETURN(item, cursor.Get(dupsort ? MDB_NEXT_NODUP : MDB_NEXT));
    }
    return out;
  }

  const Dbs& dbs_;
  const Txn& txn_;
  WriteTxn* write_;
};

}  // namespace

struct MonitorState::Impl {
  std::unique_ptr<Env> env;
  Dbs dbs;
};

MonitorState::MonitorState(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MonitorState::~MonitorState() = default;

Result<std::unique_ptr<MonitorState>> MonitorState::Open(const std::filesystem::path& dir,
                                                         const MonitorStateOptions& options) {
  auto impl = std::make_unique<Impl>();
  Dbs& d = impl->dbs;
  const Env::DbSpec specs[] = {
      {"meta", 0, &d.meta},
      {"sightings", 0, &d.sightings},
      {"entries", 0, &d.entries},
      {"refs", 0, &d.refs},
      {"index", MDB_DUPSORT | MDB_DUPFIXED, &d.index},
      {"findings", 0, &d.findings},
      {"totals", 0, &d.totals},
  };
  LTL_ASSIGN_OR_RETURN(impl->env, detail::OpenStoreFolder(dir, options.initial_map_size,
                                                          options.max_map_size, specs));
  std::unique_ptr<MonitorState> state(new MonitorState(std::move(impl)));
  // A new folder gets the schema; a folder of another schema is refused
  // before anything is written to it.
  const Dbs& dbs = state->impl_->dbs;
  {
    LTL_ASSIGN_OR_RETURN(std::unique_ptr<WriteTxn> txn, WriteTxn::Begin(*state->impl_->env));
    LTL_ASSIGN_OR_RETURN(std::optional<ByteSpan> schema, txn->Get(dbs.meta, AsBytes(kMetaSchema)));
    if (!schema) {
      LTL_RETURN_IF_ERROR(txn->Put(dbs.meta, AsBytes(kMetaSchema), AsBytes(kMonitorSchema)));
      LTL_RETURN_IF_ERROR(txn->Commit());
    } else if (AsChars(*schema) != kMonitorSchema) {
      return Status::FailedPrecondition(dir.string() + " holds a store of schema '" +
                                        std::string(AsChars(*schema)) + "', not '" +
                                        std::string(kMonitorSchema) + "'");
    }
  }
  return state;
}

Status MonitorState::Read(const std::function<Status(const MonitorReader&)>& body) const {
  LTL_ASSIGN_OR_RETURN(std::unique_ptr<ReadTxn> txn, ReadTxn::Begin(*impl_->env));
  TxnView view(impl_->dbs, *txn, nullptr);
  return body(view);
}

Status MonitorState::Write(const std::function<Status(MonitorWriter&)>& body) {
  return detail::WriteWithGrowth(*impl_->env, [&](WriteTxn& txn) {
    TxnView view(impl_->dbs, txn, &txn);
    return body(view);
  });
}

}  // namespace ltl::store
