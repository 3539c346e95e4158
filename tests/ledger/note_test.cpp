#include "ledger/note.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ltl::ledger {
namespace {

// Known answers from Go's golang.org/x/mod/sumdb/note (note_test.go).
constexpr std::string_view kPeterPrivate =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
constexpr std::string_view kPeterVerifier =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr std::string_view kEnochVerifier =
    "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
constexpr std::string_view kText =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
constexpr std::string_view kPeterSig =
    "\xe2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
constexpr std::string_view kEnochSig =
    "\xe2\x80\x94 EnochRoot "
    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/"
    "5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

// The example at the top of C2SP signed-note.md: a text with an empty line.
constexpr std::string_view kQuasimodoNote =
    "Ognuno sta solo sul cuor della terra\n"
    "trafitto da un raggio di sole:\n"
    "\n"
    "ed \xc3\xa8 subito sera.\n"
    "\n"
    "\xe2\x80\x94 quasimodo.example/salvatore "
    "NnugSzTjtVAewIS+Z/iJhUPeFDkO/"
    "5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n";

std::string Str(std::string_view s) { return std::string(s); }

std::string PeterNote() { return Str(kText) + "\n" + Str(kPeterSig); }

VerifierKey Peter() { return VerifierKey::Parse(kPeterVerifier).value(); }
VerifierKey Enoch() { return VerifierKey::Parse(kEnochVerifier).value(); }

// Replaces `from` by `to` (first occurrence) in `s`.
std::string Replace(std::string s, std::string_view from, std::string_view to) {
  const size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

void ExpectInvalid(std::string_view wire, std::string_view why) {
  auto note = ParseNote(wire);
  ASSERT_FALSE(note.has_value()) << why;
  EXPECT_EQ(note.error().code(), StatusCode::kInvalidArgument) << why;
  const VerifierKey known[] = {Peter()};
  EXPECT_FALSE(OpenNote(wire, known).has_value()) << why;
}

// ---------------------------------------------------------------------------
// Known answers

TEST(SignNoteTest, MatchesGoKnownAnswer) {
  auto key = SigningKey::ParsePrivateKey(kPeterPrivate);
  ASSERT_TRUE(key.has_value());
  auto wire = SignNote(kText, *key);
  ASSERT_TRUE(wire.has_value()) << wire.error();
  EXPECT_EQ(*wire, PeterNote());
}

TEST(ParseNoteTest, DecodesGoKnownAnswer) {
  auto note = ParseNote(PeterNote());
  ASSERT_TRUE(note.has_value()) << note.error();
  EXPECT_EQ(note->text, kText);
  ASSERT_EQ(note->signatures.size(), 1u);
  EXPECT_EQ(note->signatures[0].name, "PeterNeumann");
  EXPECT_EQ(note->signatures[0].key_id, 0xc74f20a3u);
  EXPECT_EQ(note->signatures[0].signature.size(), kEd25519SignatureSize);
}

TEST(ParseNoteTest, SpecExampleWithEmptyLineInTextSplitsAtLastEmptyLine) {
  auto note = ParseNote(kQuasimodoNote);
  ASSERT_TRUE(note.has_value()) << note.error();
  EXPECT_EQ(note->text,
            "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\n"
            "ed \xc3\xa8 subito sera.\n");
  ASSERT_EQ(note->signatures.size(), 1u);
  EXPECT_EQ(note->signatures[0].name, "quasimodo.example/salvatore");
  EXPECT_EQ(FormatNote(*note), kQuasimodoNote);
}

TEST(ParseNoteTest, FormatIsTheExactInverse) {
  const std::string wires[] = {PeterNote(), Str(kText) + "\n" + Str(kPeterSig) + Str(kEnochSig),
                               Str(kQuasimodoNote)};
  for (const std::string& wire : wires) {
    auto note = ParseNote(wire);
    ASSERT_TRUE(note.has_value()) << note.error();
    EXPECT_EQ(FormatNote(*note), wire);
  }
}

TEST(ParseNoteTest, KeepsUnknownTypesAndDuplicateLinesInOrder) {
  // A long signature from an unknown scheme (ML-DSA-44 size) must parse.
  Bytes long_sig(4 + 2420, 0x5a);
  const std::string mldsa = "\xe2\x80\x94 witness.example/pq " + Base64Encode(long_sig) + "\n";
  const std::string wire = Str(kText) + "\n" + Str(kPeterSig) + mldsa + Str(kPeterSig);
  auto note = ParseNote(wire);
  ASSERT_TRUE(note.has_value()) << note.error();
  ASSERT_EQ(note->signatures.size(), 3u);
  EXPECT_EQ(note->signatures[1].signature.size(), 2420u);
  EXPECT_EQ(note->signatures[0], note->signatures[2]);
}

TEST(ParseNoteTest, AcceptsMinimalFiveByteSignature) {
  auto note = ParseNote("a\n\n\xe2\x80\x94 k AAAAAAA=\n");
  ASSERT_TRUE(note.has_value()) << note.error();
  EXPECT_EQ(note->signatures[0].signature, Bytes{0x00});
}

// ---------------------------------------------------------------------------
// Rejections: each class a parser must refuse.

TEST(ParseNoteTest, RejectsGoMalformedNotes) {
  ExpectInvalid(kText, "no signature block");
  ExpectInvalid(Str(kText) + "\n", "no signature lines");
  ExpectInvalid(PeterNote().substr(0, PeterNote().size() - 1), "missing final newline");
  ExpectInvalid("\x01" + PeterNote(), "control character");
  ExpectInvalid("\xff" + PeterNote(), "invalid UTF-8");
  ExpectInvalid(Str(kText) + "\n" + Replace(Str(kPeterSig), "PeterNeumann", "Bad Name"),
                "space in name");
  ExpectInvalid(PeterNote() + "Unexpected line.\n", "trailing line");
}

TEST(ParseNoteTest, RejectsBadBase64) {
  // Non-canonical: the unused low bits of the last symbol are not zero. (Go's
  // decoder accepts this spelling; two spellings must not both verify.)
  ExpectInvalid(Replace(PeterNote(), "nAM=", "nAN="), "non-zero padding bits");
  ExpectInvalid(Replace(PeterNote(), "nAM=", "nAM"), "missing padding");
  ExpectInvalid(Replace(PeterNote(), "nAM=", "nAM=="), "extra padding");
  ExpectInvalid(Replace(PeterNote(), "x08go/", "x08go_"), "URL alphabet");
  ExpectInvalid(Replace(PeterNote(), "x08go/", "x08go /"), "space inside base64");
  ExpectInvalid(Replace(PeterNote(), "PeterNeumann x08", "PeterNeumann  x08"), "two spaces");
  ExpectInvalid(Str(kText) + "\n\xe2\x80\x94 PeterNeumann \n", "empty signature");
  ExpectInvalid(Str(kText) + "\n\xe2\x80\x94 PeterNeumann\n", "no signature at all");
  ExpectInvalid(Str(kText) + "\n\xe2\x80\x94 PeterNeumann AAAAAA==\n", "4 bytes: key ID only");
}

TEST(ParseNoteTest, RejectsControlCharactersAnywhere) {
  for (char c : {'\r', '\t', '\x00', '\x1f', '\x0b'}) {
    const std::string in_text = Replace(PeterNote(), "answer", std::string("ans") + c + "wer");
    ExpectInvalid(in_text, "control character in text");
    const std::string in_sig = Replace(PeterNote(), "nAM=\n", std::string("nAM=") + c + "\n");
    ExpectInvalid(in_sig, "control character in signature line");
  }
  // CRLF line endings are not newlines.
  ExpectInvalid(Replace(PeterNote(), "problem,\n", "problem,\r\n"), "CRLF");
}

TEST(ParseNoteTest, RejectsInvalidUtf8) {
  ExpectInvalid(Replace(PeterNote(), "answer", "answ\xc0\xafr"), "overlong");
  ExpectInvalid(Replace(PeterNote(), "answer", "answ\xed\xa0\x80r"), "surrogate");
  ExpectInvalid(Replace(PeterNote(), "answer", "answ\x80r"), "lone continuation byte");
  ExpectInvalid(Replace(PeterNote(), "answer", "answ\xe2\x80r"), "truncated sequence");
  ExpectInvalid(Replace(PeterNote(), "answer", "answ\xf5\x80\x80\x80r"), "above U+10FFFF");
}

TEST(ParseNoteTest, RejectsBadKeyNamesOnSignatureLines) {
  ExpectInvalid(Replace(PeterNote(), "PeterNeumann", "Peter+Neumann"), "plus in name");
  ExpectInvalid(Replace(PeterNote(), "\xe2\x80\x94 PeterNeumann", "\xe2\x80\x94  PeterNeumann"),
                "empty name");
  ExpectInvalid(Replace(PeterNote(), "PeterNeumann", "Peter\xc2\xa0Neumann"), "no-break space");
}

TEST(ParseNoteTest, RejectsSignatureLinesWithoutEmDash) {
  ExpectInvalid(Replace(PeterNote(), "\xe2\x80\x94 ", "- "), "hyphen");
  ExpectInvalid(Replace(PeterNote(), "\xe2\x80\x94 ", "\xe2\x80\x93 "), "en dash");
  ExpectInvalid(Replace(PeterNote(), "\xe2\x80\x94 ", "\xe2\x80\x94"), "no space after dash");
  ExpectInvalid(Replace(PeterNote(), "\xe2\x80\x94 ", " \xe2\x80\x94 "), "leading space");
}

TEST(ParseNoteTest, RejectsTwoBlankLinesAndEmptyText) {
  ExpectInvalid(Str(kText) + "\n\n" + Str(kPeterSig), "two blank lines");
  ExpectInvalid("\n" + Str(kPeterSig), "empty text");
  ExpectInvalid("\n\n" + Str(kPeterSig), "text is a single empty line");
  ExpectInvalid(Str(kPeterSig), "signature line only");
}

TEST(ParseNoteTest, RejectsTrailingBytes) {
  ExpectInvalid(PeterNote() + "x", "byte after the last newline");
  ExpectInvalid(PeterNote() + "\n", "blank line after the signatures");
  ExpectInvalid(PeterNote() + " ", "space after the last newline");
}

TEST(ParseNoteTest, AcceptsExactly100SignaturesAndRejects101) {
  std::string wire = Str(kText) + "\n";
  for (int i = 0; i < 100; ++i) wire += kPeterSig;
  EXPECT_TRUE(ParseNote(wire).has_value());
  ExpectInvalid(wire + Str(kPeterSig), "101 signatures");
}

TEST(ParseNoteTest, RejectsNotesOverTheSizeLimit) {
  std::string big_text;
  while (big_text.size() <= kMaxNoteSize) big_text += std::string(1023, 'x') + "\n";
  ExpectInvalid(big_text + "\n" + Str(kPeterSig), "over 1 MiB");
}

TEST(ValidateNoteTextTest, AcceptsInteriorEmptyLinesAndRejectsTheRest) {
  EXPECT_TRUE(ValidateNoteText("a\n").ok());
  EXPECT_TRUE(ValidateNoteText("a\n\nb\n").ok());
  EXPECT_TRUE(ValidateNoteText("\xe2\x80\x94 looks like a signature\n").ok());
  EXPECT_FALSE(ValidateNoteText("").ok());
  EXPECT_FALSE(ValidateNoteText("a").ok());
  EXPECT_FALSE(ValidateNoteText("\n").ok());
  EXPECT_FALSE(ValidateNoteText("a\n\n").ok());
  EXPECT_FALSE(ValidateNoteText("a\tb\n").ok());
  EXPECT_FALSE(ValidateNoteText("a\xff\n").ok());
}

// ---------------------------------------------------------------------------
// Signing

TEST(SignNoteTest, ReplacesTheSignersOwnSignature) {
  auto key = SigningKey::ParsePrivateKey(kPeterPrivate);
  ASSERT_TRUE(key.has_value());
  // As Go's TestSign: a stale signature by the same (name, ID) is replaced.
  Note stale{.text = Str(kText),
             .signatures = {{.name = "PeterNeumann", .key_id = 0xc74f20a3, .signature = {1, 2}}}};
  auto wire = SignNote(FormatNote(stale), *key);
  ASSERT_TRUE(wire.has_value()) << wire.error();
  EXPECT_EQ(*wire, PeterNote());
  // Idempotent.
  auto again = SignNote(*wire, *key);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*again, PeterNote());
}

TEST(SignNoteTest, CosigningKeepsOthersInOrderAndAppendsLast) {
  auto peter = SigningKey::ParsePrivateKey(kPeterPrivate);
  auto other = SigningKey::FromSeed("example.com/other", Bytes(32, 0x09));
  ASSERT_TRUE(peter.has_value() && other.has_value());
  // Enoch first, then Peter's stale line, then sign by Peter: Enoch keeps his place.
  const std::string start = Str(kText) + "\n" + Str(kEnochSig) + Str(kPeterSig);
  auto by_other = SignNote(start, *other);
  ASSERT_TRUE(by_other.has_value()) << by_other.error();
  auto note = ParseNote(*by_other);
  ASSERT_TRUE(note.has_value());
  ASSERT_EQ(note->signatures.size(), 3u);
  EXPECT_EQ(note->signatures[0].name, "EnochRoot");
  EXPECT_EQ(note->signatures[1].name, "PeterNeumann");
  EXPECT_EQ(note->signatures[2].name, "example.com/other");

  auto by_peter = SignNote(*by_other, *peter);
  ASSERT_TRUE(by_peter.has_value());
  note = ParseNote(*by_peter);
  ASSERT_TRUE(note.has_value());
  ASSERT_EQ(note->signatures.size(), 3u);
  EXPECT_EQ(note->signatures[0].name, "EnochRoot");
  EXPECT_EQ(note->signatures[1].name, "example.com/other");
  EXPECT_EQ(note->signatures[2].name, "PeterNeumann");

  const VerifierKey known[] = {Peter(), Enoch(), other->verifier()};
  auto opened = OpenNote(*by_peter, known);
  ASSERT_TRUE(opened.has_value()) << opened.error();
  EXPECT_EQ(opened->verified_by.size(), 3u);
}

TEST(SignNoteTest, RejectsBadTextsMalformedNotesAndCosignatureKeys) {
  auto peter = SigningKey::ParsePrivateKey(kPeterPrivate);
  ASSERT_TRUE(peter.has_value());
  EXPECT_EQ(SignNote("abc", *peter).error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SignNote("", *peter).error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SignNote("a\x01\n", *peter).error().code(), StatusCode::kInvalidArgument);
  // Contains an empty line but is no valid note: refused, not signed as text.
  EXPECT_EQ(SignNote("a\n\nb\n", *peter).error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SignNote(PeterNote() + "junk\n", *peter).error().code(), StatusCode::kInvalidArgument);
  auto cosigner = SigningKey::FromSeed("w", Bytes(32, 3), KeyType::kCosignatureV1);
  ASSERT_TRUE(cosigner.has_value());
  EXPECT_EQ(SignNote(kText, *cosigner).error().code(), StatusCode::kInvalidArgument);
}

TEST(SignNoteTest, RefusesToExceedTheSignatureLimit) {
  auto peter = SigningKey::ParsePrivateKey(kPeterPrivate);
  ASSERT_TRUE(peter.has_value());
  std::string wire = Str(kText) + "\n";
  for (int i = 0; i < 100; ++i) wire += kEnochSig;
  auto signed_wire = SignNote(wire, *peter);
  ASSERT_FALSE(signed_wire.has_value());
  EXPECT_EQ(signed_wire.error().code(), StatusCode::kResourceExhausted);
}

TEST(SignTextTest, ProducesTheLineOpenNoteVerifies) {
  auto key = SigningKey::FromSeed("example.com/k", Bytes(32, 0x04));
  ASSERT_TRUE(key.has_value());
  const std::string text = "line one\n\nline three after an empty line\n";
  const Note note{.text = text, .signatures = {SignText(text, *key)}};
  const VerifierKey known[] = {key->verifier()};
  auto opened = OpenNote(FormatNote(note), known);
  ASSERT_TRUE(opened.has_value()) << opened.error();
  EXPECT_EQ(opened->note, note);
}

// ---------------------------------------------------------------------------
// OpenNote semantics (Go's TestOpen)

TEST(OpenNoteTest, IgnoresUnknownSignersWhenAKnownOneVerifies) {
  const std::string wire = Str(kText) + "\n" + Str(kPeterSig) + Str(kEnochSig);
  const VerifierKey known[] = {Peter()};
  auto opened = OpenNote(wire, known);
  ASSERT_TRUE(opened.has_value()) << opened.error();
  EXPECT_EQ(opened->note.text, kText);
  EXPECT_EQ(opened->verified_by, std::vector<VerifierKey>{Peter()});
  EXPECT_EQ(opened->note.signatures.size(), 2u);  // the unknown line is kept
}

TEST(OpenNoteTest, ReportsEveryKnownKeyThatVerified) {
  const std::string wire = Str(kText) + "\n" + Str(kPeterSig) + Str(kEnochSig);
  const VerifierKey known[] = {Enoch(), Peter()};
  auto opened = OpenNote(wire, known);
  ASSERT_TRUE(opened.has_value()) << opened.error();
  // Signature-line order, not `known` order.
  EXPECT_EQ(opened->verified_by, (std::vector<VerifierKey>{Peter(), Enoch()}));
}

TEST(OpenNoteTest, RejectsNoteWithoutAnyKnownSigner) {
  const std::string wire = Str(kText) + "\n" + Str(kPeterSig) + Str(kEnochSig);
  auto opened = OpenNote(wire, {});
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().code(), StatusCode::kPermissionDenied);
}

TEST(OpenNoteTest, RejectsInvalidSignatureByKnownKey) {
  const std::string bad =
      Str(kText) + "\n" + Str(kPeterSig).substr(0, 60) + "ABCD" + Str(kPeterSig).substr(60);
  const VerifierKey known[] = {Peter()};
  auto opened = OpenNote(bad, known);
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(opened.error().message().find("PeterNeumann+c74f20a3"), std::string::npos);
}

TEST(OpenNoteTest, RejectsInvalidKnownSignatureEvenNextToAValidOne) {
  const std::string bad_enoch = Str(kEnochSig).substr(0, 60) + "ABCD" + Str(kEnochSig).substr(60);
  const VerifierKey known[] = {Peter(), Enoch()};
  auto opened = OpenNote(Str(kText) + "\n" + Str(kPeterSig) + bad_enoch, known);
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().code(), StatusCode::kPermissionDenied);
  // A repeated line by a known key is checked too (Go skips repeats unchecked).
  auto repeated = OpenNote(Str(kText) + "\n" + Str(kEnochSig) + bad_enoch, known);
  ASSERT_FALSE(repeated.has_value());
  EXPECT_EQ(repeated.error().code(), StatusCode::kPermissionDenied);
}

TEST(OpenNoteTest, AcceptsDuplicatedValidAndUnknownSignatures) {
  // Go's "duplicated verified and unverified signatures" case.
  const std::string enoch_abcd = Str(kEnochSig).substr(0, 60) + "ABCD" + Str(kEnochSig).substr(60);
  const std::string wire = Str(kText) + "\n" + Str(kPeterSig) + Str(kPeterSig) + Str(kEnochSig) +
                           Str(kEnochSig) + enoch_abcd;
  const VerifierKey known[] = {Peter()};
  auto opened = OpenNote(wire, known);
  ASSERT_TRUE(opened.has_value()) << opened.error();
  EXPECT_EQ(opened->verified_by, std::vector<VerifierKey>{Peter()});
}

TEST(OpenNoteTest, TreatsARepeatedKnownKeyAsOneKey) {
  const VerifierKey known[] = {Enoch(), Peter(), Enoch()};
  auto opened = OpenNote(PeterNote(), known);
  ASSERT_TRUE(opened.has_value()) << opened.error();
  opened = OpenNote(Str(kText) + "\n" + Str(kEnochSig), known);
  ASSERT_TRUE(opened.has_value()) << opened.error();
  EXPECT_EQ(opened->verified_by, std::vector<VerifierKey>{Enoch()});
}

TEST(OpenNoteTest, IgnoresSignatureWithKnownNameButOtherKeyId) {
  // Same name, other ID: an unknown key (e.g. after rotation), not a failure.
  auto raw = Base64Decode(
      "x08go/ZJkuBS9UG/"
      "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=");
  ASSERT_TRUE(raw.has_value());
  (*raw)[3] ^= 1;
  const std::string rotated = "\xe2\x80\x94 PeterNeumann " + Base64Encode(*raw) + "\n";
  const VerifierKey known[] = {Peter()};
  auto only_rotated = OpenNote(Str(kText) + "\n" + rotated, known);
  ASSERT_FALSE(only_rotated.has_value());
  EXPECT_EQ(only_rotated.error().code(), StatusCode::kPermissionDenied);
  auto with_valid = OpenNote(Str(kText) + "\n" + rotated + Str(kPeterSig), known);
  EXPECT_TRUE(with_valid.has_value()) << with_valid.error();
}

TEST(OpenNoteTest, BitFlipsInTextOrSignatureAreRejected) {
  const VerifierKey known[] = {Peter()};
  const std::string wire = PeterNote();
  // Flip one bit of each text byte that keeps the note well-formed.
  for (size_t i = 0; i < kText.size(); ++i) {
    std::string mutated = wire;
    mutated[i] ^= 0x20;
    if (!ParseNote(mutated).has_value()) continue;
    auto opened = OpenNote(mutated, known);
    ASSERT_FALSE(opened.has_value()) << i;
    EXPECT_EQ(opened.error().code(), StatusCode::kPermissionDenied);
  }
  // Change each signature byte (after base64 decoding, bytes 4.. are the signature).
  Note note = ParseNote(wire).value();
  for (size_t i = 0; i < note.signatures[0].signature.size(); ++i) {
    Note mutated = note;
    mutated.signatures[0].signature[i] ^= 0x01;
    auto opened = OpenNote(FormatNote(mutated), known);
    ASSERT_FALSE(opened.has_value()) << i;
    EXPECT_EQ(opened.error().code(), StatusCode::kPermissionDenied);
  }
}

TEST(OpenNoteTest, WrongLengthSignatureByKnownKeyIsPermissionDenied) {
  Note note = ParseNote(PeterNote()).value();
  note.signatures[0].signature.pop_back();
  const VerifierKey known[] = {Peter()};
  auto opened = OpenNote(FormatNote(note), known);
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().code(), StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace ltl::ledger
