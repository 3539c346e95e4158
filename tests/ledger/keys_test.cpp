#include "ledger/keys.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace ltl::ledger {
namespace {

// Known answers from Go's golang.org/x/mod/sumdb/note tests.
constexpr std::string_view kPeterPrivate =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
constexpr std::string_view kPeterVerifier =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr std::string_view kEnochVerifier =
    "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
// sum.golang.org's real key: its base64 part contains '+'.
constexpr std::string_view kSumGolangVerifier =
    "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";
// From the tlog-cosignature vectors (seed 32 x 0x02, type 0x04).
constexpr std::string_view kWitnessVerifier =
    "witness.example.com/w1+745fb5e8+BIE5dw6ofRdfVqNUZsNMfszLjYqRtO43ol32D1uPybOU";
constexpr std::string_view kLogVerifier =
    "example.com/behind-the-sofa+6ded73a9+AYqI4910CfGV/VLbLTy6XXLKZwm/HZQSG/N0iAG0D29c";

Bytes Seed(uint8_t fill) { return Bytes(kEd25519SeedSize, fill); }

TEST(VerifierKeyTest, ParsesGoKnownAnswerAndPrintsItBack) {
  auto key = VerifierKey::Parse(kPeterVerifier);
  ASSERT_TRUE(key.has_value()) << key.error();
  EXPECT_EQ(key->name(), "PeterNeumann");
  EXPECT_EQ(key->key_id(), 0xc74f20a3u);
  EXPECT_EQ(key->type(), KeyType::kEd25519);
  EXPECT_EQ(key->ToString(), kPeterVerifier);
  EXPECT_TRUE(VerifierKey::Parse(kEnochVerifier).has_value());
}

TEST(VerifierKeyTest, SplitsOnlyOnTheFirstTwoPlusSigns) {
  auto key = VerifierKey::Parse(kSumGolangVerifier);
  ASSERT_TRUE(key.has_value()) << key.error();
  EXPECT_EQ(key->name(), "sum.golang.org");
  EXPECT_EQ(key->key_id(), 0x033de0aeu);
  EXPECT_EQ(key->ToString(), kSumGolangVerifier);
}

TEST(VerifierKeyTest, ParsesCosignatureKeyType) {
  auto key = VerifierKey::Parse(kWitnessVerifier);
  ASSERT_TRUE(key.has_value()) << key.error();
  EXPECT_EQ(key->type(), KeyType::kCosignatureV1);
  EXPECT_EQ(key->key_id(), 0x745fb5e8u);
}

TEST(VerifierKeyTest, ComputeKeyIdMatchesTheVerifierKeyId) {
  auto key = VerifierKey::Parse(kPeterVerifier);
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(ComputeKeyId("PeterNeumann", 0x01, key->public_key()), 0xc74f20a3u);
  // The type byte is hashed: the same key as a cosigner has another ID.
  EXPECT_NE(ComputeKeyId("PeterNeumann", 0x04, key->public_key()), 0xc74f20a3u);
  EXPECT_NE(ComputeKeyId("PeterNeumanN", 0x01, key->public_key()), 0xc74f20a3u);
}

// Go's TestNewVerifier: every proper substring and every single-byte
// increment of a valid key must be rejected.
TEST(VerifierKeyTest, RejectsEverySubstringAndByteIncrement) {
  const std::string vkey(kPeterVerifier);
  for (size_t i = 0; i <= vkey.size(); ++i) {
    for (size_t j = i + 1; j <= vkey.size(); ++j) {
      if (i == 0 && j == vkey.size()) continue;
      EXPECT_FALSE(VerifierKey::Parse(vkey.substr(i, j - i)).has_value()) << vkey.substr(i, j - i);
    }
  }
  for (size_t i = 0; i < vkey.size(); ++i) {
    std::string mangled = vkey;
    ++mangled[i];
    EXPECT_FALSE(VerifierKey::Parse(mangled).has_value()) << mangled;
  }
}

TEST(VerifierKeyTest, RejectsMalformedParts) {
  const std::string_view bad[] = {
      // Go's vectors: wrong key length (adjusted ID), unknown algorithm (adjusted ID).
      "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
      "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
      // Upper-case key ID.
      "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
      // Wrong key ID.
      "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
      // Key ID of 7 and 9 digits.
      "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
      "PeterNeumann+c74f20a30+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
      // Trailing newline, trailing space, missing parts, empty name.
      "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW\n",
      "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW ",
      "PeterNeumann+c74f20a3",
      "PeterNeumann",
      "",
      "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
      // Type-only key.
      "PeterNeumann+c74f20a3+AQ==",
  };
  for (std::string_view vkey : bad) {
    auto key = VerifierKey::Parse(vkey);
    ASSERT_FALSE(key.has_value()) << vkey;
    EXPECT_EQ(key.error().code(), StatusCode::kInvalidArgument) << vkey;
  }
}

TEST(VerifierKeyTest, RejectsUnsupportedTypeEvenWithMatchingId) {
  auto peter = VerifierKey::Parse(kPeterVerifier);
  ASSERT_TRUE(peter.has_value());
  Bytes typed = {0x06};  // ML-DSA-44 would be 0x06 (with a far longer key)
  typed.insert(typed.end(), peter->public_key().begin(), peter->public_key().end());
  uint8_t id[4];
  PutBigEndian32(id, ComputeKeyId("PeterNeumann", 0x06, peter->public_key()));
  const std::string vkey = "PeterNeumann+" + HexEncode(id) + "+" + Base64Encode(typed);
  auto key = VerifierKey::Parse(vkey);
  ASSERT_FALSE(key.has_value());
  EXPECT_EQ(key.error().code(), StatusCode::kInvalidArgument);
}

TEST(ValidateKeyNameTest, AcceptsUrlsAndUnicode) {
  EXPECT_TRUE(ValidateKeyName("example.com/log42").ok());
  EXPECT_TRUE(ValidateKeyName("PeterNeumann").ok());
  EXPECT_TRUE(ValidateKeyName("oid/1.3.6.1.4.1.44363.47.1").ok());
  EXPECT_TRUE(ValidateKeyName("quasimodo.example/salvatore-\xc3\xa8").ok());  // è
  EXPECT_TRUE(ValidateKeyName("\xe2\x80\x94").ok());  // an em dash is not a space
}

TEST(ValidateKeyNameTest, RejectsEmptyPlusSpacesControlsAndBadUtf8) {
  const std::string_view bad[] = {
      "",
      "a+b",
      "a b",
      "a\tb",
      "a\nb",
      "a\rb",
      std::string_view("a\0b", 3),
      "a\x01"
      "b",
      "a\xc2\x85"
      "b",  // U+0085 NEL
      "a\xc2\xa0"
      "b",  // U+00A0 no-break space
      "a\xe1\x9a\x80"
      "b",  // U+1680 ogham space mark
      "a\xe2\x80\x83"
      "b",  // U+2003 em space
      "a\xe2\x80\xa8"
      "b",  // U+2028 line separator
      "a\xe2\x80\xaf"
      "b",  // U+202F narrow no-break space
      "a\xe3\x80\x80"
      "b",  // U+3000 ideographic space
      "a\xff"
      "b",  // not UTF-8
      "a\xc0\xaf"
      "b",  // overlong '/'
      "a\xed\xa0\x80"
      "b",                  // UTF-16 surrogate
      "a\xf4\x90\x80\x80",  // above U+10FFFF
      "a\xe2\x80",          // truncated sequence
  };
  for (std::string_view name : bad) {
    Status s = ValidateKeyName(name);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << HexEncode(AsBytes(name));
  }
}

TEST(SigningKeyTest, ParsesGoPrivateKeyAndDerivesItsVerifier) {
  auto key = SigningKey::ParsePrivateKey(kPeterPrivate);
  ASSERT_TRUE(key.has_value()) << key.error();
  EXPECT_EQ(key->name(), "PeterNeumann");
  EXPECT_EQ(key->key_id(), 0xc74f20a3u);
  EXPECT_EQ(key->verifier().ToString(), kPeterVerifier);
  EXPECT_EQ(key->PrivateKeyString(), kPeterPrivate);
}

TEST(SigningKeyTest, FixedSeedsGiveTheSharedVectorKeys) {
  auto log = SigningKey::FromSeed("example.com/behind-the-sofa", Seed(0x01));
  ASSERT_TRUE(log.has_value()) << log.error();
  EXPECT_EQ(log->verifier().ToString(), kLogVerifier);
  auto witness =
      SigningKey::FromSeed("witness.example.com/w1", Seed(0x02), KeyType::kCosignatureV1);
  ASSERT_TRUE(witness.has_value()) << witness.error();
  EXPECT_EQ(witness->verifier().ToString(), kWitnessVerifier);
}

TEST(SigningKeyTest, CosignatureKeyRoundTripsThroughItsPrivateKeyString) {
  auto witness =
      SigningKey::FromSeed("witness.example.com/w1", Seed(0x02), KeyType::kCosignatureV1);
  ASSERT_TRUE(witness.has_value());
  const std::string text = witness->PrivateKeyString();
  EXPECT_TRUE(text.starts_with("PRIVATE+KEY+witness.example.com/w1+745fb5e8+B")) << text;
  auto again = SigningKey::ParsePrivateKey(text);
  ASSERT_TRUE(again.has_value()) << again.error();
  EXPECT_EQ(again->verifier(), witness->verifier());
}

TEST(SigningKeyTest, SignaturesAreDeterministicAndVerify) {
  auto key = SigningKey::ParsePrivateKey(kPeterPrivate);
  ASSERT_TRUE(key.has_value());
  const ByteSpan message = AsBytes("hi");
  const auto sig = key->SignEd25519(message);
  EXPECT_EQ(sig, key->SignEd25519(message));
  EXPECT_TRUE(key->verifier().VerifyEd25519(message, sig));
}

TEST(SigningKeyTest, VerifyRejectsFlippedBitsWrongLengthAndOtherKeys) {
  auto key = SigningKey::ParsePrivateKey(kPeterPrivate);
  auto other = SigningKey::FromSeed("PeterNeumann", Seed(0x07));
  ASSERT_TRUE(key.has_value() && other.has_value());
  const std::string message = "hi\n";
  auto sig = key->SignEd25519(AsBytes(message));
  for (size_t bit = 0; bit < sig.size() * 8; bit += 37) {
    auto flipped = sig;
    flipped[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    EXPECT_FALSE(key->verifier().VerifyEd25519(AsBytes(message), flipped)) << bit;
  }
  EXPECT_FALSE(key->verifier().VerifyEd25519(AsBytes("hi\r"), sig));
  EXPECT_FALSE(key->verifier().VerifyEd25519(AsBytes(message), ByteSpan(sig).first(63)));
  EXPECT_FALSE(other->verifier().VerifyEd25519(AsBytes(message), sig));
}

TEST(SigningKeyTest, GenerateGivesDistinctWorkingKeys) {
  auto a = SigningKey::Generate("example.com/a");
  auto b = SigningKey::Generate("example.com/a");
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_NE(a->verifier().public_key(), b->verifier().public_key());
  auto reparsed = SigningKey::ParsePrivateKey(a->PrivateKeyString());
  ASSERT_TRUE(reparsed.has_value());
  EXPECT_EQ(reparsed->verifier(), a->verifier());
  EXPECT_TRUE(a->verifier().VerifyEd25519(AsBytes("x"), reparsed->SignEd25519(AsBytes("x"))));
}

TEST(SigningKeyTest, CopiesShareTheSecretAndOutliveTheOriginal) {
  std::optional<SigningKey> copy;
  {
    auto key = SigningKey::FromSeed("example.com/a", Seed(0x05));
    ASSERT_TRUE(key.has_value());
    copy = *key;
  }
  EXPECT_TRUE(copy->verifier().VerifyEd25519(AsBytes("m"), copy->SignEd25519(AsBytes("m"))));
}

TEST(SigningKeyTest, FromSeedRejectsBadSeedNameAndType) {
  EXPECT_EQ(SigningKey::FromSeed("a", Bytes(31, 1)).error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SigningKey::FromSeed("a", Bytes(33, 1)).error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SigningKey::FromSeed("a b", Seed(1)).error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SigningKey::FromSeed("a", Seed(1), static_cast<KeyType>(0x06)).error().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(SigningKey::Generate("").error().code(), StatusCode::kInvalidArgument);
}

// Go's TestNewSigner manglings, plus: the error never echoes key material.
TEST(SigningKeyTest, RejectsEverySubstringAndByteIncrementWithoutLeakingTheKey) {
  const std::string skey(kPeterPrivate);
  const std::string seed_b64 = skey.substr(skey.rfind('+') + 1);
  const auto check = [&](const std::string& text) {
    auto key = SigningKey::ParsePrivateKey(text);
    ASSERT_FALSE(key.has_value()) << text;
    EXPECT_EQ(key.error().code(), StatusCode::kInvalidArgument);
    // No 6-character run of the seed's base64 appears in the message.
    const std::string& message = key.error().message();
    for (size_t i = 0; i + 6 <= seed_b64.size(); ++i) {
      EXPECT_EQ(message.find(seed_b64.substr(i, 6)), std::string::npos) << message;
    }
  };
  for (size_t i = 0; i <= skey.size(); ++i) {
    for (size_t j = i + 1; j <= skey.size(); ++j) {
      if (i == 0 && j == skey.size()) continue;
      check(skey.substr(i, j - i));
    }
  }
  for (size_t i = 0; i < skey.size(); ++i) {
    std::string mangled = skey;
    ++mangled[i];
    check(mangled);
  }
  check(skey + "\n");
  check("PRIVATE+KEY+PeterNeumann+C74F20A3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz");
}

}  // namespace
}  // namespace ltl::ledger
