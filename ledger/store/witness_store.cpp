// The LMDB records of a WitnessStore (ledger/store/witness_store.h).
//
// ============================ KEY SCHEMA =====================================
// DO NOT CHANGE an existing encoding: folders on disk depend on it. A change
// needs a new kWitnessSchema and a migration.
//
// database   key                     value                                 write mode
// ---------  ----------------------  ------------------------------------  ----------
// meta       "schema"                kWitnessSchema                        put
// latest     origin bytes (1..255)   u64be size || 32-byte root || note    put (replace)
// evidence   u64be sequence number   the evidence document bytes           MDB_APPEND
//
// The size and root are a copy of what the note says, so that Advance's
// decision (compare sizes, check a consistency proof against the stored
// root) does not re-parse a note inside the write transaction.
// ============================================================================
#include "ledger/store/witness_store.h"

#include "ledger/store/key_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>

#include "base/encoding.h"
#include "ledger/store/lmdb_env.h"

namespace ltl::store {
namespace {

using detail::Cursor;
using detail::Env;
using detail::ReadTxn;
using detail::WriteTxn;

constexpr std::string_view kWitnessSchema = "ltl-witness-store-v1";
constexpr std::string_view kMetaSchemaKey = "schema";
constexpr size_t kRecordHeaderSize = 8 + proofs::kHashSize;

// DO NOT CHANGE: the value of a `latest` record.
Bytes EncodeRecord(const CheckpointRecord& record) {
  Bytes out;
  out.reserve(kRecordHeaderSize + record.note.size());
  AppendBigEndian64(out, record.size);
  out.insert(out.end(), record.root.begin(), record.root.end());
  out.insert(out.end(), record.note.begin(), record.note.end());
  return out;
}

Result<CheckpointRecord> DecodeRecord(ByteSpan key, ByteSpan value) {
  if (value.size() < kRecordHeaderSize) {
    return Status::DataLoss("witness store: latest record shorter than " +
                            std::to_string(kRecordHeaderSize) + " bytes");
  }
  CheckpointRecord record;
  record.origin = std::string(AsChars(key));
  record.size = GetBigEndian64(value.data());
  std::memcpy(record.root.data(), value.data() + 8, proofs::kHashSize);
  record.note = std::string(AsChars(value.subspan(kRecordHeaderSize)));
  return record;
}

// DO NOT CHANGE: the key of `evidence`: u64be, so byte order is numeric order.
std::array<uint8_t, 8> SequenceKey(uint64_t sequence) {
  std::array<uint8_t, 8> key;
  PutBigEndian64(key.data(), sequence);
  return key;
}

Status CheckOrigin(std::string_view origin) {
  if (origin.empty() || origin.size() > kMaxWitnessOriginSize) {
    return Status::InvalidArgument("witness store: origin must be 1.." +
                                   std::to_string(kMaxWitnessOriginSize) + " bytes");
  }
  return Status::Ok();
}

}  // namespace

struct WitnessStore::Impl {
  std::unique_ptr<Env> env;
  MDB_dbi meta = 0;
  MDB_dbi latest = 0;
  MDB_dbi evidence = 0;

  // Runs `body` in a write transaction and commits it, growing the map and
  // retrying the whole transaction when it fills (body must be repeatable).
  Status Write(const std::function<Status(WriteTxn&)>& body) {
    return detail::WriteWithGrowth(*env, body);
  }
};

WitnessStore::WitnessStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WitnessStore::~WitnessStore() = default;

Result<std::unique_ptr<WitnessStore>> WitnessStore::Open(const std::filesystem::path& dir,
                                                         const WitnessStoreOptions& options) {
  auto impl = std::make_unique<Impl>();
  const Env::DbSpec specs[] = {
      {"meta", 0, &impl->meta},
      {"latest", 0, &impl->latest},
      {"evidence", 0, &impl->evidence},
  };
  LTL_ASSIGN_OR_RETURN(impl->env, detail::OpenStoreFolder(dir, options.initial_map_size,
                                                          options.max_map_size, specs));
  Impl* raw = impl.get();
  LTL_RETURN_IF_ERROR(raw->Write([raw, &dir](WriteTxn& txn) -> Status {
    LTL_ASSIGN_OR_RETURN(std::optional<ByteSpan> schema,
                         txn.Get(raw->meta, AsBytes(kMetaSchemaKey)));
    if (!schema) return txn.Put(raw->meta, AsBytes(kMetaSchemaKey), AsBytes(kWitnessSchema));
    if (AsChars(*schema) != kWitnessSchema) {
      return Status::FailedPrecondition(dir.string() + " holds a store of schema '" +
                                        std::string(AsChars(*schema)) + "', not '" +
                                        std::string(kWitnessSchema) + "'");
    }
    return Status::Ok();
  }));
  return std::unique_ptr<WitnessStore>(new WitnessStore(std::move(impl)));
}

Result<std::optional<CheckpointRecord>> WitnessStore::Latest(std::string_view origin) const {
  LTL_RETURN_IF_ERROR(CheckOrigin(origin));
  LTL_ASSIGN_OR_RETURN(std::unique_ptr<ReadTxn> txn, ReadTxn::Begin(*impl_->env));
  LTL_ASSIGN_OR_RETURN(std::optional<ByteSpan> value, txn->Get(impl_->latest, AsBytes(origin)));
  if (!value) return std::optional<CheckpointRecord>();
  LTL_ASSIGN_OR_RETURN(CheckpointRecord record, DecodeRecord(AsBytes(origin), *value));
  return std::optional<CheckpointRecord>(std::move(record));
}

Result<std::vector<CheckpointRecord>> WitnessStore::AllLatest() const {
  LTL_ASSIGN_OR_RETURN(std::unique_ptr<ReadTxn> txn, ReadTxn::Begin(*impl_->env));
  std::vector<CheckpointRecord> out;
  LTL_ASSIGN_OR_RETURN(Cursor cursor, Cursor::Open(*txn, impl_->latest));
  for (MDB_cursor_op op = MDB_FIRST;; op = MDB_NEXT) {
    LTL_ASSIGN_OR_RETURN(std::optional<Cursor::Item> item, cursor.Get(op));
    if (!item) break;
    LTL_ASSIGN_OR_RETURN(CheckpointRecord record, DecodeRecord(item->key, item->value));
    out.push_back(std::move(record));
  }
  return out;
}

Status WitnessStore::Advance(const CheckpointRecord& next, const Decide& decide) {
  LTL_RETURN_IF_ERROR(CheckOrigin(next.origin));
  const Bytes value = EncodeRecord(next);
  Impl* impl = impl_.get();
  return impl->Write([&](WriteTxn& txn) -> Status {
    LTL_ASSIGN_OR_RETURN(std::optional<ByteSpan> stored,
                         txn.Get(impl->latest, AsBytes(next.origin)));
    std::optional<CheckpointRecord> current;
    if (stored) {
      LTL_ASSIGN_OR_RETURN(CheckpointRecord record, DecodeRecord(AsBytes(next.origin), *stored));
      current = std::move(record);
    }
    LTL_RETURN_IF_ERROR(decide(current));
    return txn.Put(impl->latest, AsBytes(next.origin), value);
  });
}

Result<uint64_t> WitnessStore::AddEvidence(std::string_view document) {
  if (document.empty()) return Status::InvalidArgument("witness store: empty evidence document");
  uint64_t sequence = 0;
  Impl* impl = impl_.get();
  LTL_RETURN_IF_ERROR(impl->Write([&](WriteTxn& txn) -> Status {
    LTL_ASSIGN_OR_RETURN(Cursor cursor, Cursor::Open(txn, impl->evidence));
    LTL_ASSIGN_OR_RETURN(std::optional<Cursor::Item> last, cursor.Get(MDB_LAST));
    sequence = 0;
    if (last) {
      if (last->key.size() != 8) return Status::DataLoss("witness store: evidence key not 8 bytes");
      sequence = GetBigEndian64(last->key.data()) + 1;
    }
    const auto key = SequenceKey(sequence);
    return txn.Put(impl->evidence, key, AsBytes(document), MDB_APPEND);
  }));
  return sequence;
}

Result<std::vector<EvidenceItem>> WitnessStore::Evidence(uint64_t from, size_t limit) const {
  LTL_ASSIGN_OR_RETURN(std::unique_ptr<ReadTxn> txn, ReadTxn::Begin(*impl_->env));
  std::vector<EvidenceItem> out;
  if (limit == 0) return out;
  LTL_ASSIGN_OR_RETURN(Cursor cursor, Cursor::Open(*txn, impl_->evidence));
  const auto start = SequenceKey(from);
  LTL_ASSIGN_OR_RETURN(std::optional<Cursor::Item> item, cursor.Get(MDB_SET_RANGE, start));
  while (item && out.size() < limit) {
    if (item->key.size() != 8) return Status::DataLoss("witness store: evidence key not 8 bytes");
    out.push_back({GetBigEndian64(item->key.data()), std::string(AsChars(item->value))});
    LTL_ASSIGN_OR_RETURN(item, cursor.Get(MDB_NEXT));
  }
  return out;
}

Result<ledger::SigningKey> CreateCosignerKey(const std::filesystem::path& dir,
                                             std::string_view key_file, std::string_view name) {
  LTL_ASSIGN_OR_RETURN(ledger::SigningKey key,
                       ledger::SigningKey::Generate(name, ledger::KeyType::kCosignatureV1));
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return detail::FileErrnoStatus(ec.value(), "creating " + dir.string());
  LTL_RETURN_IF_ERROR(detail::WriteNewKeyFile(dir, key_file, key.PrivateKeyString() + "\n"));
  return key;
}

Result<ledger::SigningKey> ReadCosignerKey(const std::filesystem::path& dir,
                                           std::string_view key_file) {
  const std::filesystem::path path = dir / key_file;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return detail::FileErrnoStatus(errno, "key file " + path.string());
  if ((st.st_mode & 077) != 0) {
    return Status::FailedPrecondition("key file " + path.string() +
                                      " is accessible by group or others (chmod 600 it)");
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return Status::Unavailable("cannot read key file " + path.string());
  std::string contents = text.str();
  if (!contents.empty() && contents.back() == '\n') contents.pop_back();
  Result<ledger::SigningKey> key = ledger::SigningKey::ParsePrivateKey(contents);
  if (!key) return key.error().WithContext("key file " + path.string());
  if (key->verifier().type() != ledger::KeyType::kCosignatureV1) {
    return Status::FailedPrecondition("key file " + path.string() +
                                      " does not hold a cosignature/v1 (type 0x04) key");
  }
  return key;
}

}  // namespace ltl::store
