#include "ledger/cosignature.h"

#include <algorithm>

#include "ledger/checkpoint.h"

namespace ltl::ledger {

std::string CosignatureMessage(std::string_view checkpoint_text, uint64_t timestamp) {
  std::string message = "cosignature/v1\ntime ";
  message += FormatDecimalU64(timestamp);
  message += '\n';
  message += checkpoint_text;
  return message;
}

Result<NoteSignature> Cosign(std::string_view checkpoint_text, const SigningKey& cosigner_key,
                             uint64_t timestamp) {
  if (cosigner_key.verifier().type() != KeyType::kCosignatureV1) {
    return Status::InvalidArgument("cosign: key is not a cosignature/v1 (type 0x04) key");
  }
  if (timestamp > kMaxCosignatureTimestamp) {
    return Status::InvalidArgument("cosign: timestamp above 2^63-1");
  }
  auto parsed = ParseCheckpointText(checkpoint_text);
  if (!parsed) return parsed.error().WithContext("cosign");

  const std::string message = CosignatureMessage(checkpoint_text, timestamp);
  const auto ed25519 = cosigner_key.SignEd25519(AsBytes(message));
  NoteSignature sig{.name = cosigner_key.name(), .key_id = cosigner_key.key_id(), .signature = {}};
  AppendBigEndian64(sig.signature, timestamp);
  sig.signature.insert(sig.signature.end(), ed25519.begin(), ed25519.end());
  return sig;
}

Result<uint64_t> VerifyCosignature(std::string_view checkpoint_text, const NoteSignature& signature,
                                   const VerifierKey& cosigner_key) {
  if (cosigner_key.type() != KeyType::kCosignatureV1) {
    return Status::InvalidArgument("cosignature: key is not a cosignature/v1 (type 0x04) key");
  }
  auto parsed = ParseCheckpointText(checkpoint_text);
  if (!parsed) return parsed.error().WithContext("cosignature");
  if (signature.signature.size() != kCosignatureSize) {
    return Status::InvalidArgument("cosignature: not timestamp(8) || Ed25519 signature(64)");
  }
  const uint64_t timestamp = GetBigEndian64(signature.signature.data());
  if (timestamp > kMaxCosignatureTimestamp) {
    return Status::InvalidArgument("cosignature: timestamp above 2^63-1");
  }
  if (signature.name != cosigner_key.name() || signature.key_id != cosigner_key.key_id()) {
    return Status::PermissionDenied("cosignature: signature line is not by this key");
  }
  const std::string message = CosignatureMessage(checkpoint_text, timestamp);
  if (!cosigner_key.VerifyEd25519(AsBytes(message), ByteSpan(signature.signature).subspan(8))) {
    return Status::PermissionDenied("cosignature: Ed25519 signature does not verify");
  }
  return timestamp;
}

}  // namespace ltl::ledger
