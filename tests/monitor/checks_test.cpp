// Each check of the monitor, on a minimal ledger that must produce exactly
// that finding, and on a near miss that must produce none. The ledgers are
// real logs served over HTTP (monitor_testing.h); the monitor reads tiles.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "ledger/entry.h"
#include "ledger/keys.h"
#include "monitor/audit.h"
#include "tests/monitor/monitor_testing.h"
#include "tests/testing/testing.h"

namespace ltl::monitor {
namespace {

using ledger::Decimal;
using ledger::Role;
using ledger::SigningKey;
using ledger::Timestamp;
using testing::Codes;
using testing::Describe;
using testing::KeyFromName;
using testing::RunMonitor;
using testing::TestLog;

Timestamp T(std::string_view text) { return ledger::ParseTimestamp(text).value(); }
Decimal D(std::string_view text) { return Decimal::Parse(text).value(); }
ledger::WorkId W(std::string_view text) { return ledger::ParseWorkId(text).value(); }

const int64_t kNow = T("2026-06-01T00:00:00Z").unix_seconds;

class ChecksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ledger::InitCrypto().ok());
    log_ = std::make_unique<TestLog>(dir_.path() / "log");
    alice_key_ = Register(alice_, {Role::kLicensor});
    Register(bob_, {Role::kLicensee});
    Register(carol_, {Role::kLicensee});
  }

  // A `key` entry for `key` (valid from 2024-01-01); returns its reference.
  proofs::Hash Register(const SigningKey& key, std::vector<Role> roles,
                        std::optional<Timestamp> not_after = std::nullopt) {
    ledger::KeyEntry k;
    k.key = key.verifier();
    k.roles = std::move(roles);
    k.not_before = T("2024-01-01T00:00:00Z");
    k.not_after = not_after;
    k.issued = T("2023-12-01T00:00:00Z");
    return Log(k, {&key});
  }

  proofs::Hash Log(const ledger::EntryBody& body, std::vector<const SigningKey*> signers) {
    Result<std::string> note = sim::SignEntry(body, signers);
    EXPECT_TRUE(note.has_value()) << note.error().ToString();
    log_->Add(*note);
    return ledger::ComputeEntryRef(ledger::FormatEntryText(body));
  }

  // alice -> bob: two works, AI uses, pretrain, EU, bob's model, 2025,
  // 2 EUR per million tokens, quarterly reports.
  ledger::LicenceGrant Agreement() const {
    ledger::LicenceGrant g;
    g.grant_id = "agr-1";
    g.kind = ledger::GrantKind::kAgreement;
    g.licensor = alice_.verifier();
    g.licensee = bob_.verifier();
    g.works = {W("isrc:GBAYE6900531"), W("isrc:GBAYE6900532")};
    g.permit_uses = {ledger::Use::kAiAll};
    g.stages = {ledger::Stage::kPretrain};
    g.territories = {"EU"};
    g.models = {"bob.example/model"};
    g.not_before = T("2025-01-01T00:00:00Z");
    g.not_after = T("2026-01-01T00:00:00Z");
    ledger::PaymentTerm term;
    term.model = ledger::PaymentModel::kTraining;
    term.price = ledger::Money{D("2"), "EUR"};
    term.unit = ledger::PaymentUnit::kPer1mTokens;
    g.payments = {term};
    g.issued = T("2024-12-20T00:00:00Z");
    return g;
  }
  proofs::Hash LogAgreement(const ledger::LicenceGrant& g) { return Log(g, {&alice_, &bob_}); }

  // bob's report for February 2025 with one correct line under `grant`.
  ledger::UsageAttestation Usage(const proofs::Hash& grant) const {
    ledger::UsageLine l;
    l.line_id = "1";
    l.works = {W("isrc:GB-AYE-69-00531")};
    l.licensor = alice_.verifier();
    l.basis.kind = ledger::BasisKind::kLicence;
    l.basis.licence = grant;
    l.use = ledger::Use::kTrainGenai;
    l.stage = ledger::Stage::kPretrain;
    l.acquisition = T("2025-02-01T00:00:00Z");
    l.quantity = ledger::Quantity{D("3000000"), ledger::QuantityUnit::kTokens};
    l.first_use = T("2025-02-02T00:00:00Z");
    l.last_use = T("2025-02-20T00:00:00Z");
    l.territory = "IE";
    l.owed = ledger::Money{D("6"), "EUR"};
    ledger::UsageAttestation u;
    u.attestation_id = "rep-2025-02";
    u.attester = bob_.verifier();
    u.model = "bob.example/model@1";
    u.period_start = T("2025-02-01T00:00:00Z");
    u.period_end = T("2025-03-01T00:00:00Z");
    u.lines = {l};
    u.totals = {ledger::UsageTotal{alice_.verifier(), ledger::Money{D("6"), "EUR"}}};
    u.issued = T("2025-03-02T00:00:00Z");
    return u;
  }
  proofs::Hash LogUsage(const ledger::UsageAttestation& u, const SigningKey* signer = nullptr) {
    return Log(u, {signer ? signer : &bob_});
  }

  std::vector<Finding> Audit(int64_t now = kNow) {
    testing::MonitorRun run = RunMonitor(*log_, dir_.path() / "state", now);
    EXPECT_TRUE(run.status.ok()) << run.status.ToString();
    EXPECT_TRUE(run.summary.complete());
    return run.findings;
  }

  ltl::testing::TempDir dir_;
  std::unique_ptr<TestLog> log_;
  SigningKey alice_ = KeyFromName("alice.example/ltl");
  SigningKey bob_ = KeyFromName("bob.example/ltl");
  SigningKey carol_ = KeyFromName("carol.example/ltl");
  proofs::Hash alice_key_{};
};

using Strings = std::vector<std::string>;

TEST_F(ChecksTest, CorrectReportUnderAgreementHasNoFinding) {
  const proofs::Hash g = LogAgreement(Agreement());
  LogUsage(Usage(g));
  const auto findings = Audit();
  EXPECT_TRUE(findings.empty()) << Describe(findings);
}

// ---- A: entries -------------------------------------------------------------------

TEST_F(ChecksTest, LeafThatIsNotAnEntryIsMalformedEntry) {
  const uint64_t index = log_->Add("this is not a signed note\n");
  const auto findings = Audit();
  ASSERT_EQ(Codes(findings), Strings{"MALFORMED_ENTRY"}) << Describe(findings);
  EXPECT_EQ(findings[0].entries[0].index, index);
  EXPECT_FALSE(findings[0].entries[0].ref.has_value());
  EXPECT_EQ(*findings[0].entries[0].leaf_hash, proofs::HashLeaf("this is not a signed note\n"));
}

TEST_F(ChecksTest, EntryMissingARequiredSignatureIsMalformedEntry) {
  // An agreement signed by the licensor only.
  Result<std::string> note = sim::SignEntry(Agreement(), {&alice_});
  ASSERT_TRUE(note.has_value());
  log_->Add(*note);
  const auto findings = Audit();
  EXPECT_EQ(Codes(findings), Strings{"MALFORMED_ENTRY"}) << Describe(findings);
  EXPECT_NE(findings[0].message.find("missing_signature"), std::string::npos);
}

TEST_F(ChecksTest, GrantIdReusedByTheSameLicensorIsDuplicateId) {
  const proofs::Hash first = LogAgreement(Agreement());
  ledger::LicenceGrant second = Agreement();
  second.issued = T("2025-03-01T00:00:00Z");
  const proofs::Hash dup = LogAgreement(second);
  const auto findings = Audit();
  ASSERT_EQ(Codes(findings), Strings{"DUPLICATE_ID"}) << Describe(findings);
  EXPECT_EQ(findings[0].severity, Severity::kReview);
  EXPECT_EQ(*findings[0].entries[0].ref, dup);
  EXPECT_EQ(*findings[0].entries[1].ref, first);
}

TEST_F(ChecksTest, CorrectionReusingTheIdOfWhatItSupersedesIsNotDuplicate) {
  const proofs::Hash g = LogAgreement(Agreement());
  const proofs::Hash first = LogUsage(Usage(g));
  ledger::UsageAttestation correction = Usage(g);
  correction.supersedes = first;
  correction.issued = T("2025-03-05T00:00:00Z");
  LogUsage(correction);
  const auto findings = Audit();
  EXPECT_TRUE(findings.empty()) << Describe(findings);
}

TEST_F(ChecksTest, KeyNameTakenByAnotherKeyIsDuplicateId) {
  const SigningKey other = SigningKey::FromSeed("alice.example/ltl", proofs::Sha256("x")).value();
  Register(other, {Role::kLicensor});
  const auto findings = Audit();
  ASSERT_EQ(Codes(findings), Strings{"DUPLICATE_ID"}) << Describe(findings);
  EXPECT_EQ(*findings[0].entries[1].ref, alice_key_);
}

TEST_F(ChecksTest, KeyRotationKeepsTheNameWithoutDuplicate) {
  const SigningKey next = SigningKey::FromSeed("alice.example/ltl", proofs::Sha256("y")).value();
  ledger::KeyEntry k;
  k.key = next.verifier();
  k.previous_key = alice_.verifier();
  k.roles = {Role::kLicensor};
  k.not_before = T("2024-01-01T00:00:00Z");
  k.issued = T("2024-06-01T00:00:00Z");
  Log(k, {&next, &alice_});
  const auto findings = Audit();
  EXPECT_TRUE(findings.empty()) << Describe(findings);
}

// ---- B: signers -------------------------------------------------------------------

TEST_F(ChecksTest, EntrySignedByUnregisteredKeyIsKeyNotValid) {
  const SigningKey dave = KeyFromName("dave.example/ltl");
  ledger::UsageAttestation u = Usage(proofs::Sha256("x"));
  u.attester = dave.verifier();
  u.lines[0].basis = ledger::UsageBasis{ledger::BasisKind::kOwned, {}, ""};
  u.lines[0].licensor.reset();
  u.lines[0].owed.reset();
  u.totals.clear();
  LogUsage(u, &dave);
  const auto findings = Audit();
  ASSERT_EQ(Codes(findings), Strings{"KEY_NOT_VALID"}) << Describe(findings);
  EXPECT_EQ(findings[0].party, "dave.example/ltl");
  EXPECT_NE(findings[0].message.find("not registered"), std::string::npos);
}

TEST_F(ChecksTest, EntryLoggedOutsideTheKeyWindowIsKeyNotValid) {
  const SigningKey dave = KeyFromName("dave.example/ltl");
  Register(dave, {Role::kLicensor}, T("2025-01-01T00:00:00Z"));
  ledger::LicenceGrant g = Agreement();
  g.licensor = dave.verifier();
  g.kind = ledger::GrantKind::kOffer;
  g.licensee.reset();
  g.issued = T("2025-06-01T00:00:00Z");  // after the key's not-after
  Log(g, {&dave});
  auto findings = Audit();
  ASSERT_EQ(Codes(findings), Strings{"KEY_NOT_VALID"}) << Describe(findings);
  EXPECT_NE(findings[0].message.find("after the key's not-after"), std::string::npos);

  g.grant_id = "in-window";
  g.issued = T("2024-06-01T00:00:00Z");
  Log(g, {&dave});
  findings = Audit();
  EXPECT_TRUE(findings.empty()) << Describe(findings);
}

TEST_F(ChecksTest, EntryAfterKeyRevocationIsKeyNotValidAndItsGrantLicensesNothing) {
  ledger::KeyRevoke r;
  r.key = alice_.verifier();
  r.reason = ledger::KeyRevokeReason::kRetired;
  r.issued = T("2024-12-01T00:00:00Z");
  const proofs::Hash revoke = Log(r, {&alice_});
  const proofs::Hash g = LogAgreement(Agreement());
  LogUsage(Usage(g));
  const auto findings = Audit();
  ASSERT_EQ(Codes(findings), (Strings{"KEY_NOT_VALID", "USAGE_WITHOUT_LICENCE"}))
      << Describe(findings);
  EXPECT_EQ(*findings[0].entries.back().ref, revoke);
}

TEST_F(ChecksTest, KeyRevokedAfterTheEntryLeavesItValid) {
  const proofs::Hash g = LogAgreement(Agreement());
  ledger::KeyRevoke r;
  r.key = alice_.verifier();
  r.reason = ledger::KeyRevokeReason::kRetired;
  r.issued = T("2025-12-01T00:00:00Z");
  Log(r, {&alice_});
  LogUsage(Usage(g));
  const auto findings = Audit();
  EXPECT_TRUE(findings.empty()) << Describe(findings);
}

TEST_F(ChecksTest, CompromisedKeyInvalidatesEntriesLoggedSinceTheCompromise) {
  ledger::LicenceGrant before = Agreement();
  before.grant_id = "before";
  before.issued = T("2024-06-01T00:00:00Z");
  LogAgreement(before);
  const proofs::Hash after = LogAgreement(Agreement());  // issued 2024-12-20
  ledger::KeyRevoke r;
  r.key = alice_.verifier();
  r.reason = ledger::KeyRevokeReason::kCompromised;
  r.compromised_since = T("2024-10-01T00:00:00Z");
  r.issued = T("2025-01-05T00:00:00Z");
  const proofs::Hash revoke = Log(r, {&alice_});
  const auto findings = Audit();
  ASSERT_EQ(Codes(findings), Strings{"KEY_NOT_VALID"}) << Describe(findings);
  EXPECT_EQ(*findings[0].entries[0].ref, after);
  EXPECT_EQ(*findings[0].entries[1].ref, revoke);
}

TEST_F(ChecksTest, UsageSignedByALicensorKeyIsRoleMismatch) {
  const proofs::Hash g = LogAgreement(Agreement());
  ledger::UsageAttestation u = Usage(g);
  u.attester = alice_.verifier();
  u.lines[0].basis = ledger::UsageBasis{ledger::BasisKind::kOwned, {}, ""};
  u.lines[0].licensor.reset();
  u.lines[0].owed.reset();
  u.totals.clear();
  LogUsage(u, &alice_);
  const auto findings = Audit();
  ASSERT_EQ(Codes(findings), Strings{"ROLE_MISMATCH"}) << Describe(findings);
  EXPECT_EQ(findings[0].severity, Severity::kReview);
  EXPECT_EQ(*findings[0].entries[1].ref, alice_key_);
}

TEST_F(ChecksTest, RevokeByANonPartyIsRoleMismatchAndHasNoEffect) {
  const proofs::Hash g = LogAgreement(Agreement());
  ledger::Revoke r;
  r.target = g;
  r.revoker = carol_.verifier();
  r.reason = ledger::RevokeReason::kBreach;
  r.issued = T("2025-01-15T00:00:00Z");
  Log(r, {&carol_});
  LogUsage(Usage(g));
  const auto findings = Audit();
  EXPECT_EQ(Codes(findings), Strings{"ROLE_MISMATCH"}) << Describe(findings);
}

// ---- D: usage against licence -----------------------------------------------------

TEST_F(ChecksTest, LineCitingNoLoggedGrantIsUsageWithoutLicence) {
  LogUsage(Usage(proofs::Sha256("no such grant")));
  const auto findings = Audit();
  ASSERT_EQ(Codes(findings), Strings{"USAGE_WITHOUT_LICENCE"}) << Describe(findings);
  EXPECT_EQ(findings[0].line, "1");
  EXPECT_EQ(findings[0].party, "bob.example/ltl");
  EXPECT_EQ(findings[0].works, Strings{"isrc:GBAYE6900531"});
}

TEST_F(ChecksTest, GrantLoggedAfterTheReportIsUsageWithoutLicence) {
  const ledger::LicenceGrant agreement = Agreement();
  const proofs::Hash g = ledger::ComputeEntryRef(ledger::FormatEntryText(agreement));
  LogUsage(Usage(g));
  LogAgreement(agreement);
  const auto findings = Audit();
  EXPECT_EQ(Codes(findings), Strings{"USAGE_WITHOUT_LICENCE"}) << Describe(findings);
}

TEST_F(ChecksTest, LineCitingAnotherFirmsAgreementIsLicenseeMismatch) {
  const proofs::Hash g = LogAgreement(Agreement());
  ledger::UsageAttestation u = Usage(g);
  u.attester = carol_.verifier();
  u.model = "bob.example/model@1";
  LogUsage(u, &carol_);
  const auto findings = Audit();
  ASSERT_EQ(Codes(findings), Strings{"LICENSEE_MISMATCH"}) << Describe(findings);
  EXPECT_EQ(*findings[0].entries[1].ref, g);
}

TEST_F(ChecksTest, PublicOfferCoversAnyAttester) {
  ledger::LicenceGrant offer = Agreement();
  offer.kind = ledger::GrantKind::kOffer;
  offer.licensee.reset();
  offer.models.clear();
  const proofs::Hash g = Log(offer, {&alice_});
  ledger::UsageAttestation u = Usage(g);
  u.attester = carol_.verifier();
  u.model = "carol.example/model@3";
  LogUsage(u, &carol_);
  const auto findings = Audit();
  EXPECT_TRUE(findings.empty()) << Describe(findings);
}

TEST_F(ChecksTest, GrantIssuedAfterFirstUseIsRetroactive) {
  ledger::LicenceGrant late = Agreement();
  late.issued = T("2025-02-10T00:00:00Z");  // first use 2025-02-02
  const proofs::Hash g = LogAgreement(late);
  LogUsage(Usage(g));
  auto findings = Audit();
  ASSERT_EQ(Codes(findings), Strings{"RETROACTIVE_LICENCE"}) << Describe(findings);
  EXPECT_EQ(*findings[0].log_time, T("2025-03-02T00:00:00Z").unix_seconds);
}

TEST_F(ChecksTest, BackdatedGrantSeenLiveIsRetroactive) {
  // The monitor saw the log at 2025-02-15 without the grant; the grant then
  // arrives claiming an early issue date: its log time is after 2025-02-15.
  Audit(T("2025-02-15T00:00:00Z").unix_seconds);
  const proofs::Hash g = LogAgreement(Agreement());  // claims 2024-12-20
  LogUsage(Usage(g));
  const auto findings = Audit(T("2025-03-10T00:00:00Z").unix_seconds);
  ASSERT_EQ(Codes(findings), Strings{"RETROACTIVE_LICENCE"}) << Describe(findings);
  EXPECT_NE(findings[0].message.find("2025-02-15"), std::string::npos);
}

TEST_F(ChecksTest, WorkOutsideTheGrantIsWorkNotInGrant) {
  const proofs::Hash g = LogAgreement(Agreement());
  ledger::UsageAttestation u = Usage(g);
  u.lines[0].works.push_back(W("isbn:978-0-306-40615-7"));
  LogUsage(u);
  const auto findings = Audit();
  ASSERT_EQ(Codes(findings), Strings{"WORK_NOT_IN_GRANT"}) << Describe(findings);
  EXPECT_EQ(findings[0].works, Strings{"isbn:9780306406157"});
}

TEST_F(ChecksTest, UseStageTerritoryAndModelOutsideTheGrantAreEachFlagged) {
  const proofs::Hash g = LogAgreement(Agreement());
  ledger::UsageAttestation u = Usage(g);
  u.lines[0].use = ledger::Use::kSearch;
  u.lines[0].stage = ledger::Stage::kRag;
  u.lines[0].territory = "US";
  u.model = "bob.example/other@1";
  LogUsage(u);
  const auto findings = Audit();
  EXPECT_EQ(Codes(findings), (Strings{"USE_OUT_OF_SCOPE", "STAGE_OUT_OF_SCOPE",
                                      "TERRITORY_OUT_OF_SCOPE", "MODEL_OUT_OF_SCOPE"}))
      << Describe(findings);
}

TEST_F(ChecksTest, TerritoryInsideEuAndVersionedModelAreInScope) {
  ledger::LicenceGrant g = Agreement();
  g.models = {"bob.example/model@1"};
  const proofs::Hash ref = LogAgreement(g);
  ledger::UsageAttestation u = Usage(ref);
  u.lines[0].territory = "FR";
  LogUsage(u);
  const auto findings = Audit();
  EXPECT_TRUE(findings.empty()) << Describe(findings);
}

TEST_F(ChecksTest, MissingTerritoryUnderARestrictedGrantIsForReview) {
  const proofs::Hash g = LogAgreement(Agreement());
  ledger::UsageAttestation u = Usage(g);
  u.lines[0].territory.reset();
  LogUsage(u);
  const auto findings = Audit();
  ASSERT_EQ(Codes(findings), Strings{"TERRITORY_OUT_OF_SCOPE"}) << Describe(findings);
  EXPECT_EQ(findings[0].severity, Severity::kReview);
}

TEST_F(ChecksTest, UseBeforeTheTermIsNotYetValidAndAfterItExpired) {
  const proofs::Hash g = LogAgreement(Agreement());
  ledger::UsageAttestation u = Usage(g);
  u.lines[0].acquisition = T("2024-12-29T00:00:00Z");
  u.lines[0].first_use = T("2024-12-30T00:00:00Z");
  u.lines[0].last_use = T("2026-01-02T00:00:00Z");
  LogUsage(u);
  const auto findings = Audit();
  EXPECT_EQ(Codes(findings), (Strings{"LICENCE_NOT_YET_VALID", "LICENCE_EXPIRED"}))
      << Describe(findings);
}

TEST_F(ChecksTest, UseAtTheEdgesOfTheTermIsValid) {
  const proofs::Hash g = LogAgreement(Agreement());
  ledger::UsageAttestation u = Usage(g);
  u.lines[0].acquisition = T("2025-01-01T00:00:00Z");
  u.lines[0].first_use = T("2025-01-01T00:00:00Z");
  u.lines[0].last_use = T("2026-01-01T00:00:00Z");
  LogUsage(u);
  const auto findings = Audit();
  EXPECT_TRUE(findings.empty()) << Describe(findings);
}

TEST_F(ChecksTest, UseAfterRevocationAndWindDownIsFlagged) {
  const proofs::Hash g = LogAgreement(Agreement());
  ledger::Revoke r;
  r.target = g;
  r.revoker = alice_.verifier();
  r.reason = ledger::RevokeReason::kNonPayment;
  r.effective_at = T("2025-02-01T00:00:00Z");
  r.wind_down = ledger::Duration{2, ledger::DurationUnit::kWeek};  // until 2025-02-15
  r.issued = T("2025-01-20T00:00:00Z");
  const proofs::Hash revoke = Log(r, {&alice_});
  LogUsage(Usage(g));  // last use 2025-02-20
  const auto findings = Audit();
  ASSERT_EQ(Codes(findings), Strings{"USAGE_AFTER_REVOCATION"}) << Describe(findings);
  EXPECT_EQ(*findings[0].entries[2].ref, revoke);
}

TEST_F(ChecksTest, UseWithinTheWindDownIsNotAfterRevocation) {
  const proofs::Hash g = LogAgreement(Agreement());
  ledger::Revoke r;
  r.target = g;
  r.revoker = bob_.verifier();  // the licensee may end it too
  r.reason = ledger::RevokeReason::kMutual;
  r.effective_at = T("2025-02-01T00:00:00Z");
  r.wind_down = ledger::Duration{1, ledger::DurationUnit::kMonth};  // until 2025-03-01
  r.issued = T("2025-01-20T00:00:00Z");
  Log(r, {&bob_});
  LogUsage(Usage(g));
  const auto findings = Audit();
  EXPECT_TRUE(findings.empty()) << Describe(findings);
}

TEST_F(ChecksTest, RetroactiveRevocationVoidsAllUse) {
  const proofs::Hash g = LogAgreement(Agreement());
  ledger::Revoke r;
  r.target = g;
  r.revoker = alice_.verifier();
  r.reason = ledger::RevokeReason::kIssuedInError;
  r.issued = T("2025-04-01T00:00:00Z");
  Log(r, {&alice_});
  LogUsage(Usage(g));
  const auto findings = Audit();
  EXPECT_EQ(Codes(findings), Strings{"USAGE_AFTER_REVOCATION"}) << Describe(findings);
}

// ---- E: opt-outs -------------------------------------------------------------------

ledger::Reservation Reserve(const SigningKey& declarant, Timestamp issued) {
  ledger::Reservation r;
  r.reservation_id = "optout-1";
  r.declarant = declarant.verifier();
  r.works = {W("iswc:T-034.524.680-1")};
  r.reserve_uses = {ledger::Use::kAiAll};
  r.issued = issued;
  return r;
}

ledger::UsageAttestation TdmUse(ledger::UsageAttestation u) {
  ledger::UsageLine& l = u.lines[0];
  l.works = {W("iswc:T0345246801")};
  l.licensor.reset();
  l.basis = ledger::UsageBasis{ledger::BasisKind::kTdmException, {}, ""};
  l.owed.reset();
  u.totals.clear();
  return u;
}

TEST_F(ChecksTest, TdmExceptionForAWorkReservedBeforeAcquisitionIsOptOutIgnored) {
  const proofs::Hash reservation = Log(Reserve(alice_, T("2025-01-15T00:00:00Z")), {&alice_});
  LogUsage(TdmUse(Usage(proofs::Hash{})));  // acquired 2025-02-01
  const auto findings = Audit();
  ASSERT_EQ(Codes(findings), Strings{"OPT_OUT_IGNORED"}) << Describe(findings);
  EXPECT_EQ(*findings[0].entries[1].ref, reservation);
}

TEST_F(ChecksTest, TdmExceptionForAWorkReservedAfterAcquisitionIsNotFlagged) {
  Log(Reserve(alice_, T("2025-02-10T00:00:00Z")), {&alice_});
  LogUsage(TdmUse(Usage(proofs::Hash{})));
  const auto findings = Audit();
  EXPECT_TRUE(findings.empty()) << Describe(findings);
}

TEST_F(ChecksTest, DisclosedUnlicensedUseIsCountedAsInfo) {
  ledger::UsageAttestation u = TdmUse(Usage(proofs::Hash{}));
  u.lines[0].basis.kind = ledger::BasisKind::kNone;
  LogUsage(u);
  const auto findings = Audit();
  ASSERT_EQ(Codes(findings), Strings{"DISCLOSED_UNLICENSED"}) << Describe(findings);
  EXPECT_EQ(findings[0].severity, Severity::kInfo);
}

// ---- F: accounting -----------------------------------------------------------------

TEST_F(ChecksTest, OwedBelowThePriceTimesQuantityIsUnderreported) {
  const proofs::Hash g = LogAgreement(Agreement());
  ledger::UsageAttestation u = Usage(g);
  u.lines[0].owed = ledger::Money{D("5.98"), "EUR"};  // 3M tokens at 2 EUR/M = 6
  u.totals[0].amount.amount = D("5.98");
  LogUsage(u);
  const auto findings = Audit();
  ASSERT_EQ(Codes(findings), Strings{"UNDERREPORTED_AMOUNT"}) << Describe(findings);
  EXPECT_EQ(findings[0].party, "alice.example/ltl");
  EXPECT_NE(findings[0].message.find("5.98 EUR stated, 6 EUR computed"), std::string::npos);
}

TEST_F(ChecksTest, OwedWithinACentOfThePriceIsNotUnderreported) {
  const proofs::Hash g = LogAgreement(Agreement());
  ledger::UsageAttestation u = Usage(g);
  u.lines[0].owed = ledger::Money{D("5.99"), "EUR"};
  u.totals[0].amount.amount = D("5.99");
  LogUsage(u);
  const auto findings = Audit();
  EXPECT_TRUE(findings.empty()) << Describe(findings);
}

TEST_F(ChecksTest, PerPeriodAndFlatFeesAreChargedPerReportAndOnce) {
  ledger::LicenceGrant grant = Agreement();
  ledger::PaymentTerm period;
  period.model = ledger::PaymentModel::kSubscription;
  period.price = ledger::Money{D("100"), "EUR"};
  period.unit = ledger::PaymentUnit::kPerPeriod;
  ledger::PaymentTerm flat;
  flat.model = ledger::PaymentModel::kPurchase;
  flat.price = ledger::Money{D("50"), "EUR"};
  flat.unit = ledger::PaymentUnit::kFlat;
  grant.payments.push_back(period);
  grant.payments.push_back(flat);
  const proofs::Hash g = LogAgreement(grant);
  ledger::UsageAttestation first = Usage(g);  // owes 6 + 100 + 50
  first.lines[0].owed = ledger::Money{D("156"), "EUR"};
  first.totals[0].amount.amount = D("156");
  LogUsage(first);
  ledger::UsageAttestation second = Usage(g);  // owes 6 + 100, states 106: fine
  second.attestation_id = "rep-2025-03";
  second.lines[0].owed = ledger::Money{D("106"), "EUR"};
  second.totals[0].amount.amount = D("106");
  LogUsage(second);
  ledger::UsageAttestation third = Usage(g);  // owes 106, states 6
  third.attestation_id = "rep-2025-04";
  LogUsage(third);
  const auto findings = Audit();
  ASSERT_EQ(Codes(findings), Strings{"UNDERREPORTED_AMOUNT"}) << Describe(findings);
  EXPECT_NE(findings[0].message.find("6 EUR stated, 106 EUR computed"), std::string::npos);
}

TEST_F(ChecksTest, QuantityInAnotherUnitThanThePriceIsForReview) {
  const proofs::Hash g = LogAgreement(Agreement());
  ledger::UsageAttestation u = Usage(g);
  u.lines[0].quantity = ledger::Quantity{D("12"), ledger::QuantityUnit::kItems};
  LogUsage(u);
  const auto findings = Audit();
  ASSERT_EQ(Codes(findings), Strings{"UNDERREPORTED_AMOUNT"}) << Describe(findings);
  EXPECT_EQ(findings[0].severity, Severity::kReview);
}

TEST_F(ChecksTest, TotalThatDiffersFromTheLinesIsTotalsMismatch) {
  const proofs::Hash g = LogAgreement(Agreement());
  ledger::UsageAttestation u = Usage(g);
  u.totals[0].amount.amount = D("7");
  LogUsage(u);
  auto findings = Audit();
  ASSERT_EQ(Codes(findings), Strings{"TOTALS_MISMATCH"}) << Describe(findings);
  EXPECT_EQ(findings[0].party, "alice.example/ltl");

  ledger::UsageAttestation missing = Usage(g);
  missing.attestation_id = "rep-2";
  missing.totals.clear();
  LogUsage(missing);
  findings = Audit();
  ASSERT_EQ(Codes(findings), Strings{"TOTALS_MISMATCH"}) << Describe(findings);
  EXPECT_NE(findings[0].message.find("no total"), std::string::npos);
}

// ---- G: completeness ---------------------------------------------------------------

class ReportsTest : public ChecksTest {
 protected:
  // A quarterly-reporting agreement for the first half of 2025.
  proofs::Hash LogQuarterly() {
    ledger::LicenceGrant g = Agreement();
    g.not_after = T("2025-07-01T00:00:00Z");
    g.report_every = ledger::Duration{3, ledger::DurationUnit::kMonth};
    return LogAgreement(g);
  }
  ledger::UsageAttestation Quarter(const proofs::Hash& g, std::string_view start,
                                   std::string_view end) {
    ledger::UsageAttestation u = Usage(g);
    u.attestation_id = "q-" + std::string(start.substr(0, 7));
    u.period_start = T(start);
    u.period_end = T(end);
    u.issued = T(end);
    return u;
  }
};

TEST_F(ReportsTest, PaidAgreementWithoutAReportForAPeriodIsMissingReport) {
  const proofs::Hash g = LogQuarterly();
  LogUsage(Quarter(g, "2025-01-01T00:00:00Z", "2025-04-01T00:00:00Z"));
  const auto findings = Audit();
  ASSERT_EQ(Codes(findings), Strings{"MISSING_REPORT"}) << Describe(findings);
  EXPECT_EQ(*findings[0].period_start, T("2025-04-01T00:00:00Z").unix_seconds);
  EXPECT_EQ(*findings[0].period_end, T("2025-07-01T00:00:00Z").unix_seconds);
  EXPECT_EQ(findings[0].party, "bob.example/ltl");
  // Reported once: a later pass does not repeat it.
  EXPECT_TRUE(Audit().empty());
}

TEST_F(ReportsTest, NilReportsAndMonthlyReportsCoverTheirPeriods) {
  const proofs::Hash g = LogQuarterly();
  LogUsage(Quarter(g, "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z"));
  LogUsage(Quarter(g, "2025-02-01T00:00:00Z", "2025-04-01T00:00:00Z"));
  ledger::UsageAttestation nil = Quarter(g, "2025-04-01T00:00:00Z", "2025-07-01T00:00:00Z");
  nil.lines.clear();
  nil.totals.clear();
  nil.nil = true;
  LogUsage(nil);
  const auto findings = Audit();
  EXPECT_TRUE(findings.empty()) << Describe(findings);
}

TEST_F(ReportsTest, ReportIsNotDueBeforeTheGracePeriodEnds) {
  const proofs::Hash g = LogQuarterly();
  LogUsage(Quarter(g, "2025-01-01T00:00:00Z", "2025-04-01T00:00:00Z"));
  // 2025-07-01 + 30 days grace: not yet due on 2025-07-20.
  EXPECT_TRUE(Audit(T("2025-07-20T00:00:00Z").unix_seconds).empty());
}

// ---- Calendar and scope helpers ------------------------------------------------------

TEST(AuditHelpersTest, AddDurationKeepsTheDayOfMonthClampedToTheMonth) {
  EXPECT_EQ(*AddDuration(T("2025-01-31T10:00:00Z").unix_seconds, {1, ledger::DurationUnit::kMonth}),
            T("2025-02-28T10:00:00Z").unix_seconds);
  EXPECT_EQ(*AddDuration(T("2024-01-31T00:00:00Z").unix_seconds, {1, ledger::DurationUnit::kMonth}),
            T("2024-02-29T00:00:00Z").unix_seconds);
  EXPECT_EQ(*AddDuration(T("2025-11-01T00:00:00Z").unix_seconds, {3, ledger::DurationUnit::kMonth}),
            T("2026-02-01T00:00:00Z").unix_seconds);
  EXPECT_EQ(*AddDuration(T("2024-02-29T00:00:00Z").unix_seconds, {1, ledger::DurationUnit::kYear}),
            T("2025-02-28T00:00:00Z").unix_seconds);
  EXPECT_EQ(*AddDuration(T("2025-01-01T00:00:00Z").unix_seconds, {2, ledger::DurationUnit::kWeek}),
            T("2025-01-15T00:00:00Z").unix_seconds);
  EXPECT_FALSE(AddDuration(T("9999-12-01T00:00:00Z").unix_seconds, {1, ledger::DurationUnit::kYear})
                   .has_value());
}

TEST(AuditHelpersTest, TerritoryAndModelScopes) {
  EXPECT_TRUE(TerritoryCovered({"WORLD"}, "JP"));
  EXPECT_TRUE(TerritoryCovered({"EU"}, "DE"));
  EXPECT_TRUE(TerritoryCovered({"EU"}, "EU"));
  EXPECT_FALSE(TerritoryCovered({"EU"}, "GB"));
  EXPECT_FALSE(TerritoryCovered({"EU"}, "WORLD"));
  EXPECT_TRUE(TerritoryCovered({"EU", "GB"}, "GB"));
  EXPECT_TRUE(ModelCovered({}, "x.example/m@1"));
  EXPECT_TRUE(ModelCovered({"x.example/m"}, "x.example/m@1"));
  EXPECT_FALSE(ModelCovered({"x.example/m"}, "x.example/mm@1"));
  EXPECT_FALSE(ModelCovered({"x.example/m@2"}, "x.example/m@1"));
}

}  // namespace
}  // namespace ltl::monitor
