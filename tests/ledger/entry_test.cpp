// Entry texts: round trips per type, every rejection class with its reason
// code, signature rules, and the index helpers the store uses.
#include "ledger/entry.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "tests/ledger/entry_samples.h"

namespace ltl::ledger {
namespace {

using samples::AllSamples;
using samples::SignAll;

std::vector<std::string> Lines(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}
std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}
size_t IndexOfKey(const std::vector<std::string>& lines, std::string_view key) {
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].starts_with(std::string(key) + " ")) return i;
  }
  ADD_FAILURE() << "no line with key " << key;
  return 0;
}
// The text with the first line of `key` replaced by `replacement` lines.
std::string Replace(std::string_view text, std::string_view key,
                    std::vector<std::string> replacement) {
  auto lines = Lines(text);
  const size_t at = IndexOfKey(lines, key);
  lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(at));
  lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(at), replacement.begin(),
               replacement.end());
  return Join(lines);
}
std::string Remove(std::string_view text, std::string_view key) { return Replace(text, key, {}); }
std::string LineOf(std::string_view text, std::string_view key) {
  auto lines = Lines(text);
  return lines[IndexOfKey(lines, key)];
}

std::string OfferText() { return FormatEntryText(samples::PublicOffer()); }
std::string AgreementText() { return FormatEntryText(samples::Agreement()); }
std::string UsageText() { return FormatEntryText(samples::Usage()); }

// Asserts that `text` is rejected with `code`, and that the message contains
// `detail` (e.g. the line number and key).
void ExpectRejected(std::string_view text, std::string_view code, std::string_view detail = "") {
  auto parsed = ParseEntryText(text);
  ASSERT_FALSE(parsed.has_value()) << "accepted:\n" << text;
  EXPECT_EQ(ReasonCode(parsed.error()), code) << parsed.error();
  EXPECT_NE(parsed.error().message().find(detail), std::string::npos)
      << parsed.error() << "\nwanted: " << detail;
}

// ---- Round trips ---------------------------------------------------------------

TEST(EntryTextTest, EverySampleRoundTripsByteForByte) {
  for (const auto& sample : AllSamples()) {
    SCOPED_TRACE(sample.name);
    const std::string text = FormatEntryText(sample.body);
    auto parsed = ParseEntryText(text);
    ASSERT_TRUE(parsed.has_value()) << parsed.error() << "\n" << text;
    EXPECT_EQ(*parsed, sample.body);
    EXPECT_EQ(FormatEntryText(*parsed), text);
    EXPECT_TRUE(ValidateEntryBody(sample.body).ok());
  }
}

TEST(EntryTextTest, TypeLineNamesTypeAndVersion) {
  EXPECT_TRUE(OfferText().starts_with("ltl/licence-grant/v1\n"));
  EXPECT_TRUE(UsageText().starts_with("ltl/usage/v1\n"));
  EXPECT_EQ(TypeOf(samples::Usage()), EntryType::kUsage);
  EXPECT_EQ(EntryTypeName(EntryType::kKeyRevoke), "key-revoke");
}

TEST(EntryTextTest, AggregateUsesAreKeptAsWrittenAndExpandedForChecks) {
  const LicenceGrant offer = samples::PublicOffer();  // permit ai-all, prohibit ai-input
  EXPECT_NE(OfferText().find("permit-use ai-all\n"), std::string::npos);
  const UseSet uses = offer.EffectiveUses();
  EXPECT_TRUE(uses.contains(Use::kTrainGenai));
  EXPECT_TRUE(uses.contains(Use::kTrainOther));
  EXPECT_TRUE(uses.contains(Use::kAiIndex));
  EXPECT_FALSE(uses.contains(Use::kAiInput));  // prohibited
  EXPECT_FALSE(uses.contains(Use::kSearch));   // not AI
}

// ---- Line grammar rejections ---------------------------------------------------

TEST(EntryTextRejectTest, TrailingSpace) {
  const std::string line = LineOf(OfferText(), "kind");
  ExpectRejected(Replace(OfferText(), "kind", {line + " "}), "bad_line", "line 3 'kind'");
}

TEST(EntryTextRejectTest, CrlfLineEndings) {
  std::string text = OfferText();
  for (size_t at = text.find('\n'); at != std::string::npos; at = text.find('\n', at + 2)) {
    text.insert(at, "\r");
  }
  ExpectRejected(text, "bad_encoding", "line 1: carriage return");
}

TEST(EntryTextRejectTest, DoubleSpaceBetweenKeyAndValue) {
  ExpectRejected(Replace(OfferText(), "kind", {"kind  offer"}), "bad_line", "one space");
}

TEST(EntryTextRejectTest, DoubleSpaceInsideAValue) {
  ExpectRejected(Replace(OfferText(), "attribution", {"attribution Alice  Example"}), "bad_line",
                 "'attribution'");
}

TEST(EntryTextRejectTest, EmptyValue) {
  ExpectRejected(Replace(OfferText(), "kind", {"kind "}), "bad_line", "empty value");
  ExpectRejected(Replace(OfferText(), "kind", {"kind"}), "bad_line", "empty value");
}

TEST(EntryTextRejectTest, EmptyLine) {
  ExpectRejected(Replace(OfferText(), "kind", {"kind offer", ""}), "bad_line", "empty line");
}

TEST(EntryTextRejectTest, MissingFinalNewline) {
  std::string text = OfferText();
  text.pop_back();
  ExpectRejected(text, "bad_line", "end with");
}

TEST(EntryTextRejectTest, TabsControlCharactersAndInvisibleSpaces) {
  ExpectRejected(Replace(OfferText(), "kind", {"kind\toffer"}), "bad_encoding", "control");
  ExpectRejected(Replace(OfferText(), "attribution", {"attribution Alice\xc2\xa0Music"}),
                 "bad_encoding", "white space");
  ExpectRejected(Replace(OfferText(), "attribution", {"attribution Alice \xff"}), "bad_encoding",
                 "UTF-8");
}

TEST(EntryTextRejectTest, KeysAreLowerCaseAscii) {
  ExpectRejected(Replace(OfferText(), "kind", {"Kind offer"}), "bad_line", "[a-z0-9-]+");
}

TEST(EntryTextRejectTest, TypeLine) {
  std::string text = OfferText();
  ExpectRejected("ltl/licence-grant/v2" + text.substr(text.find('\n')), "bad_type", "version");
  ExpectRejected("ltl/licence/v1" + text.substr(text.find('\n')), "bad_type", "unknown");
  ExpectRejected("licence-grant" + text.substr(text.find('\n')), "bad_type");
  ExpectRejected("", "bad_line");
}

TEST(EntryTextRejectTest, OversizeText) {
  LicenceGrant g = samples::PublicOffer();
  // Distinct DOIs until the text passes the tlog-tiles bundle limit.
  for (int i = 0; FormatEntryText(g).size() <= kMaxEntrySize; ++i) {
    g.works.push_back(ParseWorkId("doi:10.5555/work-" + std::to_string(i)).value());
  }
  auto parsed = ParseEntryText(FormatEntryText(g));
  ASSERT_FALSE(parsed.has_value());
  EXPECT_EQ(parsed.error().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(ReasonCode(parsed.error()), "too_large");
}

// ---- Field order rejections ------------------------------------------------------

TEST(EntryTextRejectTest, DuplicateField) {
  ExpectRejected(Replace(OfferText(), "kind", {"kind offer", "kind offer"}), "duplicate_field",
                 "line 4 'kind'");
}

TEST(EntryTextRejectTest, OutOfOrderFields) {
  const std::string kind = LineOf(OfferText(), "kind");
  const std::string licensor = LineOf(OfferText(), "licensor");
  std::string text = Replace(OfferText(), "kind", {licensor});
  text = Replace(text, "licensor", {});  // the first licensor line now sits at line 3
  text = Replace(text, "licensor", {licensor, kind});
  ExpectRejected(text, "field_order", "line 3 'licensor'");
}

TEST(EntryTextRejectTest, RepeatedKeyLinesMustBeContiguous) {
  const std::string work = LineOf(OfferText(), "work");
  std::string text = Remove(OfferText(), "work");  // one work line left
  text = Replace(text, "permit-use", {LineOf(text, "permit-use"), work});
  ExpectRejected(text, "field_order", "contiguous");
}

TEST(EntryTextRejectTest, UnknownField) {
  ExpectRejected(Replace(OfferText(), "kind", {"kind offer", "colour blue"}), "unknown_field",
                 "line 4 'colour'");
  ExpectRejected(Replace(OfferText(), "licensor", {"licensr x"}), "unknown_field",
                 "line 4 'licensr'");
}

TEST(EntryTextRejectTest, MissingRequiredField) {
  ExpectRejected(Remove(OfferText(), "kind"), "missing_field", "'kind'");
  ExpectRejected(Remove(OfferText(), "issued"), "missing_field", "'issued' is required at the end");
}

// ---- Value rejections ------------------------------------------------------------

TEST(EntryTextRejectTest, AmountWithFloatExponent) {
  ExpectRejected(Replace(OfferText(), "payment", {"payment training 1e3 EUR per-work"}),
                 "bad_value", "'payment'");
  ExpectRejected(Replace(OfferText(), "payment", {"payment training 0.250 EUR per-work"}),
                 "bad_value", "trailing zero");
}

TEST(EntryTextRejectTest, BadCurrency) {
  for (std::string_view currency : {"EURO", "eur", "XXX", "BTC"}) {
    ExpectRejected(Replace(OfferText(), "payment",
                           {"payment training 0.25 " + std::string(currency) + " per-work"}),
                   "bad_value", "ISO 4217");
  }
}

TEST(EntryTextRejectTest, BadEnumerationsAndFlags) {
  ExpectRejected(Replace(OfferText(), "kind", {"kind gift"}), "bad_value", "'kind'");
  ExpectRejected(Replace(OfferText(), "territory", {"territory UK"}), "bad_value", "alpha-2");
  ExpectRejected(
      Replace(OfferText(), "not-after", {"not-after 2027-02-01T00:00:00Z", "exclusive false"}),
      "bad_value", "'exclusive'");
  ExpectRejected(Replace(OfferText(), "payment", {"payment revenue-share 10001 bps net-revenue"}),
                 "bad_value", "0..10000");
}

TEST(EntryTextRejectTest, SignerKeysMustBeEd25519NoteKeys) {
  const SigningKey witness =
      SigningKey::FromSeed("w.example/w", Bytes(32, 7), KeyType::kCosignatureV1).value();
  ExpectRejected(Replace(OfferText(), "licensor", {"licensor " + witness.verifier().ToString()}),
                 "bad_value", "Ed25519");
  ExpectRejected(Replace(OfferText(), "licensor", {"licensor alice.example/ltl"}), "bad_value",
                 "'licensor'");
}

// ---- Type rules -------------------------------------------------------------------

TEST(EntryRulesTest, NotAfterMustFollowNotBefore) {
  ExpectRejected(Replace(OfferText(), "not-after", {"not-after 2026-01-01T00:00:00Z"}),
                 "term_order", "not-after");
  ExpectRejected(Replace(OfferText(), "not-after", {"not-after 2026-02-01T00:00:00Z"}),
                 "term_order");  // equal is not later
}

TEST(EntryRulesTest, AgreementNeedsANamedLicensee) {
  ExpectRejected(Replace(AgreementText(), "licensee", {"licensee *"}), "public_agreement");
}

TEST(EntryRulesTest, LicenseeCannotBeTheLicensor) {
  const std::string licensor = LineOf(AgreementText(), "licensor").substr(9);
  ExpectRejected(Replace(AgreementText(), "licensee", {"licensee " + licensor}),
                 "conflicting_fields");
}

TEST(EntryRulesTest, SomeUseMustRemainAfterProhibitions) {
  ExpectRejected(Replace(OfferText(), "prohibit-use", {"prohibit-use ai-all"}), "no_effective_use");
}

TEST(EntryRulesTest, RedundantUsesAreTwoSpellingsOfOneSet) {
  ExpectRejected(
      Replace(OfferText(), "permit-use", {"permit-use ai-all", "permit-use train-genai"}),
      "duplicate_value", "train-genai");
}

TEST(EntryRulesTest, GrantNeedsWorks) {
  std::string text = Remove(Remove(OfferText(), "work"), "work");
  ExpectRejected(text, "missing_work");
}

TEST(EntryRulesTest, SameWorkTwiceUnderDifferentSpellings) {
  ExpectRejected(
      Replace(OfferText(), "work", {"work isrc:GB-AYE-69-00531", "work isrc:gbaye6900531"}),
      "duplicate_value", "isrc:GBAYE6900531");
}

TEST(EntryRulesTest, RightsholderSharesCannotExceedTheWhole) {
  ExpectRejected(
      Replace(AgreementText(), "rightsholder", {"rightsholder isni:0000000218250097 7001"}),
      "share_overflow");
}

TEST(EntryRulesTest, FreePaymentStandsAlone) {
  ExpectRejected(Replace(OfferText(), "payment", {"payment free", LineOf(OfferText(), "payment")}),
                 "conflicting_fields");
}

TEST(EntryRulesTest, WorldCoversEveryTerritory) {
  ExpectRejected(Replace(OfferText(), "territory", {"territory FR", "territory WORLD"}),
                 "duplicate_value", "WORLD");
}

TEST(EntryRulesTest, NilReportExcludesLines) {
  std::string text = FormatEntryText(samples::Usage());
  text = Replace(text, "line", {"nil true", "line 1"});
  ExpectRejected(text, "conflicting_fields", "nil true");
}

TEST(EntryRulesTest, ReportNeedsLinesOrNil) {
  std::string text = FormatEntryText(samples::NilUsage());
  ExpectRejected(Remove(text, "nil"), "missing_field", "nil true");
}

TEST(EntryRulesTest, PeriodAndUseOrder) {
  ExpectRejected(Replace(UsageText(), "period-end", {"period-end 2026-02-01T00:00:00Z"}),
                 "term_order", "period-end");
  ExpectRejected(Replace(UsageText(), "last-use", {"last-use 2026-02-02T23:59:59Z"}), "term_order",
                 "line 1: 'last-use'");
}

TEST(EntryRulesTest, UsageLineNamesOneConcreteUse) {
  ExpectRejected(Replace(UsageText(), "use", {"use ai-all"}), "bad_value", "concrete");
}

TEST(EntryRulesTest, LicenceBasisNeedsTheLicensor) {
  ExpectRejected(Remove(UsageText(), "licensor"), "missing_field", "licensor");
}

TEST(EntryRulesTest, UsageLineFieldsKeepTheirOrderInsideEachLine) {
  const std::string stage = LineOf(UsageText(), "stage");
  const std::string use = LineOf(UsageText(), "use");
  std::string text = Replace(UsageText(), "use", {stage});
  text = Replace(text, "stage", {});
  text = Replace(text, "stage", {stage, use});
  ExpectRejected(text, "field_order", "'stage'");
}

TEST(EntryRulesTest, LineIdsAreUnique) {
  std::string text = Replace(UsageText(), "line", {"line 2"});
  ExpectRejected(text, "duplicate_value", "line id '2'");
}

TEST(EntryRulesTest, CompromisedKeyNamesSince) {
  std::string text = FormatEntryText(samples::AliceOldRevoke());
  ExpectRejected(Replace(text, "reason", {"reason compromised"}), "missing_field",
                 "compromised-since");
  ExpectRejected(
      Replace(text, "reason", {"reason superseded", "compromised-since 2026-01-01T00:00:00Z"}),
      "conflicting_fields");
}

TEST(EntryRulesTest, ValidateEntryBodyCatchesConstructedValues) {
  LicenceGrant g = samples::PublicOffer();
  g.payments[0].price.currency = "EURO";
  EXPECT_EQ(ReasonCode(ValidateEntryBody(g)), "bad_value");
  KeyEntry k = samples::BobKey();
  k.party_name = "Bob\nissued 2020-01-01T00:00:00Z";  // a line injected through a value
  EXPECT_FALSE(ValidateEntryBody(k).ok());
  k.party_name = " Bob";
  EXPECT_EQ(ReasonCode(ValidateEntryBody(k)), "bad_line");
}

// ---- Signed entries ---------------------------------------------------------------

TEST(SignedEntryTest, EverySampleVerifiesWithItsRequiredSigners) {
  for (const auto& sample : AllSamples()) {
    SCOPED_TRACE(sample.name);
    const std::string note = SignAll(FormatEntryText(sample.body), sample.signers);
    auto entry = ParseEntry(note);
    ASSERT_TRUE(entry.has_value()) << entry.error();
    EXPECT_EQ(entry->body, sample.body);
    EXPECT_EQ(entry->ref, proofs::Sha256(FormatEntryText(sample.body)));
    EXPECT_TRUE(ValidateEntrySignatures(*entry).ok()) << ValidateEntrySignatures(*entry);
    std::vector<VerifierKey> want;
    for (const SigningKey& k : sample.signers) want.push_back(k.verifier());
    EXPECT_EQ(RequiredSigners(sample.body), want);
  }
}

TEST(SignedEntryTest, AgreementMissingTheLicenseeSignatureIsRefused) {
  const std::string note = SignAll(AgreementText(), {samples::Alice()});
  auto entry = ParseEntry(note);
  ASSERT_TRUE(entry.has_value());
  const Status s = ValidateEntrySignatures(*entry);
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(ReasonCode(s), "missing_signature");
  EXPECT_NE(s.message().find(samples::Bob().verifier().ToString()), std::string::npos);
}

TEST(SignedEntryTest, CoSignatureKeepsTheReference) {
  const std::string offered = SignAll(AgreementText(), {samples::Alice()});
  const std::string cosigned = SignNote(offered, samples::Bob()).value();
  EXPECT_EQ(ParseEntry(offered)->ref, ParseEntry(cosigned)->ref);
  EXPECT_NE(offered, cosigned);  // the log leaf is the whole note
}

TEST(SignedEntryTest, ForgedSignatureIsRefused) {
  // Alice's signature line moved onto a different text.
  const std::string genuine = SignAll(OfferText(), {samples::Alice()});
  const std::string sig_lines = genuine.substr(genuine.find("\n\n") + 2);
  const std::string altered =
      Replace(OfferText(), "payment", {"payment training 0.01 EUR per-work"});
  auto entry = ParseEntry(altered + "\n" + sig_lines);
  ASSERT_TRUE(entry.has_value()) << entry.error();
  const Status s = ValidateEntrySignatures(*entry);
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(ReasonCode(s), "bad_signature");
}

TEST(SignedEntryTest, ExtraSignaturesAreIgnored) {
  const std::string note = SignAll(OfferText(), {samples::Society(), samples::Alice()});
  EXPECT_TRUE(ValidateEntrySignatures(ParseEntry(note).value()).ok());
}

TEST(SignedEntryTest, RotationNeedsTheOldKeyToo) {
  const std::string note = SignAll(FormatEntryText(samples::AliceKey()), {samples::Alice()});
  const Status s = ValidateEntrySignatures(ParseEntry(note).value());
  EXPECT_EQ(ReasonCode(s), "missing_signature");
  EXPECT_NE(s.message().find("alice.example/ltl-2025"), std::string::npos);
}

TEST(SignedEntryTest, OversizeNoteIsRefusedBeforeParsing) {
  const std::string big(kMaxEntrySize + 1, 'a');
  auto entry = ParseEntry(big);
  ASSERT_FALSE(entry.has_value());
  EXPECT_EQ(entry.error().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(ReasonCode(entry.error()), "too_large");
}

TEST(SignedEntryTest, UnsignedOrMalformedNote) {
  EXPECT_EQ(ReasonCode(ParseEntry(OfferText()).error()), "bad_note");
  const std::string note = SignAll(OfferText(), {samples::Alice()});
  auto bad = ParseEntry("x" + note);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(ReasonCode(bad.error()), "bad_type");
}

// ---- Index helpers ------------------------------------------------------------------

TEST(EntryIndexTest, WorkIdsAreNormalisedSortedAndUnique) {
  EXPECT_EQ(EntryWorkIds(samples::PublicOffer()),
            (std::vector<std::string>{"isrc:GBAYE6900531", "iswc:T0345246801"}));
  EXPECT_EQ(
      EntryWorkIds(samples::Usage()),
      (std::vector<std::string>{"isbn:9780306406157", "url:https://docs.example.org/manual/*"}));
  EXPECT_TRUE(EntryWorkIds(samples::BobPayment()).empty());
}

TEST(EntryIndexTest, SignerNamesFollowRequiredSigners) {
  EXPECT_EQ(EntrySignerNames(samples::Agreement()),
            (std::vector<std::string>{"alice.example/ltl", "bob-ai.example/ltl"}));
  EXPECT_EQ(EntrySignerNames(samples::PublicOffer()),
            (std::vector<std::string>{"alice.example/ltl"}));
  EXPECT_EQ(EntrySignerNames(samples::AliceOldRevoke()),
            (std::vector<std::string>{"alice.example/ltl"}));
}

TEST(EntryIndexTest, LinksNameTheEntriesPointedAt) {
  const EntryRef grant = samples::AgreementRef();
  EXPECT_EQ(EntryLinks(samples::Usage()),
            (std::vector<EntryLink>{{LinkKind::kUsageLicence, grant}}));
  EXPECT_EQ(EntryLinks(samples::RevokeAgreement()),
            (std::vector<EntryLink>{{LinkKind::kRevokeTarget, grant}}));
  const auto payment_links = EntryLinks(samples::BobPayment());
  ASSERT_EQ(payment_links.size(), 2u);
  EXPECT_EQ(payment_links[0], (EntryLink{LinkKind::kPaymentGrant, grant}));
  EXPECT_EQ(payment_links[1].kind, LinkKind::kPaymentUsage);
  EXPECT_EQ(EntryLinks(samples::AliceReceipt())[0].kind, LinkKind::kReceiptPayment);
  EXPECT_TRUE(EntryLinks(samples::BobKey()).empty());
}

TEST(ReasonCodeTest, ExtractsOnlyLeadingCodes) {
  EXPECT_EQ(ReasonCode(Status::Ok()), "");
  EXPECT_EQ(ReasonCode(Status::InvalidArgument("field_order: line 3")), "field_order");
  EXPECT_EQ(ReasonCode(Status::InvalidArgument("Bad thing: x")), "");
  EXPECT_EQ(ReasonCode(Status::InvalidArgument("no code here")), "");
}

}  // namespace
}  // namespace ltl::ledger
