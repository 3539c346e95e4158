#include "ledger/checkpoint.h"

#include <algorithm>

namespace ltl::ledger {
namespace {

// base64 of 32 bytes: 43 symbols and one '='.
constexpr size_t kRootBase64Size = 44;

}  // namespace

Result<Checkpoint> ParseCheckpointText(std::string_view text) {
  LTL_RETURN_IF_ERROR(ValidateNoteText(text).WithContext("checkpoint"));
  // ValidateNoteText guarantees a final "\n"; split into lines without it.
  std::vector<std::string_view> lines;
  std::string_view rest = text;
  while (!rest.empty()) {
    const size_t eol = rest.find('\n');
    lines.push_back(rest.substr(0, eol));
    rest.remove_prefix(eol + 1);
  }
  if (lines.size() < 3) {
    return Status::InvalidArgument("checkpoint: want origin, size and root hash lines");
  }
  Checkpoint c;
  if (lines[0].empty()) return Status::InvalidArgument("checkpoint: empty origin line");
  c.origin = std::string(lines[0]);

  auto size = ParseDecimalU64(lines[1]);
  if (!size) return size.error().WithContext("checkpoint: tree size line");
  c.size = *size;

  if (lines[2].size() != kRootBase64Size) {
    return Status::InvalidArgument("checkpoint: root hash line is not 44 base64 characters");
  }
  auto root = Base64Decode(lines[2]);
  if (!root) return root.error().WithContext("checkpoint: root hash line");
  auto hash = proofs::HashFromBytes(*root);
  if (!hash) return hash.error().WithContext("checkpoint: root hash line");
  c.root = *hash;

  for (size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) return Status::InvalidArgument("checkpoint: empty extension line");
    c.extensions.emplace_back(lines[i]);
  }
  return c;
}

Status ValidateCheckpoint(const Checkpoint& checkpoint) {
  const auto bad_line = [](const std::string& line) {
    return line.empty() || line.find('\n') != std::string::npos;
  };
  if (bad_line(checkpoint.origin)) {
    return Status::InvalidArgument("checkpoint: origin is empty or contains a newline");
  }
  if (std::any_of(checkpoint.extensions.begin(), checkpoint.extensions.end(), bad_line)) {
    return Status::InvalidArgument("checkpoint: extension line is empty or contains a newline");
  }
  return ValidateNoteText(FormatCheckpointText(checkpoint)).WithContext("checkpoint");
}

std::string FormatCheckpointText(const Checkpoint& checkpoint) {
  std::string text = checkpoint.origin;
  text += '\n';
  text += FormatDecimalU64(checkpoint.size);
  text += '\n';
  text += Base64Encode(checkpoint.root);
  text += '\n';
  for (const std::string& line : checkpoint.extensions) {
    text += line;
    text += '\n';
  }
  return text;
}

Result<std::string> SignCheckpoint(const Checkpoint& checkpoint, const SigningKey& log_key) {
  LTL_RETURN_IF_ERROR(ValidateCheckpoint(checkpoint));
  if (log_key.verifier().type() != KeyType::kEd25519) {
    return Status::InvalidArgument("sign checkpoint: log key is not an Ed25519 (type 0x01) key");
  }
  if (log_key.name() != checkpoint.origin) {
    return Status::InvalidArgument("sign checkpoint: log key name differs from the origin");
  }
  const std::string text = FormatCheckpointText(checkpoint);
  return FormatNote(Note{.text = text, .signatures = {SignText(text, log_key)}});
}

Result<SignedCheckpoint> OpenCheckpoint(std::string_view wire, const VerifierKey& log_key,
                                        std::span<const VerifierKey> witnesses) {
  std::vector<VerifierKey> known;
  known.reserve(1 + witnesses.size());
  known.push_back(log_key);
  known.insert(known.end(), witnesses.begin(), witnesses.end());

  LTL_ASSIGN_OR_RETURN(VerifiedNote verified, OpenNote(wire, known));
  if (std::find(verified.verified_by.begin(), verified.verified_by.end(), log_key) ==
      verified.verified_by.end()) {
    return Status::PermissionDenied("checkpoint: no valid signature by the log key");
  }
  LTL_ASSIGN_OR_RETURN(Checkpoint checkpoint, ParseCheckpointText(verified.note.text));
  if (checkpoint.origin != log_key.name()) {
    return Status::PermissionDenied("checkpoint: origin \"" + checkpoint.origin +
                                    "\" is not the log key name \"" + log_key.name() + "\"");
  }

  SignedCheckpoint out;
  for (const VerifierKey& witness : witnesses) {
    const bool verified_witness =
        witness != log_key && std::find(verified.verified_by.begin(), verified.verified_by.end(),
                                        witness) != verified.verified_by.end();
    if (verified_witness && std::find(out.verified_by.begin(), out.verified_by.end(), witness) ==
                                out.verified_by.end()) {
      out.verified_by.push_back(witness);
    }
  }
  out.checkpoint = std::move(checkpoint);
  out.note = std::move(verified.note);
  out.wire = std::string(wire);
  return out;
}

}  // namespace ltl::ledger
