#include "ledger/store/init_log.h"

#include "ledger/checkpoint.h"
#include "ledger/store/key_file.h"
#include "ledger/store/log.h"
#include "ledger/store/log_db.h"

namespace ltl::store {

namespace {

Status WriteInitialState(const std::filesystem::path& dir, const ledger::SigningKey& key,
                         std::string* checkpoint_out) {
  LTL_ASSIGN_OR_RETURN(auto db, detail::LogDb::Open(dir, detail::EnvOptions{}, /*create=*/true));
  const detail::Dbs& dbs = db->dbs();
  LTL_ASSIGN_OR_RETURN(auto txn, detail::WriteTxn::Begin(db->env()));
  const proofs::CompactRange empty(0);
  ledger::Checkpoint checkpoint{key.name(), 0, proofs::EmptyRoot(), {}};
  LTL_ASSIGN_OR_RETURN(std::string note, ledger::SignCheckpoint(checkpoint, key));
  LTL_RETURN_IF_ERROR(
      detail::PutMeta(*txn, dbs, detail::kMetaSchema, AsBytes(detail::kSchemaVersion)));
  LTL_RETURN_IF_ERROR(detail::PutMeta(*txn, dbs, detail::kMetaOrigin, AsBytes(key.name())));
  LTL_RETURN_IF_ERROR(
      detail::PutMeta(*txn, dbs, detail::kMetaLogKey, AsBytes(key.verifier().ToString())));
  LTL_RETURN_IF_ERROR(
      detail::PutMeta(*txn, dbs, detail::kMetaTree, detail::EncodeTreeState(empty)));
  LTL_RETURN_IF_ERROR(detail::PutMeta(*txn, dbs, detail::kMetaCheckpoint, AsBytes(note)));
  LTL_RETURN_IF_ERROR(detail::AppendCheckpoint(*txn, dbs, 0, note));
  LTL_RETURN_IF_ERROR(txn->Commit());
  *checkpoint_out = std::move(note);
  return Status::Ok();
}

}  // namespace

Result<InitResult> InitLogWithKey(const std::filesystem::path& dir,
                                  const ledger::SigningKey& log_key) {
  LTL_RETURN_IF_ERROR(ledger::InitCrypto());
  if (log_key.verifier().type() != ledger::KeyType::kEd25519) {
    return Status::InvalidArgument("the log key must be an Ed25519 (type 0x01) key");
  }
  LTL_RETURN_IF_ERROR(
      ledger::ValidateCheckpoint(ledger::Checkpoint{log_key.name(), 0, proofs::EmptyRoot(), {}}));
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return detail::FileErrnoStatus(ec.value(), "creating " + dir.string());
  for (std::string_view name : {kLogKeyFile, std::string_view("data.mdb")}) {
    if (std::filesystem::exists(dir / name, ec)) {
      return Status::AlreadyExists((dir / name).string() +
                                   " already exists: refusing to overwrite a log");
    }
  }
  LTL_RETURN_IF_ERROR(detail::WriteNewKeyFile(dir, kLogKeyFile, log_key.PrivateKeyString() + "\n"));
  InitResult result;
  Status state = WriteInitialState(dir, log_key, &result.checkpoint);
  if (!state.ok()) {
    // Leave no half-made log behind (a folder in use by another process was
    // refused by the lock before anything of its was touched).
    if (state.code() != StatusCode::kFailedPrecondition) {
      for (const char* name : {"data.mdb", "lock.mdb"}) std::filesystem::remove(dir / name, ec);
    }
    std::filesystem::remove(dir / kLogKeyFile, ec);
    return state;
  }
  result.verifier_key = log_key.verifier().ToString();
  return result;
}

Result<InitResult> InitLog(const std::filesystem::path& dir, std::string_view origin) {
  LTL_RETURN_IF_ERROR(ledger::InitCrypto());
  LTL_RETURN_IF_ERROR(ledger::ValidateKeyName(origin));
  LTL_ASSIGN_OR_RETURN(ledger::SigningKey key, ledger::SigningKey::Generate(origin));
  return InitLogWithKey(dir, key);
}

}  // namespace ltl::store
