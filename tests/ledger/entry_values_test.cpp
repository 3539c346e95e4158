// Value syntaxes used inside entries: decimals, times, durations, work ids,
// code tables. Each accepts one spelling per value and says why it rejects.
#include <gtest/gtest.h>

#include <random>

#include "ledger/codes.h"
#include "ledger/decimal.h"
#include "ledger/time.h"
#include "ledger/work_id.h"

namespace ltl::ledger {
namespace {

Decimal D(std::string_view s) { return Decimal::Parse(s).value(); }

// ---- Decimal -----------------------------------------------------------------

TEST(DecimalTest, CanonicalTextsRoundTrip) {
  for (std::string_view s : {"0", "1", "10", "0.5", "12.25", "0.000000001", "999999999999999999",
                             "999999999999999999.999999999", "100.000000009"}) {
    auto d = Decimal::Parse(s);
    ASSERT_TRUE(d.has_value()) << s << ": " << d.error();
    EXPECT_EQ(d->ToString(), s);
  }
}

TEST(DecimalTest, RejectsEveryNonCanonicalOrFloatSpelling) {
  for (std::string_view s : {"",
                             "01",
                             "00",
                             "1.",
                             ".5",
                             "1.50",
                             "1.0",
                             "0.0",
                             "+1",
                             "-1",
                             "1e3",
                             "1E3",
                             "1.5e2",
                             " 1",
                             "1 ",
                             "1,5",
                             "0x10",
                             "1.0000000001",
                             "1000000000000000000",
                             "NaN",
                             "inf",
                             "١"}) {
    EXPECT_FALSE(Decimal::Parse(s).has_value()) << "accepted '" << s << "'";
  }
}

TEST(DecimalTest, NanoUnitsAreExact) {
  EXPECT_EQ(D("0.000000001").nano_units(), 1u);
  EXPECT_EQ(D("1.5").nano_units(), 1'500'000'000u);
  EXPECT_LT(D("0.1"), D("0.11"));
  EXPECT_EQ(Decimal::FromInteger(42).value(), D("42"));
  EXPECT_FALSE(Decimal::FromInteger(Decimal::kMaxIntegerPart + 1).has_value());
}

TEST(DecimalTest, AddAndSubtractAreExactAndRangeChecked) {
  EXPECT_EQ(Add(D("0.1"), D("0.2")).value(), D("0.3"));  // the float classic, exact here
  EXPECT_EQ(Subtract(D("10"), D("0.000000001")).value(), D("9.999999999"));
  EXPECT_EQ(Subtract(D("1"), D("2")).error().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(Add(D("999999999999999999.999999999"), D("0.000000001")).error().code(),
            StatusCode::kOutOfRange);
}

TEST(DecimalTest, MultiplyRoundsOnlyWhenAsked) {
  EXPECT_EQ(Multiply(D("1.5"), D("420"), Rounding::kExact).value(), D("630"));
  EXPECT_EQ(Multiply(D("0.00002"), D("0.00003"), Rounding::kExact).error().code(),
            StatusCode::kInvalidArgument);  // 6e-10 needs 10 digits
  EXPECT_EQ(Multiply(D("0.00002"), D("0.00003"), Rounding::kDown).value(), D("0"));
  EXPECT_EQ(Multiply(D("0.00003"), D("0.00003"), Rounding::kHalfEven).value(),
            D("0.000000001"));  // 9e-10 rounds up
  // Exactly half: to the even neighbour.
  EXPECT_EQ(Multiply(D("0.5"), D("0.000000001"), Rounding::kHalfEven).value(), D("0"));
  EXPECT_EQ(Multiply(D("1.5"), D("0.000000001"), Rounding::kHalfEven).value(), D("0.000000002"));
  EXPECT_EQ(Multiply(D("2.5"), D("0.000000001"), Rounding::kHalfEven).value(), D("0.000000002"));
  EXPECT_EQ(Multiply(D("1000000000"), D("1000000000"), Rounding::kExact).error().code(),
            StatusCode::kOutOfRange);
}

TEST(DecimalTest, MultiplyMatchesLongMultiplicationOnRandomOperands) {
  // Reference: the exact product of two values below 10^9 with 9 fractional
  // digits fits in 128 bits directly, so compare the split algorithm to it.
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000; ++i) {
    const unsigned __int128 a = rng() % 1'000'000'000'000'000'000ull;  // < 10^9 whole
    const unsigned __int128 b = rng() % 1'000'000'000'000'000'000ull;
    const unsigned __int128 exact = a * b;
    const Decimal da = Decimal::FromNanoUnits(a).value();
    const Decimal db = Decimal::FromNanoUnits(b).value();
    EXPECT_EQ(Multiply(da, db, Rounding::kDown).value().nano_units(), exact / 1'000'000'000u);
  }
}

TEST(DecimalTest, DivideByIntegerForPerUnitPrices) {
  // 1.5 EUR per 1m tokens applied to 1 token.
  EXPECT_EQ(DivideByInteger(D("1.5"), 1'000'000, Rounding::kExact).value(), D("0.0000015"));
  EXPECT_EQ(DivideByInteger(D("1"), 3, Rounding::kExact).error().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(DivideByInteger(D("1"), 3, Rounding::kHalfEven).value(), D("0.333333333"));
  EXPECT_EQ(DivideByInteger(D("2"), 3, Rounding::kHalfEven).value(), D("0.666666667"));
  EXPECT_EQ(DivideByInteger(D("1"), 0, Rounding::kDown).error().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(MultiplyByInteger(D("0.25"), 1200).value(), D("300"));
  EXPECT_EQ(MultiplyByInteger(D("999999999999999999"), 2).error().code(), StatusCode::kOutOfRange);
}

// ---- Time --------------------------------------------------------------------

TEST(TimestampTest, KnownInstantsConvertToUnixSeconds) {
  EXPECT_EQ(ParseTimestamp("1970-01-01T00:00:00Z")->unix_seconds, 0);
  EXPECT_EQ(ParseTimestamp("2000-03-01T00:00:00Z")->unix_seconds, 951868800);
  EXPECT_EQ(ParseTimestamp("2026-01-02T03:04:05Z")->unix_seconds, 1767323045);
  EXPECT_EQ(ParseTimestamp("9999-12-31T23:59:59Z")->unix_seconds, kMaxTimestampSeconds);
}

TEST(TimestampTest, LeapYearsFollowTheGregorianRule) {
  EXPECT_TRUE(ParseTimestamp("2024-02-29T00:00:00Z").has_value());
  EXPECT_TRUE(ParseTimestamp("2000-02-29T00:00:00Z").has_value());
  EXPECT_FALSE(ParseTimestamp("2100-02-29T00:00:00Z").has_value());
  EXPECT_FALSE(ParseTimestamp("2026-02-29T00:00:00Z").has_value());
  EXPECT_FALSE(ParseTimestamp("2026-04-31T00:00:00Z").has_value());
}

TEST(TimestampTest, RejectsEveryOtherSpelling) {
  for (std::string_view s :
       {"2026-01-02T03:04:05z", "2026-01-02t03:04:05Z", "2026-01-02 03:04:05Z",
        "2026-01-02T03:04:05+00:00", "2026-01-02T03:04:05.0Z", "2026-1-02T03:04:05Z",
        "2026-01-02T03:04:60Z", "2026-01-02T24:00:00Z", "2026-13-01T00:00:00Z",
        "2026-00-01T00:00:00Z", "2026-01-00T00:00:00Z", "1969-12-31T23:59:59Z",
        "+2026-01-02T03:04:05Z", "2026-01-02T03:04:05", "2026-01-02T03:04:05Z\n", ""}) {
    EXPECT_FALSE(ParseTimestamp(s).has_value()) << "accepted '" << s << "'";
  }
}

TEST(TimestampTest, FormatInvertsParseAcrossTheRange) {
  std::mt19937_64 rng(11);
  for (int i = 0; i < 3000; ++i) {
    const Timestamp t{static_cast<int64_t>(rng() % (kMaxTimestampSeconds + 1))};
    const std::string text = FormatTimestamp(t);
    auto back = ParseTimestamp(text);
    ASSERT_TRUE(back.has_value()) << text;
    EXPECT_EQ(*back, t) << text;
  }
}

TEST(DurationTest, OneSpellingPerDuration) {
  EXPECT_EQ(ParseDuration("P30D").value(), (Duration{30, DurationUnit::kDay}));
  EXPECT_EQ(FormatDuration(Duration{1, DurationUnit::kYear}), "P1Y");
  for (std::string_view s :
       {"P0D", "P030D", "P1Y2M", "PT1H", "P1d", "30D", "P", "PD", "P10000D", "P-1D", "p1D"}) {
    EXPECT_FALSE(ParseDuration(s).has_value()) << "accepted '" << s << "'";
  }
}

// ---- Work identifiers ----------------------------------------------------------

TEST(WorkIdTest, WrittenFormsRoundTripAndNormalise) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"isrc:GB-AYE-69-00531", "isrc:GBAYE6900531"},
      {"isrc:gbaye6900531", "isrc:GBAYE6900531"},
      {"iswc:T-034.524.680-1", "iswc:T0345246801"},
      {"iswc:T0345246801", "iswc:T0345246801"},
      {"isbn:0-306-40615-2", "isbn:9780306406157"},
      {"isbn:978-0-306-40615-7", "isbn:9780306406157"},
      {"isbn:080442957X", "isbn:9780804429573"},
      {"issn:2049-3630", "issn:2049-3630"},
      {"doi:10.1000/ABC.def", "doi:10.1000/abc.def"},
      {"url:HTTPS://Docs.Example.ORG/Manual/*", "url:HTTPS://Docs.Example.ORG/Manual/*"},
      {"url:https://Docs.Example.ORG/Manual/*", "url:https://docs.example.org/Manual/*"},
      {"iscc:KACYPXW445FTYNJ3", "iscc:KACYPXW445FTYNJ3"},
      {"sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
       "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"},
  };
  for (const auto& [written, normal] : cases) {
    auto id = ParseWorkId(written);
    if (written.starts_with("url:HTTPS")) {
      EXPECT_FALSE(id.has_value()) << "URL schemes are lower case";
      continue;
    }
    ASSERT_TRUE(id.has_value()) << written << ": " << id.error();
    EXPECT_EQ(FormatWorkId(*id), written);
    EXPECT_EQ(NormaliseWorkId(*id), normal);
  }
}

TEST(WorkIdTest, Iso7064Mod3736MatchesPublishedExamples) {
  EXPECT_EQ(detail::Iso7064Mod3736Check("123AB"), 'X');
  EXPECT_EQ(detail::Iso7064Mod3736Check("DADPIDA3897722461"), 'J');
  EXPECT_EQ(detail::Iso7064Mod3736Check("12-3"), '\0');
}

TEST(WorkIdTest, IsanAndEidrCheckCharactersAreVerified) {
  const std::string root = "0000-0000-3A8D-0000";
  const char c1 = detail::Iso7064Mod3736Check(
      "00000000"
      "3A8D0000");
  const std::string isan = root + "-" + c1;
  EXPECT_TRUE(ParseWorkId("isan:" + isan).has_value());
  const char c2 = detail::Iso7064Mod3736Check(
      "00000000"
      "3A8D0000"
      "00000000");
  EXPECT_TRUE(ParseWorkId("isan:" + isan + "-0000-0000-" + c2).has_value());
  const char wrong = c1 == '0' ? '1' : '0';
  EXPECT_FALSE(ParseWorkId("isan:" + root + "-" + wrong).has_value());

  const std::string eidr_hex = "B94CCF4E8F5E4B3E1BC1";
  const std::string eidr =
      "10.5240/B94C-CF4E-8F5E-4B3E-1BC1-" + std::string(1, detail::Iso7064Mod3736Check(eidr_hex));
  EXPECT_TRUE(ParseWorkId("eidr:" + eidr).has_value());
  EXPECT_FALSE(ParseWorkId("eidr:10.5240/b94c-CF4E-8F5E-4B3E-1BC1-" +
                           std::string(1, detail::Iso7064Mod3736Check(eidr_hex)))
                   .has_value());
}

TEST(WorkIdTest, RejectsBadSyntaxAndCheckDigits) {
  for (std::string_view s : {
           "isrc:GB-AYE-6900531",     // hyphens misplaced
           "isrc:GBAYE690053",        // too short
           "iswc:T-034.524.680-2",    // check digit
           "iswc:t0345246801",        // lower-case T
           "isbn:978-0-306-40615-8",  // check digit
           "isbn:0-306-40615-3",      // ISBN-10 check digit
           "isbn:977-0-306-40615-7",  // not a 978/979 prefix
           "isbn:978--0306406157",    // double hyphen
           "isbn:-9780306406157",     // leading hyphen
           "issn:2049-3631",          // check digit
           "issn:20493630",           // missing hyphen
           "doi:11.1000/182",         // not a DOI
           "doi:10.1000/",            // empty suffix
           "doi:10.1000/a b",         // space
           "url:ftp://example.com/",  // scheme
           "url:https:///path",       // no host
           "sha256:2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824",
           "iscc:kacypxw445ftynj3",  // lower case
           "iscc:KACY",              // too short
           "ISRC:GBAYE6900531",      // scheme case
           "ean:9780306406157",      // unknown scheme
           "isrc",                   // no colon
       }) {
    EXPECT_FALSE(ParseWorkId(s).has_value()) << "accepted '" << s << "'";
  }
}

// ---- Code tables -----------------------------------------------------------------

TEST(CodesTest, CurrencyTableIsStrictIso4217) {
  EXPECT_TRUE(IsCurrencyCode("EUR"));
  EXPECT_TRUE(IsCurrencyCode("USD"));
  EXPECT_TRUE(IsCurrencyCode("JPY"));
  for (std::string_view s : {"eur", "EURO", "EU", "XXX", "XTS", "XAU", "BTC", "", "E R"}) {
    EXPECT_FALSE(IsCurrencyCode(s)) << s;
  }
  EXPECT_GT(CurrencyCodes().size(), 150u);
}

TEST(CodesTest, TerritoriesAreIso3166Alpha2PlusEuAndWorld) {
  EXPECT_TRUE(IsTerritoryCode("DE"));
  EXPECT_TRUE(IsTerritoryCode("EU"));
  EXPECT_TRUE(IsTerritoryCode("WORLD"));
  for (std::string_view s : {"de", "UK", "EL", "DEU", "world", "XX", ""}) {
    EXPECT_FALSE(IsTerritoryCode(s)) << s;
  }
  EXPECT_EQ(TerritoryCodes().size(), 249u + 2u);
}

}  // namespace
}  // namespace ltl::ledger
