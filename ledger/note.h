// C2SP signed-note v1.0.0: parsing, formatting, signing and verifying.
//
// Wire form (docs/formats.md#signed-notes):
//   <text: one or more lines, each ending in "\n">
//   "\n"
//   one or more "— <key name> <base64(4-byte key ID || signature bytes)>\n"
// The em dash is U+2014 (e2 80 94) followed by one space. The signed message is
// the text including its final newline, without the blank separator line.
// The whole note is UTF-8 without control characters other than "\n".
//
// As the spec allows, the text may contain empty lines: the text ends at the
// LAST empty line of the note. LTL additionally rejects a text whose final line
// is empty (that is, two blank lines before the signatures), so a doubled
// separator is reported instead of being folded into the signed text.
//
// Parsing is strict and checks form only; OpenNote() checks signatures.
// Signature lines are type-agnostic: any name, any key ID and >= 1 signature
// byte parse, so lines by unknown or future key types (ML-DSA, ...) are kept
// and skipped at verification, never rejected.
// Limits: at most kMaxNoteSignatures signature lines, kMaxNoteSize bytes.
// Compatible with Go's golang.org/x/mod/sumdb/note (same bytes signed, same
// notes produced); LTL is stricter in three places: non-canonical base64 is
// rejected, a text ending in an empty line is rejected, and every repeated
// line by a known key is verified (Go checks the first only).
// Thread-safety: pure functions over values.
#ifndef LTL_LEDGER_NOTE_H_
#define LTL_LEDGER_NOTE_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/encoding.h"
#include "base/result.h"
#include "ledger/keys.h"

namespace ltl::ledger {

inline constexpr size_t kMaxNoteSignatures = 100;
inline constexpr size_t kMaxNoteSize = 1 << 20;

struct NoteSignature {
  std::string name;  // key name as written on the signature line
  uint32_t key_id = 0;
  Bytes signature;  // the bytes after the 4-byte key ID (64 for Ed25519,
                    // 72 = timestamp || signature for cosignature/v1)
  friend bool operator==(const NoteSignature&, const NoteSignature&) = default;
};

struct Note {
  std::string text;  // ends with "\n"; the signed message
  std::vector<NoteSignature> signatures;
  friend bool operator==(const Note&, const Note&) = default;
};

// Checks that `text` is a valid note text: non-empty, at most kMaxNoteSize
// bytes, valid UTF-8, no control characters but "\n", ends in "\n", last line
// not empty (docs/formats.md#signed-notes). Errors: InvalidArgument.
Status ValidateNoteText(std::string_view text);

// Strict parse of a signed note (form only, signatures unchecked). Requires at
// least one signature line; keeps every line, duplicates included, in order.
// Errors: InvalidArgument with a reason (also for the size and count limits).
Result<Note> ParseNote(std::string_view wire);

// The wire form; ParseNote(FormatNote(n)) == n for any valid n.
std::string FormatNote(const Note& note);

// Signs `text` with `key` (Ed25519 note signature, type 0x01).
// REQUIRES: key.verifier().type() == KeyType::kEd25519 (aborts otherwise:
// cosignatures need a timestamp, see Cosign in ledger/cosignature.h).
// `text` should satisfy ValidateNoteText; it is signed as given.
NoteSignature SignText(std::string_view text, const SigningKey& key);

// Adds `key`'s signature to a note. `text_or_note` is either a bare note text
// (without empty lines) or an already signed note (co-signing); input with an
// empty line is parsed as a signed note. A signature by the same (name, key
// ID) already present is removed; the new one is appended after the others,
// which keep their order (as Go's note.Sign). Signing twice is idempotent.
// Errors: InvalidArgument for a non-Ed25519 key or malformed input;
// ResourceExhausted if the result would exceed kMaxNoteSignatures/kMaxNoteSize.
Result<std::string> SignNote(std::string_view text_or_note, const SigningKey& key);

struct VerifiedNote {
  Note note;
  std::vector<VerifierKey> verified_by;  // the known keys whose signatures verified
};

// Parses and verifies a note against `known` keys, as signed-note requires:
// signatures whose (name, key ID) match no known key are ignored; a signature
// that matches a known key but does not verify is an error (PermissionDenied),
// and every such line is checked, repeated ones included; at least one known
// key must have verified (else PermissionDenied).
// Cosignature keys (type 0x04) verify cosignature/v1 lines over the note text
// (which must then be a checkpoint text).
// verified_by lists each verifying key once, in signature-line order.
// Errors: InvalidArgument for a malformed note, or when a signature line's
// (name, key ID) matches two different keys in `known`; PermissionDenied as above.
Result<VerifiedNote> OpenNote(std::string_view wire, std::span<const VerifierKey> known);

}  // namespace ltl::ledger

#endif  // LTL_LEDGER_NOTE_H_
