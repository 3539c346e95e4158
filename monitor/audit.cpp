// The checks of monitor/audit.h. docs/monitor.md states each rule; the
// comments here say how the code follows it.
#include "monitor/audit.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <type_traits>
#include <utility>
#include <variant>

#include "base/encoding.h"
#include "ledger/entry.h"
#include "proofs/hash.h"

namespace ltl::monitor {
namespace detail {

// A stored entry, parsed again (the state keeps the logged bytes only).
struct StoredEntry {
  store::MonitoredEntry record;
  ledger::Entry entry;
  bool signers_valid() const { return (record.flags & kEntrySignersValid) != 0; }
};

}  // namespace detail

AuditCache::AuditCache() = default;
AuditCache::~AuditCache() = default;

namespace {

using ledger::Decimal;
using ledger::Entry;
using ledger::EntryBody;
using ledger::Role;
using ledger::VerifierKey;
using store::MonitorIndex;
using store::MonitorTotal;
using store::MonitorWriter;

constexpr int64_t kNoEnd = INT64_MAX;

// The EU member states (2020-), for grants whose territory is `EU`.
constexpr std::string_view kEuMembers[] = {"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES",
                                           "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU",
                                           "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"};

ledger::Timestamp IssuedOf(const EntryBody& body) {
  return std::visit([](const auto& b) { return b.issued; }, body);
}

std::string RefHex(const proofs::Hash& ref) { return proofs::HashToHex(ref); }

EntryPointer Pointer(uint64_t index, const proofs::Hash& ref) {
  EntryPointer p;
  p.index = index;
  p.ref = ref;
  return p;
}

using Stored = detail::StoredEntry;
using StoredPtr = std::shared_ptr<const Stored>;

// Entry `index` of the state, parsed; null when absent or not an entry.
// Parsed once per AuditCache: a key's registration is read back for every
// entry the key signs, a grant for every usage line citing it.
Result<StoredPtr> LoadParsed(const MonitorWriter& state, AuditCache& cache, uint64_t index) {
  if (auto it = cache.parsed.find(index); it != cache.parsed.end()) return it->second;
  LTL_ASSIGN_OR_RETURN(std::optional<store::MonitoredEntry> record, state.Entry(index));
  if (!record) return StoredPtr();  // not cached: written later in this transaction
  StoredPtr out;
  if ((record->flags & kEntryParsed) != 0) {
    Result<Entry> entry = ledger::ParseEntry(record->leaf);
    if (!entry) {
      return Status::DataLoss("monitor state: stored entry " + std::to_string(index) +
                              " no longer parses: " + entry.error().message());
    }
    out = std::make_shared<const Stored>(Stored{std::move(*record), std::move(*entry)});
  }
  cache.parsed.emplace(index, out);
  return out;
}

template <typename T>
const T* As(const Stored& s) {
  return std::get_if<T>(&s.entry.body);
}

bool HasAnyRole(const std::vector<Role>& roles, std::initializer_list<Role> wanted) {
  for (Role r : roles) {
    for (Role w : wanted) {
      if (r == w) return true;
    }
  }
  return false;
}

std::string RoleList(std::initializer_list<Role> roles) {
  std::string out;
  for (Role r : roles) out += (out.empty() ? "" : "/") + std::string(ledger::NameOf(r));
  return out;
}

// The names of the keys an entry names (signers and counterparties).
std::vector<std::string> PartiesOf(const EntryBody& body) {
  std::set<std::string> names;
  for (const VerifierKey& k : ledger::RequiredSigners(body)) names.insert(k.name());
  std::visit(
      [&](const auto& b) {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, ledger::KeyRevoke>) {
          names.insert(b.key.name());
        } else if constexpr (std::is_same_v<T, ledger::LicenceGrant>) {
          names.insert(b.licensor.name());
          if (b.licensee) names.insert(b.licensee->name());
        } else if constexpr (std::is_same_v<T, ledger::UsageAttestation>) {
          for (const auto& line : b.lines) {
            if (line.licensor) names.insert(line.licensor->name());
          }
          for (const auto& t : b.totals) names.insert(t.licensor.name());
        } else if constexpr (std::is_same_v<T, ledger::Payment>) {
          names.insert(b.payee.name());
        } else if constexpr (std::is_same_v<T, ledger::Receipt>) {
          names.insert(b.payer.name());
        }
      },
      body);
  return std::vector<std::string>(names.begin(), names.end());
}

// ---- Signers (group B) -------------------------------------------------------

struct SignerCheck {
  bool valid = false;
  std::string reason;                 // why not, for the message
  std::vector<EntryPointer> related;  // key entry, key revocation
  std::vector<Role> roles;            // of the newest registration
};

// Whether `key` may sign an entry at `index` with log time `log_time`:
// registered by a valid `key` entry before `index`, inside that
// registration's window, and not revoked by a valid `key-revoke` before
// `index`. `self_revocation` waives the window and revocation (a key may
// always withdraw itself).
Result<SignerCheck> CheckSigner(const MonitorWriter& state, AuditCache& cache,
                                const VerifierKey& key, uint64_t index, int64_t log_time,
                                bool self_revocation) {
  SignerCheck out;
  const std::string vkey = key.ToString();
  LTL_ASSIGN_OR_RETURN(std::vector<uint64_t> regs, state.Lookup(MonitorIndex::kKeyByVkey, vkey));
  StoredPtr reg;
  for (uint64_t i : regs) {
    if (i >= index) break;
    LTL_ASSIGN_OR_RETURN(StoredPtr s, LoadParsed(state, cache, i));
    if (s && s->signers_valid()) reg = std::move(s);
  }
  if (!reg) {
    out.reason = "key " + key.name() + " is not registered by an earlier key entry";
    return out;
  }
  const auto* k = As<ledger::KeyEntry>(*reg);
  out.related.push_back(Pointer(reg->record.index, reg->entry.ref));
  out.roles = k->roles;
  if (!self_revocation) {
    if (log_time < k->not_before.unix_seconds) {
      out.reason = "log time " + FormatTime(log_time) + " is before the key's not-before " +
                   FormatTime(k->not_before.unix_seconds);
      return out;
    }
    if (k->not_after && log_time > k->not_after->unix_seconds) {
      out.reason = "log time " + FormatTime(log_time) + " is after the key's not-after " +
                   FormatTime(k->not_after->unix_seconds);
      return out;
    }
    LTL_ASSIGN_OR_RETURN(std::vector<uint64_t> revokes,
                         state.Lookup(MonitorIndex::kKeyRevokeByVkey, vkey));
    for (uint64_t i : revokes) {
      if (i >= index) break;
      LTL_ASSIGN_OR_RETURN(StoredPtr r, LoadParsed(state, cache, i));
      if (!r || !r->signers_valid()) continue;
      out.related.push_back(Pointer(i, r->entry.ref));
      out.reason = "key " + key.name() + " was revoked by entry " + std::to_string(i);
      return out;
    }
  }
  out.valid = true;
  return out;
}

// The roles a signer needs for an entry, or empty when any role will do.
std::vector<std::initializer_list<Role>> RequiredRoles(const EntryBody& body,
                                                       const VerifierKey& signer) {
  static constexpr std::initializer_list<Role> kGrantor = {Role::kLicensor, Role::kAgent,
                                                           Role::kCmo};
  static constexpr std::initializer_list<Role> kLicensee = {Role::kLicensee};
  static constexpr std::initializer_list<Role> kParty = {Role::kLicensor, Role::kAgent, Role::kCmo,
                                                         Role::kLicensee};
  return std::visit(
      [&](const auto& b) -> std::vector<std::initializer_list<Role>> {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, ledger::LicenceGrant>) {
          if (signer == b.licensor) return {kGrantor};
          return {kLicensee};
        } else if constexpr (std::is_same_v<T, ledger::UsageAttestation> ||
                             std::is_same_v<T, ledger::Payment>) {
          return {kLicensee};
        } else if constexpr (std::is_same_v<T, ledger::Revoke>) {
          return {kParty};
        } else if constexpr (std::is_same_v<T, ledger::Reservation> ||
                             std::is_same_v<T, ledger::Receipt>) {
          return {kGrantor};
        } else {
          return {};
        }
      },
      body);
}

// ---- Helpers for findings ------------------------------------------------------

struct Emitter {
  MonitorWriter& state;
  const AuditContext& context;
  std::vector<Finding>& out;

  Finding Make(FindingCode code, Severity severity, std::vector<EntryPointer> entries,
               int64_t log_time, std::string message) const {
    Finding f;
    f.code = code;
    f.severity = severity;
    f.entries = std::move(entries);
    f.checkpoint_size = context.checkpoint_size;
    f.checkpoint_root = context.checkpoint_root;
    f.log_time = log_time;
    f.message = std::move(message);
    return f;
  }
  Status Emit(Finding f) { return EmitFinding(state, std::move(f), out); }
};

// Revocation of a grant: the instant after which use is no longer licensed.
// Retroactive reasons void the grant from its start; the others act from
// the revocation's log time or its effective-at, whichever is later, plus
// the wind-down.
Result<int64_t> RevocationEffect(const ledger::Revoke& revoke, int64_t revoke_log_time,
                                 const ledger::LicenceGrant& grant) {
  if (ledger::IsRetroactive(revoke.reason)) return grant.not_before.unix_seconds;
  int64_t t = revoke_log_time;
  if (revoke.effective_at) t = std::max(t, revoke.effective_at->unix_seconds);
  if (revoke.wind_down) return AddDuration(t, *revoke.wind_down);
  return t;
}

// The valid revocations of `grant` (by one of its parties) logged before
// `before`, each with its effect.
struct Revocation {
  uint64_t index;
  proofs::Hash ref;
  ledger::Revoke revoke;
  int64_t effect;
};
Result<std::vector<Revocation>> RevocationsOf(const MonitorWriter& state, AuditCache& cache,
                                              const Stored& grant, uint64_t before) {
  const auto& g = std::get<ledger::LicenceGrant>(grant.entry.body);
  std::vector<Revocation> out;
  LTL_ASSIGN_OR_RETURN(std::vector<uint64_t> revokes,
                       state.Lookup(MonitorIndex::kRevokeByTarget, RefHex(grant.entry.ref)));
  for (uint64_t i : revokes) {
    if (i >= before) break;
    LTL_ASSIGN_OR_RETURN(StoredPtr r, LoadParsed(state, cache, i));
    if (!r || !r->signers_valid()) continue;
    const auto& rv = std::get<ledger::Revoke>(r->entry.body);
    const bool party = rv.revoker == g.licensor || (g.licensee && rv.revoker == *g.licensee);
    if (!party) continue;
    LTL_ASSIGN_OR_RETURN(int64_t effect, RevocationEffect(rv, r->record.log_time, g));
    out.push_back(Revocation{i, r->entry.ref, rv, effect});
  }
  return out;
}

std::set<std::string> NormalisedWorks(const std::vector<ledger::WorkId>& works) {
  std::set<std::string> out;
  for (const auto& w : works) out.insert(ledger::NormaliseWorkId(w));
  return out;
}

std::vector<std::string> NormalisedList(const std::vector<ledger::WorkId>& works) {
  std::set<std::string> s = NormalisedWorks(works);
  return std::vector<std::string>(s.begin(), s.end());
}

// ---- Accounting (group F) --------------------------------------------------------

constexpr uint64_t kNanoPerCent = 10'000'000;  // 0.01: the tolerance for rounding

struct Charges {
  std::map<std::string, Decimal> by_currency;
  std::vector<std::string> unpriced;  // terms the quantity unit does not fit
};

Status AddCharge(Charges& charges, const std::string& currency, const Decimal& amount) {
  LTL_ASSIGN_OR_RETURN(Decimal sum, ledger::Add(charges.by_currency[currency], amount));
  charges.by_currency[currency] = sum;
  return Status::Ok();
}

// The per-unit part of `term` for one usage line.
Status ChargeLine(const ledger::PaymentTerm& term, const ledger::UsageLine& line,
                  Charges& charges) {
  using ledger::PaymentModel;
  using ledger::PaymentUnit;
  using ledger::QuantityUnit;
  if (term.model == PaymentModel::kFree || term.model == PaymentModel::kRevenueShare) {
    return Status::Ok();
  }
  const Decimal& q = line.quantity.amount;
  const QuantityUnit unit = line.quantity.unit;
  auto unpriced = [&] {
    charges.unpriced.push_back(std::string(ledger::NameOf(term.unit)) + " priced, line " +
                               line.line_id + " states " + std::string(ledger::NameOf(unit)));
    return Status::Ok();
  };
  Decimal amount;
  switch (term.unit) {
    case PaymentUnit::kFlat:
    case PaymentUnit::kPerPeriod:
      return Status::Ok();  // charged once per grant / per report, not per line
    case PaymentUnit::kPerWork: {
      if (unit == QuantityUnit::kItems) {
        LTL_ASSIGN_OR_RETURN(amount,
                             ledger::Multiply(term.price.amount, q, ledger::Rounding::kHalfEven));
      } else {
        LTL_ASSIGN_OR_RETURN(amount,
                             ledger::MultiplyByInteger(term.price.amount, line.works.size()));
      }
      break;
    }
    case PaymentUnit::kPerFetch: {
      if (unit != QuantityUnit::kFetches && unit != QuantityUnit::kRetrievals) return unpriced();
      LTL_ASSIGN_OR_RETURN(amount,
                           ledger::Multiply(term.price.amount, q, ledger::Rounding::kHalfEven));
      break;
    }
    case PaymentUnit::kPer1kOutputs: {
      if (unit != QuantityUnit::kOutputs) return unpriced();
      LTL_ASSIGN_OR_RETURN(Decimal p,
                           ledger::Multiply(term.price.amount, q, ledger::Rounding::kHalfEven));
      LTL_ASSIGN_OR_RETURN(amount, ledger::DivideByInteger(p, 1000, ledger::Rounding::kHalfEven));
      break;
    }
    case PaymentUnit::kPer1mTokens: {
      if (unit != QuantityUnit::kTokens) return unpriced();
      LTL_ASSIGN_OR_RETURN(Decimal p,
                           ledger::Multiply(term.price.amount, q, ledger::Rounding::kHalfEven));
      LTL_ASSIGN_OR_RETURN(amount,
                           ledger::DivideByInteger(p, 1'000'000, ledger::Rounding::kHalfEven));
      break;
    }
  }
  return AddCharge(charges, term.price.currency, amount);
}

std::string MoneyText(const Decimal& d, const std::string& currency) {
  return d.ToString() + " " + currency;
}

// ---- The per-type audits -----------------------------------------------------------

class EntryAudit {
 public:
  EntryAudit(MonitorWriter& state, AuditCache& cache, const AuditContext& context,
             const AuditOptions& options, std::vector<Finding>& findings, uint64_t index)
      : state_(state),
        cache_(cache),
        options_(options),
        emit_{state, context, findings},
        index_(index) {}

  Status Run(std::string_view leaf, const CheckedLeaf& checked, AuditedEntry* audited);

 private:
  Status Malformed(std::string_view leaf, const proofs::Hash& leaf_hash, const Status& why,
                   std::optional<proofs::Hash> ref);
  Result<int64_t> LogTime(std::optional<int64_t> issued);
  Status CheckSigners(const Entry& entry, int64_t log_time, bool& valid);
  Status CheckIds(const Entry& entry, int64_t log_time);
  Status Index(const Entry& entry, bool valid);
  Status CompromiseScan(const Entry& entry, const ledger::KeyRevoke& revoke);
  Status AuditUsage(const Entry& entry, const ledger::UsageAttestation& usage, int64_t log_time);
  Status AuditLicenceLine(const Entry& entry, const ledger::UsageAttestation& usage,
                          const ledger::UsageLine& line, int64_t log_time,
                          std::map<uint64_t, std::vector<const ledger::UsageLine*>>& by_grant);
  Status AuditAccounting(const Entry& entry, const ledger::UsageAttestation& usage,
                         int64_t log_time,
                         const std::map<uint64_t, std::vector<const ledger::UsageLine*>>& by_grant);
  Status AuditTotals(const Entry& entry, const ledger::UsageAttestation& usage, int64_t log_time);
  Finding LineFinding(FindingCode code, Severity severity, const Entry& usage_entry,
                      const ledger::UsageAttestation& usage, const ledger::UsageLine& line,
                      int64_t log_time, std::vector<EntryPointer> related, std::string message);

  MonitorWriter& state_;
  AuditCache& cache_;
  const AuditOptions& options_;
  Emitter emit_;
  uint64_t index_;
};

Status EntryAudit::Malformed(std::string_view leaf, const proofs::Hash& leaf_hash,
                             const Status& why, std::optional<proofs::Hash> ref) {
  EntryPointer p;
  p.index = index_;
  if (ref) {
    p.ref = *ref;
  } else {
    p.leaf_hash = leaf_hash;
  }
  LTL_ASSIGN_OR_RETURN(int64_t log_time, LogTime(std::nullopt));
  Finding f =
      emit_.Make(FindingCode::kMalformedEntry, Severity::kViolation, {p}, log_time,
                 "leaf " + std::to_string(index_) + " is not a valid entry: " + why.message());
  LTL_RETURN_IF_ERROR(emit_.Emit(std::move(f)));
  // Stored (unparsed) so the state stays a complete copy of the audited
  // prefix; its "reference" for lookups is the leaf hash, which no usage
  // line can usefully cite.
  store::MonitoredEntry record{index_, log_time, 0, std::string(leaf)};
  return state_.PutEntry(record, ref.value_or(leaf_hash));
}

Result<int64_t> EntryAudit::LogTime(std::optional<int64_t> issued) {
  LTL_ASSIGN_OR_RETURN(std::optional<store::CheckpointSighting> covering,
                       state_.FirstCovering(index_));
  if (!covering) {
    return Status::FailedPrecondition("monitor: no checkpoint sighting covers entry " +
                                      std::to_string(index_));
  }
  LTL_ASSIGN_OR_RETURN(std::optional<store::CheckpointSighting> before,
                       state_.LastNotCovering(index_));
  const int64_t hi = covering->time;
  if (!issued) return hi;
  int64_t t = std::min(*issued, hi);
  if (before && before->time < hi) t = std::max(t, before->time);
  return t;
}

Status EntryAudit::CheckSigners(const Entry& entry, int64_t log_time, bool& valid) {
  valid = true;
  const EntryBody& body = entry.body;
  for (const VerifierKey& signer : ledger::RequiredSigners(body)) {
    bool self_registration = false;
    bool self_revocation = false;
    if (const auto* k = std::get_if<ledger::KeyEntry>(&body)) {
      self_registration = signer == k->key;
    } else if (const auto* kr = std::get_if<ledger::KeyRevoke>(&body)) {
      self_revocation = signer == kr->key;
    }
    if (self_registration) continue;  // a key entry registers its own key
    LTL_ASSIGN_OR_RETURN(SignerCheck check,
                         CheckSigner(state_, cache_, signer, index_, log_time, self_revocation));
    if (!check.valid) {
      valid = false;
      std::vector<EntryPointer> entries = {Pointer(index_, entry.ref)};
      entries.insert(entries.end(), check.related.begin(), check.related.end());
      Finding f =
          emit_.Make(FindingCode::kKeyNotValid, Severity::kViolation, std::move(entries), log_time,
                     std::string(ledger::EntryTypeName(ledger::TypeOf(body))) +
                         " signed by an invalid key: " + check.reason);
      f.party = signer.name();
      f.parties = {signer.name()};
      LTL_RETURN_IF_ERROR(emit_.Emit(std::move(f)));
      continue;
    }
    for (const auto& wanted : RequiredRoles(body, signer)) {
      if (HasAnyRole(check.roles, wanted)) continue;
      std::vector<EntryPointer> entries = {Pointer(index_, entry.ref), check.related.front()};
      Finding f =
          emit_.Make(FindingCode::kRoleMismatch, Severity::kReview, std::move(entries), log_time,
                     std::string(ledger::EntryTypeName(ledger::TypeOf(body))) + " signed by " +
                         signer.name() + ", registered without role " + RoleList(wanted));
      f.party = signer.name();
      f.parties = {signer.name()};
      LTL_RETURN_IF_ERROR(emit_.Emit(std::move(f)));
    }
  }
  // A revocation must come from a party to the grant it ends.
  if (const auto* rv = std::get_if<ledger::Revoke>(&body); rv && valid) {
    LTL_ASSIGN_OR_RETURN(std::optional<uint64_t> target, state_.FindRef(rv->target));
    if (target) {
      LTL_ASSIGN_OR_RETURN(StoredPtr g, LoadParsed(state_, cache_, *target));
      if (g && As<ledger::LicenceGrant>(*g)) {
        const auto& grant = *As<ledger::LicenceGrant>(*g);
        if (!(rv->revoker == grant.licensor ||
              (grant.licensee && rv->revoker == *grant.licensee))) {
          Finding f =
              emit_.Make(FindingCode::kRoleMismatch, Severity::kReview,
                         {Pointer(index_, entry.ref), Pointer(*target, g->entry.ref)}, log_time,
                         "revoke by " + rv->revoker.name() +
                             ", who is neither licensor nor licensee of the grant; it has "
                             "no effect");
          f.party = rv->revoker.name();
          f.parties = {rv->revoker.name(), grant.licensor.name()};
          LTL_RETURN_IF_ERROR(emit_.Emit(std::move(f)));
        }
      }
    }
  }
  return Status::Ok();
}

Status EntryAudit::CheckIds(const Entry& entry, int64_t log_time) {
  // The same entry text logged twice (e.g. with another signature set).
  LTL_ASSIGN_OR_RETURN(std::optional<uint64_t> same, state_.FindRef(entry.ref));
  if (same) {
    Finding f =
        emit_.Make(FindingCode::kDuplicateId, Severity::kReview,
                   {Pointer(index_, entry.ref), Pointer(*same, entry.ref)}, log_time,
                   "the same entry text was already logged at index " + std::to_string(*same));
    f.parties = PartiesOf(entry.body);
    LTL_RETURN_IF_ERROR(emit_.Emit(std::move(f)));
    return Status::Ok();
  }
  std::string scope;
  std::optional<proofs::Hash> supersedes;
  std::string signer;
  std::visit(
      [&](const auto& b) {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, ledger::LicenceGrant>) {
          signer = b.licensor.name();
          scope = "licence-grant|" + signer + "|" + b.grant_id;
          supersedes = b.supersedes;
        } else if constexpr (std::is_same_v<T, ledger::UsageAttestation>) {
          signer = b.attester.name();
          scope = "usage|" + signer + "|" + b.attestation_id;
          supersedes = b.supersedes;
        } else if constexpr (std::is_same_v<T, ledger::Reservation>) {
          signer = b.declarant.name();
          scope = "reservation|" + signer + "|" + b.reservation_id;
        } else if constexpr (std::is_same_v<T, ledger::Payment>) {
          signer = b.payer.name();
          scope = "payment|" + signer + "|" + b.payment_id;
        } else if constexpr (std::is_same_v<T, ledger::Receipt>) {
          signer = b.payee.name();
          scope = "receipt|" + signer + "|" + b.receipt_id;
        }
      },
      entry.body);
  if (!scope.empty()) {
    LTL_ASSIGN_OR_RETURN(std::vector<uint64_t> earlier,
                         state_.Lookup(MonitorIndex::kIdByScope, scope));
    for (uint64_t i : earlier) {
      LTL_ASSIGN_OR_RETURN(StoredPtr s, LoadParsed(state_, cache_, i));
      if (!s) continue;
      // A correction may reuse the id of the entry it supersedes.
      if (supersedes && *supersedes == s->entry.ref) continue;
      Finding f = emit_.Make(FindingCode::kDuplicateId, Severity::kReview,
                             {Pointer(index_, entry.ref), Pointer(i, s->entry.ref)}, log_time,
                             "id '" + scope.substr(scope.rfind('|') + 1) + "' of " + signer +
                                 " already used by entry " + std::to_string(i));
      f.party = signer;
      f.parties = {signer};
      LTL_RETURN_IF_ERROR(emit_.Emit(std::move(f)));
      break;
    }
    LTL_RETURN_IF_ERROR(state_.AddToIndex(MonitorIndex::kIdByScope, scope, index_));
  }
  // A key name held by another unrevoked key, unless this is a rotation from it.
  if (const auto* k = std::get_if<ledger::KeyEntry>(&entry.body)) {
    LTL_ASSIGN_OR_RETURN(std::vector<uint64_t> named,
                         state_.Lookup(MonitorIndex::kKeyByName, k->key.name()));
    for (uint64_t i : named) {
      LTL_ASSIGN_OR_RETURN(StoredPtr s, LoadParsed(state_, cache_, i));
      if (!s || !s->signers_valid()) continue;
      const auto& other = std::get<ledger::KeyEntry>(s->entry.body).key;
      if (other == k->key || (k->previous_key && *k->previous_key == other)) continue;
      LTL_ASSIGN_OR_RETURN(std::vector<uint64_t> revoked,
                           state_.Lookup(MonitorIndex::kKeyRevokeByVkey, other.ToString()));
      if (!revoked.empty()) continue;
      Finding f = emit_.Make(FindingCode::kDuplicateId, Severity::kReview,
                             {Pointer(index_, entry.ref), Pointer(i, s->entry.ref)}, log_time,
                             "key name " + k->key.name() +
                                 " is already registered to another key"
                                 " (entry " +
                                 std::to_string(i) + ") and this is not a rotation");
      f.party = k->key.name();
      f.parties = {k->key.name()};
      LTL_RETURN_IF_ERROR(emit_.Emit(std::move(f)));
      break;
    }
  }
  return Status::Ok();
}

Status EntryAudit::Index(const Entry& entry, bool valid) {
  for (const VerifierKey& signer : ledger::RequiredSigners(entry.body)) {
    LTL_RETURN_IF_ERROR(state_.AddToIndex(MonitorIndex::kSignedByVkey, signer.ToString(), index_));
  }
  if (const auto* k = std::get_if<ledger::KeyEntry>(&entry.body)) {
    LTL_RETURN_IF_ERROR(state_.AddToIndex(MonitorIndex::kKeyByVkey, k->key.ToString(), index_));
    LTL_RETURN_IF_ERROR(state_.AddToIndex(MonitorIndex::kKeyByName, k->key.name(), index_));
  }
  if (!valid) return Status::Ok();
  return std::visit(
      [&](const auto& b) -> Status {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, ledger::KeyRevoke>) {
          return state_.AddToIndex(MonitorIndex::kKeyRevokeByVkey, b.key.ToString(), index_);
        } else if constexpr (std::is_same_v<T, ledger::Revoke>) {
          return state_.AddToIndex(MonitorIndex::kRevokeByTarget, RefHex(b.target), index_);
        } else if constexpr (std::is_same_v<T, ledger::Reservation>) {
          for (const std::string& w : NormalisedList(b.works)) {
            LTL_RETURN_IF_ERROR(state_.AddToIndex(MonitorIndex::kReservationByWork, w, index_));
          }
          return Status::Ok();
        } else if constexpr (std::is_same_v<T, ledger::UsageAttestation>) {
          return state_.AddToIndex(MonitorIndex::kUsageByAttester, b.attester.ToString(), index_);
        } else if constexpr (std::is_same_v<T, ledger::LicenceGrant>) {
          // G20 watches agreements that promise payment and periodic reports.
          const bool paid = std::any_of(b.payments.begin(), b.payments.end(), [](const auto& p) {
            return p.model != ledger::PaymentModel::kFree;
          });
          if (b.licensee && b.report_every && paid) {
            return state_.AddToIndex(MonitorIndex::kReportingGrant, "all", index_);
          }
          return Status::Ok();
        } else if constexpr (std::is_same_v<T, ledger::Payment>) {
          return state_.AddToTotal(MonitorTotal::kPaid, b.payee.name() + "|" + b.amount.currency,
                                   b.amount.amount);
        } else {
          return Status::Ok();
        }
      },
      entry.body);
}

Status EntryAudit::CompromiseScan(const Entry& entry, const ledger::KeyRevoke& revoke) {
  if (revoke.reason != ledger::KeyRevokeReason::kCompromised || !revoke.compromised_since) {
    return Status::Ok();
  }
  const int64_t since = revoke.compromised_since->unix_seconds;
  LTL_ASSIGN_OR_RETURN(std::vector<uint64_t> signed_by,
                       state_.Lookup(MonitorIndex::kSignedByVkey, revoke.key.ToString()));
  for (uint64_t i : signed_by) {
    if (i >= index_) break;
    LTL_ASSIGN_OR_RETURN(StoredPtr s, LoadParsed(state_, cache_, i));
    if (!s || !s->signers_valid() || std::holds_alternative<ledger::KeyEntry>(s->entry.body) ||
        std::holds_alternative<ledger::KeyRevoke>(s->entry.body)) {
      continue;
    }
    if (s->record.log_time < since) continue;
    LTL_RETURN_IF_ERROR(state_.SetEntryFlags(i, s->record.flags & ~kEntrySignersValid));
    Finding f =
        emit_.Make(FindingCode::kKeyNotValid, Severity::kViolation,
                   {Pointer(i, s->entry.ref), Pointer(index_, entry.ref)}, s->record.log_time,
                   std::string(ledger::EntryTypeName(ledger::TypeOf(s->entry.body))) +
                       " signed by " + revoke.key.name() + " at log time " +
                       FormatTime(s->record.log_time) + ", after the key was compromised (since " +
                       FormatTime(since) + ", revoked by entry " + std::to_string(index_) + ")");
    f.party = revoke.key.name();
    f.parties = {revoke.key.name()};
    LTL_RETURN_IF_ERROR(emit_.Emit(std::move(f)));
  }
  return Status::Ok();
}

Finding EntryAudit::LineFinding(FindingCode code, Severity severity, const Entry& usage_entry,
                                const ledger::UsageAttestation& usage,
                                const ledger::UsageLine& line, int64_t log_time,
                                std::vector<EntryPointer> related, std::string message) {
  std::vector<EntryPointer> entries = {Pointer(index_, usage_entry.ref)};
  entries.insert(entries.end(), related.begin(), related.end());
  Finding f = emit_.Make(code, severity, std::move(entries), log_time,
                         "line " + line.line_id + ": " + message);
  f.line = line.line_id;
  f.party = usage.attester.name();
  f.works = NormalisedList(line.works);
  f.parties = {usage.attester.name()};
  if (line.licensor && line.licensor->name() != usage.attester.name()) {
    f.parties.push_back(line.licensor->name());
  }
  return f;
}

Status EntryAudit::AuditLicenceLine(
    const Entry& entry, const ledger::UsageAttestation& usage, const ledger::UsageLine& line,
    int64_t log_time, std::map<uint64_t, std::vector<const ledger::UsageLine*>>& by_grant) {
  const proofs::Hash& ref = line.basis.licence;
  LTL_ASSIGN_OR_RETURN(std::optional<uint64_t> grant_index, state_.FindRef(ref));
  auto emit = [&](FindingCode code, Severity sev, std::vector<EntryPointer> related,
                  std::string message) {
    return emit_.Emit(LineFinding(code, sev, entry, usage, line, log_time, std::move(related),
                                  std::move(message)));
  };
  if (!grant_index) {
    return emit(FindingCode::kUsageWithoutLicence, Severity::kViolation, {},
                "basis licence " + RefHex(ref) + ": no such entry is logged before this report");
  }
  LTL_ASSIGN_OR_RETURN(StoredPtr stored, LoadParsed(state_, cache_, *grant_index));
  const ledger::LicenceGrant* grant = stored ? As<ledger::LicenceGrant>(*stored) : nullptr;
  EntryPointer grant_ptr = Pointer(*grant_index, ref);
  if (grant == nullptr) {
    return emit(FindingCode::kUsageWithoutLicence, Severity::kViolation, {grant_ptr},
                "basis licence cites entry " + std::to_string(*grant_index) +
                    ", which is not a licence grant");
  }
  if (!stored->signers_valid()) {
    return emit(FindingCode::kUsageWithoutLicence, Severity::kViolation, {grant_ptr},
                "the cited grant (entry " + std::to_string(*grant_index) +
                    ") is not validly signed (see its KEY_NOT_VALID finding)");
  }
  if (grant->licensee && !(*grant->licensee == usage.attester)) {
    return emit(FindingCode::kLicenseeMismatch, Severity::kViolation, {grant_ptr},
                "the grant's licensee is " + grant->licensee->name() + ", not the attester " +
                    usage.attester.name());
  }
  by_grant[*grant_index].push_back(&line);
  const int64_t grant_time = stored->record.log_time;
  if (grant_time > line.first_use.unix_seconds) {
    LTL_RETURN_IF_ERROR(emit(FindingCode::kRetroactiveLicence, Severity::kViolation, {grant_ptr},
                             "first use " + FormatTime(line.first_use.unix_seconds) +
                                 " precedes the grant's log time " + FormatTime(grant_time)));
  }
  if (!grant->work_set) {
    const std::set<std::string> granted = NormalisedWorks(grant->works);
    std::vector<std::string> missing;
    for (const std::string& w : NormalisedList(line.works)) {
      if (!granted.count(w)) missing.push_back(w);
    }
    if (!missing.empty()) {
      std::string list;
      for (const auto& w : missing) list += (list.empty() ? "" : ", ") + w;
      Finding f = LineFinding(FindingCode::kWorkNotInGrant, Severity::kViolation, entry, usage,
                              line, log_time, {grant_ptr}, "works not in the grant: " + list);
      f.works = missing;
      LTL_RETURN_IF_ERROR(emit_.Emit(std::move(f)));
    }
  }
  if (!grant->EffectiveUses().contains(line.use)) {
    LTL_RETURN_IF_ERROR(
        emit(FindingCode::kUseOutOfScope, Severity::kViolation, {grant_ptr},
             "use " + std::string(ledger::NameOf(line.use)) + " is not permitted by the grant"));
  }
  if (!grant->stages.empty() &&
      std::find(grant->stages.begin(), grant->stages.end(), line.stage) == grant->stages.end()) {
    LTL_RETURN_IF_ERROR(
        emit(FindingCode::kStageOutOfScope, Severity::kViolation, {grant_ptr},
             "stage " + std::string(ledger::NameOf(line.stage)) + " is not in the grant's stages"));
  }
  const bool world = std::find(grant->territories.begin(), grant->territories.end(), "WORLD") !=
                     grant->territories.end();
  if (!world) {
    if (!line.territory) {
      LTL_RETURN_IF_ERROR(emit(FindingCode::kTerritoryOutOfScope, Severity::kReview, {grant_ptr},
                               "no territory stated for a grant limited to territories"));
    } else if (!TerritoryCovered(grant->territories, *line.territory)) {
      LTL_RETURN_IF_ERROR(emit(FindingCode::kTerritoryOutOfScope, Severity::kViolation, {grant_ptr},
                               "territory " + *line.territory + " is not in the grant"));
    }
  }
  if (!ModelCovered(grant->models, usage.model)) {
    LTL_RETURN_IF_ERROR(emit(FindingCode::kModelOutOfScope, Severity::kViolation, {grant_ptr},
                             "model " + usage.model + " is not in the grant's model scope"));
  }
  if (line.first_use < grant->not_before) {
    LTL_RETURN_IF_ERROR(emit(FindingCode::kLicenceNotYetValid, Severity::kViolation, {grant_ptr},
                             "first use " + FormatTime(line.first_use.unix_seconds) +
                                 " is before the grant's not-before " +
                                 FormatTime(grant->not_before.unix_seconds)));
  }
  if (grant->not_after && line.last_use > *grant->not_after) {
    LTL_RETURN_IF_ERROR(emit(FindingCode::kLicenceExpired, Severity::kViolation, {grant_ptr},
                             "last use " + FormatTime(line.last_use.unix_seconds) +
                                 " is after the grant's not-after " +
                                 FormatTime(grant->not_after->unix_seconds)));
  }
  LTL_ASSIGN_OR_RETURN(std::vector<Revocation> revocations,
                       RevocationsOf(state_, cache_, *stored, index_));
  for (const Revocation& r : revocations) {
    if (line.last_use.unix_seconds <= r.effect) continue;
    LTL_RETURN_IF_ERROR(emit(FindingCode::kUsageAfterRevocation, Severity::kViolation,
                             {grant_ptr, Pointer(r.index, r.ref)},
                             "last use " + FormatTime(line.last_use.unix_seconds) +
                                 " is after the revocation took effect (" + FormatTime(r.effect) +
                                 ", " + std::string(ledger::NameOf(r.revoke.reason)) + ")"));
    break;
  }
  return Status::Ok();
}

Status EntryAudit::AuditAccounting(
    const Entry& entry, const ledger::UsageAttestation& usage, int64_t log_time,
    const std::map<uint64_t, std::vector<const ledger::UsageLine*>>& by_grant) {
  for (const auto& [grant_index, lines] : by_grant) {
    LTL_ASSIGN_OR_RETURN(StoredPtr stored, LoadParsed(state_, cache_, grant_index));
    const auto& grant = *As<ledger::LicenceGrant>(*stored);
    Charges computed;
    for (const ledger::PaymentTerm& term : grant.payments) {
      for (const ledger::UsageLine* line : lines)
        LTL_RETURN_IF_ERROR(ChargeLine(term, *line, computed));
      if (term.model == ledger::PaymentModel::kFree ||
          term.model == ledger::PaymentModel::kRevenueShare) {
        continue;
      }
      if (term.unit == ledger::PaymentUnit::kPerPeriod) {
        LTL_RETURN_IF_ERROR(AddCharge(computed, term.price.currency, term.price.amount));
      } else if (term.unit == ledger::PaymentUnit::kFlat) {
        // A flat fee is owed once per licensee: in the first report citing the grant.
        const std::string marker =
            "flat|" + RefHex(stored->entry.ref) + "|" + usage.attester.ToString();
        LTL_ASSIGN_OR_RETURN(std::vector<uint64_t> done,
                             state_.Lookup(MonitorIndex::kMarker, marker));
        if (done.empty()) {
          LTL_RETURN_IF_ERROR(AddCharge(computed, term.price.currency, term.price.amount));
          LTL_RETURN_IF_ERROR(state_.AddToIndex(MonitorIndex::kMarker, marker, index_));
        }
      }
    }
    std::map<std::string, Decimal> claimed;
    std::set<std::string> works;
    for (const ledger::UsageLine* line : lines) {
      for (const auto& w : NormalisedList(line->works)) works.insert(w);
      if (!line->owed) continue;
      LTL_ASSIGN_OR_RETURN(Decimal sum,
                           ledger::Add(claimed[line->owed->currency], line->owed->amount));
      claimed[line->owed->currency] = sum;
    }
    const std::string licensor = grant.licensor.name();
    EntryPointer grant_ptr = Pointer(grant_index, stored->entry.ref);
    for (const auto& [currency, amount] : computed.by_currency) {
      LTL_RETURN_IF_ERROR(
          state_.AddToTotal(MonitorTotal::kOwedComputed, licensor + "|" + currency, amount));
      const Decimal stated = claimed[currency];
      LTL_ASSIGN_OR_RETURN(Decimal tolerance, Decimal::FromNanoUnits(kNanoPerCent));
      LTL_ASSIGN_OR_RETURN(Decimal stated_plus, ledger::Add(stated, tolerance));
      if (amount <= stated_plus) continue;
      Finding f = emit_.Make(FindingCode::kUnderreportedAmount, Severity::kViolation,
                             {Pointer(index_, entry.ref), grant_ptr}, log_time,
                             "owed under the grant: " + MoneyText(stated, currency) + " stated, " +
                                 MoneyText(amount, currency) +
                                 " computed from its payment terms and the quantities");
      f.party = licensor;
      f.works.assign(works.begin(), works.end());
      f.parties = {usage.attester.name(), licensor};
      LTL_RETURN_IF_ERROR(emit_.Emit(std::move(f)));
    }
    if (!computed.unpriced.empty()) {
      std::string list;
      for (const auto& u : computed.unpriced) list += (list.empty() ? "" : "; ") + u;
      Finding f = emit_.Make(FindingCode::kUnderreportedAmount, Severity::kReview,
                             {Pointer(index_, entry.ref), grant_ptr}, log_time,
                             "owed cannot be recomputed: " + list);
      f.party = licensor;
      f.works.assign(works.begin(), works.end());
      f.parties = {usage.attester.name(), licensor};
      LTL_RETURN_IF_ERROR(emit_.Emit(std::move(f)));
    }
  }
  return Status::Ok();
}

Status EntryAudit::AuditTotals(const Entry& entry, const ledger::UsageAttestation& usage,
                               int64_t log_time) {
  // (licensor vkey, currency) -> (sum of line `owed`, stated total)
  std::map<std::pair<std::string, std::string>, std::pair<Decimal, std::optional<Decimal>>> rows;
  std::map<std::string, std::string> names;
  for (const ledger::UsageLine& line : usage.lines) {
    if (!line.owed) continue;
    const std::string who = line.licensor ? line.licensor->ToString() : "";
    if (line.licensor) names[who] = line.licensor->name();
    auto& row = rows[{who, line.owed->currency}];
    LTL_ASSIGN_OR_RETURN(row.first, ledger::Add(row.first, line.owed->amount));
    if (line.licensor) {
      LTL_RETURN_IF_ERROR(state_.AddToTotal(MonitorTotal::kOwedClaimed,
                                            line.licensor->name() + "|" + line.owed->currency,
                                            line.owed->amount));
    }
  }
  for (const ledger::UsageTotal& t : usage.totals) {
    names[t.licensor.ToString()] = t.licensor.name();
    rows[{t.licensor.ToString(), t.amount.currency}].second = t.amount.amount;
  }
  for (const auto& [key, row] : rows) {
    const auto& [sum, total] = row;
    if (total && *total == sum) continue;
    const std::string name = key.first.empty() ? "(no licensor)" : names[key.first];
    const std::string stated = total ? MoneyText(*total, key.second) : "no total";
    Finding f = emit_.Make(
        FindingCode::kTotalsMismatch, Severity::kViolation, {Pointer(index_, entry.ref)}, log_time,
        "total for " + name + ": " + stated + " stated, lines owe " + MoneyText(sum, key.second));
    f.party = key.first.empty() ? "" : name;
    f.parties = {usage.attester.name()};
    if (!key.first.empty()) f.parties.push_back(name);
    LTL_RETURN_IF_ERROR(emit_.Emit(std::move(f)));
  }
  return Status::Ok();
}

Status EntryAudit::AuditUsage(const Entry& entry, const ledger::UsageAttestation& usage,
                              int64_t log_time) {
  std::map<uint64_t, std::vector<const ledger::UsageLine*>> by_grant;
  for (const ledger::UsageLine& line : usage.lines) {
    for (const std::string& w : NormalisedList(line.works)) {
      LTL_RETURN_IF_ERROR(
          state_.AddToTotal(MonitorTotal::kUsageLinesByWork, w, Decimal::FromInteger(1).value()));
    }
    LTL_RETURN_IF_ERROR(state_.AddToTotal(MonitorTotal::kUsageLinesByFirm, usage.attester.name(),
                                          Decimal::FromInteger(1).value()));
    switch (line.basis.kind) {
      case ledger::BasisKind::kLicence:
        LTL_RETURN_IF_ERROR(AuditLicenceLine(entry, usage, line, log_time, by_grant));
        break;
      case ledger::BasisKind::kTdmException: {
        // The work was reserved (for this use) before it was acquired.
        const int64_t acquired =
            line.acquisition ? line.acquisition->unix_seconds : line.first_use.unix_seconds;
        bool found = false;
        for (const std::string& w : NormalisedList(line.works)) {
          if (found) break;
          LTL_ASSIGN_OR_RETURN(std::vector<uint64_t> reservations,
                               state_.Lookup(MonitorIndex::kReservationByWork, w));
          for (uint64_t i : reservations) {
            if (i >= index_) break;
            LTL_ASSIGN_OR_RETURN(StoredPtr s, LoadParsed(state_, cache_, i));
            if (!s || !s->signers_valid()) continue;
            const auto& r = std::get<ledger::Reservation>(s->entry.body);
            if (!ledger::ExpandUses(r.reserve_uses).contains(line.use)) continue;
            if (s->record.log_time > acquired) continue;
            Finding f = LineFinding(FindingCode::kOptOutIgnored, Severity::kViolation, entry, usage,
                                    line, log_time, {Pointer(i, s->entry.ref)},
                                    "tdm-exception claimed for " + w + ", reserved by " +
                                        r.declarant.name() + " (log time " +
                                        FormatTime(s->record.log_time) + ") before acquisition " +
                                        FormatTime(acquired));
            f.parties.push_back(r.declarant.name());
            LTL_RETURN_IF_ERROR(emit_.Emit(std::move(f)));
            found = true;
            break;
          }
        }
        break;
      }
      case ledger::BasisKind::kNone:
        LTL_RETURN_IF_ERROR(
            emit_.Emit(LineFinding(FindingCode::kDisclosedUnlicensed, Severity::kInfo, entry, usage,
                                   line, log_time, {}, "disclosed use without a licence")));
        break;
      default:
        break;
    }
  }
  LTL_RETURN_IF_ERROR(AuditAccounting(entry, usage, log_time, by_grant));
  if (!usage.nil) LTL_RETURN_IF_ERROR(AuditTotals(entry, usage, log_time));
  return Status::Ok();
}

Status EntryAudit::Run(std::string_view leaf, const CheckedLeaf& checked, AuditedEntry* audited) {
  if (audited) audited->index = index_;
  if (!checked.entry) {
    if (audited) {
      audited->type = "malformed";
      audited->ref = checked.leaf_hash;
    }
    return Malformed(leaf, checked.leaf_hash, checked.invalid, std::nullopt);
  }
  const Entry& entry = *checked.entry;
  if (audited) {
    audited->type = std::string(ledger::EntryTypeName(ledger::TypeOf(entry.body)));
    audited->ref = entry.ref;
    audited->works = ledger::EntryWorkIds(entry.body);
    audited->parties = PartiesOf(entry.body);
  }
  if (!checked.invalid.ok()) return Malformed(leaf, checked.leaf_hash, checked.invalid, entry.ref);
  LTL_ASSIGN_OR_RETURN(int64_t log_time, LogTime(IssuedOf(entry.body).unix_seconds));
  if (audited) audited->log_time = log_time;
  bool valid = false;
  LTL_RETURN_IF_ERROR(CheckSigners(entry, log_time, valid));
  LTL_RETURN_IF_ERROR(CheckIds(entry, log_time));
  const uint8_t flags = kEntryParsed | (valid ? kEntrySignersValid : 0);
  LTL_RETURN_IF_ERROR(state_.PutEntry(
      store::MonitoredEntry{index_, log_time, flags, std::string(leaf)}, entry.ref));
  LTL_RETURN_IF_ERROR(Index(entry, valid));
  if (!valid) return Status::Ok();  // an unattributable statement derives nothing
  if (const auto* kr = std::get_if<ledger::KeyRevoke>(&entry.body)) {
    return CompromiseScan(entry, *kr);
  }
  if (const auto* usage = std::get_if<ledger::UsageAttestation>(&entry.body)) {
    return AuditUsage(entry, *usage, log_time);
  }
  return Status::Ok();
}

// Days since 1970-01-01 <-> civil date (Howard Hinnant's algorithms).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

}  // namespace

Result<int64_t> AddDuration(int64_t t, ledger::Duration duration) {
  int64_t out = 0;
  switch (duration.unit) {
    case ledger::DurationUnit::kDay:
      out = t + int64_t{duration.count} * 86400;
      break;
    case ledger::DurationUnit::kWeek:
      out = t + int64_t{duration.count} * 7 * 86400;
      break;
    case ledger::DurationUnit::kMonth:
    case ledger::DurationUnit::kYear: {
      const int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
      const int64_t secs = t - days * 86400;
      int64_t y;
      unsigned m, d;
      CivilFromDays(days, y, m, d);
      const int64_t months = duration.unit == ledger::DurationUnit::kMonth
                                 ? int64_t{duration.count}
                                 : int64_t{duration.count} * 12;
      const int64_t total = y * 12 + (m - 1) + months;
      const int64_t ny = total / 12;
      const unsigned nm = static_cast<unsigned>(total % 12) + 1;
      const unsigned nd = std::min(d, DaysInMonth(ny, nm));
      out = DaysFromCivil(ny, nm, nd) * 86400 + secs;
      break;
    }
  }
  if (out > ledger::kMaxTimestampSeconds) return Status::OutOfRange("time beyond 9999-12-31");
  return out;
}

bool TerritoryCovered(const std::vector<std::string>& granted, std::string_view territory) {
  for (const std::string& g : granted) {
    if (g == "WORLD" || g == territory) return true;
    if (g == "EU") {
      for (std::string_view member : kEuMembers) {
        if (member == territory) return true;
      }
    }
  }
  return false;
}

bool ModelCovered(const std::vector<std::string>& scopes, std::string_view model) {
  if (scopes.empty()) return true;
  for (const std::string& scope : scopes) {
    if (scope == model) return true;
    if (scope.find('@') == std::string::npos && model.size() > scope.size() &&
        model.substr(0, scope.size()) == scope && model[scope.size()] == '@') {
      return true;
    }
  }
  return false;
}

Status EmitFinding(store::MonitorWriter& state, Finding finding, std::vector<Finding>& findings) {
  LTL_ASSIGN_OR_RETURN(uint64_t seq, state.AppendFinding(FindingToJson(finding)));
  (void)seq;
  findings.push_back(std::move(finding));
  return Status::Ok();
}

CheckedLeaf CheckLeaf(std::string_view leaf) {
  CheckedLeaf out;
  out.leaf_hash = proofs::HashLeaf(leaf);
  Result<Entry> parsed = ledger::ParseEntry(leaf);
  if (!parsed) {
    out.invalid = parsed.error();
    return out;
  }
  out.invalid = ledger::ValidateEntrySignatures(*parsed);
  out.entry = std::move(parsed).value();
  return out;
}

Status AuditEntry(store::MonitorWriter& state, uint64_t index, std::string_view leaf,
                  const AuditContext& context, const AuditOptions& options,
                  std::vector<Finding>& findings, AuditedEntry* audited) {
  AuditCache cache;
  return AuditCheckedEntry(state, cache, index, leaf, CheckLeaf(leaf), context, options, findings,
                           audited);
}

Status AuditCheckedEntry(store::MonitorWriter& state, AuditCache& cache, uint64_t index,
                         std::string_view leaf, const CheckedLeaf& checked,
                         const AuditContext& context, const AuditOptions& options,
                         std::vector<Finding>& findings, AuditedEntry* audited) {
  EntryAudit audit(state, cache, context, options, findings, index);
  return audit.Run(leaf, checked, audited);
}

Status AuditCheckpointEnd(store::MonitorWriter& state, const AuditContext& context,
                          const AuditOptions& options, std::vector<Finding>& findings) {
  Emitter emit{state, context, findings};
  AuditCache cache;
  const int64_t due_by = context.checkpoint_time - options.report_grace_seconds;
  LTL_ASSIGN_OR_RETURN(std::vector<uint64_t> grants,
                       state.Lookup(MonitorIndex::kReportingGrant, "all"));
  for (uint64_t gi : grants) {
    LTL_ASSIGN_OR_RETURN(StoredPtr stored, LoadParsed(state, cache, gi));
    if (!stored || !stored->signers_valid()) continue;
    const auto& grant = std::get<ledger::LicenceGrant>(stored->entry.body);
    int64_t end = grant.not_after ? grant.not_after->unix_seconds : kNoEnd;
    LTL_ASSIGN_OR_RETURN(std::vector<Revocation> revocations,
                         RevocationsOf(state, cache, *stored, UINT64_MAX));
    for (const Revocation& r : revocations) end = std::min(end, r.effect);
    // The licensee's valid reports that cover this grant (a line citing it,
    // or an explicit nil report), as [start, end) intervals.
    std::vector<std::pair<int64_t, int64_t>> covered;
    LTL_ASSIGN_OR_RETURN(std::vector<uint64_t> reports,
                         state.Lookup(MonitorIndex::kUsageByAttester, grant.licensee->ToString()));
    for (uint64_t ri : reports) {
      LTL_ASSIGN_OR_RETURN(StoredPtr r, LoadParsed(state, cache, ri));
      if (!r || !r->signers_valid()) continue;
      const auto& usage = std::get<ledger::UsageAttestation>(r->entry.body);
      bool cites = usage.nil;
      for (const auto& line : usage.lines) {
        if (line.basis.kind == ledger::BasisKind::kLicence &&
            line.basis.licence == stored->entry.ref) {
          cites = true;
        }
      }
      if (cites)
        covered.emplace_back(usage.period_start.unix_seconds, usage.period_end.unix_seconds);
    }
    std::sort(covered.begin(), covered.end());
    int64_t start = grant.not_before.unix_seconds;
    for (uint32_t n = 0; n < options.max_periods_per_grant; ++n) {
      Result<int64_t> period_end = AddDuration(start, *grant.report_every);
      if (!period_end || *period_end > end || *period_end > due_by) break;
      // Is [start, period_end) inside the union of the report intervals?
      int64_t reach = start;
      for (const auto& [s, e] : covered) {
        if (s > reach) break;
        reach = std::max(reach, e);
        if (reach >= *period_end) break;
      }
      if (reach < *period_end) {
        const std::string marker =
            "missing|" + RefHex(stored->entry.ref) + "|" + std::to_string(start);
        LTL_ASSIGN_OR_RETURN(std::vector<uint64_t> done,
                             state.Lookup(MonitorIndex::kMarker, marker));
        if (done.empty()) {
          Finding f = emit.Make(FindingCode::kMissingReport, Severity::kViolation,
                                {Pointer(gi, stored->entry.ref)}, context.checkpoint_time,
                                "no report by " + grant.licensee->name() + " for " +
                                    FormatTime(start) + " .. " + FormatTime(*period_end) +
                                    " under a paid grant reporting every " +
                                    ledger::FormatDuration(*grant.report_every));
          f.party = grant.licensee->name();
          f.period_start = start;
          f.period_end = *period_end;
          f.parties = {grant.licensee->name(), grant.licensor.name()};
          f.works = NormalisedList(grant.works);
          LTL_RETURN_IF_ERROR(emit.Emit(std::move(f)));
          LTL_RETURN_IF_ERROR(state.AddToIndex(MonitorIndex::kMarker, marker, gi));
        }
      }
      start = *period_end;
    }
  }
  return Status::Ok();
}

}  // namespace ltl::monitor
