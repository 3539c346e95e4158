#include "ledger/store/integrator.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>
#include <utility>

#include "ledger/checkpoint.h"
#include "ledger/note.h"
#include "proofs/tiles.h"

namespace ltl::store::detail {

using proofs::Hash;
using proofs::kTileWidth;

Result<CheckpointHead> ParseStoredCheckpoint(std::string_view note) {
  auto parsed = ledger::ParseNote(note);
  if (!parsed) return Status::DataLoss("stored checkpoint: " + parsed.error().message());
  auto checkpoint = ledger::ParseCheckpointText(parsed->text);
  if (!checkpoint) return Status::DataLoss("stored checkpoint: " + checkpoint.error().message());
  return CheckpointHead{checkpoint->size, checkpoint->root};
}

Result<CheckpointHead> OpenStoredCheckpoint(std::string_view note,
                                            const ledger::VerifierKey& log_key) {
  auto opened = ledger::OpenCheckpoint(note, log_key);
  if (!opened) return Status::DataLoss("stored checkpoint: " + opened.error().message());
  return CheckpointHead{opened->checkpoint.size, opened->checkpoint.root};
}

namespace {

struct HashKeyHasher {
  size_t operator()(const Hash& h) const {
    size_t v;
    std::memcpy(&v, h.data(), sizeof v);
    return v;
  }
};

// Index keys of one entry, each once, in byte order (MDB_APPENDDUP needs
// each (key, index) pair once).
std::vector<std::string_view> UniqueKeys(const std::vector<std::string>& keys) {
  std::vector<std::string_view> out(keys.begin(), keys.end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

Result<std::unique_ptr<Integrator>> Integrator::Create(LogDb& db, ledger::SigningKey log_key) {
  LTL_ASSIGN_OR_RETURN(auto txn, ReadTxn::Begin(db.env()));
  LTL_ASSIGN_OR_RETURN(auto origin, GetMeta(*txn, db.dbs(), kMetaOrigin));
  LTL_ASSIGN_OR_RETURN(auto vkey, GetMeta(*txn, db.dbs(), kMetaLogKey));
  LTL_ASSIGN_OR_RETURN(auto note, GetMeta(*txn, db.dbs(), kMetaCheckpoint));
  if (!origin || !vkey || !note) {
    return Status::DataLoss("meta records (origin, log-key, checkpoint) are missing");
  }
  if (*vkey != log_key.verifier().ToString()) {
    return Status::FailedPrecondition("the log key file does not match this log (log key " + *vkey +
                                      ")");
  }
  if (*origin != log_key.name()) {
    return Status::DataLoss("stored origin '" + *origin + "' differs from the log key name");
  }
  LTL_ASSIGN_OR_RETURN(CheckpointHead head, OpenStoredCheckpoint(*note, log_key.verifier()));
  LTL_ASSIGN_OR_RETURN(proofs::CompactRange tree, GetTree(*txn, db.dbs()));
  LTL_ASSIGN_OR_RETURN(Hash root, tree.GetRootHash());
  if (tree.end() != head.size || root != head.root) {
    return Status::DataLoss("the stored tree state (size " + FormatDecimalU64(tree.end()) +
                            ") is not the tree of the latest checkpoint (size " +
                            FormatDecimalU64(head.size) + ")");
  }
  return std::unique_ptr<Integrator>(
      new Integrator(db, std::move(log_key), std::move(*origin), head.size, head.root));
}

Result<IntegratedBatch> Integrator::Integrate(std::span<const AdmittedEntry> batch) {
  IntegratedBatch result;
  while (true) {
    bool map_full = false;
    auto attempt = TryIntegrate(batch, &map_full);
    if (attempt || !map_full) {
      if (attempt) attempt->map_growths = result.map_growths;
      return attempt;
    }
    // The transaction is gone (aborted); no transaction of ours is open.
    LTL_RETURN_IF_ERROR(db_.env().Grow());
    ++result.map_growths;
  }
}

Result<IntegratedBatch> Integrator::TryIntegrate(std::span<const AdmittedEntry> batch,
                                                 bool* map_full) {
  const Dbs& dbs = db_.dbs();
  LTL_ASSIGN_OR_RETURN(auto txn, WriteTxn::Begin(db_.env()));
  // Any failure below aborts the transaction (WriteTxn's destructor); report
  // whether it was the map that was full.
  auto fail = [&](Status s) -> Status {
    *map_full = txn->map_full();
    return s;
  };
#define LTL_TXN_TRY(expr)                                    \
  do {                                                       \
    Status ltl_txn_status_ = (expr);                         \
    if (!ltl_txn_status_.ok()) return fail(ltl_txn_status_); \
  } while (0)

  // 1. Compare-and-swap: the stored tree must be the last signed one.
  LTL_ASSIGN_OR_RETURN(proofs::CompactRange tree, GetTree(*txn, dbs));
  LTL_ASSIGN_OR_RETURN(auto latest, GetMeta(*txn, dbs, kMetaCheckpoint));
  if (!latest) return Status::DataLoss("the latest checkpoint record is missing");
  LTL_ASSIGN_OR_RETURN(CheckpointHead head, ParseStoredCheckpoint(*latest));
  LTL_ASSIGN_OR_RETURN(Hash stored_root, tree.GetRootHash());
  if (tree.end() != head.size || stored_root != head.root) {
    return Status::DataLoss(
        "refusing to sign: the stored tree state (size " + FormatDecimalU64(tree.end()) +
        ") is not the tree of the latest checkpoint (size " + FormatDecimalU64(head.size) + ")");
  }
  if (head.size != last_size_ || head.root != last_root_) {
    return Status::FailedPrecondition(
        "refusing to sign: the stored tree (size " + FormatDecimalU64(head.size) + ", root " +
        proofs::HashToHex(head.root) + ") is not the tree this writer last signed (size " +
        FormatDecimalU64(last_size_) + ", root " + proofs::HashToHex(last_root_) + ")");
  }

  // 2. Deduplicate against the log and within the batch.
  IntegratedBatch result;
  result.entries.resize(batch.size());
  std::unordered_map<Hash, uint64_t, HashKeyHasher> batch_leaves;
  std::vector<size_t> fresh;  // positions in `batch` of new entries, in index order
  const uint64_t first_new = tree.end();
  uint64_t next_index = first_new;
  for (size_t i = 0; i < batch.size(); ++i) {
    IntegratedEntry& out = result.entries[i];
    out.leaf_hash = proofs::HashLeaf(batch[i].leaf);
    if (auto it = batch_leaves.find(out.leaf_hash); it != batch_leaves.end()) {
      out.index = it->second;
      out.entry_ref = batch[fresh[it->second - first_new]].entry_ref;
      out.duplicate = true;
      continue;
    }
    LTL_ASSIGN_OR_RETURN(auto logged, FindLeaf(*txn, dbs, out.leaf_hash, batch[i].entry_ref));
    if (logged) {
      out.index = *logged;
      LTL_ASSIGN_OR_RETURN(out.entry_ref, GetEntryRef(*txn, dbs, *logged));
      out.duplicate = true;
      continue;
    }
    out.index = next_index++;
    out.entry_ref = batch[i].entry_ref;
    batch_leaves.emplace(out.leaf_hash, out.index);
    fresh.push_back(i);
  }
  const uint64_t final_size = next_index;
  if (fresh.empty()) {
    // Nothing to append and nothing to sign; the transaction is aborted.
    result.tree_size = first_new;
    result.root = head.root;
    return result;
  }

  // 3. Append every new entry.
  const uint64_t sealed_end = final_size / kTileWidth * kTileWidth;
  Status visit_status;
  auto store_node = [&](proofs::NodeId node, const Hash& hash) {
    if (!visit_status.ok() || node.level % proofs::kTileHeight != 0) return;
    visit_status = AppendLevelHash(*txn, dbs, node.level / proofs::kTileHeight, node.index, hash);
  };
  for (size_t position : fresh) {
    const AdmittedEntry& entry = batch[position];
    const IntegratedEntry& out = result.entries[position];
    const uint64_t index = out.index;
    tree.Append(out.leaf_hash, store_node);
    LTL_TXN_TRY(visit_status);
    LTL_TXN_TRY(AppendEntryRef(*txn, dbs, index, entry.entry_ref));
    LTL_TXN_TRY(AddIndex(*txn, dbs.by_ref, EncodeHashPrefixKey(entry.entry_ref), index));
    for (std::string_view key : UniqueKeys(entry.work_keys)) {
      LTL_TXN_TRY(AddIndex(*txn, dbs.by_work, AsBytes(key), index));
    }
    for (std::string_view key : UniqueKeys(entry.signer_keys)) {
      LTL_TXN_TRY(AddIndex(*txn, dbs.by_signer, AsBytes(key), index));
    }
    for (std::string_view key : UniqueKeys(entry.grant_keys)) {
      LTL_TXN_TRY(AddIndex(*txn, dbs.by_grant, AsBytes(key), index));
    }
    if (index >= sealed_end) {
      LTL_TXN_TRY(AppendTailEntry(*txn, dbs, index, entry.leaf));
      continue;
    }
    if (index % kTileWidth != kTileWidth - 1) continue;  // sealed below with its bundle
    // This entry completes bundle N: seal the 256 entries into one record.
    const uint64_t bundle = index / kTileWidth;
    const uint64_t bundle_first = bundle * kTileWidth;
    std::vector<std::string> earlier;  // tail entries from earlier batches
    std::vector<std::string_view> leaves;
    leaves.reserve(kTileWidth);
    for (uint64_t j = bundle_first; j < std::min(first_new, bundle_first + kTileWidth); ++j) {
      LTL_ASSIGN_OR_RETURN(std::string leaf, GetEntry(*txn, dbs, j));
      earlier.push_back(std::move(leaf));
    }
    for (const std::string& leaf : earlier) leaves.push_back(leaf);
    for (uint64_t j = std::max(first_new, bundle_first); j <= index; ++j) {
      leaves.push_back(batch[fresh[j - first_new]].leaf);
    }
    auto bytes = proofs::EncodeEntryBundle(leaves);
    if (!bytes) return Status::Internal("sealing bundle: " + bytes.error().message());
    LTL_TXN_TRY(AppendBundle(*txn, dbs, bundle, *bytes));
    if (bundle_first < first_new) {
      LTL_TXN_TRY(DeleteTailEntries(*txn, dbs, bundle_first, first_new));
    }
  }

  // 4. The new tree state and its signed checkpoint.
  LTL_ASSIGN_OR_RETURN(Hash root, tree.GetRootHash());
  ledger::Checkpoint checkpoint{origin_, final_size, root, {}};
  auto note = ledger::SignCheckpoint(checkpoint, key_);
  if (!note) return Status::Internal("signing the checkpoint: " + note.error().message());
  LTL_TXN_TRY(PutMeta(*txn, dbs, kMetaTree, EncodeTreeState(tree)));
  LTL_TXN_TRY(PutMeta(*txn, dbs, kMetaCheckpoint, AsBytes(*note)));
  LTL_TXN_TRY(AppendCheckpoint(*txn, dbs, final_size, *note));

  // 5. Durable commit; only then does the batch exist.
  {
    Status committed = txn->Commit();
    if (!committed.ok()) return fail(committed);
  }
#undef LTL_TXN_TRY
  last_size_ = final_size;
  last_root_ = root;
  result.tree_size = final_size;
  result.root = root;
  result.checkpoint = std::move(*note);
  return result;
}

}  // namespace ltl::store::detail
