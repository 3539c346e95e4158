// Entry composition from flags: `ltl grant`, `usage`, `revoke`, `reserve`,
// `pay`, `receipt` (compose.h describes the pipeline).
//
// Each flag fills the entry field of the same name, with that field's value
// syntax (docs/entries.md), and repeatable fields are repeatable flags. The
// value parsers here only turn text into typed values; every rule (currency
// and territory codes, party-id check digits, share sums, term order, ...) is
// applied once, by ledger::ValidateEntryBody in EmitEntry, exactly as the log
// applies it.
#include <algorithm>
#include <string>
#include <vector>

#include "base/encoding.h"
#include "client/cli/cli.h"
#include "client/cli/compose.h"
#include "client/json_detail.h"
#include "ledger/entry.h"

namespace ltl::cli {
namespace {

using client::VerifyOutcome;
using client::VerifyResult;
using ledger::VerifierKey;

// ---- Value syntaxes -------------------------------------------------------------

// Tokens separated by single spaces; `want` describes the expected form.
Result<std::vector<std::string>> Tokens(std::string_view v, size_t count, std::string_view want) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t space = v.find(' ', start);
    out.emplace_back(v.substr(start, space - start));
    if (out.back().empty()) break;
    if (space == std::string_view::npos) break;
    start = space + 1;
  }
  if ((count != 0 && out.size() != count) ||
      std::any_of(out.begin(), out.end(), [](const std::string& t) { return t.empty(); })) {
    return Status::InvalidArgument("want '" + std::string(want) + "' (single spaces)");
  }
  return out;
}

template <typename E>
Result<E> Enum(std::string_view v) {
  if (auto e = ledger::EnumFromName<E>(v)) return *e;
  std::string names;
  for (std::string_view n : ledger::EnumNames<E>::kNames) {
    names += (names.empty() ? "" : ", ") + std::string(n);
  }
  return Status::InvalidArgument("'" + std::string(v) + "' is not one of: " + names);
}

Result<VerifierKey> Vkey(std::string_view v) { return VerifierKey::Parse(v); }

Result<proofs::Hash> Ref(std::string_view v) {
  if (v.size() != 64) return Status::InvalidArgument("want an entry ref: 64 lower-case hex digits");
  return proofs::HashFromHex(v);
}

Result<ledger::Decimal> Amount(std::string_view v) { return ledger::Decimal::Parse(v); }

Result<ledger::Money> Money(std::string_view v) {
  LTL_ASSIGN_OR_RETURN(auto t, Tokens(v, 2, "AMOUNT CURRENCY"));
  LTL_ASSIGN_OR_RETURN(ledger::Decimal amount, Amount(t[0]));
  return ledger::Money{amount, t[1]};
}

Result<ledger::PartyId> PartyId(std::string_view v) {
  const size_t colon = v.find(':');
  if (colon == std::string_view::npos) {
    return Status::InvalidArgument("want isni:, ipi: or lei: followed by the identifier");
  }
  LTL_ASSIGN_OR_RETURN(auto scheme, Enum<ledger::PartyIdScheme>(v.substr(0, colon)));
  return ledger::PartyId{scheme, std::string(v.substr(colon + 1))};
}

Result<ledger::MerkleList> List(std::string_view v) {
  LTL_ASSIGN_OR_RETURN(auto t, Tokens(v, 3, "ROOT-HEX COUNT URL"));
  ledger::MerkleList list;
  LTL_ASSIGN_OR_RETURN(list.root, Ref(t[0]));
  LTL_ASSIGN_OR_RETURN(list.count, ParseDecimalU64(t[1]));
  list.url = t[2];
  return list;
}

Result<uint32_t> Bps(std::string_view v) {
  LTL_ASSIGN_OR_RETURN(uint64_t n, ParseDecimalU64(v));
  if (n > 10000) return Status::InvalidArgument("basis points are 0..10000");
  return static_cast<uint32_t>(n);
}

// PARTY BPS, the party a verifier key (it contains '+') or a party id.
Result<ledger::Rightsholder> Rightsholder(std::string_view v) {
  LTL_ASSIGN_OR_RETURN(auto t, Tokens(v, 2, "VKEY-or-PARTY-ID BPS"));
  ledger::Rightsholder r;
  if (t[0].find('+') != std::string::npos) {
    LTL_ASSIGN_OR_RETURN(r.party, Vkey(t[0]));
  } else {
    LTL_ASSIGN_OR_RETURN(r.party, PartyId(t[0]));
  }
  LTL_ASSIGN_OR_RETURN(r.share_bps, Bps(t[1]));
  return r;
}

// free | revenue-share BPS bps BASE | MODEL AMOUNT CURRENCY UNIT
Result<ledger::PaymentTerm> Payment(std::string_view v) {
  LTL_ASSIGN_OR_RETURN(auto t,
                       Tokens(v, 0, "free | revenue-share BPS bps BASE | MODEL AMOUNT CUR UNIT"));
  ledger::PaymentTerm p;
  LTL_ASSIGN_OR_RETURN(p.model, Enum<ledger::PaymentModel>(t[0]));
  switch (p.model) {
    case ledger::PaymentModel::kFree:
      if (t.size() != 1) return Status::InvalidArgument("want 'free' alone");
      return p;
    case ledger::PaymentModel::kRevenueShare: {
      if (t.size() != 4 || t[2] != "bps") {
        return Status::InvalidArgument("want 'revenue-share BPS bps BASE'");
      }
      LTL_ASSIGN_OR_RETURN(p.share_bps, Bps(t[1]));
      LTL_ASSIGN_OR_RETURN(p.base, Enum<ledger::RevenueBase>(t[3]));
      return p;
    }
    default: {
      if (t.size() != 4) return Status::InvalidArgument("want 'MODEL AMOUNT CURRENCY UNIT'");
      LTL_ASSIGN_OR_RETURN(p.price.amount, Amount(t[1]));
      p.price.currency = t[2];
      LTL_ASSIGN_OR_RETURN(p.unit, Enum<ledger::PaymentUnit>(t[3]));
      return p;
    }
  }
}

Result<ledger::Terms> Terms(std::string_view v) {
  LTL_ASSIGN_OR_RETURN(auto t, Tokens(v, 2, "URL SHA256-HEX"));
  ledger::Terms terms;
  terms.url = t[0];
  LTL_ASSIGN_OR_RETURN(terms.sha256, Ref(t[1]));
  return terms;
}

Result<proofs::Hash> Commit(std::string_view v) {
  constexpr std::string_view kPrefix = "sha256:";
  if (v.substr(0, kPrefix.size()) != kPrefix) return Status::InvalidArgument("want sha256:HEX");
  return Ref(v.substr(kPrefix.size()));
}

// licence REF | open-licence SPDX | tdm-exception | research-exception | ...
Result<ledger::UsageBasis> Basis(std::string_view v) {
  LTL_ASSIGN_OR_RETURN(auto t, Tokens(v, 0, "KIND [ARGUMENT]"));
  ledger::UsageBasis b;
  LTL_ASSIGN_OR_RETURN(b.kind, Enum<ledger::BasisKind>(t[0]));
  const bool wants_arg =
      b.kind == ledger::BasisKind::kLicence || b.kind == ledger::BasisKind::kOpenLicence;
  if (t.size() != (wants_arg ? 2u : 1u)) {
    return Status::InvalidArgument(wants_arg ? "want 'licence REF' or 'open-licence SPDX'"
                                             : "this basis takes no argument");
  }
  if (b.kind == ledger::BasisKind::kLicence) {
    LTL_ASSIGN_OR_RETURN(b.licence, Ref(t[1]));
  }
  if (b.kind == ledger::BasisKind::kOpenLicence) b.spdx = t[1];
  return b;
}

Result<ledger::Quantity> Quantity(std::string_view v) {
  LTL_ASSIGN_OR_RETURN(auto t, Tokens(v, 2, "AMOUNT UNIT"));
  ledger::Quantity q;
  LTL_ASSIGN_OR_RETURN(q.amount, Amount(t[0]));
  LTL_ASSIGN_OR_RETURN(q.unit, Enum<ledger::QuantityUnit>(t[1]));
  return q;
}

// VKEY AMOUNT CURRENCY
Result<ledger::UsageTotal> Total(std::string_view v) {
  LTL_ASSIGN_OR_RETURN(auto t, Tokens(v, 3, "LICENSOR-VKEY AMOUNT CURRENCY"));
  ledger::UsageTotal total;
  LTL_ASSIGN_OR_RETURN(total.licensor, Vkey(t[0]));
  LTL_ASSIGN_OR_RETURN(total.amount.amount, Amount(t[1]));
  total.amount.currency = t[2];
  return total;
}

Result<std::string> Text(std::string_view v) { return std::string(v); }

// ---- Flags to values -------------------------------------------------------------

// Reads flags of one invocation into typed values; the first error sticks
// and names the flag (a usage error, exit 2).
class FlagReader {
 public:
  explicit FlagReader(const Invocation& inv) : inv_(inv) {}

  template <typename T>
  void One(std::string_view flag, Result<T> (*parse)(std::string_view), T& out) {
    if (const std::optional<std::string> v = inv_.flags.Get(flag)) Store(flag, parse(*v), out);
  }
  template <typename T>
  void Maybe(std::string_view flag, Result<T> (*parse)(std::string_view), std::optional<T>& out) {
    if (const std::optional<std::string> v = inv_.flags.Get(flag)) {
      T value{};
      Store(flag, parse(*v), value);
      out = std::move(value);
    }
  }
  template <typename T>
  void All(std::string_view flag, Result<T> (*parse)(std::string_view), std::vector<T>& out) {
    for (const std::string& v : inv_.flags.GetAll(flag)) {
      T value{};
      Store(flag, parse(v), value);
      out.push_back(std::move(value));
    }
  }
  void Time(std::string_view flag, ledger::Timestamp& out) {
    if (const std::optional<std::string> v = inv_.flags.Get(flag)) {
      Store(flag, ledger::ParseTimestamp(*v), out);
    }
  }
  void MaybeTime(std::string_view flag, std::optional<ledger::Timestamp>& out) {
    Maybe(flag, ledger::ParseTimestamp, out);
  }
  void Works(std::string_view flag, std::vector<ledger::WorkId>& out) {
    All(flag, ledger::ParseWorkId, out);
  }
  void Fail(client::VerifyFailure failure) {
    if (!failure_) failure_ = std::move(failure);
  }

  // The first failure, if any.
  const std::optional<client::VerifyFailure>& failure() const { return failure_; }

 private:
  template <typename T>
  void Store(std::string_view flag, Result<T> parsed, T& out) {
    if (parsed.has_value()) {
      out = std::move(parsed).value();
    } else {
      Fail(UsageError("--" + std::string(flag) + ": " + parsed.error().message()));
    }
  }

  const Invocation& inv_;
  std::optional<client::VerifyFailure> failure_;
};

// The signing key, the issue time, and the party key `party_flag` (defaulting
// to the signing key's), common to every composing command.
struct Common {
  std::optional<ledger::SigningKey> key;
  ledger::Timestamp issued;
  VerifierKey party;
};

VerifyResult<Common> ReadCommon(const Invocation& inv, std::string_view party_flag) {
  Common c;
  LTL_CLI_TRY(c.key, SigningKeyFlag(inv));
  LTL_CLI_TRY(c.issued, TimeFlagOr(inv, "issued", Now()));
  LTL_CLI_TRY(c.party, PartyKeyFlag(inv, party_flag, c.key));
  return c;
}

CommandResult Emit(const Invocation& inv, const FlagReader& r, const ledger::EntryBody& body,
                   const std::optional<ledger::SigningKey>& key) {
  if (r.failure()) return *r.failure();
  std::vector<ledger::SigningKey> signers;
  if (key) signers.push_back(*key);
  return EmitEntry(inv, body, signers);
}

// ---- grant ----------------------------------------------------------------------------

CommandResult Grant(const Invocation& inv) {
  LTL_CLI_TRY(Common c, ReadCommon(inv, "licensor"));
  ledger::LicenceGrant g;
  g.licensor = c.party;
  g.issued = c.issued;
  g.not_before = c.issued;
  FlagReader r(inv);
  g.grant_id = *inv.flags.Get("grant-id");
  r.One("kind", Enum<ledger::GrantKind>, g.kind);
  r.All("rightsholder", Rightsholder, g.rightsholders);
  if (const std::optional<std::string> licensee = inv.flags.Get("licensee");
      licensee && *licensee != "*") {
    r.Maybe("licensee", Vkey, g.licensee);
  }
  if (!inv.flags.Has("kind") && g.licensee) g.kind = ledger::GrantKind::kAgreement;
  r.Works("work", g.works);
  r.Maybe("work-set", List, g.work_set);
  r.All("permit-use", Enum<ledger::Use>, g.permit_uses);
  r.All("prohibit-use", Enum<ledger::Use>, g.prohibit_uses);
  r.All("stage", Enum<ledger::Stage>, g.stages);
  r.All("user-class", Enum<ledger::UserClass>, g.user_classes);
  r.All("territory", Text, g.territories);
  r.All("model", Text, g.models);
  r.Time("not-before", g.not_before);
  r.MaybeTime("not-after", g.not_after);
  r.Maybe("after-term", Enum<ledger::AfterTerm>, g.after_term);
  g.exclusive = inv.flags.Has("exclusive");
  g.sublicense = inv.flags.Has("sublicense");
  r.All("payment", Payment, g.payments);
  r.Maybe("minimum", Money, g.minimum);
  r.Maybe("report-every", ledger::ParseDuration, g.report_every);
  r.Maybe("pay-within", ledger::ParseDuration, g.pay_within);
  r.Maybe("attribution", Text, g.attribution);
  r.Maybe("terms", Terms, g.terms);
  r.Maybe("commit", Commit, g.commit);
  r.Maybe("supersedes", Ref, g.supersedes);
  return Emit(inv, r, g, c.key);
}

// ---- usage -----------------------------------------------------------------------------

// Reads the members of one usage-line object with the fields' syntaxes; the
// first failure sticks and names the member ("--lines: lines[0].use: ...").
class LineMemberReader {
 public:
  LineMemberReader(const rapidjson::Value& object, std::string what)
      : object_(object), json_(object, what), what_(std::move(what)) {}

  template <typename T>
  void Required(std::string_view name, Result<T> (*parse)(std::string_view), T& out) {
    auto text = json_.String(name);
    if (!text.has_value()) return Fail(text.error().message());
    Store(name, parse(*text), out);
  }
  template <typename T>
  void Optional(std::string_view name, Result<T> (*parse)(std::string_view),
                std::optional<T>& out) {
    auto text = json_.OptionalString(name);
    if (!text.has_value()) return Fail(text.error().message());
    if (!text->has_value()) return;
    T value{};
    Store(name, parse(**text), value);
    out = std::move(value);
  }
  void Works(std::string_view name, std::vector<ledger::WorkId>& out) {
    auto texts = json_.StringArray(name);
    if (!texts.has_value()) return Fail(texts.error().message());
    for (const std::string& text : *texts) {
      ledger::WorkId id;
      Store(name, ledger::ParseWorkId(text), id);
      out.push_back(std::move(id));
    }
  }
  // A JSON boolean; absent is false.
  void Flag(std::string_view name, bool& out) {
    const auto it = object_.FindMember(rapidjson::StringRef(name.data(), name.size()));
    if (it == object_.MemberEnd()) return;
    if (!it->value.IsBool()) {
      return Fail(what_ + ": member \"" + std::string(name) + "\" is not true or false");
    }
    out = it->value.GetBool();
  }

  const std::optional<client::VerifyFailure>& failure() const { return failure_; }

 private:
  template <typename T>
  void Store(std::string_view name, Result<T> parsed, T& out) {
    if (parsed.has_value()) {
      out = std::move(parsed).value();
    } else {
      Fail(what_ + "." + std::string(name) + ": " + parsed.error().message());
    }
  }
  void Fail(const std::string& message) {
    if (!failure_) failure_ = UsageError(message);
  }

  const rapidjson::Value& object_;
  client::detail::JsonObject json_;
  std::string what_;
  std::optional<client::VerifyFailure> failure_;
};

// One usage line from its JSON object (member names are the field keys).
VerifyResult<ledger::UsageLine> UsageLineFromJson(const rapidjson::Value& value, size_t index) {
  const std::string what = "--lines: lines[" + std::to_string(index) + "]";
  if (!value.IsObject()) return UsageError(what + " is not an object");
  client::detail::JsonObject object(value, what);
  if (Status s = object.OnlyMembers({"line", "work", "licensor", "basis", "use", "stage",
                                     "acquisition", "quantity", "first-use", "last-use",
                                     "territory", "royalty-bearing", "owed"});
      !s.ok()) {
    return UsageError(s.message());
  }
  ledger::UsageLine l;
  LineMemberReader r(value, what);
  r.Required("line", Text, l.line_id);
  r.Works("work", l.works);
  r.Optional("licensor", Vkey, l.licensor);
  r.Required("basis", Basis, l.basis);
  r.Required("use", Enum<ledger::Use>, l.use);
  r.Required("stage", Enum<ledger::Stage>, l.stage);
  r.Optional("acquisition", ledger::ParseTimestamp, l.acquisition);
  r.Required("quantity", Quantity, l.quantity);
  r.Required("first-use", ledger::ParseTimestamp, l.first_use);
  r.Required("last-use", ledger::ParseTimestamp, l.last_use);
  r.Optional("territory", Text, l.territory);
  r.Flag("royalty-bearing", l.royalty_bearing);
  r.Optional("owed", Money, l.owed);
  if (r.failure()) return *r.failure();
  return l;
}

VerifyResult<std::vector<ledger::UsageLine>> UsageLinesFromFile(const std::string& path) {
  LTL_CLI_TRY(std::string json, ReadInput(path));
  rapidjson::Document doc;
  if (Status s = client::detail::ParseJsonObject(json, doc); !s.ok()) {
    return UsageError("--lines " + path + ": " + s.message());
  }
  client::detail::JsonObject top(doc, "--lines " + path);
  if (Status s = top.OnlyMembers({"lines"}); !s.ok()) return UsageError(s.message());
  auto array = top.Array("lines");
  if (!array.has_value()) return UsageError(array.error().message());
  std::vector<ledger::UsageLine> lines;
  size_t index = 0;
  for (const rapidjson::Value& line : (*array)->GetArray()) {
    LTL_CLI_TRY(ledger::UsageLine l, UsageLineFromJson(line, index++));
    lines.push_back(std::move(l));
  }
  return lines;
}

CommandResult Usage(const Invocation& inv) {
  LTL_CLI_TRY(Common c, ReadCommon(inv, "attester"));
  ledger::UsageAttestation u;
  u.attester = c.party;
  u.issued = c.issued;
  u.attestation_id = *inv.flags.Get("attestation-id");
  u.model = *inv.flags.Get("model");
  FlagReader r(inv);
  r.All("model-dependency", Text, u.model_dependencies);
  r.Time("period-start", u.period_start);
  r.Time("period-end", u.period_end);
  u.nil = inv.flags.Has("nil");
  r.Maybe("line-set", List, u.line_set);
  if (const std::optional<std::string> path = inv.flags.Get("lines")) {
    auto lines = UsageLinesFromFile(*path);
    if (!lines.has_value()) {
      r.Fail(std::move(lines).error());
    } else {
      u.lines = std::move(lines).value();
    }
  }
  r.All("total", Total, u.totals);
  r.Maybe("supersedes", Ref, u.supersedes);
  return Emit(inv, r, u, c.key);
}

// ---- revoke, reserve, pay, receipt ----------------------------------------------------------

CommandResult RevokeCommand(const Invocation& inv) {
  LTL_CLI_TRY(Common c, ReadCommon(inv, "revoker"));
  ledger::Revoke v;
  v.revoker = c.party;
  v.issued = c.issued;
  FlagReader r(inv);
  r.One("target", Ref, v.target);
  r.One("reason", Enum<ledger::RevokeReason>, v.reason);
  r.MaybeTime("effective-at", v.effective_at);
  r.Maybe("wind-down", ledger::ParseDuration, v.wind_down);
  return Emit(inv, r, v, c.key);
}

CommandResult Reserve(const Invocation& inv) {
  LTL_CLI_TRY(Common c, ReadCommon(inv, "declarant"));
  ledger::Reservation v;
  v.declarant = c.party;
  v.issued = c.issued;
  v.reservation_id = *inv.flags.Get("reservation-id");
  FlagReader r(inv);
  r.Works("work", v.works);
  r.Maybe("work-set", List, v.work_set);
  r.All("reserve-use", Enum<ledger::Use>, v.reserve_uses);
  r.Maybe("licence-at", Text, v.licence_at);
  return Emit(inv, r, v, c.key);
}

CommandResult Pay(const Invocation& inv) {
  LTL_CLI_TRY(Common c, ReadCommon(inv, "payer"));
  ledger::Payment p;
  p.payer = c.party;
  p.issued = c.issued;
  p.payment_id = *inv.flags.Get("payment-id");
  FlagReader r(inv);
  r.One("payee", Vkey, p.payee);
  r.All("grant", Ref, p.grants);
  r.All("usage", Ref, p.usages);
  r.One("amount", Money, p.amount);
  p.paid_at = c.issued;
  r.Time("paid-at", p.paid_at);
  r.Maybe("reference", Text, p.reference);
  return Emit(inv, r, p, c.key);
}

CommandResult ReceiptCommand(const Invocation& inv) {
  LTL_CLI_TRY(Common c, ReadCommon(inv, "payee"));
  ledger::Receipt p;
  p.payee = c.party;
  p.issued = c.issued;
  p.receipt_id = *inv.flags.Get("receipt-id");
  FlagReader r(inv);
  r.One("payer", Vkey, p.payer);
  r.One("payment", Ref, p.payment);
  r.One("amount", Money, p.amount);
  p.received_at = c.issued;
  r.Time("received-at", p.received_at);
  return Emit(inv, r, p, c.key);
}

// ---- The table ------------------------------------------------------------------------------

FlagSpec Req(std::string_view name, std::string_view value, std::string_view help) {
  return FlagSpec{name, value, help, true, false};
}
FlagSpec Opt(std::string_view name, std::string_view value, std::string_view help) {
  return FlagSpec{name, value, help, false, false};
}
FlagSpec Rep(std::string_view name, std::string_view value, std::string_view help,
             bool required = false) {
  return FlagSpec{name, value, help, required, true};
}
FlagSpec Switch(std::string_view name, std::string_view help) {
  return FlagSpec{name, "", help, false, false};
}

constexpr std::string_view kComposeDetails =
    "Prints the entry text (sign it with `ltl sign`), or with --key the signed entry.\n"
    "Each flag writes the entry field of the same name with that field's syntax\n"
    "(docs/entries.md); quote values that contain spaces. The composed entry must\n"
    "pass every rule the log applies, or the command fails with exit code 4.\n"
    "With --submit --key KEYFILE --out FILE --log URL --log-key VKEY: compose, sign,\n"
    "write FILE, submit, verify the receipt and save FILE.receipt.json in one step.\n";

}  // namespace

std::vector<Command> ComposeCommands() {
  // Called once (main.cpp keeps the table); the texts outlive the table.
  static const std::string kGrantDetails =
      "An offer is signed by the licensor; an agreement names a --licensee and needs\n"
      "both signatures (the licensee adds theirs with `ltl sign`). --kind defaults to\n"
      "agreement when --licensee names a key, else offer. --not-before defaults to\n"
      "--issued.\n\n" +
      std::string(kComposeDetails);
  static const std::string kUsageDetails =
      "Usage lines come from --lines FILE.json, an object {\"lines\": [...]} whose\n"
      "items have the usage-line field keys as members: \"line\", \"work\" (an array),\n"
      "\"licensor\", \"basis\", \"use\", \"stage\", \"acquisition\", \"quantity\",\n"
      "\"first-use\", \"last-use\", \"territory\", \"royalty-bearing\" (true or false)\n"
      "and \"owed\"; values have the field's syntax, unknown members are refused.\n"
      "Example: docs/cli.md#usage. Use --nil for an explicit report of no usage.\n\n" +
      std::string(kComposeDetails);
  std::vector<Command> out;
  out.push_back(Command{
      "grant", "compose a licence-grant entry (an offer, or an agreement to co-sign)",
      kGrantDetails, PositionalSpec{},
      Concat(
          EmitFlags("sign as the licensor with this private key", false),
          std::vector<FlagSpec>{
              Req("grant-id", "ID", "the grant's identifier, e.g. g-2026-001"),
              Opt("kind", "KIND", "offer or agreement"),
              Opt("licensor", "VKEY", "the licensor's verifier key (default: --key's)"),
              Rep("rightsholder", "'PARTY BPS'", "a rights holder (VKEY or party id) and share"),
              Opt("licensee", "VKEY", "the licensee's verifier key, or * (default: *)"),
              Rep("work", "WORK-ID", "a work, e.g. isrc:GBAYE6900531"),
              Opt("work-set", "'ROOT COUNT URL'", "a Merkle-committed list of works"),
              Rep("permit-use", "USE",
                  "train-genai, train-other, ai-input, ai-index, search, "
                  "mine, ai-all, all",
                  true),
              Rep("prohibit-use", "USE", "a use removed from the permitted ones"),
              Rep("stage", "STAGE", "pretrain, fine-tune, post-train, eval, rag, inference"),
              Rep("user-class", "CLASS",
                  "commercial, non-commercial, education, government, personal"),
              Rep("territory", "CODE", "ISO 3166-1 alpha-2, EU or WORLD", true),
              Rep("model", "MODEL", "a model scope, e.g. bob-ai.example/songwriter"),
              Opt("not-before", "TIME", "start of the term (default: --issued)"),
              Opt("not-after", "TIME", "end of the term"),
              Opt("after-term", "TERM", "retain-models, no-new-training, cease-input or cease-all"),
              Switch("exclusive", "the licence is exclusive"),
              Switch("sublicense", "sublicensing is allowed"),
              Rep("payment", "TERM",
                  "'free', 'MODEL AMOUNT CUR UNIT' or 'revenue-share BPS bps BASE'"),
              Opt("minimum", "'AMOUNT CUR'", "minimum payment"),
              Opt("report-every", "DURATION", "usage reporting period, e.g. P1M"),
              Opt("pay-within", "DURATION", "payment deadline, e.g. P30D"),
              Opt("attribution", "TEXT", "attribution text"),
              Opt("terms", "'URL SHA256'", "the contract text and its digest"),
              Opt("commit", "sha256:HEX", "commitment to undisclosed terms"),
              Opt("supersedes", "REF", "entry ref of the grant this one replaces"),
          }),
      Grant});
  out.push_back(Command{
      "usage", "compose a usage attestation (an AI firm's report of what it used)", kUsageDetails,
      PositionalSpec{},
      Concat(EmitFlags("sign as the attester with this private key", false),
             std::vector<FlagSpec>{
                 Req("attestation-id", "ID", "the report's identifier, e.g. 2026-02"),
                 Opt("attester", "VKEY", "the attester's verifier key (default: --key's)"),
                 Req("model", "MODEL@VERSION", "the model, e.g. bob-ai.example/songwriter@2.1"),
                 Rep("model-dependency", "MODEL@VERSION", "a model this one derives from"),
                 Req("period-start", "TIME", "start of the reporting period"),
                 Req("period-end", "TIME", "end of the reporting period"),
                 Switch("nil", "report no usage in the period"),
                 Opt("line-set", "'ROOT COUNT URL'", "a Merkle-committed list of usage lines"),
                 Opt("lines", "FILE.json", "usage lines (see below)"),
                 Rep("total", "'VKEY AMOUNT CUR'", "amount owed to one licensor"),
                 Opt("supersedes", "REF", "entry ref of the attestation this one replaces"),
             }),
      Usage});
  out.push_back(Command{
      "revoke", "compose a revoke entry ending a grant", std::string_view(kComposeDetails),
      PositionalSpec{},
      Concat(EmitFlags("sign as the revoker with this private key", false),
             std::vector<FlagSpec>{
                 Req("target", "REF", "entry ref of the grant to end"),
                 Opt("revoker", "VKEY", "the revoker's verifier key (default: --key's)"),
                 Req("reason", "REASON",
                     "breach, non-payment, mutual, superseded, issued-in-error, key-compromise, "
                     "other"),
                 Opt("effective-at", "TIME", "when it takes effect (default: log time)"),
                 Opt("wind-down", "DURATION", "wind-down period, e.g. P2W"),
             }),
      RevokeCommand});
  out.push_back(Command{
      "reserve", "compose a reservation (a text-and-data-mining opt-out for works)",
      std::string_view(kComposeDetails), PositionalSpec{},
      Concat(EmitFlags("sign as the declarant with this private key", false),
             std::vector<FlagSpec>{
                 Req("reservation-id", "ID", "the reservation's identifier"),
                 Opt("declarant", "VKEY", "the declarant's verifier key (default: --key's)"),
                 Rep("work", "WORK-ID", "a reserved work"),
                 Opt("work-set", "'ROOT COUNT URL'", "a Merkle-committed list of works"),
                 Rep("reserve-use", "USE", "a reserved use, e.g. all", true),
                 Opt("licence-at", "URL", "where to ask for a licence"),
             }),
      Reserve});
  out.push_back(Command{
      "pay", "compose a payment statement", std::string_view(kComposeDetails), PositionalSpec{},
      Concat(EmitFlags("sign as the payer with this private key", false),
             std::vector<FlagSpec>{
                 Req("payment-id", "ID", "the payment's identifier"),
                 Opt("payer", "VKEY", "the payer's verifier key (default: --key's)"),
                 Req("payee", "VKEY", "the payee's verifier key"),
                 Rep("grant", "REF", "entry ref of a grant paid under", true),
                 Rep("usage", "REF", "entry ref of an attestation this settles"),
                 Req("amount", "'AMOUNT CUR'", "the amount paid, e.g. '1000 EUR'"),
                 Opt("paid-at", "TIME", "when it was paid (default: --issued)"),
                 Opt("reference", "ID", "e.g. a bank transfer reference"),
             }),
      Pay});
  out.push_back(
      Command{"receipt", "compose a payment receipt entry (the payee acknowledges a payment)",
              std::string_view(kComposeDetails), PositionalSpec{},
              Concat(EmitFlags("sign as the payee with this private key", false),
                     std::vector<FlagSpec>{
                         Req("receipt-id", "ID", "the receipt's identifier"),
                         Opt("payee", "VKEY", "the payee's verifier key (default: --key's)"),
                         Req("payer", "VKEY", "the payer's verifier key"),
                         Req("payment", "REF", "entry ref of the payment acknowledged"),
                         Req("amount", "'AMOUNT CUR'", "the amount received"),
                         Opt("received-at", "TIME", "when it was received (default: --issued)"),
                     }),
              ReceiptCommand});
  return out;
}

}  // namespace ltl::cli
