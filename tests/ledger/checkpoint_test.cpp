#include "ledger/checkpoint.h"

#include <gtest/gtest.h>

#include <string>

#include "ledger/cosignature.h"
#include "tests/testing/testing.h"

namespace ltl::ledger {
namespace {

constexpr std::string_view kOrigin = "example.com/behind-the-sofa";
constexpr std::string_view kText =
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
// Log seed 32 x 0x01, witness seed 32 x 0x02 (type 0x04), time 1679315147:
// the shared tlog-cosignature vector, checked with Go's note package.
constexpr std::string_view kLogLine =
    "\xe2\x80\x94 example.com/behind-the-sofa "
    "be1zqQx8hYrJJIfiWfY39ShElJ74dPrOjXSgJJ2qG3vny2U7JyHN2kKCWb5H5e2MfxP7My2OyDRrDvCH/"
    "RbVubiZ8AE=\n";
constexpr std::string_view kWitnessLine =
    "\xe2\x80\x94 witness.example.com/w1 "
    "dF+16AAAAABkGFDLUwBLV8e4tjvb6qEHiNTQjDZIX+7tvd038taw9A7W/"
    "cQ7ZhSah0uJMOI6CTPez5qwHtE49MrkWhU349mtYmi3Dw==\n";
constexpr uint64_t kTimestamp = 1679315147;

std::string Str(std::string_view s) { return std::string(s); }

SigningKey LogKey() { return SigningKey::FromSeed(kOrigin, Bytes(32, 0x01)).value(); }
SigningKey WitnessKey() {
  return SigningKey::FromSeed("witness.example.com/w1", Bytes(32, 0x02), KeyType::kCosignatureV1)
      .value();
}
std::string LogSigned() { return Str(kText) + "\n" + Str(kLogLine); }
std::string Cosigned() { return LogSigned() + Str(kWitnessLine); }

Checkpoint Example() { return ParseCheckpointText(kText).value(); }

void ExpectBadText(std::string_view text, std::string_view why) {
  auto c = ParseCheckpointText(text);
  ASSERT_FALSE(c.has_value()) << why;
  EXPECT_EQ(c.error().code(), StatusCode::kInvalidArgument) << why;
}

// ---------------------------------------------------------------------------
// Text

TEST(ParseCheckpointTextTest, ParsesSpecExample) {
  auto c = ParseCheckpointText(kText);
  ASSERT_TRUE(c.has_value()) << c.error();
  EXPECT_EQ(c->origin, kOrigin);
  EXPECT_EQ(c->size, 20852163u);
  EXPECT_EQ(proofs::HashToHex(c->root),
            "0ac5186a91863e8e1d90c808014aa89bf5da8e3ee1d9f07630f0378f68f1ab62");
  EXPECT_TRUE(c->extensions.empty());
  EXPECT_EQ(FormatCheckpointText(*c), kText);
}

TEST(ParseCheckpointTextTest, KeepsExtensionLinesInOrder) {
  const std::string text = Str(kText) + "ext one\n\xe2\x80\x94 ext two\n";
  auto c = ParseCheckpointText(text);
  ASSERT_TRUE(c.has_value()) << c.error();
  EXPECT_EQ(c->extensions, (std::vector<std::string>{"ext one", "\xe2\x80\x94 ext two"}));
  EXPECT_EQ(FormatCheckpointText(*c), text);
}

TEST(ParseCheckpointTextTest, AcceptsTheEmptyTree) {
  const Checkpoint empty{.origin = "o", .size = 0, .root = proofs::EmptyRoot(), .extensions = {}};
  const std::string text = FormatCheckpointText(empty);
  EXPECT_EQ(text, "o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n");
  auto c = ParseCheckpointText(text);
  ASSERT_TRUE(c.has_value()) << c.error();
  EXPECT_EQ(*c, empty);
}

TEST(ParseCheckpointTextTest, RejectsNonCanonicalSizes) {
  const std::string root = "\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
  ExpectBadText("o\n020852163" + root, "leading zero");
  ExpectBadText("o\n00" + root, "double zero");
  ExpectBadText("o\n+1" + root, "sign");
  ExpectBadText("o\n-1" + root, "negative");
  ExpectBadText("o\n 1" + root, "space");
  ExpectBadText("o\n1 " + root, "trailing space");
  ExpectBadText("o\n0x10" + root, "hex");
  ExpectBadText("o\n" + root, "empty size");
  ExpectBadText("o\n18446744073709551616" + root, "2^64");
  EXPECT_TRUE(ParseCheckpointText("o\n18446744073709551615" + root).has_value());
}

TEST(ParseCheckpointTextTest, RejectsBadRootLengthsAndEncodings) {
  ExpectBadText("o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n", "43 chars, no padding");
  ExpectBadText("o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I==\n", "45 chars");
  ExpectBadText("o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2IA\n", "44 chars = 33 bytes");
  ExpectBadText("o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n", "non-zero pad bits");
  ExpectBadText("o\n1\nCsUYapGGPo4dkMgIAUqom_Xajj7h2fB2MPA3j2jxq2I=\n", "URL alphabet");
  ExpectBadText("o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n", "hex-length junk");
  ExpectBadText("o\n1\n0ac5186a91863e8e1d90c808014aa89bf5da8e3ee1d9f07630f0378f68f1ab62\n",
                "hex root");
  ExpectBadText("o\n1\n\n", "empty root line");
}

TEST(ParseCheckpointTextTest, RejectsEmptyOriginAndEmptyExtensionLines) {
  ExpectBadText("\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "empty origin");
  ExpectBadText(Str(kText) + "\nafter empty\n", "empty extension line");
  ExpectBadText(Str(kText) + "\n", "trailing empty line");
}

TEST(ParseCheckpointTextTest, RejectsShortOrUnterminatedTexts) {
  ExpectBadText("", "empty");
  ExpectBadText("o\n1\n", "two lines");
  ExpectBadText(Str(kText).substr(0, kText.size() - 1), "no final newline");
  ExpectBadText("o\r\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "CR");
  ExpectBadText("o\xff\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "bad UTF-8");
}

TEST(ValidateCheckpointTest, RejectsWhatCannotBeFormatted) {
  Checkpoint c = Example();
  EXPECT_TRUE(ValidateCheckpoint(c).ok());
  c.origin = "";
  EXPECT_FALSE(ValidateCheckpoint(c).ok());
  c.origin = "a\nb";
  EXPECT_FALSE(ValidateCheckpoint(c).ok());
  c = Example();
  c.extensions = {"ok", ""};
  EXPECT_FALSE(ValidateCheckpoint(c).ok());
  c.extensions = {"a\nb"};
  EXPECT_FALSE(ValidateCheckpoint(c).ok());
  c.extensions = {"tab\there"};
  EXPECT_FALSE(ValidateCheckpoint(c).ok());
}

// ---------------------------------------------------------------------------
// Signing and opening

TEST(SignCheckpointTest, FixedSeedKnownAnswer) {
  auto wire = SignCheckpoint(Example(), LogKey());
  ASSERT_TRUE(wire.has_value()) << wire.error();
  EXPECT_EQ(*wire, LogSigned());
}

TEST(SignCheckpointTest, FullCosignedKnownAnswer) {
  auto wire = SignCheckpoint(Example(), LogKey());
  ASSERT_TRUE(wire.has_value());
  auto cosig = Cosign(kText, WitnessKey(), kTimestamp);
  ASSERT_TRUE(cosig.has_value());
  Note note = ParseNote(*wire).value();
  note.signatures.push_back(*cosig);
  EXPECT_EQ(FormatNote(note), Cosigned());
}

TEST(SignCheckpointTest, RejectsMismatchedKeyNameCosignatureKeyAndBadCheckpoint) {
  auto other = SigningKey::FromSeed("example.com/other-log", Bytes(32, 0x01));
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(SignCheckpoint(Example(), *other).error().code(), StatusCode::kInvalidArgument);
  auto cosigner = SigningKey::FromSeed(kOrigin, Bytes(32, 0x01), KeyType::kCosignatureV1);
  ASSERT_TRUE(cosigner.has_value());
  EXPECT_EQ(SignCheckpoint(Example(), *cosigner).error().code(), StatusCode::kInvalidArgument);
  Checkpoint bad = Example();
  bad.extensions = {""};
  EXPECT_EQ(SignCheckpoint(bad, LogKey()).error().code(), StatusCode::kInvalidArgument);
}

TEST(OpenCheckpointTest, OpensLogSignedCheckpoint) {
  auto opened = OpenCheckpoint(LogSigned(), LogKey().verifier());
  ASSERT_TRUE(opened.has_value()) << opened.error();
  EXPECT_EQ(opened->checkpoint, Example());
  EXPECT_EQ(opened->wire, LogSigned());
  EXPECT_EQ(opened->note.text, kText);
  EXPECT_TRUE(opened->verified_by.empty());
}

TEST(OpenCheckpointTest, ReportsVerifiedWitnessesOnly) {
  const VerifierKey absent =
      SigningKey::FromSeed("witness.example.com/w2", Bytes(32, 0x03), KeyType::kCosignatureV1)
          .value()
          .verifier();
  const VerifierKey witnesses[] = {absent, WitnessKey().verifier()};
  auto opened = OpenCheckpoint(Cosigned(), LogKey().verifier(), witnesses);
  ASSERT_TRUE(opened.has_value()) << opened.error();
  EXPECT_EQ(opened->verified_by, std::vector<VerifierKey>{WitnessKey().verifier()});
  EXPECT_EQ(opened->note.signatures.size(), 2u);

  // Witness cosignature present but its key not configured: ignored.
  auto unconfigured = OpenCheckpoint(Cosigned(), LogKey().verifier());
  ASSERT_TRUE(unconfigured.has_value()) << unconfigured.error();
  EXPECT_TRUE(unconfigured->verified_by.empty());

  // Configured witness that did not cosign: not reported.
  const VerifierKey only_absent[] = {absent};
  auto missing = OpenCheckpoint(LogSigned(), LogKey().verifier(), only_absent);
  ASSERT_TRUE(missing.has_value());
  EXPECT_TRUE(missing->verified_by.empty());
}

TEST(OpenCheckpointTest, NeverCountsTheLogKeyAsAWitness) {
  const VerifierKey witnesses[] = {LogKey().verifier(), WitnessKey().verifier(),
                                   WitnessKey().verifier()};
  auto opened = OpenCheckpoint(Cosigned(), LogKey().verifier(), witnesses);
  ASSERT_TRUE(opened.has_value()) << opened.error();
  EXPECT_EQ(opened->verified_by, std::vector<VerifierKey>{WitnessKey().verifier()});
}

TEST(OpenCheckpointTest, RequiresTheLogSignature) {
  // Cosigned by the witness only.
  const std::string witness_only = Str(kText) + "\n" + Str(kWitnessLine);
  const VerifierKey witnesses[] = {WitnessKey().verifier()};
  auto opened = OpenCheckpoint(witness_only, LogKey().verifier(), witnesses);
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().code(), StatusCode::kPermissionDenied);

  // Signed by another key of the same name (a rotated or forged key).
  auto impostor = SigningKey::FromSeed(kOrigin, Bytes(32, 0x0f));
  ASSERT_TRUE(impostor.has_value());
  auto forged = SignCheckpoint(Example(), *impostor);
  ASSERT_TRUE(forged.has_value());
  opened = OpenCheckpoint(*forged, LogKey().verifier());
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().code(), StatusCode::kPermissionDenied);
}

TEST(OpenCheckpointTest, RejectsInvalidWitnessCosignature) {
  std::string tampered = Cosigned();
  tampered[tampered.size() - 5] ^= 0x01;  // inside the witness base64, stays in the alphabet
  const VerifierKey witnesses[] = {WitnessKey().verifier()};
  auto opened = OpenCheckpoint(tampered, LogKey().verifier(), witnesses);
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().code(), StatusCode::kPermissionDenied);
}

TEST(OpenCheckpointTest, RejectsOriginThatIsNotTheLogKeyName) {
  auto log = SigningKey::FromSeed("example.com/log-a", Bytes(32, 0x01));
  ASSERT_TRUE(log.has_value());
  // Validly signed by log-a, but about another log's tree.
  auto wire = SignNote(kText, *log);
  ASSERT_TRUE(wire.has_value());
  auto opened = OpenCheckpoint(*wire, log->verifier());
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(opened.error().message().find("origin"), std::string::npos);
}

TEST(OpenCheckpointTest, RejectsTamperedText) {
  const std::string variants[] = {
      [] {
        std::string w = LogSigned();
        w.replace(w.find("20852163"), 8, "20852164");
        return w;
      }(),
      [] {
        std::string w = LogSigned();
        w.replace(w.find("CsUY"), 4, "CsUZ");
        return w;
      }(),
  };
  for (const std::string& wire : variants) {
    auto opened = OpenCheckpoint(wire, LogKey().verifier());
    ASSERT_FALSE(opened.has_value());
    EXPECT_EQ(opened.error().code(), StatusCode::kPermissionDenied);
  }
}

TEST(OpenCheckpointTest, RejectsSignedNoteThatIsNotACheckpoint) {
  auto log = LogKey();
  auto wire = SignNote("example.com/behind-the-sofa\nnot a size\nroot\n", log);
  ASSERT_TRUE(wire.has_value());
  auto opened = OpenCheckpoint(*wire, log.verifier());
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().code(), StatusCode::kInvalidArgument);
}

TEST(OpenCheckpointTest, RoundTripsWithExtensionsAndUnknownSignatures) {
  Checkpoint c = Example();
  c.size = 7;
  c.extensions = {"licence-ledger v1"};
  auto wire = SignCheckpoint(c, LogKey());
  ASSERT_TRUE(wire.has_value()) << wire.error();
  // A future ML-DSA witness line is carried but skipped.
  const std::string with_pq =
      *wire + "\xe2\x80\x94 witness.example/pq " + Base64Encode(Bytes(4 + 8 + 2420, 7)) + "\n";
  auto opened = OpenCheckpoint(with_pq, LogKey().verifier());
  ASSERT_TRUE(opened.has_value()) << opened.error();
  EXPECT_EQ(opened->checkpoint, c);
}

// Cross-check against the shared vectors file when present.
TEST(CheckpointVectorsTest, SharedCosignedCheckpointMatches) {
  auto dir = testing::VectorsDir();
  if (!dir) GTEST_SKIP() << testing::VectorsMissingMessage();
  const std::string doc = testing::ReadFileOrDie(*dir / "c2sp-notes.md");
  const size_t start = doc.find("```\nexample.com/behind-the-sofa\n");
  ASSERT_NE(start, std::string::npos) << "cosigned checkpoint block not found";
  const size_t end = doc.find("```", start + 4);
  ASSERT_NE(end, std::string::npos);
  EXPECT_EQ(doc.substr(start + 4, end - start - 4), Cosigned());
}

}  // namespace
}  // namespace ltl::ledger
