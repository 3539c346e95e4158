#include "base/encoding.h"

#include <gtest/gtest.h>

namespace ltl {
namespace {

TEST(HexTest, RoundTripsAndIsLowerCase) {
  Bytes data = {0x00, 0xab, 0xff, 0x10};
  EXPECT_EQ(HexEncode(data), "00abff10");
  auto back = HexDecode("00abff10");
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, data);
}

TEST(HexTest, RejectsUpperCaseOddLengthAndNonHex) {
  EXPECT_FALSE(HexDecode("AB").has_value());
  EXPECT_FALSE(HexDecode("abc").has_value());
  EXPECT_FALSE(HexDecode("zz").has_value());
}

TEST(Base64Test, KnownAnswersFromRfc4648) {
  const std::pair<const char*, const char*> cases[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (auto [plain, encoded] : cases) {
    EXPECT_EQ(Base64Encode(AsBytes(plain)), encoded);
    std::string appended = "prefix:";
    AppendBase64(appended, AsBytes(plain));
    EXPECT_EQ(appended, std::string("prefix:") + encoded);
    auto decoded = Base64Decode(encoded);
    ASSERT_TRUE(decoded.has_value()) << encoded;
    EXPECT_EQ(AsChars(*decoded), plain);
  }
}

TEST(Base64Test, RejectsNonCanonicalEncodings) {
  EXPECT_FALSE(Base64Decode("Zg").has_value()) << "missing padding";
  EXPECT_FALSE(Base64Decode("Zh==").has_value()) << "non-zero unused bits";
  EXPECT_FALSE(Base64Decode("Zm9=").has_value()) << "non-zero unused bits";
  EXPECT_FALSE(Base64Decode("Zg==Zg==").has_value()) << "padding in the middle";
  EXPECT_FALSE(Base64Decode("Z===").has_value()) << "too much padding";
  EXPECT_FALSE(Base64Decode("Zm9v\n").has_value()) << "trailing newline";
  EXPECT_FALSE(Base64Decode("Zm-v").has_value()) << "URL alphabet";
}

TEST(DecimalTest, AcceptsOnlyCanonicalU64) {
  EXPECT_EQ(*ParseDecimalU64("0"), 0u);
  EXPECT_EQ(*ParseDecimalU64("18446744073709551615"), UINT64_MAX);
  EXPECT_FALSE(ParseDecimalU64("18446744073709551616").has_value());
  EXPECT_FALSE(ParseDecimalU64("01").has_value());
  EXPECT_FALSE(ParseDecimalU64("").has_value());
  EXPECT_FALSE(ParseDecimalU64("+1").has_value());
  EXPECT_FALSE(ParseDecimalU64("1 ").has_value());
}

TEST(BigEndianTest, RoundTrips) {
  uint8_t buf[8];
  PutBigEndian64(buf, 0x0102030405060708ull);
  EXPECT_EQ(buf[0], 1);
  EXPECT_EQ(buf[7], 8);
  EXPECT_EQ(GetBigEndian64(buf), 0x0102030405060708ull);
  PutBigEndian16(buf, 0xbeef);
  EXPECT_EQ(GetBigEndian16(buf), 0xbeef);
}

}  // namespace
}  // namespace ltl
