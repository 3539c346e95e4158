// Timestamped Ed25519 witness cosignatures: C2SP tlog-cosignature v1.0.1.
//
// A cosignature is a signed-note signature line on a checkpoint, made with a
// key of type 0x04 (KeyType::kCosignatureV1):
//
//   — <cosigner name> base64(key ID[4] || timestamp[8] || Ed25519 signature[64])
//
// The timestamp is big-endian POSIX seconds, at most 2^63-1. The Ed25519
// signature covers
//
//   "cosignature/v1\n" "time " <timestamp in decimal, no leading zeros> "\n"
//   <the whole checkpoint text, extension lines included, final "\n" included>
//
// Meaning: as of that time, the largest consistent tree the cosigner has seen
// for the checkpoint's origin has this size and root. Byte-exact description
// and a worked example: docs/formats.md#cosignatures.
// Thread-safety: pure functions over values.
#ifndef LTL_LEDGER_COSIGNATURE_H_
#define LTL_LEDGER_COSIGNATURE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "ledger/keys.h"
#include "ledger/note.h"

namespace ltl::ledger {

// Largest timestamp the spec allows (2^63 - 1).
inline constexpr uint64_t kMaxCosignatureTimestamp = (uint64_t{1} << 63) - 1;
// timestamp(8) || Ed25519 signature(64): NoteSignature::signature for a cosignature.
inline constexpr size_t kCosignatureSize = 8 + kEd25519SignatureSize;

// The exact bytes a cosigner signs (see above).
// REQUIRES: checkpoint_text is a checkpoint text (ends in "\n").
std::string CosignatureMessage(std::string_view checkpoint_text, uint64_t timestamp);

// Cosigns a checkpoint text (the note text, without blank line or signatures).
// Errors: InvalidArgument if the key is not of type kCosignatureV1, if the
// text is not a valid checkpoint text (ParseCheckpointText), or if timestamp >
// kMaxCosignatureTimestamp.
Result<NoteSignature> Cosign(std::string_view checkpoint_text, const SigningKey& cosigner_key,
                             uint64_t timestamp);

// Verifies `signature` as `cosigner_key`'s cosignature over `checkpoint_text`
// and returns its timestamp.
// Errors: InvalidArgument if the key is not of type kCosignatureV1, the text is
//   not a valid checkpoint text, or the signature is not 72 bytes or carries a
//   timestamp above kMaxCosignatureTimestamp;
//   PermissionDenied if the line's (name, key ID) is not the key's, or the
//   Ed25519 signature does not verify.
Result<uint64_t> VerifyCosignature(std::string_view checkpoint_text, const NoteSignature& signature,
                                   const VerifierKey& cosigner_key);

}  // namespace ltl::ledger

#endif  // LTL_LEDGER_COSIGNATURE_H_
