// Transparency-log checkpoints: C2SP tlog-checkpoint v1.0.0.
//
// A checkpoint is a signed note whose text is
//
//   <origin>\n                 non-empty; by LTL policy equal to the log key name
//   <tree size>\n              decimal, no leading zeros ("0" for the empty tree)
//   <base64 root hash>\n       44 characters: standard base64 of 32 bytes
//   [<extension line>\n ...]   optional, each non-empty, opaque
//
// followed by a blank line and signature lines (ledger/note.h): the log's own
// Ed25519 signature and any witness cosignatures (ledger/cosignature.h).
// Byte-exact description and examples: docs/formats.md#checkpoints.
// Thread-safety: values and pure functions.
#ifndef LTL_LEDGER_CHECKPOINT_H_
#define LTL_LEDGER_CHECKPOINT_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "ledger/keys.h"
#include "ledger/note.h"
#include "proofs/hash.h"

namespace ltl::ledger {

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  proofs::Hash root{};
  std::vector<std::string> extensions;  // without their "\n"
  friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
};

// Strict parse of a checkpoint text (the note text only, final "\n"
// included). Errors: InvalidArgument naming the offending line: fewer than
// three lines, empty origin or extension line, size not canonical decimal,
// root not 44 characters of canonical base64 for 32 bytes, text not ending in
// "\n", or any note-text violation (ValidateNoteText).
Result<Checkpoint> ParseCheckpointText(std::string_view text);

// Checks what FormatCheckpointText needs to produce a parseable text: origin
// and extension lines non-empty, without "\n", and the result a valid note
// text. Errors: InvalidArgument.
Status ValidateCheckpoint(const Checkpoint& checkpoint);

// The checkpoint text. REQUIRES: ValidateCheckpoint(checkpoint).ok(); then
// ParseCheckpointText(FormatCheckpointText(c)) == c.
std::string FormatCheckpointText(const Checkpoint& checkpoint);

// The wire form of `checkpoint` signed by the log key (a signed note with one
// signature line). Errors: InvalidArgument if the checkpoint is invalid, if
// the key is not an Ed25519 (type 0x01) key, or if the key name differs from
// the origin (OpenCheckpoint would refuse the result).
Result<std::string> SignCheckpoint(const Checkpoint& checkpoint, const SigningKey& log_key);

struct SignedCheckpoint {
  Checkpoint checkpoint;
  Note note;         // as parsed, every signature line kept
  std::string wire;  // the exact bytes verified
  // The keys from `witnesses` whose cosignatures verified, in the order they
  // were given (each at most once). The log key is not listed: it always
  // verified, and counting it as a witness would weaken K-of-N policies.
  std::vector<VerifierKey> verified_by;
};

// Opens a signed checkpoint: the log key's signature must be present and valid;
// witness cosignatures that are present must be valid; signatures by keys in
// neither set are ignored (signed-note semantics, see OpenNote).
// Errors: InvalidArgument for a malformed note or checkpoint text, or for
//   ambiguous keys; PermissionDenied if the log key did not sign, if any
//   known key's signature fails, or if the origin differs from the log key
//   name (C2SP recommends key name == origin; LTL requires it, so a log key
//   cannot vouch for another log's tree).
Result<SignedCheckpoint> OpenCheckpoint(std::string_view wire, const VerifierKey& log_key,
                                        std::span<const VerifierKey> witnesses = {});

}  // namespace ltl::ledger

#endif  // LTL_LEDGER_CHECKPOINT_H_
