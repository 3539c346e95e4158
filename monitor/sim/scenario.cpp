#include "monitor/sim/scenario.h"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

#include "base/encoding.h"
#include "ledger/note.h"
#include "proofs/hash.h"

namespace ltl::sim {
namespace {

using ledger::Decimal;
using ledger::EntryBody;
using ledger::SigningKey;
using ledger::Timestamp;
using ledger::VerifierKey;
using monitor::EntryPointer;
using monitor::Finding;
using monitor::FindingCode;

Timestamp T(std::string_view text) { return ledger::ParseTimestamp(text).value(); }
Decimal D(std::string_view text) { return Decimal::Parse(text).value(); }

// The quarters of 2025 and the first instant after them.
const Timestamp kQuarter[5] = {T("2025-01-01T00:00:00Z"), T("2025-04-01T00:00:00Z"),
                               T("2025-07-01T00:00:00Z"), T("2025-10-01T00:00:00Z"),
                               T("2026-01-01T00:00:00Z")};
constexpr int64_t kDay = 86400;

Timestamp Plus(Timestamp t, int64_t days) { return Timestamp{t.unix_seconds + days * kDay}; }

struct Party {
  std::string name;
  SigningKey key;
  proofs::Hash key_ref{};  // its `key` entry
  const VerifierKey& vkey() const { return key.verifier(); }
};

struct Logged {
  proofs::Hash ref{};
  EntryBody body;
};

class Builder {
 public:
  explicit Builder(const ScenarioOptions& o) : o_(o) {}

  Status Build(Scenario& out);

 private:
  Result<Party> MakeParty(const std::string& name, ledger::Role role, uint32_t n);
  Result<proofs::Hash> Add(const EntryBody& body, const std::vector<const SigningKey*>& signers);
  std::string WorkOf(uint32_t creator, uint32_t k) const;
  ledger::WorkId Work(const std::string& text) const { return ledger::ParseWorkId(text).value(); }
  ledger::LicenceGrant Agreement(uint32_t firm, uint32_t creator, const std::string& id,
                                 Timestamp issued, bool reports) const;
  ledger::UsageLine Line(const std::string& id, uint32_t creator, const proofs::Hash& grant,
                         std::vector<std::string> works, uint64_t million_tokens, Timestamp first,
                         Timestamp last) const;
  // A usage attestation with totals that add up (unless `totals` is given).
  ledger::UsageAttestation Usage(uint32_t firm, const std::string& id, Timestamp start,
                                 Timestamp end, std::vector<ledger::UsageLine> lines,
                                 Timestamp issued) const;
  Status Plant(const std::string& code, Scenario& out);
  void Expect(Scenario& out, FindingCode code, std::vector<proofs::Hash> refs, std::string line,
              std::string party, std::optional<int64_t> period_start = std::nullopt,
              std::optional<int64_t> period_end = std::nullopt) const;
  bool Planting(const std::string& code) const { return o_.plant_all || o_.plant.count(code) > 0; }

  const ScenarioOptions& o_;
  std::vector<std::string> entries_;
  std::vector<Party> creators_;
  std::vector<Party> firms_;
  std::vector<proofs::Hash> offers_;                                  // per creator
  std::map<std::pair<uint32_t, uint32_t>, proofs::Hash> agreements_;  // (firm, creator)
  std::map<uint32_t, std::vector<uint32_t>> firm_creators_;
  std::map<uint32_t, proofs::Hash> reservations_;         // creator -> reservation ref
  std::optional<std::pair<uint32_t, uint32_t>> revoked_;  // (firm, creator)
  proofs::Hash revoke_ref_{};
};

Result<Party> Builder::MakeParty(const std::string& name, ledger::Role role, uint32_t n) {
  const std::string seed_text =
      "ltl-sim/" + std::to_string(o_.seed) + "/" + name + "/" + std::to_string(n);
  const proofs::Hash seed = proofs::Sha256(seed_text);
  LTL_ASSIGN_OR_RETURN(SigningKey key, SigningKey::FromSeed(name, seed));
  Party p{name, std::move(key), {}};
  ledger::KeyEntry k;
  k.key = p.vkey();
  k.roles = {role};
  k.not_before = T("2024-12-01T00:00:00Z");
  k.issued = T("2024-11-15T00:00:00Z");
  LTL_ASSIGN_OR_RETURN(p.key_ref, Add(k, {&p.key}));
  return p;
}

Result<proofs::Hash> Builder::Add(const EntryBody& body,
                                  const std::vector<const SigningKey*>& signers) {
  LTL_ASSIGN_OR_RETURN(std::string note, SignEntry(body, signers));
  entries_.push_back(std::move(note));
  return ledger::ComputeEntryRef(ledger::FormatEntryText(body));
}

// ISRC CC-XXX-YY-NNNNN: "US", "C" + two base-36 digits of the creator, "25",
// and the work number.
std::string Builder::WorkOf(uint32_t creator, uint32_t k) const {
  static constexpr char kDigits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  std::string n = std::to_string(k);
  return std::string("isrc:USC") + kDigits[(creator / 36) % 36] + kDigits[creator % 36] + "25" +
         std::string(5 - n.size(), '0') + n;
}

ledger::LicenceGrant Builder::Agreement(uint32_t firm, uint32_t creator, const std::string& id,
                                        Timestamp issued, bool reports) const {
  ledger::LicenceGrant g;
  g.grant_id = id;
  g.kind = ledger::GrantKind::kAgreement;
  g.licensor = creators_[creator].vkey();
  g.licensee = firms_[firm].vkey();
  for (uint32_t k = 0; k < o_.works_per_creator; ++k) g.works.push_back(Work(WorkOf(creator, k)));
  g.permit_uses = {ledger::Use::kAiAll};
  g.stages = {ledger::Stage::kPretrain, ledger::Stage::kFineTune};
  g.territories = {"EU", "US"};
  g.models = {"firm" + std::to_string(firm) + ".example/model"};
  g.not_before = kQuarter[0];
  g.not_after = kQuarter[4];
  ledger::PaymentTerm term;
  term.model = ledger::PaymentModel::kTraining;
  term.price = ledger::Money{D("2"), "EUR"};
  term.unit = ledger::PaymentUnit::kPer1mTokens;
  g.payments = {term};
  if (reports) g.report_every = ledger::Duration{3, ledger::DurationUnit::kMonth};
  g.pay_within = ledger::Duration{30, ledger::DurationUnit::kDay};
  g.issued = issued;
  return g;
}

ledger::UsageLine Builder::Line(const std::string& id, uint32_t creator, const proofs::Hash& grant,
                                std::vector<std::string> works, uint64_t million_tokens,
                                Timestamp first, Timestamp last) const {
  ledger::UsageLine l;
  l.line_id = id;
  for (const auto& w : works) l.works.push_back(Work(w));
  l.licensor = creators_[creator].vkey();
  l.basis.kind = ledger::BasisKind::kLicence;
  l.basis.licence = grant;
  l.use = ledger::Use::kTrainGenai;
  l.stage = ledger::Stage::kPretrain;
  l.acquisition = first;
  l.quantity = ledger::Quantity{Decimal::FromInteger(million_tokens * 1'000'000).value(),
                                ledger::QuantityUnit::kTokens};
  l.first_use = first;
  l.last_use = last;
  l.territory = "DE";
  l.royalty_bearing = true;
  l.owed = ledger::Money{Decimal::FromInteger(million_tokens * 2).value(), "EUR"};
  return l;
}

ledger::UsageAttestation Builder::Usage(uint32_t firm, const std::string& id, Timestamp start,
                                        Timestamp end, std::vector<ledger::UsageLine> lines,
                                        Timestamp issued) const {
  ledger::UsageAttestation u;
  u.attestation_id = id;
  u.attester = firms_[firm].vkey();
  u.model = "firm" + std::to_string(firm) + ".example/model@1";
  u.period_start = start;
  u.period_end = end;
  std::map<std::string, std::pair<VerifierKey, Decimal>> totals;  // by vkey string (EUR only)
  for (const auto& l : lines) {
    if (!l.owed || !l.licensor) continue;
    auto [it, fresh] = totals.try_emplace(l.licensor->ToString(), *l.licensor, Decimal());
    it->second.second = ledger::Add(it->second.second, l.owed->amount).value();
  }
  u.lines = std::move(lines);
  for (const auto& [_, t] : totals) {
    u.totals.push_back(ledger::UsageTotal{t.first, ledger::Money{t.second, "EUR"}});
  }
  u.issued = issued;
  return u;
}

void Builder::Expect(Scenario& out, FindingCode code, std::vector<proofs::Hash> refs,
                     std::string line, std::string party, std::optional<int64_t> period_start,
                     std::optional<int64_t> period_end) const {
  Finding f;
  f.code = code;
  f.severity = code == FindingCode::kDisclosedUnlicensed ? monitor::Severity::kInfo
               : code == FindingCode::kRoleMismatch || code == FindingCode::kDuplicateId
                   ? monitor::Severity::kReview
                   : monitor::Severity::kViolation;
  for (const auto& r : refs) {
    EntryPointer p;
    p.ref = r;
    f.entries.push_back(p);
  }
  f.line = std::move(line);
  f.party = std::move(party);
  f.period_start = period_start;
  f.period_end = period_end;
  f.message = "planted by ltl-sim";
  out.expected.push_back(std::move(f));
}

Status Builder::Build(Scenario& out) {
  if (o_.creators < 4 || o_.firms < 3 || o_.works_per_creator < 3 || o_.agreements_per_firm < 1 ||
      o_.agreements_per_firm > o_.creators || o_.creators > 1296 || o_.firms > 1000 ||
      o_.works_per_creator > 50000) {
    return Status::InvalidArgument(
        "ltl-sim: need 4..1296 creators, 3..1000 firms, 3..50000 works per creator and "
        "1..creators agreements per firm");
  }
  for (const std::string& code : o_.plant) {
    if (std::find(PlantableCodes().begin(), PlantableCodes().end(), code) ==
        PlantableCodes().end()) {
      return Status::InvalidArgument("ltl-sim: cannot plant '" + code + "'");
    }
  }
  // Keys.
  for (uint32_t i = 0; i < o_.creators; ++i) {
    LTL_ASSIGN_OR_RETURN(Party p, MakeParty("creator" + std::to_string(i) + ".example/ltl",
                                            ledger::Role::kLicensor, i));
    creators_.push_back(std::move(p));
  }
  for (uint32_t j = 0; j < o_.firms; ++j) {
    LTL_ASSIGN_OR_RETURN(Party p, MakeParty("firm" + std::to_string(j) + ".example/ltl",
                                            ledger::Role::kLicensee, j));
    firms_.push_back(std::move(p));
  }
  // Public offers.
  for (uint32_t i = 0; i < o_.creators; ++i) {
    ledger::LicenceGrant g;
    g.grant_id = "offer-" + std::to_string(i);
    g.kind = ledger::GrantKind::kOffer;
    g.licensor = creators_[i].vkey();
    for (uint32_t k = 0; k < o_.works_per_creator; ++k) g.works.push_back(Work(WorkOf(i, k)));
    g.permit_uses = {ledger::Use::kAiAll};
    g.territories = {"WORLD"};
    g.not_before = kQuarter[0];
    g.not_after = kQuarter[4];
    ledger::PaymentTerm term;
    term.model = ledger::PaymentModel::kTraining;
    term.price = ledger::Money{D("0.5"), "EUR"};
    term.unit = ledger::PaymentUnit::kPerWork;
    g.payments = {term};
    g.issued = T("2024-12-20T00:00:00Z");
    LTL_ASSIGN_OR_RETURN(proofs::Hash ref, Add(g, {&creators_[i].key}));
    offers_.push_back(ref);
  }
  // Agreements, co-signed.
  for (uint32_t f = 0; f < o_.firms; ++f) {
    for (uint32_t a = 0; a < o_.agreements_per_firm; ++a) {
      const uint32_t c = (f * o_.agreements_per_firm + a) % o_.creators;
      firm_creators_[f].push_back(c);
      ledger::LicenceGrant g = Agreement(f, c, "agr-" + std::to_string(f) + "-" + std::to_string(c),
                                         T("2024-12-28T00:00:00Z"), /*reports=*/true);
      LTL_ASSIGN_OR_RETURN(proofs::Hash ref, Add(g, {&creators_[c].key, &firms_[f].key}));
      agreements_[{f, c}] = ref;
    }
  }
  // Reservations of a work no grant covers.
  for (uint32_t i = 3; i < o_.creators; i += 4) {
    ledger::Reservation r;
    r.reservation_id = "res-" + std::to_string(i);
    r.declarant = creators_[i].vkey();
    r.works = {Work(WorkOf(i, 90000))};
    r.reserve_uses = {ledger::Use::kAll};
    r.licence_at = "https://creator" + std::to_string(i) + ".example/licensing";
    r.issued = T("2025-01-10T00:00:00Z");
    LTL_ASSIGN_OR_RETURN(reservations_[i], Add(r, {&creators_[i].key}));
  }
  revoked_ = std::make_pair(uint32_t{1}, firm_creators_[1].front());
  const bool skip_report = Planting("MISSING_REPORT");

  // Four quarters of reports, payments and receipts.
  for (int q = 0; q < 4; ++q) {
    for (uint32_t f = 0; f < o_.firms; ++f) {
      if (skip_report && f == 0 && q == 1) continue;  // planted: MISSING_REPORT
      std::vector<ledger::UsageLine> lines;
      for (uint32_t c : firm_creators_[f]) {
        if (q == 3 && revoked_ && *revoked_ == std::make_pair(f, c)) continue;  // revoked in Q4
        const uint64_t millions = 1 + (f + c + static_cast<uint32_t>(q)) % 5;
        lines.push_back(Line("a" + std::to_string(c), c, agreements_[{f, c}],
                             {WorkOf(c, 0), WorkOf(c, 1 + (f + q) % (o_.works_per_creator - 1))},
                             millions, Plus(kQuarter[q], 1), Plus(kQuarter[q], 60)));
      }
      if ((f + q) % 2 == 0) {
        // Now and then a work under a creator's public offer: 3 items at 0.5.
        const uint32_t c = (f + static_cast<uint32_t>(q) + 5) % o_.creators;
        ledger::UsageLine l = Line("o" + std::to_string(c), c, offers_[c], {WorkOf(c, 2)}, 0,
                                   Plus(kQuarter[q], 3), Plus(kQuarter[q], 40));
        l.use = ledger::Use::kAiIndex;
        l.stage = ledger::Stage::kRag;
        l.quantity = ledger::Quantity{D("3"), ledger::QuantityUnit::kItems};
        l.territory.reset();
        l.owed = ledger::Money{D("1.5"), "EUR"};
        lines.push_back(std::move(l));
      }
      ledger::UsageAttestation u =
          Usage(f, "rep-" + std::to_string(f) + "-q" + std::to_string(q + 1), kQuarter[q],
                kQuarter[q + 1], lines, Plus(kQuarter[q + 1], 5));
      if (u.lines.empty()) u.nil = true;  // an explicit "no usage" report
      LTL_ASSIGN_OR_RETURN(proofs::Hash report, Add(u, {&firms_[f].key}));
      for (const ledger::UsageTotal& t : u.totals) {
        uint32_t c = 0;
        while (!(creators_[c].vkey() == t.licensor)) ++c;
        ledger::Payment p;
        p.payment_id =
            "pay-" + std::to_string(f) + "-q" + std::to_string(q + 1) + "-" + std::to_string(c);
        p.payer = firms_[f].vkey();
        p.payee = t.licensor;
        for (const auto& l : u.lines) {
          if (l.licensor && *l.licensor == t.licensor &&
              std::find(p.grants.begin(), p.grants.end(), l.basis.licence) == p.grants.end()) {
            p.grants.push_back(l.basis.licence);
          }
        }
        p.usages = {report};
        p.amount = t.amount;
        p.paid_at = Plus(kQuarter[q + 1], 20);
        p.issued = Plus(kQuarter[q + 1], 20);
        LTL_ASSIGN_OR_RETURN(proofs::Hash pay, Add(p, {&firms_[f].key}));
        ledger::Receipt r;
        r.receipt_id = "rcpt-" + std::to_string(f) + "-q" + std::to_string(q + 1);
        r.payee = t.licensor;
        r.payer = firms_[f].vkey();
        r.payment = pay;
        r.amount = t.amount;
        r.received_at = Plus(kQuarter[q + 1], 21);
        r.issued = Plus(kQuarter[q + 1], 21);
        LTL_ASSIGN_OR_RETURN(proofs::Hash receipt, Add(r, {&creators_[c].key}));
        (void)receipt;
      }
    }
    if (q == 2 && revoked_) {
      // The creator revokes firm 1's agreement for non-payment from October.
      ledger::Revoke r;
      r.target = agreements_[*revoked_];
      r.revoker = creators_[revoked_->second].vkey();
      r.reason = ledger::RevokeReason::kNonPayment;
      r.effective_at = kQuarter[3];
      r.issued = T("2025-09-20T00:00:00Z");
      LTL_ASSIGN_OR_RETURN(revoke_ref_, Add(r, {&creators_[revoked_->second].key}));
    }
  }
  out.honest_entries = entries_.size();
  if (skip_report) {
    for (uint32_t c : firm_creators_[0]) {
      Expect(out, FindingCode::kMissingReport, {agreements_[{0, c}]}, "", firms_[0].name,
             kQuarter[1].unix_seconds, kQuarter[2].unix_seconds);
    }
  }
  for (const std::string& code : PlantableCodes()) {
    if (code != "MISSING_REPORT" && Planting(code)) LTL_RETURN_IF_ERROR(Plant(code, out));
  }
  out.entries = std::move(entries_);
  out.audit_after = kQuarter[4].unix_seconds + 31 * kDay;
  return Status::Ok();
}

Status Builder::Plant(const std::string& code, Scenario& out) {
  const uint32_t fp = 2;  // the firm planted usage comes from
  const uint32_t cp = firm_creators_[fp].front();
  const proofs::Hash agreement = agreements_[{fp, cp}];
  const std::string firm = firms_[fp].name;
  const Timestamp start = kQuarter[2], end = kQuarter[3];
  const Timestamp first = Plus(start, 2), last = Plus(start, 50);
  const Timestamp issued = T("2025-10-05T00:00:00Z");
  const std::string id = "plant-" + code;
  // One usage attestation by `fp` with one line under its agreement, changed by `edit`.
  auto plant_line = [&](auto edit, FindingCode expect, bool with_grant) -> Status {
    ledger::UsageLine l = Line("l1", cp, agreement, {WorkOf(cp, 0)}, 1, first, last);
    ledger::UsageAttestation u = Usage(fp, id, start, end, {l}, issued);
    edit(u);
    LTL_ASSIGN_OR_RETURN(proofs::Hash ref, Add(u, {&firms_[fp].key}));
    std::vector<proofs::Hash> refs = {ref};
    if (with_grant) refs.push_back(u.lines[0].basis.licence);
    Expect(out, expect, refs, "l1", firm);
    return Status::Ok();
  };
  using L = ledger::UsageAttestation;
  if (code == "USAGE_WITHOUT_LICENCE") {
    return plant_line([](L& u) { u.lines[0].basis.licence = proofs::Sha256("no such grant"); },
                      FindingCode::kUsageWithoutLicence, false);
  }
  if (code == "LICENSEE_MISMATCH") {
    const uint32_t fo = (fp + 1) % o_.firms;
    const uint32_t co = firm_creators_[fo].front();
    const proofs::Hash other = agreements_[{fo, co}];
    const VerifierKey licensor = creators_[co].vkey();
    return plant_line(
        [&](L& u) {
          u.lines[0].basis.licence = other;
          u.lines[0].licensor = licensor;
          u.lines[0].works = {Work(WorkOf(co, 0))};
          u.totals[0].licensor = licensor;
        },
        FindingCode::kLicenseeMismatch, true);
  }
  if (code == "RETROACTIVE_LICENCE") {
    // Logged (and issued) in August for use that started in July.
    ledger::LicenceGrant g = Agreement(fp, cp, "agr-late-" + std::to_string(fp),
                                       T("2025-08-15T00:00:00Z"), /*reports=*/false);
    LTL_ASSIGN_OR_RETURN(proofs::Hash late, Add(g, {&creators_[cp].key, &firms_[fp].key}));
    return plant_line([&](L& u) { u.lines[0].basis.licence = late; },
                      FindingCode::kRetroactiveLicence, true);
  }
  if (code == "WORK_NOT_IN_GRANT") {
    const std::string foreign = WorkOf((cp + 1) % o_.creators, 0);
    return plant_line([&](L& u) { u.lines[0].works.push_back(Work(foreign)); },
                      FindingCode::kWorkNotInGrant, true);
  }
  if (code == "USE_OUT_OF_SCOPE") {
    return plant_line([](L& u) { u.lines[0].use = ledger::Use::kSearch; },
                      FindingCode::kUseOutOfScope, true);
  }
  if (code == "STAGE_OUT_OF_SCOPE") {
    return plant_line([](L& u) { u.lines[0].stage = ledger::Stage::kRag; },
                      FindingCode::kStageOutOfScope, true);
  }
  if (code == "TERRITORY_OUT_OF_SCOPE") {
    return plant_line([](L& u) { u.lines[0].territory = "JP"; }, FindingCode::kTerritoryOutOfScope,
                      true);
  }
  if (code == "MODEL_OUT_OF_SCOPE") {
    return plant_line(
        [&](L& u) { u.model = "firm" + std::to_string(fp) + ".example/other-model@1"; },
        FindingCode::kModelOutOfScope, true);
  }
  if (code == "LICENCE_NOT_YET_VALID") {
    return plant_line(
        [](L& u) {
          // After the agreement was logged (2024-12-28), before its term.
          u.lines[0].acquisition = T("2024-12-29T00:00:00Z");
          u.lines[0].first_use = T("2024-12-30T00:00:00Z");
        },
        FindingCode::kLicenceNotYetValid, true);
  }
  if (code == "LICENCE_EXPIRED") {
    return plant_line([](L& u) { u.lines[0].last_use = T("2026-01-15T00:00:00Z"); },
                      FindingCode::kLicenceExpired, true);
  }
  if (code == "USAGE_AFTER_REVOCATION") {
    const auto [fr, cr] = *revoked_;
    ledger::UsageLine l = Line("l1", cr, agreements_[*revoked_], {WorkOf(cr, 0)}, 1,
                               T("2025-10-02T00:00:00Z"), T("2025-11-15T00:00:00Z"));
    ledger::UsageAttestation u =
        Usage(fr, id, kQuarter[3], kQuarter[4], {l}, T("2026-01-05T00:00:00Z"));
    LTL_ASSIGN_OR_RETURN(proofs::Hash ref, Add(u, {&firms_[fr].key}));
    Expect(out, FindingCode::kUsageAfterRevocation, {ref, agreements_[*revoked_], revoke_ref_},
           "l1", firms_[fr].name);
    return Status::Ok();
  }
  if (code == "OPT_OUT_IGNORED") {
    const uint32_t cr = reservations_.begin()->first;
    const proofs::Hash reservation = reservations_.begin()->second;
    Status planted = plant_line(
        [&](L& u) {
          ledger::UsageLine& l = u.lines[0];
          l.works = {Work(WorkOf(cr, 90000))};
          l.licensor.reset();
          l.basis = ledger::UsageBasis{ledger::BasisKind::kTdmException, {}, ""};
          l.acquisition = T("2025-05-01T00:00:00Z");
          l.royalty_bearing = false;
          l.owed.reset();
          u.totals.clear();
        },
        FindingCode::kOptOutIgnored, false);
    if (planted.ok()) out.expected.back().entries.push_back(EntryPointer{0, reservation, {}});
    return planted;
  }
  if (code == "DISCLOSED_UNLICENSED") {
    return plant_line(
        [&](L& u) {
          ledger::UsageLine& l = u.lines[0];
          l.licensor.reset();
          l.basis = ledger::UsageBasis{ledger::BasisKind::kNone, {}, ""};
          l.royalty_bearing = false;
          l.owed.reset();
          u.totals.clear();
        },
        FindingCode::kDisclosedUnlicensed, false);
  }
  if (code == "UNDERREPORTED_AMOUNT" || code == "TOTALS_MISMATCH") {
    const bool under = code == "UNDERREPORTED_AMOUNT";
    ledger::UsageLine l = Line("l1", cp, agreement, {WorkOf(cp, 0)}, 4, first, last);
    if (under) l.owed = ledger::Money{D("5"), "EUR"};  // 4M tokens at 2 EUR/M is 8
    ledger::UsageAttestation u = Usage(fp, id, start, end, {l}, issued);
    if (!under) u.totals[0].amount.amount = D("9");  // the line owes 8
    LTL_ASSIGN_OR_RETURN(proofs::Hash ref, Add(u, {&firms_[fp].key}));
    if (under) {
      Expect(out, FindingCode::kUnderreportedAmount, {ref, agreement}, "", creators_[cp].name);
    } else {
      Expect(out, FindingCode::kTotalsMismatch, {ref}, "", creators_[cp].name);
    }
    return Status::Ok();
  }
  if (code == "KEY_NOT_VALID") {
    // Signed with a log time (its claimed issue) before the key's not-before.
    ledger::Reservation r;
    r.reservation_id = "res-early";
    r.declarant = creators_[0].vkey();
    r.works = {Work(WorkOf(0, 90001))};
    r.reserve_uses = {ledger::Use::kTrainGenai};
    r.issued = T("2024-06-01T00:00:00Z");
    LTL_ASSIGN_OR_RETURN(proofs::Hash ref, Add(r, {&creators_[0].key}));
    Expect(out, FindingCode::kKeyNotValid, {ref, creators_[0].key_ref}, "", creators_[0].name);
    return Status::Ok();
  }
  if (code == "ROLE_MISMATCH") {
    // A creator's key (role licensor) attests usage, of a work it owns.
    ledger::UsageAttestation u;
    u.attestation_id = id;
    u.attester = creators_[1].vkey();
    u.model = "creator1.example/remix@1";
    u.period_start = start;
    u.period_end = end;
    ledger::UsageLine l;
    l.line_id = "own";
    l.works = {Work(WorkOf(1, 0))};
    l.basis.kind = ledger::BasisKind::kOwned;
    l.use = ledger::Use::kTrainGenai;
    l.stage = ledger::Stage::kFineTune;
    l.quantity = ledger::Quantity{D("1"), ledger::QuantityUnit::kItems};
    l.first_use = first;
    l.last_use = last;
    u.lines = {l};
    u.issued = issued;
    LTL_ASSIGN_OR_RETURN(proofs::Hash ref, Add(u, {&creators_[1].key}));
    Expect(out, FindingCode::kRoleMismatch, {ref, creators_[1].key_ref}, "", creators_[1].name);
    return Status::Ok();
  }
  if (code == "DUPLICATE_ID") {
    // A second offer reusing creator 2's grant id.
    ledger::LicenceGrant g;
    g.grant_id = "offer-2";
    g.kind = ledger::GrantKind::kOffer;
    g.licensor = creators_[2].vkey();
    g.works = {Work(WorkOf(2, 0))};
    g.permit_uses = {ledger::Use::kSearch};
    g.territories = {"WORLD"};
    g.not_before = kQuarter[2];
    g.payments = {ledger::PaymentTerm{}};  // free
    g.issued = T("2025-06-01T00:00:00Z");
    LTL_ASSIGN_OR_RETURN(proofs::Hash ref, Add(g, {&creators_[2].key}));
    Expect(out, FindingCode::kDuplicateId, {ref, offers_[2]}, "", creators_[2].name);
    return Status::Ok();
  }
  return Status::InvalidArgument("ltl-sim: cannot plant '" + code + "'");
}

}  // namespace

const std::vector<std::string>& PlantableCodes() {
  static const std::vector<std::string> codes = {
      "DUPLICATE_ID",           "KEY_NOT_VALID",          "ROLE_MISMATCH",
      "USAGE_WITHOUT_LICENCE",  "LICENSEE_MISMATCH",      "RETROACTIVE_LICENCE",
      "WORK_NOT_IN_GRANT",      "USE_OUT_OF_SCOPE",       "STAGE_OUT_OF_SCOPE",
      "TERRITORY_OUT_OF_SCOPE", "MODEL_OUT_OF_SCOPE",     "LICENCE_NOT_YET_VALID",
      "LICENCE_EXPIRED",        "USAGE_AFTER_REVOCATION", "OPT_OUT_IGNORED",
      "DISCLOSED_UNLICENSED",   "UNDERREPORTED_AMOUNT",   "TOTALS_MISMATCH",
      "MISSING_REPORT",
  };
  return codes;
}

Result<std::string> SignEntry(const ledger::EntryBody& body,
                              const std::vector<const ledger::SigningKey*>& signers) {
  LTL_RETURN_IF_ERROR(ledger::ValidateEntryBody(body));
  std::string note = ledger::FormatEntryText(body);
  for (const ledger::SigningKey* key : signers) {
    LTL_ASSIGN_OR_RETURN(note, ledger::SignNote(note, *key));
  }
  return note;
}

Result<Scenario> BuildScenario(const ScenarioOptions& options) {
  Scenario out;
  Builder builder(options);
  LTL_RETURN_IF_ERROR(builder.Build(out));
  return out;
}

}  // namespace ltl::sim
