// Typed entries -> canonical entry texts. The field order here mirrors the
// parser's (entry_parse.cpp) and docs/entries.md; the round-trip tests pin
// all three together.
#include "base/encoding.h"
#include "ledger/entry_fields.h"

namespace ltl::ledger {
namespace {

using detail::TextWriter;

std::string Amount(const Money& m) { return m.amount.ToString() + " " + m.currency; }
std::string Hex(const proofs::Hash& h) { return proofs::HashToHex(h); }
std::string Time(Timestamp t) { return FormatTimestamp(t); }
std::string List(const MerkleList& l) {
  return Hex(l.root) + " " + std::to_string(l.count) + " " + l.url;
}
std::string Party(const PartyId& id) { return std::string(NameOf(id.scheme)) + ":" + id.value; }

template <typename E>
void AddEnums(TextWriter& w, std::string_view key, const std::vector<E>& values) {
  for (E v : values) w.Add(key, NameOf(v));
}
void AddStrings(TextWriter& w, std::string_view key, const std::vector<std::string>& values) {
  for (const std::string& v : values) w.Add(key, v);
}
void AddWorks(TextWriter& w, const std::vector<WorkId>& works) {
  for (const WorkId& id : works) w.Add("work", FormatWorkId(id));
}
template <typename T, typename Fn>
void AddIf(TextWriter& w, std::string_view key, const std::optional<T>& v, Fn&& format) {
  if (v) w.Add(key, format(*v));
}
void AddFlag(TextWriter& w, std::string_view key, bool on) {
  if (on) w.Add(key, "true");
}

std::string Vkey(const VerifierKey& k) { return k.ToString(); }

std::string Format(const KeyEntry& e) {
  TextWriter w(EntryType::kKey);
  w.Add("key", Vkey(e.key));
  AddIf(w, "previous-key", e.previous_key, Vkey);
  AddEnums(w, "role", e.roles);
  AddIf(w, "party-name", e.party_name, [](const std::string& s) { return s; });
  for (const PartyId& id : e.party_ids) w.Add("party-id", Party(id));
  w.Add("not-before", Time(e.not_before));
  AddIf(w, "not-after", e.not_after, Time);
  w.Add("issued", Time(e.issued));
  return std::move(w).Finish();
}

std::string Format(const KeyRevoke& e) {
  TextWriter w(EntryType::kKeyRevoke);
  w.Add("key", Vkey(e.key));
  AddIf(w, "revoked-by", e.revoked_by, Vkey);
  w.Add("reason", NameOf(e.reason));
  AddIf(w, "compromised-since", e.compromised_since, Time);
  w.Add("issued", Time(e.issued));
  return std::move(w).Finish();
}

std::string FormatPaymentTerm(const PaymentTerm& p) {
  std::string out(NameOf(p.model));
  switch (p.model) {
    case PaymentModel::kFree:
      break;
    case PaymentModel::kRevenueShare:
      out += " " + std::to_string(p.share_bps) + " bps " + std::string(NameOf(p.base));
      break;
    default:
      out += " " + Amount(p.price) + " " + std::string(NameOf(p.unit));
      break;
  }
  return out;
}

std::string Format(const LicenceGrant& g) {
  TextWriter w(EntryType::kLicenceGrant);
  w.Add("grant-id", g.grant_id);
  w.Add("kind", NameOf(g.kind));
  w.Add("licensor", Vkey(g.licensor));
  for (const Rightsholder& r : g.rightsholders) {
    const std::string party = std::holds_alternative<VerifierKey>(r.party)
                                  ? Vkey(std::get<VerifierKey>(r.party))
                                  : Party(std::get<PartyId>(r.party));
    w.Add("rightsholder", party + " " + std::to_string(r.share_bps));
  }
  w.Add("licensee", g.licensee ? Vkey(*g.licensee) : "*");
  AddWorks(w, g.works);
  AddIf(w, "work-set", g.work_set, List);
  AddEnums(w, "permit-use", g.permit_uses);
  AddEnums(w, "prohibit-use", g.prohibit_uses);
  AddEnums(w, "stage", g.stages);
  AddEnums(w, "user-class", g.user_classes);
  AddStrings(w, "territory", g.territories);
  AddStrings(w, "model", g.models);
  w.Add("not-before", Time(g.not_before));
  AddIf(w, "not-after", g.not_after, Time);
  AddIf(w, "after-term", g.after_term, [](AfterTerm a) { return std::string(NameOf(a)); });
  AddFlag(w, "exclusive", g.exclusive);
  AddFlag(w, "sublicense", g.sublicense);
  for (const PaymentTerm& p : g.payments) w.Add("payment", FormatPaymentTerm(p));
  AddIf(w, "minimum", g.minimum, Amount);
  AddIf(w, "report-every", g.report_every, FormatDuration);
  AddIf(w, "pay-within", g.pay_within, FormatDuration);
  AddIf(w, "attribution", g.attribution, [](const std::string& s) { return s; });
  AddIf(w, "terms", g.terms, [](const Terms& t) { return t.url + " " + Hex(t.sha256); });
  AddIf(w, "commit", g.commit, [](const proofs::Hash& h) { return "sha256:" + Hex(h); });
  AddIf(w, "supersedes", g.supersedes, Hex);
  w.Add("issued", Time(g.issued));
  return std::move(w).Finish();
}

std::string FormatBasis(const UsageBasis& b) {
  std::string out(NameOf(b.kind));
  if (b.kind == BasisKind::kLicence) out += " " + Hex(b.licence);
  if (b.kind == BasisKind::kOpenLicence) out += " " + b.spdx;
  return out;
}

std::string Format(const UsageAttestation& u) {
  TextWriter w(EntryType::kUsage);
  w.Add("attestation-id", u.attestation_id);
  w.Add("attester", Vkey(u.attester));
  w.Add("model", u.model);
  AddStrings(w, "model-dependency", u.model_dependencies);
  w.Add("period-start", Time(u.period_start));
  w.Add("period-end", Time(u.period_end));
  AddFlag(w, "nil", u.nil);
  AddIf(w, "line-set", u.line_set, List);
  for (const UsageLine& l : u.lines) {
    w.Add("line", l.line_id);
    AddWorks(w, l.works);
    AddIf(w, "licensor", l.licensor, Vkey);
    w.Add("basis", FormatBasis(l.basis));
    w.Add("use", NameOf(l.use));
    w.Add("stage", NameOf(l.stage));
    AddIf(w, "acquisition", l.acquisition, Time);
    w.Add("quantity", l.quantity.amount.ToString() + " " + std::string(NameOf(l.quantity.unit)));
    w.Add("first-use", Time(l.first_use));
    w.Add("last-use", Time(l.last_use));
    AddIf(w, "territory", l.territory, [](const std::string& s) { return s; });
    AddFlag(w, "royalty-bearing", l.royalty_bearing);
    AddIf(w, "owed", l.owed, Amount);
  }
  for (const UsageTotal& t : u.totals) w.Add("total", Vkey(t.licensor) + " " + Amount(t.amount));
  AddIf(w, "supersedes", u.supersedes, Hex);
  w.Add("issued", Time(u.issued));
  return std::move(w).Finish();
}

std::string Format(const Revoke& v) {
  TextWriter w(EntryType::kRevoke);
  w.Add("target", Hex(v.target));
  w.Add("revoker", Vkey(v.revoker));
  w.Add("reason", NameOf(v.reason));
  AddIf(w, "effective-at", v.effective_at, Time);
  AddIf(w, "wind-down", v.wind_down, FormatDuration);
  w.Add("issued", Time(v.issued));
  return std::move(w).Finish();
}

std::string Format(const Reservation& v) {
  TextWriter w(EntryType::kReservation);
  w.Add("reservation-id", v.reservation_id);
  w.Add("declarant", Vkey(v.declarant));
  AddWorks(w, v.works);
  AddIf(w, "work-set", v.work_set, List);
  AddEnums(w, "reserve-use", v.reserve_uses);
  AddIf(w, "licence-at", v.licence_at, [](const std::string& s) { return s; });
  w.Add("issued", Time(v.issued));
  return std::move(w).Finish();
}

std::string Format(const Payment& p) {
  TextWriter w(EntryType::kPayment);
  w.Add("payment-id", p.payment_id);
  w.Add("payer", Vkey(p.payer));
  w.Add("payee", Vkey(p.payee));
  for (const EntryRef& r : p.grants) w.Add("grant", Hex(r));
  for (const EntryRef& r : p.usages) w.Add("usage", Hex(r));
  w.Add("amount", Amount(p.amount));
  w.Add("paid-at", Time(p.paid_at));
  AddIf(w, "reference", p.reference, [](const std::string& s) { return s; });
  w.Add("issued", Time(p.issued));
  return std::move(w).Finish();
}

std::string Format(const Receipt& p) {
  TextWriter w(EntryType::kReceipt);
  w.Add("receipt-id", p.receipt_id);
  w.Add("payee", Vkey(p.payee));
  w.Add("payer", Vkey(p.payer));
  w.Add("payment", Hex(p.payment));
  w.Add("amount", Amount(p.amount));
  w.Add("received-at", Time(p.received_at));
  w.Add("issued", Time(p.issued));
  return std::move(w).Finish();
}

}  // namespace

std::string FormatEntryText(const EntryBody& body) {
  return std::visit([](const auto& b) { return Format(b); }, body);
}

}  // namespace ltl::ledger
