// Entry composition (`ltl grant`, `usage`, `revoke`, `reserve`, `pay`,
// `receipt`) -> `ltl sign` -> `ltl entry verify`, through the built binary.
// Each composed text is parsed back and compared with the typed value the
// flags describe, so a flag that fills the wrong field fails here.
#include <gtest/gtest.h>

#include "ledger/entry.h"
#include "ledger/keys.h"
#include "ledger/note.h"
#include "proofs/hash.h"
#include "tests/cli/cli_testing.h"

namespace ltl::cli {
namespace {

using testing::Describe;
using testing::RunLtl;
using testing::RunResult;
using testing::WriteFile;

constexpr int kUsage = 2;
constexpr int kInvalidEntry = 4;

ledger::SigningKey FixedKey(std::string_view name, uint8_t seed_byte) {
  return ledger::SigningKey::FromSeed(name, Bytes(ledger::kEd25519SeedSize, seed_byte)).value();
}
ledger::Timestamp T(std::string_view t) { return ledger::ParseTimestamp(t).value(); }
ledger::Decimal D(std::string_view d) { return ledger::Decimal::Parse(d).value(); }
ledger::WorkId W(std::string_view w) { return ledger::ParseWorkId(w).value(); }
proofs::Hash H(std::string_view data) { return proofs::Sha256(data); }
std::string Hex(const proofs::Hash& h) { return proofs::HashToHex(h); }

class ComposeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ledger::InitCrypto().ok());
    WriteKey(alice_, "alice.key");
    WriteKey(bob_, "bob.key");
    WriteKey(society_, "society.key");
  }

  void WriteKey(const ledger::SigningKey& key, std::string_view file) {
    WriteFile(Path(file), key.PrivateKeyString() + "\n", 0600);
  }
  std::string Path(std::string_view name) const { return (dir_.path() / name).string(); }
  static std::string V(const ledger::SigningKey& k) { return k.verifier().ToString(); }

  // Runs a compose command and returns the parsed body of its output (an
  // unsigned text, or a signed note when --key was given).
  ledger::EntryBody Compose(const std::vector<std::string>& args, RunResult* run = nullptr) {
    RunResult r = RunLtl(args);
    if (run) *run = r;
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    std::string text = r.out;
    if (auto note = ledger::ParseNote(r.out); note.has_value()) text = note->text;
    auto body = ledger::ParseEntryText(text);
    EXPECT_TRUE(body.has_value()) << body.error() << "\n" << r.out;
    return body.value_or(ledger::EntryBody{});
  }

  // Signs `text` with each key file in turn, then `ltl entry verify` with
  // every signer as a trusted --key; returns the verify run.
  RunResult SignAndVerify(const std::string& text, const std::vector<std::string>& key_files,
                          const std::vector<std::string>& trusted) {
    std::string note = text;
    for (const std::string& file : key_files) {
      const RunResult s = RunLtl({"sign", "--key", Path(file)}, note);
      EXPECT_EQ(s.exit_code, 0) << Describe(s);
      note = s.out;
    }
    WriteFile(Path("entry.note"), note);
    std::vector<std::string> args = {"entry", "verify"};
    for (const std::string& k : trusted) {
      args.push_back("--key");
      args.push_back(k);
    }
    args.push_back(Path("entry.note"));
    return RunLtl(args);
  }

  ltl::testing::TempDir dir_;
  ledger::SigningKey alice_ = FixedKey("alice.example/ltl", 0x11);
  ledger::SigningKey bob_ = FixedKey("bob-ai.example/ltl", 0x12);
  ledger::SigningKey society_ = FixedKey("cmo.example/ltl", 0x13);
};

TEST_F(ComposeTest, GrantFlagsFillEveryFieldAndTheCoSignedAgreementVerifies) {
  const proofs::Hash previous = H("previous grant");
  RunResult run;
  const ledger::EntryBody body =
      Compose({"grant",
               "--key",
               Path("alice.key"),
               "--grant-id",
               "bob-2026-01",
               "--rightsholder",
               "isni:0000000218250097 7000",
               "--rightsholder",
               V(society_) + " 3000",
               "--licensee",
               V(bob_),
               "--work",
               "isbn:978-0-306-40615-7",
               "--work",
               "doi:10.1000/182",
               "--work-set",
               Hex(H("set")) + " 1200 https://alice.example/sets/2026",
               "--permit-use",
               "ai-all",
               "--prohibit-use",
               "ai-input",
               "--stage",
               "pretrain",
               "--stage",
               "fine-tune",
               "--user-class",
               "commercial",
               "--territory",
               "EU",
               "--territory",
               "GB",
               "--model",
               "bob-ai.example/songwriter",
               "--not-before",
               "2026-02-01T00:00:00Z",
               "--not-after",
               "2027-02-01T00:00:00Z",
               "--after-term",
               "no-new-training",
               "--exclusive",
               "--sublicense",
               "--payment",
               "training 1.5 EUR per-1m-tokens",
               "--payment",
               "revenue-share 250 bps net-revenue",
               "--minimum",
               "1000 EUR",
               "--report-every",
               "P1M",
               "--pay-within",
               "P45D",
               "--attribution",
               "Alice Example Music",
               "--terms",
               "https://alice.example/contracts/bob.pdf " + Hex(H("contract")),
               "--commit",
               "sha256:" + Hex(H("secret terms")),
               "--supersedes",
               Hex(previous),
               "--issued",
               "2026-01-20T16:45:00Z"},
              &run);

  ledger::LicenceGrant want;
  want.grant_id = "bob-2026-01";
  want.kind = ledger::GrantKind::kAgreement;  // the default once a licensee is named
  want.licensor = alice_.verifier();
  want.rightsholders = {
      ledger::Rightsholder{ledger::PartyId{ledger::PartyIdScheme::kIsni, "0000000218250097"}, 7000},
      ledger::Rightsholder{society_.verifier(), 3000}};
  want.licensee = bob_.verifier();
  want.works = {W("isbn:978-0-306-40615-7"), W("doi:10.1000/182")};
  want.work_set = ledger::MerkleList{H("set"), 1200, "https://alice.example/sets/2026"};
  want.permit_uses = {ledger::Use::kAiAll};
  want.prohibit_uses = {ledger::Use::kAiInput};
  want.stages = {ledger::Stage::kPretrain, ledger::Stage::kFineTune};
  want.user_classes = {ledger::UserClass::kCommercial};
  want.territories = {"EU", "GB"};
  want.models = {"bob-ai.example/songwriter"};
  want.not_before = T("2026-02-01T00:00:00Z");
  want.not_after = T("2027-02-01T00:00:00Z");
  want.after_term = ledger::AfterTerm::kNoNewTraining;
  want.exclusive = true;
  want.sublicense = true;
  ledger::PaymentTerm priced;
  priced.model = ledger::PaymentModel::kTraining;
  priced.price = ledger::Money{D("1.5"), "EUR"};
  priced.unit = ledger::PaymentUnit::kPer1mTokens;
  ledger::PaymentTerm share;
  share.model = ledger::PaymentModel::kRevenueShare;
  share.share_bps = 250;
  share.base = ledger::RevenueBase::kNetRevenue;
  want.payments = {priced, share};
  want.minimum = ledger::Money{D("1000"), "EUR"};
  want.report_every = ledger::Duration{1, ledger::DurationUnit::kMonth};
  want.pay_within = ledger::Duration{45, ledger::DurationUnit::kDay};
  want.attribution = "Alice Example Music";
  want.terms = ledger::Terms{"https://alice.example/contracts/bob.pdf", H("contract")};
  want.commit = H("secret terms");
  want.supersedes = previous;
  want.issued = T("2026-01-20T16:45:00Z");
  EXPECT_EQ(std::get<ledger::LicenceGrant>(body), want);

  // Signed by the licensor only: an agreement also needs the licensee.
  WriteFile(Path("half.note"), run.out);
  const RunResult half = RunLtl({"entry", "verify", Path("half.note")});
  EXPECT_EQ(half.exit_code, kInvalidEntry) << Describe(half);
  EXPECT_NE(half.err.find("missing_signature"), std::string::npos) << half.err;
  EXPECT_NE(half.err.find("bob-ai.example/ltl"), std::string::npos) << half.err;

  const RunResult full = SignAndVerify(run.out, {"bob.key"}, {V(alice_), V(bob_)});
  EXPECT_EQ(full.exit_code, 0) << Describe(full);
}

TEST_F(ComposeTest, PublicOfferWithoutKeyPrintsTheBareTextForLaterSigning) {
  RunResult run;
  const ledger::EntryBody body =
      Compose({"grant", "--licensor", V(alice_), "--grant-id", "offer-1", "--work",
               "isrc:GB-AYE-69-00531", "--permit-use", "train-genai", "--territory", "WORLD",
               "--payment", "free", "--issued", "2026-01-15T12:00:00Z"},
              &run);
  const auto& g = std::get<ledger::LicenceGrant>(body);
  EXPECT_EQ(g.kind, ledger::GrantKind::kOffer);
  EXPECT_FALSE(g.licensee.has_value());
  EXPECT_EQ(g.not_before, g.issued);  // defaults to --issued
  EXPECT_FALSE(ledger::ParseNote(run.out).has_value()) << "no --key: not signed";
  const RunResult verified = SignAndVerify(run.out, {"alice.key"}, {V(alice_)});
  EXPECT_EQ(verified.exit_code, 0) << Describe(verified);
}

TEST_F(ComposeTest, UsageLinesComeFromAJsonFile) {
  const proofs::Hash grant = H("the agreement");
  WriteFile(Path("lines.json"), R"({"lines": [
    {"line": "1", "work": ["isbn:0-306-40615-2"], "licensor": ")" +
                                    V(alice_) + R"(",
     "basis": "licence )" + Hex(grant) +
                                    R"(", "use": "train-genai", "stage": "pretrain",
     "acquisition": "2026-02-02T08:00:00Z", "quantity": "420000000 tokens",
     "first-use": "2026-02-03T00:00:00Z", "last-use": "2026-02-20T00:00:00Z",
     "territory": "IE", "royalty-bearing": true, "owed": "630 EUR"},
    {"line": "2", "work": ["url:https://docs.example.org/manual/*"],
     "basis": "open-licence CC-BY-4.0", "use": "ai-index", "stage": "rag",
     "quantity": "3100 items", "first-use": "2026-02-01T00:00:00Z",
     "last-use": "2026-02-28T23:59:59Z"}]})");
  RunResult run;
  const ledger::EntryBody body = Compose(
      {"usage", "--key", Path("bob.key"), "--attestation-id", "2026-02", "--model",
       "bob-ai.example/songwriter@2.1", "--model-dependency", "bob-ai.example/base@7",
       "--period-start", "2026-02-01T00:00:00Z", "--period-end", "2026-03-01T00:00:00Z", "--lines",
       Path("lines.json"), "--total", V(alice_) + " 630 EUR", "--issued", "2026-03-02T09:00:00Z"},
      &run);
  ledger::UsageAttestation want;
  want.attestation_id = "2026-02";
  want.attester = bob_.verifier();
  want.model = "bob-ai.example/songwriter@2.1";
  want.model_dependencies = {"bob-ai.example/base@7"};
  want.period_start = T("2026-02-01T00:00:00Z");
  want.period_end = T("2026-03-01T00:00:00Z");
  ledger::UsageLine licensed;
  licensed.line_id = "1";
  licensed.works = {W("isbn:0-306-40615-2")};
  licensed.licensor = alice_.verifier();
  licensed.basis.kind = ledger::BasisKind::kLicence;
  licensed.basis.licence = grant;
  licensed.use = ledger::Use::kTrainGenai;
  licensed.stage = ledger::Stage::kPretrain;
  licensed.acquisition = T("2026-02-02T08:00:00Z");
  licensed.quantity = ledger::Quantity{D("420000000"), ledger::QuantityUnit::kTokens};
  licensed.first_use = T("2026-02-03T00:00:00Z");
  licensed.last_use = T("2026-02-20T00:00:00Z");
  licensed.territory = "IE";
  licensed.royalty_bearing = true;
  licensed.owed = ledger::Money{D("630"), "EUR"};
  ledger::UsageLine open;
  open.line_id = "2";
  open.works = {W("url:https://docs.example.org/manual/*")};
  open.basis.kind = ledger::BasisKind::kOpenLicence;
  open.basis.spdx = "CC-BY-4.0";
  open.use = ledger::Use::kAiIndex;
  open.stage = ledger::Stage::kRag;
  open.quantity = ledger::Quantity{D("3100"), ledger::QuantityUnit::kItems};
  open.first_use = T("2026-02-01T00:00:00Z");
  open.last_use = T("2026-02-28T23:59:59Z");
  want.lines = {licensed, open};
  want.totals = {ledger::UsageTotal{alice_.verifier(), ledger::Money{D("630"), "EUR"}}};
  want.issued = T("2026-03-02T09:00:00Z");
  EXPECT_EQ(std::get<ledger::UsageAttestation>(body), want);

  WriteFile(Path("usage.note"), run.out);
  const RunResult verified = RunLtl({"entry", "verify", "--key", V(bob_), Path("usage.note")});
  EXPECT_EQ(verified.exit_code, 0) << Describe(verified);
}

TEST_F(ComposeTest, NilUsageNeedsNoLines) {
  const ledger::EntryBody body =
      Compose({"usage", "--attester", V(bob_), "--attestation-id", "2026-03", "--model",
               "bob-ai.example/songwriter@2.1", "--period-start", "2026-03-01T00:00:00Z",
               "--period-end", "2026-04-01T00:00:00Z", "--nil"});
  EXPECT_TRUE(std::get<ledger::UsageAttestation>(body).nil);
}

TEST_F(ComposeTest, UsageLinesWithAnUnknownMemberAreRefused) {
  WriteFile(Path("lines.json"), R"({"lines": [{"line": "1", "work": ["isbn:0-306-40615-2"],
    "basis": "owned", "use": "mine", "stage": "eval", "quantity": "1 items",
    "first-use": "2026-02-01T00:00:00Z", "last-use": "2026-02-01T00:00:00Z", "colour": "red"}]})");
  const RunResult r =
      RunLtl({"usage", "--attester", V(bob_), "--attestation-id", "x", "--model",
              "bob-ai.example/m@1", "--period-start", "2026-02-01T00:00:00Z", "--period-end",
              "2026-03-01T00:00:00Z", "--lines", Path("lines.json")});
  EXPECT_EQ(r.exit_code, kUsage) << Describe(r);
  EXPECT_NE(r.err.find("colour"), std::string::npos) << r.err;
}

TEST_F(ComposeTest, UsageLineMemberWithABadValueIsNamed) {
  WriteFile(Path("lines.json"), R"({"lines": [{"line": "1", "work": ["isbn:0-306-40615-2"],
    "basis": "owned", "use": "mine", "stage": "eval", "quantity": "lots",
    "first-use": "2026-02-01T00:00:00Z", "last-use": "2026-02-01T00:00:00Z"}]})");
  const RunResult r =
      RunLtl({"usage", "--attester", V(bob_), "--attestation-id", "x", "--model",
              "bob-ai.example/m@1", "--period-start", "2026-02-01T00:00:00Z", "--period-end",
              "2026-03-01T00:00:00Z", "--lines", Path("lines.json")});
  EXPECT_EQ(r.exit_code, kUsage) << Describe(r);
  EXPECT_NE(r.err.find("lines[0].quantity"), std::string::npos) << r.err;
}

TEST_F(ComposeTest, UsageLineWithAnAggregateUseBreaksTheTypeRules) {
  WriteFile(Path("lines.json"), R"({"lines": [{"line": "1", "work": ["isbn:0-306-40615-2"],
    "basis": "owned", "use": "ai-all", "stage": "eval", "quantity": "1 items",
    "first-use": "2026-02-01T00:00:00Z", "last-use": "2026-02-01T00:00:00Z",
    "royalty-bearing": "yes"}]})");
  const std::vector<std::string> args = {"usage",
                                         "--attester",
                                         V(bob_),
                                         "--attestation-id",
                                         "x",
                                         "--model",
                                         "bob-ai.example/m@1",
                                         "--period-start",
                                         "2026-02-01T00:00:00Z",
                                         "--period-end",
                                         "2026-03-01T00:00:00Z",
                                         "--lines",
                                         Path("lines.json")};
  RunResult r = RunLtl(args);
  EXPECT_EQ(r.exit_code, kUsage) << "royalty-bearing must be a JSON boolean" << Describe(r);
  WriteFile(Path("lines.json"), R"({"lines": [{"line": "1", "work": ["isbn:0-306-40615-2"],
    "basis": "owned", "use": "ai-all", "stage": "eval", "quantity": "1 items",
    "first-use": "2026-02-01T00:00:00Z", "last-use": "2026-02-01T00:00:00Z"}]})");
  r = RunLtl(args);
  EXPECT_EQ(r.exit_code, kInvalidEntry) << Describe(r);
}

TEST_F(ComposeTest, UsageLinesFileThatIsNotJsonIsAUsageError) {
  WriteFile(Path("lines.json"), "line 1\n");
  const RunResult r =
      RunLtl({"usage", "--attester", V(bob_), "--attestation-id", "x", "--model",
              "bob-ai.example/m@1", "--period-start", "2026-02-01T00:00:00Z", "--period-end",
              "2026-03-01T00:00:00Z", "--lines", Path("lines.json")});
  EXPECT_EQ(r.exit_code, kUsage) << Describe(r);
}

TEST_F(ComposeTest, RevokeReservePayAndReceiptComposeSignAndVerify) {
  const proofs::Hash grant = H("grant");
  const proofs::Hash usage = H("usage");
  const proofs::Hash payment = H("payment");

  RunResult run;
  ledger::Revoke revoke;
  revoke.target = grant;
  revoke.revoker = alice_.verifier();
  revoke.reason = ledger::RevokeReason::kNonPayment;
  revoke.effective_at = T("2026-06-01T00:00:00Z");
  revoke.wind_down = ledger::Duration{2, ledger::DurationUnit::kWeek};
  revoke.issued = T("2026-05-15T08:00:00Z");
  EXPECT_EQ(std::get<ledger::Revoke>(
                Compose({"revoke", "--key", Path("alice.key"), "--target", Hex(grant), "--reason",
                         "non-payment", "--effective-at", "2026-06-01T00:00:00Z", "--wind-down",
                         "P2W", "--issued", "2026-05-15T08:00:00Z"},
                        &run)),
            revoke);
  EXPECT_EQ(SignAndVerify(run.out, {}, {V(alice_)}).exit_code, 0);

  ledger::Reservation reserve;
  reserve.reservation_id = "tdm-optout-2026";
  reserve.declarant = society_.verifier();
  reserve.works = {W("iswc:T0345246801")};
  reserve.reserve_uses = {ledger::Use::kAll};
  reserve.licence_at = "https://cmo.example/licensing";
  reserve.issued = T("2026-01-05T00:00:00Z");
  EXPECT_EQ(std::get<ledger::Reservation>(Compose(
                {"reserve", "--key", Path("society.key"), "--reservation-id", "tdm-optout-2026",
                 "--work", "iswc:T0345246801", "--reserve-use", "all", "--licence-at",
                 "https://cmo.example/licensing", "--issued", "2026-01-05T00:00:00Z"},
                &run)),
            reserve);
  EXPECT_EQ(SignAndVerify(run.out, {}, {V(society_)}).exit_code, 0);

  ledger::Payment pay;
  pay.payment_id = "pay-2026-02";
  pay.payer = bob_.verifier();
  pay.payee = alice_.verifier();
  pay.grants = {grant};
  pay.usages = {usage};
  pay.amount = ledger::Money{D("1000"), "EUR"};
  pay.paid_at = T("2026-03-20T14:00:00Z");
  pay.reference = "SEPA-20260320-0042";
  pay.issued = T("2026-03-20T15:00:00Z");
  EXPECT_EQ(std::get<ledger::Payment>(
                Compose({"pay", "--key", Path("bob.key"), "--payment-id", "pay-2026-02", "--payee",
                         V(alice_), "--grant", Hex(grant), "--usage", Hex(usage), "--amount",
                         "1000 EUR", "--paid-at", "2026-03-20T14:00:00Z", "--reference",
                         "SEPA-20260320-0042", "--issued", "2026-03-20T15:00:00Z"},
                        &run)),
            pay);
  EXPECT_EQ(SignAndVerify(run.out, {}, {V(bob_)}).exit_code, 0);

  ledger::Receipt receipt;
  receipt.receipt_id = "rcpt-2026-02";
  receipt.payee = alice_.verifier();
  receipt.payer = bob_.verifier();
  receipt.payment = payment;
  receipt.amount = ledger::Money{D("1000"), "EUR"};
  receipt.received_at = T("2026-03-21T09:30:00Z");  // defaults to --issued
  receipt.issued = T("2026-03-21T09:30:00Z");
  EXPECT_EQ(std::get<ledger::Receipt>(
                Compose({"receipt", "--key", Path("alice.key"), "--receipt-id", "rcpt-2026-02",
                         "--payer", V(bob_), "--payment", Hex(payment), "--amount", "1000 EUR",
                         "--issued", "2026-03-21T09:30:00Z"},
                        &run)),
            receipt);
  EXPECT_EQ(SignAndVerify(run.out, {}, {V(alice_)}).exit_code, 0);
}

TEST_F(ComposeTest, EntryBreakingATypeRuleIsAnInvalidEntryWithItsReasonCode) {
  struct Case {
    std::vector<std::string> extra;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {{"--rightsholder", "isni:0000000218250097 7000", "--rightsholder", V(society_) + " 3001"},
       "share_overflow"},
      {{"--kind", "agreement"}, "public_agreement"},
      {{"--permit-use", "ai-input", "--prohibit-use", "ai-all"}, "no_effective_use"},
      {{"--territory", "XX"}, "bad_value"},
      {{"--payment", "training 1 ZZZ per-work"}, "bad_value"},
      {{"--not-after", "2020-01-01T00:00:00Z"}, "term_order"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"grant",
                                     "--licensor",
                                     V(alice_),
                                     "--grant-id",
                                     "g1",
                                     "--work",
                                     "isrc:GBAYE6900531",
                                     "--territory",
                                     "WORLD",
                                     "--permit-use",
                                     "train-genai",
                                     "--issued",
                                     "2026-01-01T00:00:00Z"};
    if (c.reason == "bad_value" && c.extra[0] == "--territory") {
      args[8] = "XX";  // replace WORLD
    } else {
      args.insert(args.end(), c.extra.begin(), c.extra.end());
    }
    const RunResult r = RunLtl(args);
    EXPECT_EQ(r.exit_code, kInvalidEntry) << c.reason << Describe(r);
    EXPECT_NE(r.err.find(c.reason), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty());
  }
}

TEST_F(ComposeTest, MalformedFlagValuesAreUsageErrorsNamingTheFlag) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--payment", "training 1.5 EUR"}, "--payment"},
      {{"--payment", "training  1.5 EUR per-work"}, "--payment"},  // double space
      {{"--rightsholder", "isni:0000000218250097"}, "--rightsholder"},
      {{"--work", "isbn:123"}, "--work"},
      {{"--minimum", "1.50 EUR"}, "--minimum"},  // non-canonical decimal
      {{"--supersedes", "ABCD"}, "--supersedes"},
      {{"--licensee", "bob"}, "--licensee"},
      {{"--report-every", "1 month"}, "--report-every"},
  };
  for (const auto& [extra, flag] : cases) {
    std::vector<std::string> args = {"grant", "--licensor",   V(alice_),           "--grant-id",
                                     "g1",    "--work",       "isrc:GBAYE6900531", "--territory",
                                     "WORLD", "--permit-use", "train-genai"};
    args.insert(args.end(), extra.begin(), extra.end());
    const RunResult r = RunLtl(args);
    EXPECT_EQ(r.exit_code, kUsage) << flag << Describe(r);
    EXPECT_NE(r.err.find(flag), std::string::npos) << r.err;
  }
}

TEST_F(ComposeTest, OutWritesTheEntryOnceAndRefusesToOverwrite) {
  const std::vector<std::string> args = {
      "reserve", "--key",  Path("society.key"), "--reservation-id",
      "r1",      "--work", "iswc:T0345246801",  "--reserve-use",
      "all",     "--out",  Path("r1.note"),     "--json"};
  const RunResult first = RunLtl(args);
  ASSERT_EQ(first.exit_code, 0) << Describe(first);
  const std::string written = ltl::testing::ReadFileOrDie(Path("r1.note"));
  auto entry = ledger::ParseEntry(written);
  ASSERT_TRUE(entry.has_value()) << entry.error();
  EXPECT_NE(first.out.find("\"entry_ref\": \"" + Hex(entry->ref) + "\""), std::string::npos)
      << first.out;
  const RunResult second = RunLtl(args);
  EXPECT_EQ(second.exit_code, kUsage) << Describe(second);
  EXPECT_EQ(ltl::testing::ReadFileOrDie(Path("r1.note")), written);
}

TEST_F(ComposeTest, SubmitNeedsOutKeyAndALog) {
  const std::vector<std::string> base = {"reserve",          "--reservation-id", "r1",  "--work",
                                         "iswc:T0345246801", "--reserve-use",    "all", "--submit"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return RunLtl(args);
  };
  EXPECT_EQ(with({"--declarant", V(society_)}).exit_code, kUsage);    // no --key
  EXPECT_EQ(with({"--key", Path("society.key")}).exit_code, kUsage);  // no --out
  EXPECT_EQ(with({"--key", Path("society.key"), "--out", Path("x")}).exit_code, kUsage);  // no log
  EXPECT_FALSE(std::filesystem::exists(Path("x")));
}

// ---- entry verify ------------------------------------------------------------------------

class EntryVerifyTest : public ComposeTest {
 protected:
  void SetUp() override {
    ComposeTest::SetUp();
    const RunResult r = RunLtl({"pay", "--key", Path("bob.key"), "--payment-id", "p1", "--payee",
                                V(alice_), "--grant", Hex(H("g")), "--amount", "12.5 EUR",
                                "--issued", "2026-03-20T15:00:00Z"});
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
    signed_ = r.out;
  }
  std::string signed_;
};

TEST_F(EntryVerifyTest, ASignedEntryVerifiesWithAndWithoutTrustedKeys) {
  EXPECT_EQ(RunLtl({"entry", "verify"}, signed_).exit_code, 0);
  const RunResult r = RunLtl({"entry", "verify", "--key", V(bob_), "--json"}, signed_);
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("\"type\": \"payment\""), std::string::npos) << r.out;
}

TEST_F(EntryVerifyTest, TamperedTextFailsWithExitFour) {
  std::string tampered = signed_;
  const size_t at = tampered.find("12.5 EUR");
  ASSERT_NE(at, std::string::npos);
  tampered.replace(at, 8, "1250 EUR");
  const RunResult r = RunLtl({"entry", "verify"}, tampered);
  EXPECT_EQ(r.exit_code, kInvalidEntry) << Describe(r);
  EXPECT_NE(r.err.find("bad_signature"), std::string::npos) << r.err;
}

TEST_F(EntryVerifyTest, FlippedSignatureByteFailsWithExitFour) {
  std::string tampered = signed_;
  const size_t sig = tampered.rfind(' ') + 10;
  tampered[sig] = tampered[sig] == 'A' ? 'B' : 'A';
  EXPECT_EQ(RunLtl({"entry", "verify"}, tampered).exit_code, kInvalidEntry);
}

TEST_F(EntryVerifyTest, ATrustedKeyThatDidNotSignFails) {
  const RunResult r = RunLtl({"entry", "verify", "--key", V(society_)}, signed_);
  EXPECT_EQ(r.exit_code, kInvalidEntry) << Describe(r);
  EXPECT_NE(r.err.find("cmo.example/ltl did not sign"), std::string::npos) << r.err;
}

TEST_F(EntryVerifyTest, ASignatureByTheRequiredSignerIsNeededEvenIfATrustedKeySigned) {
  // Alice signs Bob's payment, Bob does not: the payer's signature is missing.
  const std::string text = ledger::ParseNote(signed_)->text;
  const RunResult by_alice = RunLtl({"sign", "--key", Path("alice.key")}, text);
  const RunResult r = RunLtl({"entry", "verify", "--key", V(alice_)}, by_alice.out);
  EXPECT_EQ(r.exit_code, kInvalidEntry) << Describe(r);
  EXPECT_NE(r.err.find("missing_signature"), std::string::npos) << r.err;
}

TEST_F(EntryVerifyTest, AnUnsignedEntryTextIsReportedAsUnsigned) {
  const std::string text = ledger::ParseNote(signed_)->text;
  const RunResult r = RunLtl({"entry", "verify"}, text);
  EXPECT_EQ(r.exit_code, kInvalidEntry) << Describe(r);
  EXPECT_NE(r.err.find("not signed"), std::string::npos) << r.err;
}

TEST_F(EntryVerifyTest, GarbageAndAFieldOutOfOrderAreInvalidEntries) {
  EXPECT_EQ(RunLtl({"entry", "verify"}, "garbage").exit_code, kInvalidEntry);
  // A correctly signed note whose text breaks the field order.
  const std::string text = ledger::ParseNote(signed_)->text;
  std::string swapped = text;
  const size_t payer = swapped.find("payer ");
  const size_t payee = swapped.find("payee ");
  const size_t payee_end = swapped.find('\n', payee) + 1;
  const std::string payee_line = swapped.substr(payee, payee_end - payee);
  swapped.erase(payee, payee_end - payee);
  swapped.insert(payer, payee_line);
  const RunResult resigned = RunLtl({"sign", "--key", Path("bob.key")}, swapped);
  ASSERT_EQ(resigned.exit_code, 0) << Describe(resigned);
  const RunResult r = RunLtl({"entry", "verify"}, resigned.out);
  EXPECT_EQ(r.exit_code, kInvalidEntry) << Describe(r);
  EXPECT_NE(r.err.find("field_order"), std::string::npos) << r.err;
}

TEST_F(EntryVerifyTest, JsonFailureCarriesTheOutcomeAndExitCodeOnStdout) {
  const RunResult r = RunLtl({"entry", "verify", "--json"}, "garbage");
  EXPECT_EQ(r.exit_code, kInvalidEntry) << Describe(r);
  EXPECT_NE(r.out.find("\"ok\": false"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"outcome\": \"invalid_entry\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"exit_code\": 4"), std::string::npos) << r.out;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST_F(EntryVerifyTest, AMissingFileIsAUsageError) {
  EXPECT_EQ(RunLtl({"entry", "verify", Path("nope.note")}).exit_code, kUsage);
}

}  // namespace
}  // namespace ltl::cli
