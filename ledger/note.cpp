#include "ledger/note.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "ledger/cosignature.h"
#include "ledger/utf8.h"

namespace ltl::ledger {
namespace {

// U+2014 EM DASH, then U+0020: the start of every signature line.
constexpr std::string_view kSignaturePrefix = "\xe2\x80\x94 ";
constexpr size_t kKeyIdSize = 4;

// Valid UTF-8 and no ASCII control character other than "\n" (DEL and C1
// controls are allowed, as in the spec and Go's implementation).
// Every byte of a signed note is checked here, so runs of printable ASCII
// (nearly all of a note) are skipped eight bytes at a time; only a lead byte
// >= 0x80 goes through the full decoder. Same verdicts as decoding every
// code point (tests/ledger/parse_equivalence_test.cpp).
Status CheckNoteCharacters(std::string_view s) {
  while (true) {
    s.remove_prefix(detail::PrintableAsciiPrefix(s));
    if (s.empty()) return Status::Ok();
    const auto b = static_cast<unsigned char>(s.front());
    if (b == '\n' || b == 0x7f) {
      s.remove_prefix(1);
      continue;
    }
    if (b < 0x20) return Status::InvalidArgument("note: control character other than newline");
    // Multi-byte sequences never decode to a C0 control: only validity counts.
    const auto cp = detail::DecodeUtf8(s);
    if (!cp) return Status::InvalidArgument("note: not valid UTF-8");
    s.remove_prefix(cp->length);
  }
}

// ValidateNoteText without the character check, for text already checked.
Status ValidateNoteShape(std::string_view text) {
  if (text.empty()) return Status::InvalidArgument("note: text is empty");
  if (text.size() > kMaxNoteSize) return Status::InvalidArgument("note: text exceeds size limit");
  if (text.back() != '\n') return Status::InvalidArgument("note: text does not end in a newline");
  if (text == "\n" || text.ends_with("\n\n")) {
    return Status::InvalidArgument("note: text ends in an empty line (two blank lines?)");
  }
  return Status::Ok();
}

// One signature line without its "\n".
Result<NoteSignature> ParseSignatureLine(std::string_view line) {
  if (!line.starts_with(kSignaturePrefix)) {
    return Status::InvalidArgument("note: signature line does not start with an em dash and space");
  }
  line.remove_prefix(kSignaturePrefix.size());
  const size_t space = line.find(' ');
  if (space == std::string_view::npos) {
    return Status::InvalidArgument("note: signature line has no space after the key name");
  }
  const std::string_view name = line.substr(0, space);
  const std::string_view b64 = line.substr(space + 1);
  LTL_RETURN_IF_ERROR(ValidateKeyName(name).WithContext("note: signature line"));
  auto raw = Base64Decode(b64);
  if (!raw) return raw.error().WithContext("note: signature line");
  if (raw->size() <= kKeyIdSize) {
    return Status::InvalidArgument("note: signature shorter than key ID plus one byte");
  }
  NoteSignature sig;
  sig.name = std::string(name);
  sig.key_id = GetBigEndian32(raw->data());
  raw->erase(raw->begin(), raw->begin() + kKeyIdSize);  // keeps the buffer: no copy
  sig.signature = std::move(raw).value();
  return sig;
}

std::string KeyLabel(const NoteSignature& sig) {
  uint8_t id[4];
  PutBigEndian32(id, sig.key_id);
  return sig.name + "+" + HexEncode(id);
}

bool VerifyWith(const VerifierKey& key, const Note& note, const NoteSignature& sig) {
  switch (key.type()) {
    case KeyType::kEd25519:
      return key.VerifyEd25519(AsBytes(note.text), sig.signature);
    case KeyType::kCosignatureV1:
      return VerifyCosignature(note.text, sig, key).has_value();
  }
  return false;
}

}  // namespace

Status ValidateNoteText(std::string_view text) {
  LTL_RETURN_IF_ERROR(ValidateNoteShape(text));
  return CheckNoteCharacters(text);
}

Result<Note> ParseNote(std::string_view wire) {
  if (wire.size() > kMaxNoteSize) return Status::InvalidArgument("note: exceeds size limit");
  LTL_RETURN_IF_ERROR(CheckNoteCharacters(wire));
  // The text ends at the last empty line (signed-note: the text may itself
  // contain empty lines; signature lines never do).
  const size_t split = wire.rfind("\n\n");
  if (split == std::string_view::npos) {
    return Status::InvalidArgument("note: no blank line before the signatures");
  }
  const std::string_view text = wire.substr(0, split + 1);
  // The text's characters were checked with the whole note above.
  LTL_RETURN_IF_ERROR(ValidateNoteShape(text));
  Note note;
  note.text = std::string(text);
  std::string_view block = wire.substr(split + 2);
  if (block.empty()) return Status::InvalidArgument("note: no signature lines");
  if (block.back() != '\n') {
    return Status::InvalidArgument("note: last signature line does not end in a newline");
  }
  while (!block.empty()) {
    if (note.signatures.size() == kMaxNoteSignatures) {
      return Status::InvalidArgument("note: more than 100 signatures");
    }
    const size_t eol = block.find('\n');  // found: block ends in "\n"
    LTL_ASSIGN_OR_RETURN(NoteSignature sig, ParseSignatureLine(block.substr(0, eol)));
    note.signatures.push_back(std::move(sig));
    block.remove_prefix(eol + 1);
  }
  return note;
}

std::string FormatNote(const Note& note) {
  std::string out = note.text;
  out += '\n';
  for (const NoteSignature& sig : note.signatures) {
    Bytes raw(kKeyIdSize);
    PutBigEndian32(raw.data(), sig.key_id);
    raw.insert(raw.end(), sig.signature.begin(), sig.signature.end());
    out += kSignaturePrefix;
    out += sig.name;
    out += ' ';
    out += Base64Encode(raw);
    out += '\n';
  }
  return out;
}

NoteSignature SignText(std::string_view text, const SigningKey& key) {
  if (key.verifier().type() != KeyType::kEd25519) {
    // A plain signature under a cosignature key ID could never verify; this is
    // a caller bug (cosignatures need a timestamp: use Cosign).
    std::fprintf(stderr, "SignText: key %s is not an Ed25519 note key\n", key.name().c_str());
    std::abort();
  }
  const auto signature = key.SignEd25519(AsBytes(text));
  return NoteSignature{.name = key.name(),
                       .key_id = key.key_id(),
                       .signature = Bytes(signature.begin(), signature.end())};
}

Result<std::string> SignNote(std::string_view text_or_note, const SigningKey& key) {
  if (key.verifier().type() != KeyType::kEd25519) {
    return Status::InvalidArgument("sign note: not an Ed25519 note key (use Cosign)");
  }
  Note note;
  if (text_or_note.find("\n\n") != std::string_view::npos) {
    // Contains an empty line, so it must be a signed note; a malformed one is
    // an error rather than a text to sign (which would bury its lines in the
    // signed text).
    LTL_ASSIGN_OR_RETURN(note, ParseNote(text_or_note));
  } else {
    LTL_RETURN_IF_ERROR(ValidateNoteText(text_or_note));
    note.text = std::string(text_or_note);
  }
  NoteSignature mine = SignText(note.text, key);
  std::erase_if(note.signatures, [&](const NoteSignature& s) {
    return s.name == mine.name && s.key_id == mine.key_id;
  });
  note.signatures.push_back(std::move(mine));
  if (note.signatures.size() > kMaxNoteSignatures) {
    return Status::ResourceExhausted("sign note: would exceed 100 signatures");
  }
  std::string wire = FormatNote(note);
  if (wire.size() > kMaxNoteSize) return Status::ResourceExhausted("sign note: exceeds size limit");
  return wire;
}

Result<VerifiedNote> OpenNote(std::string_view wire, std::span<const VerifierKey> known) {
  LTL_ASSIGN_OR_RETURN(Note note, ParseNote(wire));
  VerifiedNote out;
  for (const NoteSignature& sig : note.signatures) {
    const VerifierKey* match = nullptr;
    for (const VerifierKey& key : known) {
      if (key.name() != sig.name || key.key_id() != sig.key_id) continue;
      if (match != nullptr && !(*match == key)) {
        return Status::InvalidArgument("open note: two different known keys are " + KeyLabel(sig));
      }
      match = &key;
    }
    if (match == nullptr) continue;  // unknown signer: ignored, as the spec requires
    // Every line by a known key is checked, duplicates included: the spec says
    // a known key's signature MUST be verified.
    if (!VerifyWith(*match, note, sig)) {
      return Status::PermissionDenied("open note: invalid signature by known key " + KeyLabel(sig));
    }
    if (std::find(out.verified_by.begin(), out.verified_by.end(), *match) ==
        out.verified_by.end()) {
      out.verified_by.push_back(*match);
    }
  }
  if (out.verified_by.empty()) {
    return Status::PermissionDenied("open note: no signature by a known key");
  }
  out.note = std::move(note);
  return out;
}

}  // namespace ltl::ledger
