// Signed entries: parsing the note, required signers, references, links.
#include "ledger/entry.h"

#include <algorithm>
#include <set>

#include "ledger/entry_fields.h"

namespace ltl::ledger {
namespace {

namespace reason = detail::reason;

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

void AddUnique(std::vector<VerifierKey>& keys, const VerifierKey& key) {
  if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
}

}  // namespace

EntryType TypeOf(const EntryBody& body) { return static_cast<EntryType>(body.index()); }

EntryRef ComputeEntryRef(std::string_view text) { return proofs::Sha256(text); }

Result<Entry> ParseEntry(std::string_view signed_note) {
  if (signed_note.size() > kMaxEntrySize) {
    return Status::ResourceExhausted(std::string(reason::kTooLarge) + ": entry is " +
                                     std::to_string(signed_note.size()) + " bytes, limit " +
                                     std::to_string(kMaxEntrySize));
  }
  Result<Note> note = ParseNote(signed_note);
  if (!note.has_value()) return detail::Invalid(reason::kBadNote, note.error().message());
  LTL_ASSIGN_OR_RETURN(EntryBody body, ParseEntryText(note->text));
  Entry entry{std::move(note).value(), std::move(body), {}};
  entry.ref = ComputeEntryRef(entry.note.text);
  return entry;
}

std::vector<VerifierKey> RequiredSigners(const EntryBody& body) {
  std::vector<VerifierKey> keys;
  std::visit(Overloaded{
                 [&](const KeyEntry& e) {
                   AddUnique(keys, e.key);
                   if (e.previous_key) AddUnique(keys, *e.previous_key);
                 },
                 [&](const KeyRevoke& e) { AddUnique(keys, e.revoked_by.value_or(e.key)); },
                 [&](const LicenceGrant& g) {
                   AddUnique(keys, g.licensor);
                   if (g.kind == GrantKind::kAgreement && g.licensee) AddUnique(keys, *g.licensee);
                 },
                 [&](const UsageAttestation& u) { AddUnique(keys, u.attester); },
                 [&](const Revoke& v) { AddUnique(keys, v.revoker); },
                 [&](const Reservation& v) { AddUnique(keys, v.declarant); },
                 [&](const Payment& p) { AddUnique(keys, p.payer); },
                 [&](const Receipt& p) { AddUnique(keys, p.payee); },
             },
             body);
  return keys;
}

Status ValidateEntrySignatures(const Entry& entry) {
  const ByteSpan message = AsBytes(entry.note.text);
  for (const VerifierKey& key : RequiredSigners(entry.body)) {
    bool found = false;
    for (const NoteSignature& sig : entry.note.signatures) {
      if (sig.name != key.name() || sig.key_id != key.key_id()) continue;
      found = true;
      if (sig.signature.size() != kEd25519SignatureSize ||
          !key.VerifyEd25519(message, sig.signature)) {
        return Status::PermissionDenied(std::string(reason::kBadSignature) + ": signature by " +
                                        key.name() + " does not verify");
      }
    }
    if (!found) {
      return Status::PermissionDenied(std::string(reason::kMissingSignature) + ": " +
                                      key.ToString() + " must sign this entry");
    }
  }
  return Status::Ok();
}

std::vector<std::string> EntryWorkIds(const EntryBody& body) {
  std::set<std::string> ids;
  const auto add = [&](const std::vector<WorkId>& works) {
    for (const WorkId& w : works) ids.insert(NormaliseWorkId(w));
  };
  std::visit(Overloaded{
                 [&](const LicenceGrant& g) { add(g.works); },
                 [&](const UsageAttestation& u) {
                   for (const UsageLine& l : u.lines) add(l.works);
                 },
                 [&](const Reservation& v) { add(v.works); },
                 [](const auto&) {},
             },
             body);
  return std::vector<std::string>(ids.begin(), ids.end());
}

std::vector<std::string> EntrySignerNames(const EntryBody& body) {
  std::vector<std::string> names;
  for (const VerifierKey& key : RequiredSigners(body)) names.push_back(key.name());
  return names;
}

std::vector<EntryLink> EntryLinks(const EntryBody& body) {
  std::vector<EntryLink> links;
  const auto add = [&](LinkKind kind, const EntryRef& ref) {
    const EntryLink link{kind, ref};
    if (std::find(links.begin(), links.end(), link) == links.end()) links.push_back(link);
  };
  std::visit(Overloaded{
                 [&](const LicenceGrant& g) {
                   if (g.supersedes) add(LinkKind::kSupersedes, *g.supersedes);
                 },
                 [&](const UsageAttestation& u) {
                   for (const UsageLine& l : u.lines) {
                     if (l.basis.kind == BasisKind::kLicence) {
                       add(LinkKind::kUsageLicence, l.basis.licence);
                     }
                   }
                   if (u.supersedes) add(LinkKind::kSupersedes, *u.supersedes);
                 },
                 [&](const Revoke& v) { add(LinkKind::kRevokeTarget, v.target); },
                 [&](const Payment& p) {
                   for (const EntryRef& r : p.grants) add(LinkKind::kPaymentGrant, r);
                   for (const EntryRef& r : p.usages) add(LinkKind::kPaymentUsage, r);
                 },
                 [&](const Receipt& p) { add(LinkKind::kReceiptPayment, p.payment); },
                 [](const auto&) {},
             },
             body);
  return links;
}

}  // namespace ltl::ledger
