// Entry texts -> typed entries, then the per-type rules (docs/entries.md).
#include <algorithm>
#include <array>
#include <functional>
#include <optional>
#include <set>
#include <string>

#include "base/encoding.h"
#include "ledger/codes.h"
#include "ledger/entry_fields.h"

namespace ltl::ledger {
namespace {

using detail::Field;
using detail::FieldError;
using detail::FieldReader;
using detail::Invalid;
namespace reason = detail::reason;

constexpr size_t kMaxIdLength = 128;
constexpr size_t kMaxTextLength = 1024;
constexpr uint32_t kMaxBps = 10000;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || IsDigit(c); }
bool IsAlnum(char c) { return IsLowerAlnum(c) || IsUpper(c); }

// Wraps a value error from a lower-level parser with the field's position.
Status BadValue(const Field& f, const Status& why) {
  return FieldError(reason::kBadValue, f, why.message());
}
Status BadValue(const Field& f, std::string_view why) {
  return FieldError(reason::kBadValue, f, why);
}

// ---- Value syntaxes --------------------------------------------------------

// ids: [A-Za-z0-9][A-Za-z0-9._:-]{0,127}
Status CheckId(std::string_view v) {
  const bool ok = !v.empty() && v.size() <= kMaxIdLength && IsAlnum(v[0]) &&
                  std::all_of(v.begin(), v.end(), [](char c) {
                    return IsAlnum(c) || c == '.' || c == '_' || c == ':' || c == '-';
                  });
  return ok ? Status::Ok()
            : Status::InvalidArgument("want [A-Za-z0-9][A-Za-z0-9._:-]*, at most 128 characters");
}

Result<VerifierKey> ParseVkeyUncached(std::string_view v) {
  LTL_ASSIGN_OR_RETURN(VerifierKey key, VerifierKey::Parse(v));
  if (key.type() != KeyType::kEd25519) {
    return Status::InvalidArgument("signer keys must be Ed25519 note keys (type 0x01)");
  }
  if (key.ToString() != v) return Status::InvalidArgument("verifier key is not canonical");
  return key;
}

// The verifier keys this thread parsed last, by their exact text. A log's
// entries name few distinct signers, and a key costs a SHA-256 (its key ID),
// base64 and a round trip to its canonical form: most of an entry's value
// parsing. Only keys that parsed are kept, as a text -> key function, so a
// hit returns exactly what parsing would. Direct-mapped: a collision evicts.
class VkeyCache {
 public:
  const VerifierKey* Find(std::string_view text, size_t hash) const {
    const Slot& slot = slots_[hash % kSlots];
    return slot.key.has_value() && slot.text == text ? &*slot.key : nullptr;
  }
  void Insert(std::string_view text, size_t hash, const VerifierKey& key) {
    Slot& slot = slots_[hash % kSlots];
    slot.text.assign(text);
    slot.key = key;
  }

 private:
  static constexpr size_t kSlots = 64;
  struct Slot {
    std::string text;
    std::optional<VerifierKey> key;
  };
  std::array<Slot, kSlots> slots_;
};

Result<VerifierKey> ParseVkey(std::string_view v) {
  thread_local VkeyCache cache;
  const size_t hash = std::hash<std::string_view>()(v);
  if (const VerifierKey* hit = cache.Find(v, hash)) return *hit;
  Result<VerifierKey> key = ParseVkeyUncached(v);
  if (key.has_value()) cache.Insert(v, hash, *key);
  return key;
}

Result<EntryRef> ParseRef(std::string_view v) {
  if (v.size() != 64) return Status::InvalidArgument("want 64 lower-case hex digits");
  return proofs::HashFromHex(v);
}

Result<uint32_t> ParseBps(std::string_view v) {
  auto n = ParseDecimalU64(v);
  if (!n.has_value() || *n > kMaxBps) {
    return Status::InvalidArgument("basis points must be 0..10000 without leading zeros");
  }
  return static_cast<uint32_t>(*n);
}

Result<Money> ParseMoney(std::string_view amount, std::string_view currency) {
  LTL_ASSIGN_OR_RETURN(Decimal d, Decimal::Parse(amount));
  if (!IsCurrencyCode(currency)) {
    return Status::InvalidArgument("'" + std::string(currency) + "' is not an ISO 4217 code");
  }
  return Money{d, std::string(currency)};
}

Status CheckTerritory(std::string_view v) {
  return IsTerritoryCode(v) ? Status::Ok()
                            : Status::InvalidArgument("want ISO 3166-1 alpha-2, EU or WORLD");
}

// Free text: at most 1024 bytes (encoding and spaces are checked by the lexer).
Status CheckText(std::string_view v) {
  return v.size() <= kMaxTextLength ? Status::Ok()
                                    : Status::InvalidArgument("text longer than 1024 bytes");
}

// DNS name of at least two labels, lower case: [a-z0-9]([a-z0-9-]*[a-z0-9])?
bool IsDomain(std::string_view d) {
  size_t labels = 0;
  size_t start = 0;
  while (true) {
    const size_t dot = d.find('.', start);
    const std::string_view label = d.substr(start, dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-' ||
        !std::all_of(label.begin(), label.end(),
                     [](char c) { return IsLowerAlnum(c) || c == '-'; })) {
      return false;
    }
    ++labels;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return labels >= 2 && d.size() <= 253;
}

// <provider-domain>/<name>[@<version>]
Status CheckModel(std::string_view v, bool require_version) {
  const size_t slash = v.find('/');
  const size_t at = v.find('@');
  const auto bad = [&] {
    return Status::InvalidArgument(require_version ? "want <provider-domain>/<name>@<version>"
                                                   : "want <provider-domain>/<name>[@<version>]");
  };
  if (slash == std::string_view::npos || !IsDomain(v.substr(0, slash))) return bad();
  const std::string_view name =
      v.substr(slash + 1, at == std::string_view::npos ? at : at - slash - 1);
  if (name.empty() || name.size() > 64 || !IsLowerAlnum(name[0]) ||
      !std::all_of(name.begin(), name.end(),
                   [](char c) { return IsLowerAlnum(c) || c == '.' || c == '_' || c == '-'; })) {
    return bad();
  }
  if (at == std::string_view::npos) return require_version ? bad() : Status::Ok();
  const std::string_view version = v.substr(at + 1);
  if (version.empty() || version.size() > 64 || !IsAlnum(version[0]) ||
      !std::all_of(version.begin(), version.end(), [](char c) {
        return IsAlnum(c) || c == '.' || c == '_' || c == '+' || c == '-';
      })) {
    return bad();
  }
  return Status::Ok();
}

// SPDX licence identifier or LicenseRef-: [A-Za-z0-9.+-]{1,64}
Status CheckSpdx(std::string_view v) {
  const bool ok =
      !v.empty() && v.size() <= 64 && IsAlnum(v[0]) && std::all_of(v.begin(), v.end(), [](char c) {
        return IsAlnum(c) || c == '.' || c == '+' || c == '-';
      });
  return ok ? Status::Ok() : Status::InvalidArgument("want an SPDX licence identifier");
}

Result<PartyId> ParsePartyId(std::string_view v) {
  const size_t colon = v.find(':');
  const auto scheme = EnumFromName<PartyIdScheme>(v.substr(0, colon));
  if (colon == std::string_view::npos || !scheme) {
    return Status::InvalidArgument("want isni:, ipi: or lei: party id");
  }
  const std::string_view id = v.substr(colon + 1);
  switch (*scheme) {
    case PartyIdScheme::kIsni: {
      // 15 digits + ISO 7064 MOD 11-2 check character.
      if (id.size() != 16 || !std::all_of(id.begin(), id.end() - 1, IsDigit)) {
        return Status::InvalidArgument("isni: want 16 characters, digits then check");
      }
      int p = 0;
      for (size_t i = 0; i < 15; ++i) p = (p + (id[i] - '0')) * 2 % 11;
      const int check = (12 - p) % 11;
      if (id[15] != (check == 10 ? 'X' : static_cast<char>('0' + check))) {
        return Status::InvalidArgument("isni: check character mismatch");
      }
      break;
    }
    case PartyIdScheme::kIpi:
      if (id.size() != 11 || !std::all_of(id.begin(), id.end(), IsDigit)) {
        return Status::InvalidArgument("ipi: want the 11-digit IPI name number");
      }
      break;
    case PartyIdScheme::kLei: {
      // 18 upper-case alphanumerics + 2 check digits, ISO 7064 MOD 97-10.
      if (id.size() != 20 ||
          !std::all_of(id.begin(), id.end(), [](char c) { return IsDigit(c) || IsUpper(c); }) ||
          !IsDigit(id[18]) || !IsDigit(id[19])) {
        return Status::InvalidArgument("lei: want 18 upper-case alphanumerics + 2 digits");
      }
      int rem = 0;
      for (char c : id) {
        const int v = IsDigit(c) ? c - '0' : c - 'A' + 10;
        rem = v >= 10 ? (rem * 100 + v) % 97 : (rem * 10 + v) % 97;
      }
      if (rem != 1) return Status::InvalidArgument("lei: check digits mismatch");
      break;
    }
  }
  return PartyId{*scheme, std::string(id)};
}

Result<MerkleList> ParseMerkleList(std::string_view v) {
  const auto t = detail::SplitTokens(v);
  if (t.size() != 3) return Status::InvalidArgument("want <root hex> <count> <url>");
  MerkleList list;
  LTL_ASSIGN_OR_RETURN(list.root, ParseRef(t[0]));
  auto count = ParseDecimalU64(t[1]);
  if (!count.has_value() || *count == 0) {
    return Status::InvalidArgument("count must be a positive decimal without leading zeros");
  }
  list.count = *count;
  LTL_RETURN_IF_ERROR(ValidateHttpUrl(t[2]));
  list.url = std::string(t[2]);
  return list;
}

template <typename E>
Result<E> ParseEnum(std::string_view v) {
  const auto e = EnumFromName<E>(v);
  if (!e) return Status::InvalidArgument("'" + std::string(v) + "' is not a known value");
  return *e;
}

// ---- Field readers: a value syntax applied to a field, errors positioned ---

template <typename T, typename Fn>
Result<T> Read(const Field* f, Fn&& parse) {
  Result<T> r = parse(f->value);
  if (!r.has_value()) return BadValue(*f, r.error());
  return r;
}

Result<std::string> ReadChecked(const Field* f, Status (*check)(std::string_view)) {
  Status s = check(f->value);
  if (!s.ok()) return BadValue(*f, s);
  return std::string(f->value);
}

Result<VerifierKey> ReadVkey(const Field* f) { return Read<VerifierKey>(f, ParseVkey); }
Result<Timestamp> ReadTime(const Field* f) { return Read<Timestamp>(f, ParseTimestamp); }
Result<Duration> ReadDuration(const Field* f) { return Read<Duration>(f, ParseDuration); }
Result<EntryRef> ReadRef(const Field* f) { return Read<EntryRef>(f, ParseRef); }
Result<WorkId> ReadWork(const Field* f) { return Read<WorkId>(f, ParseWorkId); }
Result<std::string> ReadId(const Field* f) { return ReadChecked(f, CheckId); }
template <typename E>
Result<E> ReadEnum(const Field* f) {
  return Read<E>(f, ParseEnum<E>);
}
Result<Money> ReadMoney(const Field* f) {
  const auto t = detail::SplitTokens(f->value);
  if (t.size() != 2) return BadValue(*f, "want <decimal> <currency>");
  return Read<Money>(f, [&](std::string_view) { return ParseMoney(t[0], t[1]); });
}
Status ReadFlag(const Field* f) {
  return f->value == "true" ? Status::Ok()
                            : BadValue(*f, "the only value is 'true' (omit the line for false)");
}

// Optional helpers: absent field -> nullopt.
template <typename T>
Result<std::optional<T>> Maybe(const Field* f, Result<T> (*read)(const Field*)) {
  if (f == nullptr) return std::optional<T>();
  LTL_ASSIGN_OR_RETURN(T v, read(f));
  return std::optional<T>(std::move(v));
}

template <typename T>
Result<std::vector<T>> ReadAll(std::span<const Field> fields, Result<T> (*read)(const Field*)) {
  std::vector<T> out;
  out.reserve(fields.size());
  for (const Field& f : fields) {
    LTL_ASSIGN_OR_RETURN(T v, read(&f));
    out.push_back(std::move(v));
  }
  return out;
}

Result<std::string> ReadTerritory(const Field* f) { return ReadChecked(f, CheckTerritory); }
Result<std::string> ReadText(const Field* f) { return ReadChecked(f, CheckText); }
Result<std::string> ReadUrl(const Field* f) { return ReadChecked(f, ValidateHttpUrl); }
Result<std::string> ReadModelScope(const Field* f) {
  return ReadChecked(f, [](std::string_view v) { return CheckModel(v, false); });
}
Result<std::string> ReadModelVersion(const Field* f) {
  return ReadChecked(f, [](std::string_view v) { return CheckModel(v, true); });
}
Result<PartyId> ReadPartyId(const Field* f) { return Read<PartyId>(f, ParsePartyId); }
Result<MerkleList> ReadMerkleList(const Field* f) { return Read<MerkleList>(f, ParseMerkleList); }

Result<Rightsholder> ReadRightsholder(const Field* f) {
  const auto t = detail::SplitTokens(f->value);
  if (t.size() != 2) return BadValue(*f, "want <verifier key or party id> <bps>");
  Rightsholder r;
  if (auto id = ParsePartyId(t[0]); id.has_value()) {
    r.party = *id;
  } else if (auto key = ParseVkey(t[0]); key.has_value()) {
    r.party = *key;
  } else {
    return BadValue(*f, "party must be a verifier key or an isni:, ipi: or lei: id");
  }
  auto bps = ParseBps(t[1]);
  if (!bps.has_value() || *bps == 0) return BadValue(*f, "share must be 1..10000 basis points");
  r.share_bps = *bps;
  return r;
}

Result<PaymentTerm> ReadPaymentTerm(const Field* f) {
  const auto t = detail::SplitTokens(f->value);
  PaymentTerm p;
  auto model = ParseEnum<PaymentModel>(t[0]);
  if (!model.has_value()) return BadValue(*f, model.error());
  p.model = *model;
  switch (p.model) {
    case PaymentModel::kFree:
      if (t.size() != 1) return BadValue(*f, "want 'free' alone");
      return p;
    case PaymentModel::kRevenueShare: {
      if (t.size() != 4 || t[2] != "bps") {
        return BadValue(*f, "want revenue-share <bps> bps <base>");
      }
      auto bps = ParseBps(t[1]);
      if (!bps.has_value()) return BadValue(*f, bps.error());
      auto base = ParseEnum<RevenueBase>(t[3]);
      if (!base.has_value()) return BadValue(*f, base.error());
      p.share_bps = *bps;
      p.base = *base;
      return p;
    }
    default: {
      if (t.size() != 4) return BadValue(*f, "want <model> <amount> <currency> <unit>");
      auto price = ParseMoney(t[1], t[2]);
      if (!price.has_value()) return BadValue(*f, price.error());
      auto unit = ParseEnum<PaymentUnit>(t[3]);
      if (!unit.has_value()) return BadValue(*f, unit.error());
      p.price = *price;
      p.unit = *unit;
      return p;
    }
  }
}

Result<Terms> ReadTerms(const Field* f) {
  const auto t = detail::SplitTokens(f->value);
  if (t.size() != 2) return BadValue(*f, "want <url> <sha256 hex>");
  Terms terms;
  if (Status s = ValidateHttpUrl(t[0]); !s.ok()) return BadValue(*f, s);
  terms.url = std::string(t[0]);
  auto digest = ParseRef(t[1]);
  if (!digest.has_value()) return BadValue(*f, digest.error());
  terms.sha256 = *digest;
  return terms;
}

Result<proofs::Hash> ReadCommit(const Field* f) {
  constexpr std::string_view kPrefix = "sha256:";
  if (f->value.substr(0, kPrefix.size()) != kPrefix) return BadValue(*f, "want sha256:<hex>");
  return Read<proofs::Hash>(f,
                            [&](std::string_view v) { return ParseRef(v.substr(kPrefix.size())); });
}

Result<UsageBasis> ReadBasis(const Field* f) {
  const auto t = detail::SplitTokens(f->value);
  UsageBasis b;
  auto kind = ParseEnum<BasisKind>(t[0]);
  if (!kind.has_value()) return BadValue(*f, kind.error());
  b.kind = *kind;
  const bool wants_arg = b.kind == BasisKind::kLicence || b.kind == BasisKind::kOpenLicence;
  if (t.size() != (wants_arg ? 2u : 1u)) {
    return BadValue(*f, wants_arg ? "want licence <entry-ref> or open-licence <spdx>"
                                  : "this basis takes no argument");
  }
  if (b.kind == BasisKind::kLicence) {
    auto ref = ParseRef(t[1]);
    if (!ref.has_value()) return BadValue(*f, ref.error());
    b.licence = *ref;
  } else if (b.kind == BasisKind::kOpenLicence) {
    if (Status s = CheckSpdx(t[1]); !s.ok()) return BadValue(*f, s);
    b.spdx = std::string(t[1]);
  }
  return b;
}

Result<Quantity> ReadQuantity(const Field* f) {
  const auto t = detail::SplitTokens(f->value);
  if (t.size() != 2) return BadValue(*f, "want <decimal> <unit>");
  Quantity q;
  auto amount = Decimal::Parse(t[0]);
  if (!amount.has_value()) return BadValue(*f, amount.error());
  auto unit = ParseEnum<QuantityUnit>(t[1]);
  if (!unit.has_value()) return BadValue(*f, unit.error());
  q.amount = *amount;
  q.unit = *unit;
  return q;
}

Result<UsageTotal> ReadTotal(const Field* f) {
  const auto t = detail::SplitTokens(f->value);
  if (t.size() != 3) return BadValue(*f, "want <licensor key> <amount> <currency>");
  UsageTotal total;
  auto key = ParseVkey(t[0]);
  if (!key.has_value()) return BadValue(*f, key.error());
  auto money = ParseMoney(t[1], t[2]);
  if (!money.has_value()) return BadValue(*f, money.error());
  total.licensor = *key;
  total.amount = *money;
  return total;
}

Result<Use> ReadConcreteUse(const Field* f) {
  LTL_ASSIGN_OR_RETURN(Use use, ReadEnum<Use>(f));
  if (IsAggregateUse(use)) return BadValue(*f, "a usage line names one concrete use");
  return use;
}

// ---- Per-type field order ----------------------------------------------------
// The key lists double as the order documentation: docs/entries.md mirrors them.

constexpr std::array<std::string_view, 8> kKeyKeys = {
    "key", "previous-key", "role", "party-name", "party-id", "not-before", "not-after", "issued"};

Result<KeyEntry> ParseKeyEntry(FieldReader& r) {
  KeyEntry e;
  LTL_ASSIGN_OR_RETURN(const Field* key, r.Required("key"));
  LTL_ASSIGN_OR_RETURN(e.key, ReadVkey(key));
  LTL_ASSIGN_OR_RETURN(e.previous_key, Maybe(r.Optional("previous-key"), ReadVkey));
  LTL_ASSIGN_OR_RETURN(auto roles, r.RepeatedAtLeastOnce("role"));
  LTL_ASSIGN_OR_RETURN(e.roles, ReadAll(roles, ReadEnum<Role>));
  LTL_ASSIGN_OR_RETURN(e.party_name, Maybe(r.Optional("party-name"), ReadText));
  LTL_ASSIGN_OR_RETURN(e.party_ids, ReadAll(r.Repeated("party-id"), ReadPartyId));
  LTL_ASSIGN_OR_RETURN(const Field* nb, r.Required("not-before"));
  LTL_ASSIGN_OR_RETURN(e.not_before, ReadTime(nb));
  LTL_ASSIGN_OR_RETURN(e.not_after, Maybe(r.Optional("not-after"), ReadTime));
  LTL_ASSIGN_OR_RETURN(const Field* issued, r.Required("issued"));
  LTL_ASSIGN_OR_RETURN(e.issued, ReadTime(issued));
  return e;
}

constexpr std::array<std::string_view, 5> kKeyRevokeKeys = {"key", "revoked-by", "reason",
                                                            "compromised-since", "issued"};

Result<KeyRevoke> ParseKeyRevoke(FieldReader& r) {
  KeyRevoke e;
  LTL_ASSIGN_OR_RETURN(const Field* key, r.Required("key"));
  LTL_ASSIGN_OR_RETURN(e.key, ReadVkey(key));
  LTL_ASSIGN_OR_RETURN(e.revoked_by, Maybe(r.Optional("revoked-by"), ReadVkey));
  LTL_ASSIGN_OR_RETURN(const Field* why, r.Required("reason"));
  LTL_ASSIGN_OR_RETURN(e.reason, ReadEnum<KeyRevokeReason>(why));
  LTL_ASSIGN_OR_RETURN(e.compromised_since, Maybe(r.Optional("compromised-since"), ReadTime));
  LTL_ASSIGN_OR_RETURN(const Field* issued, r.Required("issued"));
  LTL_ASSIGN_OR_RETURN(e.issued, ReadTime(issued));
  return e;
}

constexpr std::array<std::string_view, 27> kGrantKeys = {
    "grant-id", "kind",       "licensor",     "rightsholder", "licensee",    "work",
    "work-set", "permit-use", "prohibit-use", "stage",        "user-class",  "territory",
    "model",    "not-before", "not-after",    "after-term",   "exclusive",   "sublicense",
    "payment",  "minimum",    "report-every", "pay-within",   "attribution", "terms",
    "commit",   "supersedes", "issued"};

Result<LicenceGrant> ParseLicenceGrant(FieldReader& r) {
  LicenceGrant g;
  LTL_ASSIGN_OR_RETURN(const Field* id, r.Required("grant-id"));
  LTL_ASSIGN_OR_RETURN(g.grant_id, ReadId(id));
  LTL_ASSIGN_OR_RETURN(const Field* kind, r.Required("kind"));
  LTL_ASSIGN_OR_RETURN(g.kind, ReadEnum<GrantKind>(kind));
  LTL_ASSIGN_OR_RETURN(const Field* licensor, r.Required("licensor"));
  LTL_ASSIGN_OR_RETURN(g.licensor, ReadVkey(licensor));
  LTL_ASSIGN_OR_RETURN(g.rightsholders, ReadAll(r.Repeated("rightsholder"), ReadRightsholder));
  LTL_ASSIGN_OR_RETURN(const Field* licensee, r.Required("licensee"));
  if (licensee->value != "*") {
    LTL_ASSIGN_OR_RETURN(g.licensee, ReadVkey(licensee));
  }
  LTL_ASSIGN_OR_RETURN(g.works, ReadAll(r.Repeated("work"), ReadWork));
  LTL_ASSIGN_OR_RETURN(g.work_set, Maybe(r.Optional("work-set"), ReadMerkleList));
  LTL_ASSIGN_OR_RETURN(auto permits, r.RepeatedAtLeastOnce("permit-use"));
  LTL_ASSIGN_OR_RETURN(g.permit_uses, ReadAll(permits, ReadEnum<Use>));
  LTL_ASSIGN_OR_RETURN(g.prohibit_uses, ReadAll(r.Repeated("prohibit-use"), ReadEnum<Use>));
  LTL_ASSIGN_OR_RETURN(g.stages, ReadAll(r.Repeated("stage"), ReadEnum<Stage>));
  LTL_ASSIGN_OR_RETURN(g.user_classes, ReadAll(r.Repeated("user-class"), ReadEnum<UserClass>));
  LTL_ASSIGN_OR_RETURN(auto territories, r.RepeatedAtLeastOnce("territory"));
  LTL_ASSIGN_OR_RETURN(g.territories, ReadAll(territories, ReadTerritory));
  LTL_ASSIGN_OR_RETURN(g.models, ReadAll(r.Repeated("model"), ReadModelScope));
  LTL_ASSIGN_OR_RETURN(const Field* nb, r.Required("not-before"));
  LTL_ASSIGN_OR_RETURN(g.not_before, ReadTime(nb));
  LTL_ASSIGN_OR_RETURN(g.not_after, Maybe(r.Optional("not-after"), ReadTime));
  LTL_ASSIGN_OR_RETURN(g.after_term, Maybe(r.Optional("after-term"), ReadEnum<AfterTerm>));
  if (const Field* f = r.Optional("exclusive")) {
    LTL_RETURN_IF_ERROR(ReadFlag(f));
    g.exclusive = true;
  }
  if (const Field* f = r.Optional("sublicense")) {
    LTL_RETURN_IF_ERROR(ReadFlag(f));
    g.sublicense = true;
  }
  LTL_ASSIGN_OR_RETURN(g.payments, ReadAll(r.Repeated("payment"), ReadPaymentTerm));
  LTL_ASSIGN_OR_RETURN(g.minimum, Maybe(r.Optional("minimum"), ReadMoney));
  LTL_ASSIGN_OR_RETURN(g.report_every, Maybe(r.Optional("report-every"), ReadDuration));
  LTL_ASSIGN_OR_RETURN(g.pay_within, Maybe(r.Optional("pay-within"), ReadDuration));
  LTL_ASSIGN_OR_RETURN(g.attribution, Maybe(r.Optional("attribution"), ReadText));
  LTL_ASSIGN_OR_RETURN(g.terms, Maybe(r.Optional("terms"), ReadTerms));
  LTL_ASSIGN_OR_RETURN(g.commit, Maybe(r.Optional("commit"), ReadCommit));
  LTL_ASSIGN_OR_RETURN(g.supersedes, Maybe(r.Optional("supersedes"), ReadRef));
  LTL_ASSIGN_OR_RETURN(const Field* issued, r.Required("issued"));
  LTL_ASSIGN_OR_RETURN(g.issued, ReadTime(issued));
  return g;
}

constexpr std::array<std::string_view, 13> kUsageLineKeys = {
    "work",     "licensor",  "basis",    "use",       "stage",           "acquisition",
    "quantity", "first-use", "last-use", "territory", "royalty-bearing", "owed",
    "line"};

constexpr std::array<std::string_view, 24> kUsageKeys = {"attestation-id",
                                                         "attester",
                                                         "model",
                                                         "model-dependency",
                                                         "period-start",
                                                         "period-end",
                                                         "nil",
                                                         "line-set",
                                                         "line",
                                                         "work",
                                                         "licensor",
                                                         "basis",
                                                         "use",
                                                         "stage",
                                                         "acquisition",
                                                         "quantity",
                                                         "first-use",
                                                         "last-use",
                                                         "territory",
                                                         "royalty-bearing",
                                                         "owed",
                                                         "total",
                                                         "supersedes",
                                                         "issued"};

Result<UsageLine> ParseUsageLine(FieldReader& r, const Field* opener) {
  UsageLine l;
  LTL_ASSIGN_OR_RETURN(l.line_id, ReadId(opener));
  LTL_ASSIGN_OR_RETURN(auto works, r.RepeatedAtLeastOnce("work"));
  LTL_ASSIGN_OR_RETURN(l.works, ReadAll(works, ReadWork));
  LTL_ASSIGN_OR_RETURN(l.licensor, Maybe(r.Optional("licensor"), ReadVkey));
  LTL_ASSIGN_OR_RETURN(const Field* basis, r.Required("basis"));
  LTL_ASSIGN_OR_RETURN(l.basis, ReadBasis(basis));
  LTL_ASSIGN_OR_RETURN(const Field* use, r.Required("use"));
  LTL_ASSIGN_OR_RETURN(l.use, ReadConcreteUse(use));
  LTL_ASSIGN_OR_RETURN(const Field* stage, r.Required("stage"));
  LTL_ASSIGN_OR_RETURN(l.stage, ReadEnum<Stage>(stage));
  LTL_ASSIGN_OR_RETURN(l.acquisition, Maybe(r.Optional("acquisition"), ReadTime));
  LTL_ASSIGN_OR_RETURN(const Field* quantity, r.Required("quantity"));
  LTL_ASSIGN_OR_RETURN(l.quantity, ReadQuantity(quantity));
  LTL_ASSIGN_OR_RETURN(const Field* first, r.Required("first-use"));
  LTL_ASSIGN_OR_RETURN(l.first_use, ReadTime(first));
  LTL_ASSIGN_OR_RETURN(const Field* last, r.Required("last-use"));
  LTL_ASSIGN_OR_RETURN(l.last_use, ReadTime(last));
  LTL_ASSIGN_OR_RETURN(l.territory, Maybe(r.Optional("territory"), ReadTerritory));
  if (const Field* f = r.Optional("royalty-bearing")) {
    LTL_RETURN_IF_ERROR(ReadFlag(f));
    l.royalty_bearing = true;
  }
  LTL_ASSIGN_OR_RETURN(l.owed, Maybe(r.Optional("owed"), ReadMoney));
  return l;
}

Result<UsageAttestation> ParseUsage(FieldReader& r) {
  UsageAttestation u;
  LTL_ASSIGN_OR_RETURN(const Field* id, r.Required("attestation-id"));
  LTL_ASSIGN_OR_RETURN(u.attestation_id, ReadId(id));
  LTL_ASSIGN_OR_RETURN(const Field* attester, r.Required("attester"));
  LTL_ASSIGN_OR_RETURN(u.attester, ReadVkey(attester));
  LTL_ASSIGN_OR_RETURN(const Field* model, r.Required("model"));
  LTL_ASSIGN_OR_RETURN(u.model, ReadModelVersion(model));
  LTL_ASSIGN_OR_RETURN(u.model_dependencies,
                       ReadAll(r.Repeated("model-dependency"), ReadModelVersion));
  LTL_ASSIGN_OR_RETURN(const Field* start, r.Required("period-start"));
  LTL_ASSIGN_OR_RETURN(u.period_start, ReadTime(start));
  LTL_ASSIGN_OR_RETURN(const Field* end, r.Required("period-end"));
  LTL_ASSIGN_OR_RETURN(u.period_end, ReadTime(end));
  if (const Field* f = r.Optional("nil")) {
    LTL_RETURN_IF_ERROR(ReadFlag(f));
    u.nil = true;
  }
  LTL_ASSIGN_OR_RETURN(u.line_set, Maybe(r.Optional("line-set"), ReadMerkleList));
  while (const Field* opener = r.Optional("line")) {
    r.StartGroup(kUsageLineKeys);
    LTL_ASSIGN_OR_RETURN(UsageLine line, ParseUsageLine(r, opener));
    u.lines.push_back(std::move(line));
  }
  LTL_ASSIGN_OR_RETURN(u.totals, ReadAll(r.Repeated("total"), ReadTotal));
  LTL_ASSIGN_OR_RETURN(u.supersedes, Maybe(r.Optional("supersedes"), ReadRef));
  LTL_ASSIGN_OR_RETURN(const Field* issued, r.Required("issued"));
  LTL_ASSIGN_OR_RETURN(u.issued, ReadTime(issued));
  return u;
}

constexpr std::array<std::string_view, 6> kRevokeKeys = {"target",       "revoker",   "reason",
                                                         "effective-at", "wind-down", "issued"};

Result<Revoke> ParseRevoke(FieldReader& r) {
  Revoke v;
  LTL_ASSIGN_OR_RETURN(const Field* target, r.Required("target"));
  LTL_ASSIGN_OR_RETURN(v.target, ReadRef(target));
  LTL_ASSIGN_OR_RETURN(const Field* revoker, r.Required("revoker"));
  LTL_ASSIGN_OR_RETURN(v.revoker, ReadVkey(revoker));
  LTL_ASSIGN_OR_RETURN(const Field* why, r.Required("reason"));
  LTL_ASSIGN_OR_RETURN(v.reason, ReadEnum<RevokeReason>(why));
  LTL_ASSIGN_OR_RETURN(v.effective_at, Maybe(r.Optional("effective-at"), ReadTime));
  LTL_ASSIGN_OR_RETURN(v.wind_down, Maybe(r.Optional("wind-down"), ReadDuration));
  LTL_ASSIGN_OR_RETURN(const Field* issued, r.Required("issued"));
  LTL_ASSIGN_OR_RETURN(v.issued, ReadTime(issued));
  return v;
}

constexpr std::array<std::string_view, 7> kReservationKeys = {
    "reservation-id", "declarant", "work", "work-set", "reserve-use", "licence-at", "issued"};

Result<Reservation> ParseReservation(FieldReader& r) {
  Reservation v;
  LTL_ASSIGN_OR_RETURN(const Field* id, r.Required("reservation-id"));
  LTL_ASSIGN_OR_RETURN(v.reservation_id, ReadId(id));
  LTL_ASSIGN_OR_RETURN(const Field* declarant, r.Required("declarant"));
  LTL_ASSIGN_OR_RETURN(v.declarant, ReadVkey(declarant));
  LTL_ASSIGN_OR_RETURN(v.works, ReadAll(r.Repeated("work"), ReadWork));
  LTL_ASSIGN_OR_RETURN(v.work_set, Maybe(r.Optional("work-set"), ReadMerkleList));
  LTL_ASSIGN_OR_RETURN(auto uses, r.RepeatedAtLeastOnce("reserve-use"));
  LTL_ASSIGN_OR_RETURN(v.reserve_uses, ReadAll(uses, ReadEnum<Use>));
  LTL_ASSIGN_OR_RETURN(v.licence_at, Maybe(r.Optional("licence-at"), ReadUrl));
  LTL_ASSIGN_OR_RETURN(const Field* issued, r.Required("issued"));
  LTL_ASSIGN_OR_RETURN(v.issued, ReadTime(issued));
  return v;
}

constexpr std::array<std::string_view, 9> kPaymentKeys = {
    "payment-id", "payer", "payee", "grant", "usage", "amount", "paid-at", "reference", "issued"};

Result<std::string> ReadReference(const Field* f) { return ReadId(f); }

Result<Payment> ParsePayment(FieldReader& r) {
  Payment p;
  LTL_ASSIGN_OR_RETURN(const Field* id, r.Required("payment-id"));
  LTL_ASSIGN_OR_RETURN(p.payment_id, ReadId(id));
  LTL_ASSIGN_OR_RETURN(const Field* payer, r.Required("payer"));
  LTL_ASSIGN_OR_RETURN(p.payer, ReadVkey(payer));
  LTL_ASSIGN_OR_RETURN(const Field* payee, r.Required("payee"));
  LTL_ASSIGN_OR_RETURN(p.payee, ReadVkey(payee));
  LTL_ASSIGN_OR_RETURN(auto grants, r.RepeatedAtLeastOnce("grant"));
  LTL_ASSIGN_OR_RETURN(p.grants, ReadAll(grants, ReadRef));
  LTL_ASSIGN_OR_RETURN(p.usages, ReadAll(r.Repeated("usage"), ReadRef));
  LTL_ASSIGN_OR_RETURN(const Field* amount, r.Required("amount"));
  LTL_ASSIGN_OR_RETURN(p.amount, ReadMoney(amount));
  LTL_ASSIGN_OR_RETURN(const Field* paid, r.Required("paid-at"));
  LTL_ASSIGN_OR_RETURN(p.paid_at, ReadTime(paid));
  LTL_ASSIGN_OR_RETURN(p.reference, Maybe(r.Optional("reference"), ReadReference));
  LTL_ASSIGN_OR_RETURN(const Field* issued, r.Required("issued"));
  LTL_ASSIGN_OR_RETURN(p.issued, ReadTime(issued));
  return p;
}

constexpr std::array<std::string_view, 7> kReceiptKeys = {
    "receipt-id", "payee", "payer", "payment", "amount", "received-at", "issued"};

Result<Receipt> ParseReceipt(FieldReader& r) {
  Receipt p;
  LTL_ASSIGN_OR_RETURN(const Field* id, r.Required("receipt-id"));
  LTL_ASSIGN_OR_RETURN(p.receipt_id, ReadId(id));
  LTL_ASSIGN_OR_RETURN(const Field* payee, r.Required("payee"));
  LTL_ASSIGN_OR_RETURN(p.payee, ReadVkey(payee));
  LTL_ASSIGN_OR_RETURN(const Field* payer, r.Required("payer"));
  LTL_ASSIGN_OR_RETURN(p.payer, ReadVkey(payer));
  LTL_ASSIGN_OR_RETURN(const Field* payment, r.Required("payment"));
  LTL_ASSIGN_OR_RETURN(p.payment, ReadRef(payment));
  LTL_ASSIGN_OR_RETURN(const Field* amount, r.Required("amount"));
  LTL_ASSIGN_OR_RETURN(p.amount, ReadMoney(amount));
  LTL_ASSIGN_OR_RETURN(const Field* received, r.Required("received-at"));
  LTL_ASSIGN_OR_RETURN(p.received_at, ReadTime(received));
  LTL_ASSIGN_OR_RETURN(const Field* issued, r.Required("issued"));
  LTL_ASSIGN_OR_RETURN(p.issued, ReadTime(issued));
  return p;
}

// ---- Type rules --------------------------------------------------------------

template <typename T>
Status NoDuplicates(const std::vector<T>& values, std::string_view key) {
  for (size_t i = 0; i < values.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (values[i] == values[j]) {
        return Invalid(reason::kDuplicateValue,
                       "'" + std::string(key) + "' lists the same value twice");
      }
    }
  }
  return Status::Ok();
}

Status NoDuplicateWorks(const std::vector<WorkId>& works, std::string_view key) {
  if (works.size() < 2) return Status::Ok();  // the common case: nothing to normalise
  if (works.size() <= 8) {
    // A few works: compare the normal forms pairwise (no tree of strings).
    std::array<std::string, 8> normal;
    for (size_t i = 0; i < works.size(); ++i) {
      normal[i] = NormaliseWorkId(works[i]);
      for (size_t j = 0; j < i; ++j) {
        if (normal[j] == normal[i]) {
          return Invalid(reason::kDuplicateValue,
                         "'" + std::string(key) + "' names " + normal[i] + " twice");
        }
      }
    }
    return Status::Ok();
  }
  std::set<std::string> seen;
  for (const WorkId& w : works) {
    if (!seen.insert(NormaliseWorkId(w)).second) {
      return Invalid(reason::kDuplicateValue,
                     "'" + std::string(key) + "' names " + NormaliseWorkId(w) + " twice");
    }
  }
  return Status::Ok();
}

// Each written use must add something: `ai-all` with `train-genai` (or any
// use twice) is two spellings of one set.
Status NoRedundantUses(const std::vector<Use>& uses, std::string_view key) {
  for (size_t i = 0; i < uses.size(); ++i) {
    UseSet others;
    for (size_t j = 0; j < uses.size(); ++j) {
      if (j != i) others.bits |= ExpandUse(uses[j]).bits;
    }
    if (Minus(ExpandUse(uses[i]), others).empty()) {
      return Invalid(reason::kDuplicateValue, "'" + std::string(key) + " " +
                                                  std::string(NameOf(uses[i])) +
                                                  "' is covered by the other lines");
    }
  }
  return Status::Ok();
}

Status NoRedundantTerritories(const std::vector<std::string>& territories) {
  LTL_RETURN_IF_ERROR(NoDuplicates(territories, "territory"));
  if (territories.size() > 1 &&
      std::find(territories.begin(), territories.end(), "WORLD") != territories.end()) {
    return Invalid(reason::kDuplicateValue, "'territory WORLD' covers every other territory");
  }
  return Status::Ok();
}

Status CheckTerm(Timestamp not_before, const std::optional<Timestamp>& not_after) {
  if (not_after && *not_after <= not_before) {
    return Invalid(reason::kTermOrder, "'not-after' must be later than 'not-before'");
  }
  return Status::Ok();
}

Status CheckRules(const KeyEntry& e) {
  LTL_RETURN_IF_ERROR(NoDuplicates(e.roles, "role"));
  LTL_RETURN_IF_ERROR(NoDuplicates(e.party_ids, "party-id"));
  if (e.previous_key && *e.previous_key == e.key) {
    return Invalid(reason::kConflictingFields, "'previous-key' equals 'key'");
  }
  return CheckTerm(e.not_before, e.not_after);
}

Status CheckRules(const KeyRevoke& e) {
  if (e.revoked_by && *e.revoked_by == e.key) {
    return Invalid(reason::kConflictingFields,
                   "'revoked-by' equals 'key' (omit it: the key signs by default)");
  }
  const bool compromised = e.reason == KeyRevokeReason::kCompromised;
  if (compromised && !e.compromised_since) {
    return Invalid(reason::kMissingField, "'compromised-since' is required for reason compromised");
  }
  if (!compromised && e.compromised_since) {
    return Invalid(reason::kConflictingFields,
                   "'compromised-since' only goes with reason compromised");
  }
  return Status::Ok();
}

Status CheckRules(const LicenceGrant& g) {
  if (g.works.empty() && !g.work_set) {
    return Invalid(reason::kMissingWork, "a grant needs 'work' lines or a 'work-set'");
  }
  LTL_RETURN_IF_ERROR(NoDuplicateWorks(g.works, "work"));
  if (g.kind == GrantKind::kAgreement && !g.licensee) {
    return Invalid(reason::kPublicAgreement, "an agreement names its licensee, not '*'");
  }
  if (g.licensee && *g.licensee == g.licensor) {
    return Invalid(reason::kConflictingFields, "'licensee' equals 'licensor'");
  }
  uint32_t shares = 0;
  for (size_t i = 0; i < g.rightsholders.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (g.rightsholders[i].party == g.rightsholders[j].party) {
        return Invalid(reason::kDuplicateValue, "'rightsholder' names the same party twice");
      }
    }
    shares += g.rightsholders[i].share_bps;
  }
  if (shares > kMaxBps) {
    return Invalid(reason::kShareOverflow, "rightsholder shares exceed 10000 bps");
  }
  LTL_RETURN_IF_ERROR(NoRedundantUses(g.permit_uses, "permit-use"));
  LTL_RETURN_IF_ERROR(NoRedundantUses(g.prohibit_uses, "prohibit-use"));
  if (g.EffectiveUses().empty()) {
    return Invalid(reason::kNoEffectiveUse, "the prohibitions remove every permitted use");
  }
  LTL_RETURN_IF_ERROR(NoDuplicates(g.stages, "stage"));
  LTL_RETURN_IF_ERROR(NoDuplicates(g.user_classes, "user-class"));
  LTL_RETURN_IF_ERROR(NoRedundantTerritories(g.territories));
  LTL_RETURN_IF_ERROR(NoDuplicates(g.models, "model"));
  LTL_RETURN_IF_ERROR(CheckTerm(g.not_before, g.not_after));
  LTL_RETURN_IF_ERROR(NoDuplicates(g.payments, "payment"));
  const bool free = std::any_of(g.payments.begin(), g.payments.end(), [](const PaymentTerm& p) {
    return p.model == PaymentModel::kFree;
  });
  if (free && (g.payments.size() > 1 || g.minimum)) {
    return Invalid(reason::kConflictingFields,
                   "'payment free' excludes other payment lines and 'minimum'");
  }
  return Status::Ok();
}

Status CheckRules(const UsageAttestation& u) {
  if (u.period_end <= u.period_start) {
    return Invalid(reason::kTermOrder, "'period-end' must be later than 'period-start'");
  }
  LTL_RETURN_IF_ERROR(NoDuplicates(u.model_dependencies, "model-dependency"));
  if (u.nil && (!u.lines.empty() || u.line_set || !u.totals.empty())) {
    return Invalid(reason::kConflictingFields,
                   "'nil true' excludes usage lines, 'line-set' and 'total'");
  }
  if (!u.nil && u.lines.empty() && !u.line_set) {
    return Invalid(reason::kMissingField, "a usage report needs 'nil true', lines or 'line-set'");
  }
  std::set<std::string> ids;
  for (const UsageLine& l : u.lines) {
    const std::string where = "line " + l.line_id + ": ";
    if (!ids.insert(l.line_id).second) {
      return Invalid(reason::kDuplicateValue, "line id '" + l.line_id + "' used twice");
    }
    LTL_RETURN_IF_ERROR(NoDuplicateWorks(l.works, "work"));
    if (l.basis.kind == BasisKind::kLicence && !l.licensor) {
      return Invalid(reason::kMissingField, where + "basis licence needs 'licensor'");
    }
    if (l.last_use < l.first_use) {
      return Invalid(reason::kTermOrder, where + "'last-use' is before 'first-use'");
    }
  }
  for (size_t i = 0; i < u.totals.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (u.totals[i].licensor == u.totals[j].licensor &&
          u.totals[i].amount.currency == u.totals[j].amount.currency) {
        return Invalid(reason::kDuplicateValue, "two 'total' lines for one licensor and currency");
      }
    }
  }
  return Status::Ok();
}

Status CheckRules(const Revoke&) { return Status::Ok(); }

Status CheckRules(const Reservation& v) {
  if (v.works.empty() && !v.work_set) {
    return Invalid(reason::kMissingWork, "a reservation needs 'work' lines or a 'work-set'");
  }
  LTL_RETURN_IF_ERROR(NoDuplicateWorks(v.works, "work"));
  return NoRedundantUses(v.reserve_uses, "reserve-use");
}

Status CheckRules(const Payment& p) {
  if (p.payer == p.payee) return Invalid(reason::kConflictingFields, "'payer' equals 'payee'");
  LTL_RETURN_IF_ERROR(NoDuplicates(p.grants, "grant"));
  return NoDuplicates(p.usages, "usage");
}

Status CheckRules(const Receipt& p) {
  if (p.payer == p.payee) return Invalid(reason::kConflictingFields, "'payer' equals 'payee'");
  return Status::Ok();
}

template <typename T, size_t N>
Result<EntryBody> ParseWith(const detail::LexedText& lexed,
                            const std::array<std::string_view, N>& keys,
                            Result<T> (*parse)(FieldReader&)) {
  FieldReader reader(lexed.fields, keys);
  LTL_ASSIGN_OR_RETURN(T body, parse(reader));
  LTL_RETURN_IF_ERROR(reader.Finish());
  LTL_RETURN_IF_ERROR(CheckRules(body));
  return EntryBody(std::move(body));
}

}  // namespace

UseSet LicenceGrant::EffectiveUses() const {
  return Minus(ExpandUses(permit_uses), ExpandUses(prohibit_uses));
}

Result<EntryBody> ParseEntryText(std::string_view text) {
  LTL_ASSIGN_OR_RETURN(detail::LexedText lexed, detail::LexEntryText(text));
  switch (lexed.type) {
    case EntryType::kKey:
      return ParseWith(lexed, kKeyKeys, ParseKeyEntry);
    case EntryType::kKeyRevoke:
      return ParseWith(lexed, kKeyRevokeKeys, ParseKeyRevoke);
    case EntryType::kLicenceGrant:
      return ParseWith(lexed, kGrantKeys, ParseLicenceGrant);
    case EntryType::kUsage:
      return ParseWith(lexed, kUsageKeys, ParseUsage);
    case EntryType::kRevoke:
      return ParseWith(lexed, kRevokeKeys, ParseRevoke);
    case EntryType::kReservation:
      return ParseWith(lexed, kReservationKeys, ParseReservation);
    case EntryType::kPayment:
      return ParseWith(lexed, kPaymentKeys, ParsePayment);
    case EntryType::kReceipt:
      return ParseWith(lexed, kReceiptKeys, ParseReceipt);
  }
  return Status::Internal("unknown entry type");
}

Status ValidateEntryBody(const EntryBody& body) {
  // Formatting then parsing applies every syntax and rule check exactly as a
  // logged text would get them; a body that survives and compares equal is
  // one FormatEntryText renders faithfully.
  const std::string text = FormatEntryText(body);
  LTL_ASSIGN_OR_RETURN(EntryBody parsed, ParseEntryText(text));
  if (!(parsed == body)) {
    return Invalid(reason::kBadValue,
                   "the body does not survive formatting (a value is not canonical)");
  }
  return Status::Ok();
}

}  // namespace ltl::ledger
