// Fixed-seed sample entries shared by the entry tests and the worked examples
// in docs/entries.md (entries_doc_test.cpp). Everything here is deterministic:
// keys come from fixed seeds and Ed25519 signing is deterministic.
#ifndef LTL_TESTS_LEDGER_ENTRY_SAMPLES_H_
#define LTL_TESTS_LEDGER_ENTRY_SAMPLES_H_

#include <string>
#include <utility>
#include <vector>

#include "ledger/entry.h"
#include "ledger/keys.h"
#include "ledger/note.h"

namespace ltl::ledger::samples {

inline SigningKey KeyFromSeedByte(std::string_view name, uint8_t seed_byte) {
  const Bytes seed(kEd25519SeedSize, seed_byte);
  return SigningKey::FromSeed(name, seed).value();
}

// The cast: a rights holder rotating from an old key, an AI firm, a
// collecting society.
inline SigningKey AliceOld() { return KeyFromSeedByte("alice.example/ltl-2025", 0x10); }
inline SigningKey Alice() { return KeyFromSeedByte("alice.example/ltl", 0x11); }
inline SigningKey Bob() { return KeyFromSeedByte("bob-ai.example/ltl", 0x12); }
inline SigningKey Society() { return KeyFromSeedByte("cmo.example/ltl", 0x13); }

inline Timestamp T(std::string_view text) { return ParseTimestamp(text).value(); }
inline Decimal D(std::string_view text) { return Decimal::Parse(text).value(); }
inline WorkId W(std::string_view text) { return ParseWorkId(text).value(); }
inline Money M(std::string_view amount, std::string_view currency) {
  return Money{D(amount), std::string(currency)};
}
inline proofs::Hash H(std::string_view data) { return proofs::Sha256(data); }

inline PaymentTerm Priced(PaymentModel model, Money price, PaymentUnit unit) {
  PaymentTerm p;
  p.model = model;
  p.price = std::move(price);
  p.unit = unit;
  return p;
}
inline PaymentTerm RevenueShare(uint32_t bps, RevenueBase base) {
  PaymentTerm p;
  p.model = PaymentModel::kRevenueShare;
  p.share_bps = bps;
  p.base = base;
  return p;
}

inline KeyEntry AliceKey() {
  KeyEntry e;
  e.key = Alice().verifier();
  e.previous_key = AliceOld().verifier();
  e.roles = {Role::kLicensor};
  e.party_name = "Alice Example Music Ltd";
  e.party_ids = {PartyId{PartyIdScheme::kIsni, "0000000218250097"}};
  e.not_before = T("2026-01-01T00:00:00Z");
  e.not_after = T("2028-01-01T00:00:00Z");
  e.issued = T("2025-12-20T09:00:00Z");
  return e;
}

inline KeyEntry BobKey() {
  KeyEntry e;
  e.key = Bob().verifier();
  e.roles = {Role::kLicensee};
  e.party_name = "Bob AI Inc.";
  e.not_before = T("2026-01-01T00:00:00Z");
  e.issued = T("2025-12-21T10:30:00Z");
  return e;
}

inline KeyRevoke AliceOldRevoke() {
  KeyRevoke e;
  e.key = AliceOld().verifier();
  e.revoked_by = Alice().verifier();
  e.reason = KeyRevokeReason::kSuperseded;
  e.issued = T("2026-01-02T00:00:00Z");
  return e;
}

inline LicenceGrant PublicOffer() {
  LicenceGrant g;
  g.grant_id = "offer-2026-catalogue";
  g.kind = GrantKind::kOffer;
  g.licensor = Alice().verifier();
  g.works = {W("isrc:GB-AYE-69-00531"), W("iswc:T-034.524.680-1")};
  g.permit_uses = {Use::kAiAll};
  g.prohibit_uses = {Use::kAiInput};
  g.territories = {"WORLD"};
  g.not_before = T("2026-02-01T00:00:00Z");
  g.not_after = T("2027-02-01T00:00:00Z");
  g.payments = {Priced(PaymentModel::kTraining, M("0.25", "EUR"), PaymentUnit::kPerWork)};
  g.report_every = Duration{1, DurationUnit::kMonth};
  g.pay_within = Duration{30, DurationUnit::kDay};
  g.attribution = "Alice Example Music";
  g.issued = T("2026-01-15T12:00:00Z");
  return g;
}

inline LicenceGrant Agreement() {
  LicenceGrant g;
  g.grant_id = "bob-2026-01";
  g.kind = GrantKind::kAgreement;
  g.licensor = Alice().verifier();
  g.rightsholders = {Rightsholder{PartyId{PartyIdScheme::kIsni, "0000000218250097"}, 7000},
                     Rightsholder{Society().verifier(), 3000}};
  g.licensee = Bob().verifier();
  g.works = {W("isbn:978-0-306-40615-7"), W("doi:10.1000/182")};
  g.work_set = MerkleList{H("alice catalogue 2026"), 1200, "https://alice.example/ltl/sets/2026"};
  g.permit_uses = {Use::kTrainGenai, Use::kAiIndex};
  g.stages = {Stage::kPretrain, Stage::kFineTune};
  g.user_classes = {UserClass::kCommercial};
  g.territories = {"EU", "GB"};
  g.models = {"bob-ai.example/songwriter"};
  g.not_before = T("2026-02-01T00:00:00Z");
  g.not_after = T("2027-02-01T00:00:00Z");
  g.after_term = AfterTerm::kNoNewTraining;
  g.exclusive = false;
  g.sublicense = false;
  g.payments = {Priced(PaymentModel::kTraining, M("1.5", "EUR"), PaymentUnit::kPer1mTokens),
                RevenueShare(250, RevenueBase::kNetRevenue)};
  g.minimum = M("1000", "EUR");
  g.report_every = Duration{1, DurationUnit::kMonth};
  g.pay_within = Duration{45, DurationUnit::kDay};
  g.terms = Terms{"https://alice.example/contracts/bob-2026-01.pdf", H("contract bob-2026-01")};
  g.issued = T("2026-01-20T16:45:00Z");
  return g;
}

inline EntryRef AgreementRef() { return ComputeEntryRef(FormatEntryText(Agreement())); }

inline UsageAttestation Usage() {
  UsageAttestation u;
  u.attestation_id = "2026-02";
  u.attester = Bob().verifier();
  u.model = "bob-ai.example/songwriter@2.1";
  u.model_dependencies = {"bob-ai.example/base@7"};
  u.period_start = T("2026-02-01T00:00:00Z");
  u.period_end = T("2026-03-01T00:00:00Z");
  UsageLine licensed;
  licensed.line_id = "1";
  licensed.works = {W("isbn:0-306-40615-2")};
  licensed.licensor = Alice().verifier();
  licensed.basis.kind = BasisKind::kLicence;
  licensed.basis.licence = AgreementRef();
  licensed.use = Use::kTrainGenai;
  licensed.stage = Stage::kPretrain;
  licensed.acquisition = T("2026-02-02T08:00:00Z");
  licensed.quantity = Quantity{D("420000000"), QuantityUnit::kTokens};
  licensed.first_use = T("2026-02-03T00:00:00Z");
  licensed.last_use = T("2026-02-20T00:00:00Z");
  licensed.territory = "IE";
  licensed.royalty_bearing = true;
  licensed.owed = M("630", "EUR");
  UsageLine open;
  open.line_id = "2";
  open.works = {W("url:https://docs.example.org/manual/*")};
  open.basis.kind = BasisKind::kOpenLicence;
  open.basis.spdx = "CC-BY-4.0";
  open.use = Use::kAiIndex;
  open.stage = Stage::kRag;
  open.quantity = Quantity{D("3100"), QuantityUnit::kItems};
  open.first_use = T("2026-02-01T00:00:00Z");
  open.last_use = T("2026-02-28T23:59:59Z");
  u.lines = {licensed, open};
  u.totals = {UsageTotal{Alice().verifier(), M("630", "EUR")}};
  u.issued = T("2026-03-02T09:00:00Z");
  return u;
}

inline UsageAttestation NilUsage() {
  UsageAttestation u;
  u.attestation_id = "2026-03";
  u.attester = Bob().verifier();
  u.model = "bob-ai.example/songwriter@2.1";
  u.period_start = T("2026-03-01T00:00:00Z");
  u.period_end = T("2026-04-01T00:00:00Z");
  u.nil = true;
  u.issued = T("2026-04-01T09:00:00Z");
  return u;
}

inline Revoke RevokeAgreement() {
  Revoke v;
  v.target = AgreementRef();
  v.revoker = Alice().verifier();
  v.reason = RevokeReason::kNonPayment;
  v.effective_at = T("2026-06-01T00:00:00Z");
  v.wind_down = Duration{2, DurationUnit::kWeek};
  v.issued = T("2026-05-15T08:00:00Z");
  return v;
}

inline Reservation SocietyReservation() {
  Reservation v;
  v.reservation_id = "tdm-optout-2026";
  v.declarant = Society().verifier();
  v.works = {W("iswc:T0345246801"),
             W("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")};
  v.reserve_uses = {Use::kAll};
  v.licence_at = "https://cmo.example/licensing";
  v.issued = T("2026-01-05T00:00:00Z");
  return v;
}

inline Payment BobPayment() {
  Payment p;
  p.payment_id = "pay-2026-02";
  p.payer = Bob().verifier();
  p.payee = Alice().verifier();
  p.grants = {AgreementRef()};
  p.usages = {ComputeEntryRef(FormatEntryText(Usage()))};
  p.amount = M("1000", "EUR");
  p.paid_at = T("2026-03-20T14:00:00Z");
  p.reference = "SEPA-20260320-0042";
  p.issued = T("2026-03-20T15:00:00Z");
  return p;
}

inline Receipt AliceReceipt() {
  Receipt p;
  p.receipt_id = "rcpt-2026-02";
  p.payee = Alice().verifier();
  p.payer = Bob().verifier();
  p.payment = ComputeEntryRef(FormatEntryText(BobPayment()));
  p.amount = M("1000", "EUR");
  p.received_at = T("2026-03-21T09:00:00Z");
  p.issued = T("2026-03-21T09:30:00Z");
  return p;
}

struct NamedSample {
  std::string name;
  EntryBody body;
  std::vector<SigningKey> signers;  // in signing order
};

// One sample per entry type and variant, with the keys that must sign it.
inline std::vector<NamedSample> AllSamples() {
  return {
      {"key-rotation", AliceKey(), {Alice(), AliceOld()}},
      {"key", BobKey(), {Bob()}},
      {"key-revoke", AliceOldRevoke(), {Alice()}},
      {"licence-grant-offer", PublicOffer(), {Alice()}},
      {"licence-grant-agreement", Agreement(), {Alice(), Bob()}},
      {"usage", Usage(), {Bob()}},
      {"usage-nil", NilUsage(), {Bob()}},
      {"revoke", RevokeAgreement(), {Alice()}},
      {"reservation", SocietyReservation(), {Society()}},
      {"payment", BobPayment(), {Bob()}},
      {"receipt", AliceReceipt(), {Alice()}},
  };
}

// The signed note of `text` with every key's signature, in order.
inline std::string SignAll(std::string text, const std::vector<SigningKey>& keys) {
  for (const SigningKey& key : keys) text = SignNote(text, key).value();
  return text;
}

}  // namespace ltl::ledger::samples

#endif  // LTL_TESTS_LEDGER_ENTRY_SAMPLES_H_
