#include "ledger/cosignature.h"

#include <gtest/gtest.h>

#include <string>

#include "ledger/checkpoint.h"

namespace ltl::ledger {
namespace {

constexpr std::string_view kCheckpointText =
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
constexpr uint64_t kTimestamp = 1679315147;
// Witness seed 32 x 0x02, type 0x04 (shared vectors, checked with Go).
constexpr std::string_view kWitnessLine =
    "\xe2\x80\x94 witness.example.com/w1 "
    "dF+16AAAAABkGFDLUwBLV8e4tjvb6qEHiNTQjDZIX+7tvd038taw9A7W/"
    "cQ7ZhSah0uJMOI6CTPez5qwHtE49MrkWhU349mtYmi3Dw==\n";

SigningKey Witness() {
  return SigningKey::FromSeed("witness.example.com/w1", Bytes(32, 0x02), KeyType::kCosignatureV1)
      .value();
}

std::string Line(const NoteSignature& sig) {
  Note note{.text = "x\n", .signatures = {sig}};
  return FormatNote(note).substr(3);  // drop "x\n\n"
}

TEST(CosignatureMessageTest, IsHeaderTimeLineAndWholeText) {
  EXPECT_EQ(CosignatureMessage(kCheckpointText, kTimestamp),
            "cosignature/v1\ntime 1679315147\n"
            "example.com/behind-the-sofa\n20852163\n"
            "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n");
  EXPECT_EQ(CosignatureMessage("o\n0\nr\n", 0), "cosignature/v1\ntime 0\no\n0\nr\n");
}

TEST(CosignTest, FixedSeedKnownAnswer) {
  auto sig = Cosign(kCheckpointText, Witness(), kTimestamp);
  ASSERT_TRUE(sig.has_value()) << sig.error();
  EXPECT_EQ(Line(*sig), kWitnessLine);
  ASSERT_EQ(sig->signature.size(), kCosignatureSize);
  EXPECT_EQ(GetBigEndian64(sig->signature.data()), kTimestamp);
  EXPECT_EQ(sig->key_id, 0x745fb5e8u);
}

TEST(CosignTest, SignatureIsPlainEd25519OverTheCosignatureMessage) {
  auto sig = Cosign(kCheckpointText, Witness(), kTimestamp);
  ASSERT_TRUE(sig.has_value());
  const VerifierKey& key = Witness().verifier();
  const ByteSpan ed25519 = ByteSpan(sig->signature).subspan(8);
  EXPECT_TRUE(key.VerifyEd25519(AsBytes(CosignatureMessage(kCheckpointText, kTimestamp)), ed25519));
  // Not over the bare text: the header gives domain separation.
  EXPECT_FALSE(key.VerifyEd25519(AsBytes(kCheckpointText), ed25519));
}

TEST(VerifyCosignatureTest, RoundTripReturnsTheTimestamp) {
  for (uint64_t t : {uint64_t{0}, kTimestamp, kMaxCosignatureTimestamp}) {
    auto sig = Cosign(kCheckpointText, Witness(), t);
    ASSERT_TRUE(sig.has_value()) << t;
    auto verified = VerifyCosignature(kCheckpointText, *sig, Witness().verifier());
    ASSERT_TRUE(verified.has_value()) << verified.error();
    EXPECT_EQ(*verified, t);
  }
}

TEST(VerifyCosignatureTest, TimestampMutationsAreRejected) {
  auto sig = Cosign(kCheckpointText, Witness(), kTimestamp);
  ASSERT_TRUE(sig.has_value());
  for (size_t byte = 0; byte < 8; ++byte) {
    NoteSignature mutated = *sig;
    mutated.signature[byte] ^= 0x01;
    auto verified = VerifyCosignature(kCheckpointText, mutated, Witness().verifier());
    ASSERT_FALSE(verified.has_value()) << byte;
    // Byte 0 bit 0 sets bit 56, still below 2^63: a signature failure.
    EXPECT_EQ(verified.error().code(), StatusCode::kPermissionDenied) << byte;
  }
}

TEST(VerifyCosignatureTest, SignatureBitFlipsAreRejected) {
  auto sig = Cosign(kCheckpointText, Witness(), kTimestamp);
  ASSERT_TRUE(sig.has_value());
  for (size_t bit = 8 * 8; bit < kCosignatureSize * 8; bit += 13) {
    NoteSignature mutated = *sig;
    mutated.signature[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    auto verified = VerifyCosignature(kCheckpointText, mutated, Witness().verifier());
    ASSERT_FALSE(verified.has_value()) << bit;
    EXPECT_EQ(verified.error().code(), StatusCode::kPermissionDenied);
  }
}

TEST(VerifyCosignatureTest, TextMutationsAreRejected) {
  const std::string text = std::string(kCheckpointText) + "extension line\n";
  auto sig = Cosign(text, Witness(), kTimestamp);
  ASSERT_TRUE(sig.has_value());
  const std::string mutations[] = {
      "example.com/behind-the-sofa\n20852164\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
      "extension line\n",
      "example.com/behind-the-sofb\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
      "extension line\n",
      "example.com/behind-the-sofa\n20852163\nDsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
      "extension line\n",
      // Extension lines are signed too.
      "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
      "extension linE\n",
      std::string(kCheckpointText),
  };
  for (const std::string& mutated : mutations) {
    auto verified = VerifyCosignature(mutated, *sig, Witness().verifier());
    ASSERT_FALSE(verified.has_value()) << mutated;
    EXPECT_EQ(verified.error().code(), StatusCode::kPermissionDenied);
  }
}

TEST(VerifyCosignatureTest, OtherKeyIsPermissionDenied) {
  auto sig = Cosign(kCheckpointText, Witness(), kTimestamp);
  auto other =
      SigningKey::FromSeed("witness.example.com/w1", Bytes(32, 0x03), KeyType::kCosignatureV1);
  ASSERT_TRUE(sig.has_value() && other.has_value());
  auto verified = VerifyCosignature(kCheckpointText, *sig, other->verifier());
  ASSERT_FALSE(verified.has_value());
  EXPECT_EQ(verified.error().code(), StatusCode::kPermissionDenied);
}

TEST(VerifyCosignatureTest, MalformedInputsAreInvalidArgument) {
  auto sig = Cosign(kCheckpointText, Witness(), kTimestamp);
  ASSERT_TRUE(sig.has_value());
  NoteSignature short_sig = *sig;
  short_sig.signature.pop_back();
  EXPECT_EQ(VerifyCosignature(kCheckpointText, short_sig, Witness().verifier()).error().code(),
            StatusCode::kInvalidArgument);
  NoteSignature long_sig = *sig;
  long_sig.signature.push_back(0);
  EXPECT_EQ(VerifyCosignature(kCheckpointText, long_sig, Witness().verifier()).error().code(),
            StatusCode::kInvalidArgument);
  NoteSignature future = *sig;
  future.signature[0] = 0x80;  // timestamp >= 2^63
  EXPECT_EQ(VerifyCosignature(kCheckpointText, future, Witness().verifier()).error().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyCosignature("not a checkpoint\n", *sig, Witness().verifier()).error().code(),
            StatusCode::kInvalidArgument);
  auto plain = SigningKey::FromSeed("witness.example.com/w1", Bytes(32, 0x02));
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(VerifyCosignature(kCheckpointText, *sig, plain->verifier()).error().code(),
            StatusCode::kInvalidArgument);
}

TEST(CosignTest, RejectsPlainKeysBadTextsAndTimestampsAbove2To63) {
  auto plain = SigningKey::FromSeed("witness.example.com/w1", Bytes(32, 0x02));
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(Cosign(kCheckpointText, *plain, kTimestamp).error().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Cosign("two\nlines\n", Witness(), kTimestamp).error().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Cosign(kCheckpointText, Witness(), kMaxCosignatureTimestamp + 1).error().code(),
            StatusCode::kInvalidArgument);
}

TEST(CosignatureTest, SpecExampleLineCarriesItsTimestamp) {
  // From C2SP tlog-cosignature.md; the witness key is not published, so only
  // the layout is checked: key ID || big-endian 1679315147 || 64 bytes.
  const std::string wire =
      std::string(kCheckpointText) + "\n" +
      "\xe2\x80\x94 witness.example.com/w1 "
      "jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+"
      "mbIUBkBIfZ+qnA==\n";
  auto note = ParseNote(wire);
  ASSERT_TRUE(note.has_value()) << note.error();
  ASSERT_EQ(note->signatures[0].signature.size(), kCosignatureSize);
  EXPECT_EQ(note->signatures[0].key_id, 0x8d66cf3fu);
  EXPECT_EQ(GetBigEndian64(note->signatures[0].signature.data()), kTimestamp);
}

}  // namespace
}  // namespace ltl::ledger
