#include "node/witness.h"

#include <chrono>
#include <utility>

#include "base/encoding.h"
#include "ledger/checkpoint.h"
#include "ledger/cosignature.h"
#include "ledger/note.h"
#include "node/witness_evidence.h"
#include "proofs/consistency.h"

namespace ltl::node {
namespace {

// 44 characters: standard base64 of 32 bytes with one '=' of padding.
constexpr size_t kBase64HashSize = 44;

Response SizeConflict(uint64_t size) {
  Response r;
  r.status = 409;
  r.content_type = std::string(kTlogSizeContentType);
  r.body = FormatDecimalU64(size) + "\n";
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

Response Unprocessable(std::string_view message) {
  return ErrorResponse(422, "inconsistent", message);
}

uint64_t SystemNow() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

// The signature lines of `signatures` as they appear in a note, each ending
// in "\n": FormatNote is the one encoder of signature lines.
std::string SignatureLines(const std::string& text, std::vector<ledger::NoteSignature> signatures) {
  std::string note = ledger::FormatNote(ledger::Note{text, std::move(signatures)});
  return note.substr(text.size() + 1);
}

// Why a refusal is decided inside the store transaction: the answer to send.
struct Refusal {
  enum class Kind { kSizeMismatch, kSameSizeOtherRoot, kBadProof, kBadEmptyTree };
  Kind kind = Kind::kSizeMismatch;
  uint64_t stored_size = 0;
  std::string stored_note;
  std::string detail;
};

}  // namespace

Result<AddCheckpointRequest> ParseAddCheckpointRequest(std::string_view body) {
  AddCheckpointRequest out;
  size_t line_number = 0;
  auto next_line = [&](std::string_view& line) -> Status {
    ++line_number;
    size_t newline = body.find('\n');
    if (newline == std::string_view::npos) {
      return Status::InvalidArgument("add-checkpoint: line " + std::to_string(line_number) +
                                     " does not end in a newline");
    }
    line = body.substr(0, newline);
    body.remove_prefix(newline + 1);
    return Status::Ok();
  };
  std::string_view line;
  LTL_RETURN_IF_ERROR(next_line(line));
  if (!line.starts_with("old ")) {
    return Status::InvalidArgument("add-checkpoint: first line is not 'old <size>'");
  }
  Result<uint64_t> old_size = ParseDecimalU64(line.substr(4));
  if (!old_size) {
    return Status::InvalidArgument("add-checkpoint: old size is not a canonical decimal");
  }
  out.old_size = *old_size;
  for (;;) {
    LTL_RETURN_IF_ERROR(next_line(line));
    if (line.empty()) break;
    if (out.proof.size() == kMaxWitnessProofLines) {
      return Status::InvalidArgument("add-checkpoint: more than 63 proof lines");
    }
    Result<Bytes> hash =
        line.size() == kBase64HashSize ? Base64Decode(line) : Status::InvalidArgument("length");
    if (!hash || hash->size() != proofs::kHashSize) {
      return Status::InvalidArgument("add-checkpoint: line " + std::to_string(line_number) +
                                     " is not the base64 of a 32-byte hash");
    }
    LTL_ASSIGN_OR_RETURN(proofs::Hash h, proofs::HashFromBytes(*hash));
    out.proof.push_back(h);
  }
  if (body.empty()) return Status::InvalidArgument("add-checkpoint: no checkpoint after the proof");
  out.checkpoint = std::string(body);
  return out;
}

std::string FormatAddCheckpointRequest(const AddCheckpointRequest& request) {
  std::string out = "old " + FormatDecimalU64(request.old_size) + "\n";
  for (const proofs::Hash& h : request.proof) out += Base64Encode(h) + "\n";
  out += "\n";
  out += request.checkpoint;
  return out;
}

Result<uint64_t> ParseTlogSizeBody(std::string_view body) {
  if (body.empty() || body.back() != '\n') {
    return Status::InvalidArgument("text/x.tlog.size: want '<size>\\n'");
  }
  Result<uint64_t> size = ParseDecimalU64(body.substr(0, body.size() - 1));
  if (!size) return Status::InvalidArgument("text/x.tlog.size: not a canonical decimal");
  return size;
}

Result<std::unique_ptr<Witness>> Witness::Create(ledger::SigningKey key,
                                                 std::vector<ledger::VerifierKey> logs,
                                                 store::WitnessStore& store,
                                                 WitnessOptions options) {
  if (key.verifier().type() != ledger::KeyType::kCosignatureV1) {
    return Status::InvalidArgument("witness key must be a cosignature/v1 (type 0x04) key");
  }
  if (logs.empty()) return Status::InvalidArgument("a witness needs at least one log to witness");
  for (size_t i = 0; i < logs.size(); ++i) {
    if (logs[i].type() != ledger::KeyType::kEd25519) {
      return Status::InvalidArgument("witnessed log key " + logs[i].name() +
                                     " is not an Ed25519 note key");
    }
    for (size_t j = 0; j < i; ++j) {
      if (logs[j].name() == logs[i].name()) {
        return Status::InvalidArgument("two witnessed log keys for origin " + logs[i].name());
      }
    }
  }
  if (!options.now_unix_seconds) options.now_unix_seconds = SystemNow;
  return std::unique_ptr<Witness>(
      new Witness(std::move(key), std::move(logs), store, std::move(options)));
}

const ledger::VerifierKey* Witness::FindLog(std::string_view origin) const {
  for (const ledger::VerifierKey& k : logs_) {
    if (k.name() == origin) return &k;
  }
  return nullptr;
}

void Witness::KeepEvidence(const std::string& origin, const std::string& offered,
                           std::string document) {
  std::lock_guard<std::mutex> lock(evidence_mu_);
  auto it = last_refused_.find(origin);
  if (it != last_refused_.end() && it->second == offered) return;
  // Best effort: a failure to keep evidence must not turn a refusal into a
  // cosignature, and the refusal is answered either way.
  if (store_.AddEvidence(document).has_value()) last_refused_[origin] = offered;
}

Response Witness::AddCheckpoint(std::string_view body) {
  Result<AddCheckpointRequest> request = ParseAddCheckpointRequest(body);
  if (!request) return ErrorResponse(request.error(), 1);
  Result<ledger::Note> note = ledger::ParseNote(request->checkpoint);
  if (!note) return ErrorResponse(note.error().WithContext("checkpoint"), 1);
  Result<ledger::Checkpoint> text = ledger::ParseCheckpointText(note->text);
  if (!text) return ErrorResponse(text.error(), 1);
  const ledger::VerifierKey* log_key = FindLog(text->origin);
  if (log_key == nullptr) {
    return ErrorResponse(404, "unknown_log",
                         "this witness does not witness origin " + text->origin);
  }
  Result<ledger::SignedCheckpoint> opened = ledger::OpenCheckpoint(request->checkpoint, *log_key);
  if (!opened) {
    if (opened.error().code() == StatusCode::kPermissionDenied) {
      return ErrorResponse(403, "bad_signature",
                           "no valid signature by the log's key: " + opened.error().message());
    }
    return ErrorResponse(opened.error(), 1);
  }
  const ledger::Checkpoint& checkpoint = opened->checkpoint;
  if (request->old_size > checkpoint.size) {
    return ErrorResponse(400, "old_size_too_large",
                         "old size " + FormatDecimalU64(request->old_size) +
                             " is larger than the checkpoint's size " +
                             FormatDecimalU64(checkpoint.size));
  }

  store::CheckpointRecord next{checkpoint.origin, checkpoint.size, checkpoint.root,
                               request->checkpoint};
  std::optional<Refusal> refusal;
  Status stored = store_.Advance(next, [&](const std::optional<store::CheckpointRecord>& current) {
    const uint64_t stored_size = current ? current->size : 0;
    auto refuse = [&](Refusal::Kind kind, std::string detail) {
      refusal =
          Refusal{kind, stored_size, current ? current->note : std::string(), std::move(detail)};
      return Status::FailedPrecondition("refused");
    };
    if (request->old_size != stored_size) return refuse(Refusal::Kind::kSizeMismatch, "");
    if (request->old_size == 0) {
      if (!request->proof.empty()) {
        return refuse(Refusal::Kind::kBadProof, "the proof must be empty for old size 0");
      }
      if (!current && checkpoint.size == 0 && checkpoint.root != proofs::EmptyRoot()) {
        return refuse(Refusal::Kind::kBadEmptyTree, "an empty tree's root must be SHA-256(\"\")");
      }
      if (current && checkpoint.size == 0 && checkpoint.root != current->root) {
        return refuse(Refusal::Kind::kSameSizeOtherRoot, "same size, different root");
      }
      return Status::Ok();
    }
    if (checkpoint.size == stored_size) {
      if (checkpoint.root != current->root) {
        return refuse(Refusal::Kind::kSameSizeOtherRoot, "same size, different root");
      }
      if (!request->proof.empty()) {
        return refuse(Refusal::Kind::kBadProof, "the proof must be empty for equal sizes");
      }
      return Status::Ok();
    }
    Status consistent = proofs::VerifyConsistency(stored_size, checkpoint.size, request->proof,
                                                  current->root, checkpoint.root);
    if (!consistent.ok()) return refuse(Refusal::Kind::kBadProof, consistent.message());
    return Status::Ok();
  });

  if (refusal) {
    if (refusal->kind == Refusal::Kind::kSizeMismatch) return SizeConflict(refusal->stored_size);
    if (refusal->kind == Refusal::Kind::kBadEmptyTree) return Unprocessable(refusal->detail);
    NetworkEvidence evidence{
        .kind = "witness_refused",
        .origin = checkpoint.origin,
        .detected_unix = static_cast<int64_t>(options_.now_unix_seconds()),
        .source = "add-checkpoint",
        .reason = refusal->detail,
        .old_size = refusal->stored_size,
        .new_size = checkpoint.size,
        .old_checkpoint = refusal->stored_note,
        .new_checkpoint = request->checkpoint,
        .proof = request->proof,
    };
    KeepEvidence(checkpoint.origin, request->checkpoint, NetworkEvidenceJson(evidence));
    if (refusal->kind == Refusal::Kind::kSameSizeOtherRoot) {
      return SizeConflict(refusal->stored_size);
    }
    return Unprocessable("consistency proof from " + FormatDecimalU64(refusal->stored_size) +
                         " to " + FormatDecimalU64(checkpoint.size) +
                         " does not verify: " + refusal->detail);
  }
  if (!stored.ok()) return ErrorResponse(stored, 1);

  Result<ledger::NoteSignature> cosignature =
      ledger::Cosign(opened->note.text, key_, options_.now_unix_seconds());
  if (!cosignature) return ErrorResponse(cosignature.error(), 1);
  Response r;
  r.content_type = "text/plain; charset=utf-8";
  r.body = SignatureLines(opened->note.text, {std::move(*cosignature)});
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

namespace {

class NoLogBackend final : public LogBackend {
 public:
  Result<std::string> Checkpoint() override { return None(); }
  Result<Bytes> Tile(uint8_t, uint64_t, uint16_t) override { return None(); }
  Result<Bytes> EntryBundle(uint64_t, uint16_t) override { return None(); }
  Result<std::string> Entry(uint64_t) override { return None(); }
  Result<std::optional<uint64_t>> IndexByEntryRef(const proofs::Hash&) override { return None(); }
  Result<std::vector<proofs::Hash>> InclusionProof(uint64_t, uint64_t) override { return None(); }
  Result<std::vector<proofs::Hash>> ConsistencyProof(uint64_t, uint64_t) override { return None(); }
  Result<LookupPage> Lookup(LookupKind, std::string_view, uint64_t, uint32_t) override {
    return None();
  }
  void Submit(std::string, SubmitCallback done) override { done(None()); }
  Status Health() override { return Status::Ok(); }
  BackendStats Stats() override { return BackendStats{}; }

 private:
  static Status None() { return Status::NotFound("this node serves no log (it is a witness)"); }
};

}  // namespace

std::unique_ptr<LogBackend> MakeNoLogBackend() { return std::make_unique<NoLogBackend>(); }

}  // namespace ltl::node
