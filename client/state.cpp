#include "client/state.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

#include "client/file_detail.h"
#include "proofs/consistency.h"
#include "proofs/proof.h"

namespace ltl::client {
namespace {

// A saved checkpoint is a signed note; anything bigger is not ours.
constexpr size_t kMaxStateFileBytes = ledger::kMaxNoteSize;
// Escaped origins longer than this are cut and suffixed with a hash.
constexpr size_t kMaxEscapedOrigin = 160;

bool IsPlainNameChar(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

std::string KeyIdHex(uint32_t key_id) {
  char buffer[9];
  std::snprintf(buffer, sizeof(buffer), "%08x", key_id);
  return buffer;
}

}  // namespace

Result<std::filesystem::path> DefaultStateDir() {
  if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg != nullptr && xdg[0] == '/') {
    return std::filesystem::path(xdg) / "ltl";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && home[0] == '/') {
    return std::filesystem::path(home) / ".local" / "state" / "ltl";
  }
  return Status::FailedPrecondition(
      "no state folder: set XDG_STATE_HOME or HOME to an absolute path, or pass one");
}

std::string StateFileName(const ledger::VerifierKey& log_key) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string escaped;
  for (unsigned char c : log_key.name()) {
    if (IsPlainNameChar(c)) {
      escaped.push_back(static_cast<char>(c));
    } else {
      escaped.push_back('%');
      escaped.push_back(kHex[c >> 4]);
      escaped.push_back(kHex[c & 0xf]);
    }
  }
  if (escaped.size() > kMaxEscapedOrigin) {
    escaped.resize(kMaxEscapedOrigin - 17);
    escaped += "~" + proofs::HashToHex(proofs::Sha256(log_key.name())).substr(0, 16);
  }
  return escaped + "+" + KeyIdHex(log_key.key_id()) + ".checkpoint";
}

VerifyResult<std::vector<proofs::Hash>> ProveConsistent(const ledger::SignedCheckpoint& smaller,
                                                        const ledger::SignedCheckpoint& larger,
                                                        TileReader& reader) {
  const ledger::Checkpoint& a = smaller.checkpoint;
  const ledger::Checkpoint& b = larger.checkpoint;
  auto inconsistent = [&](std::vector<proofs::Hash> proof, const Status& why) {
    VerifyFailure failure =
        Fail(VerifyOutcome::kInconsistent,
             Status::FailedPrecondition("log " + a.origin + ": checkpoints of sizes " +
                                        std::to_string(a.size) + " and " + std::to_string(b.size) +
                                        " are not consistent: " + why.message()));
    failure.evidence =
        Evidence{smaller.wire, larger.wire, a.size, b.size, std::move(proof), why.message()};
    return failure;
  };
  if (a.size > b.size) {
    return Fail(VerifyOutcome::kUsage,
                Status::InvalidArgument("ProveConsistent: smaller tree is larger"));
  }
  if (a.size == b.size) {
    if (a.root == b.root) return std::vector<proofs::Hash>();
    return inconsistent({}, Status::FailedPrecondition("same size, different roots"));
  }
  // Every tree extends the empty one (whose root VerifyCheckpoint checked).
  if (a.size == 0) return std::vector<proofs::Hash>();

  ProofBuilder builder(reader, b.size);
  auto proof = builder.ConsistencyProof(a.size, b.size);
  if (!proof.has_value()) return FailTileRead(proof.error());
  Status verified = proofs::VerifyConsistency(a.size, b.size, *proof, a.root, b.root);
  if (!verified.ok()) return inconsistent(std::move(proof).value(), verified);
  return std::move(proof).value();
}

VerifyResult<LogStateTracker> LogStateTracker::Open(VerificationPolicy policy,
                                                    std::filesystem::path state_dir) {
  Status created = detail::CreateDirectories(state_dir);
  if (!created.ok()) return Fail(VerifyOutcome::kLocalState, created);
  std::filesystem::path file = state_dir / StateFileName(policy.log_key);
  LogStateTracker tracker(std::move(policy), std::move(file), std::nullopt);
  auto loaded = tracker.Load();
  if (!loaded.has_value()) return std::move(loaded).error();
  tracker.latest_ = std::move(loaded).value();
  return tracker;
}

VerifyResult<std::optional<ledger::SignedCheckpoint>> LogStateTracker::Load() const {
  auto contents = detail::ReadFileIfExists(state_file_, kMaxStateFileBytes);
  if (!contents.has_value()) return Fail(VerifyOutcome::kLocalState, contents.error());
  if (!contents->has_value()) return std::optional<ledger::SignedCheckpoint>();
  auto saved = VerifyCheckpoint(policy_, **contents, QuorumCheck::kSkip);
  if (!saved.has_value()) {
    return Fail(VerifyOutcome::kLocalState,
                Status::DataLoss("saved state " + state_file_.string() +
                                 " does not verify: " + saved.error().ToString()));
  }
  return std::optional<ledger::SignedCheckpoint>(std::move(saved).value());
}

Status LogStateTracker::Save(const ledger::SignedCheckpoint& checkpoint) {
  LTL_RETURN_IF_ERROR(detail::WriteFileAtomically(state_file_, checkpoint.wire));
  latest_ = checkpoint;
  return Status::Ok();
}

VerifyResult<CheckpointUpdate> LogStateTracker::Update(std::string_view wire, TileReader& reader) {
  auto offered = VerifyCheckpoint(policy_, wire, QuorumCheck::kEnforce);
  if (!offered.has_value()) return std::move(offered).error();

  std::filesystem::path lock_path = state_file_;
  lock_path += ".lock";
  auto lock = detail::FileLock::Acquire(lock_path);
  if (!lock.has_value()) return Fail(VerifyOutcome::kLocalState, lock.error());
  auto reloaded = Load();
  if (!reloaded.has_value()) return std::move(reloaded).error();
  latest_ = std::move(reloaded).value();
  return UpdateLocked(std::move(offered).value(), reader);
}

VerifyResult<CheckpointUpdate> LogStateTracker::UpdateLocked(ledger::SignedCheckpoint offered,
                                                             TileReader& reader) {
  CheckpointUpdate update;
  if (!latest_.has_value()) {
    if (Status s = Save(offered); !s.ok()) return Fail(VerifyOutcome::kLocalState, s);
    update.kind = CheckpointUpdate::Kind::kFirstUse;
    update.current = *latest_;
    update.offered = std::move(offered);
    return update;
  }
  const ledger::SignedCheckpoint& trusted = *latest_;
  const uint64_t old_size = trusted.checkpoint.size;
  const uint64_t new_size = offered.checkpoint.size;

  if (new_size < old_size) {
    auto proof = ProveConsistent(offered, trusted, reader);
    if (!proof.has_value()) return std::move(proof).error();
    update.kind = CheckpointUpdate::Kind::kOlder;
    update.proof = std::move(proof).value();
    update.current = trusted;
    update.offered = std::move(offered);
    return update;
  }

  auto proof = ProveConsistent(trusted, offered, reader);
  if (!proof.has_value()) return std::move(proof).error();
  update.proof = std::move(proof).value();
  if (new_size == old_size) {
    update.kind = CheckpointUpdate::Kind::kUnchanged;
    // Keep whichever copy more trusted witnesses vouch for.
    if (offered.verified_by.size() > trusted.verified_by.size()) {
      if (Status s = Save(offered); !s.ok()) return Fail(VerifyOutcome::kLocalState, s);
    }
  } else {
    if (Status s = Save(offered); !s.ok()) return Fail(VerifyOutcome::kLocalState, s);
    update.kind = CheckpointUpdate::Kind::kAdvanced;
  }
  update.current = *latest_;
  update.offered = std::move(offered);
  return update;
}

VerifyResult<CheckpointUpdate> LogStateTracker::Refresh(Fetcher& fetcher, TileReader& reader) {
  auto wire = GetBody(fetcher, "/checkpoint");
  if (!wire.has_value()) return FailFetch(wire.error());
  return Update(*wire, reader);
}

}  // namespace ltl::client
