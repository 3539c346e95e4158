// Cross-type properties over a seeded generator of valid entries:
//   1. format -> parse -> format is the identity on text, and parse inverts
//      format on values, for every entry type;
//   2. every text the parser accepts is canonical: flipping, inserting or
//      deleting a byte of a valid text either is rejected or yields a text that
//      formats back to itself (no two spellings of one entry both parse).
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "ledger/codes.h"
#include "ledger/entry.h"
#include "tests/ledger/entry_samples.h"

namespace ltl::ledger {
namespace {

class EntryGenerator {
 public:
  explicit EntryGenerator(uint64_t seed) : rng_(seed) {
    for (uint8_t i = 0; i < 6; ++i) {
      keys_.push_back(samples::KeyFromSeedByte("party" + std::to_string(i) + ".example/ltl",
                                               static_cast<uint8_t>(0x40 + i))
                          .verifier());
    }
  }

  EntryBody Any() {
    switch (Below(8)) {
      case 0:
        return Key();
      case 1:
        return KeyRevokeEntry();
      case 2:
        return Grant();
      case 3:
        return Usage();
      case 4:
        return RevokeEntry();
      case 5:
        return ReservationEntry();
      case 6:
        return PaymentEntry();
      default:
        return ReceiptEntry();
    }
  }

 private:
  uint64_t Below(uint64_t n) { return rng_() % n; }
  bool Coin() { return Below(2) == 0; }

  char Pick(std::string_view alphabet) { return alphabet[Below(alphabet.size())]; }
  std::string Chars(std::string_view alphabet, size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s += Pick(alphabet);
    return s;
  }
  static constexpr std::string_view kDigits = "0123456789";
  static constexpr std::string_view kUpperHex = "0123456789ABCDEF";
  static constexpr std::string_view kAlnum =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  VerifierKey AnyKey() { return keys_[Below(keys_.size())]; }
  // Two different keys.
  std::pair<VerifierKey, VerifierKey> TwoKeys() {
    const size_t a = Below(keys_.size());
    const size_t b = (a + 1 + Below(keys_.size() - 1)) % keys_.size();
    return {keys_[a], keys_[b]};
  }
  std::string Id() { return Chars(kAlnum, 1) + Chars("abc123._:-", Below(20)); }
  Timestamp Time() { return Timestamp{static_cast<int64_t>(Below(4'102'444'800))}; }  // < 2100
  Timestamp After(Timestamp t) {
    return Timestamp{t.unix_seconds + 1 + static_cast<int64_t>(Below(400'000'000))};
  }
  Decimal Amount() {
    // Mix of small, large and fractional values, all canonical by construction.
    const unsigned __int128 whole = Coin() ? Below(1000) : rng_() % 1'000'000'000'000'000'000ull;
    const unsigned __int128 frac = Coin() ? 0 : Below(1'000'000'000);
    return Decimal::FromNanoUnits(whole * 1'000'000'000u + frac).value();
  }
  std::string Currency() {
    const auto codes = CurrencyCodes();
    return std::string(codes[Below(codes.size())]);
  }
  Money AnyMoney() { return Money{Amount(), Currency()}; }
  std::string Territory() {
    const auto codes = TerritoryCodes();
    std::string_view c;
    do c = codes[Below(codes.size())];
    while (c == "WORLD");
    return std::string(c);
  }
  proofs::Hash Hash() {
    proofs::Hash h;
    for (auto& b : h) b = static_cast<uint8_t>(rng_());
    return h;
  }
  std::string Text() {
    static constexpr std::string_view kWords[] = {"Alice", "Müller", "東京",     "Records", "&",
                                                  "Co.",   "Ltd",    "éditions", "1999"};
    std::string s(kWords[Below(std::size(kWords))]);
    for (uint64_t n = Below(4); n > 0; --n)
      s += " " + std::string(kWords[Below(std::size(kWords))]);
    return s;
  }
  std::string Url() {
    return (Coin() ? "https://" : "http://") + Chars("abcxyz", 5) + ".example/" +
           Chars(kAlnum, Below(12));
  }
  MerkleList List() { return MerkleList{Hash(), 1 + Below(1'000'000), Url()}; }
  Duration AnyDuration() {
    return Duration{static_cast<uint32_t>(1 + Below(kMaxDurationCount)),
                    static_cast<DurationUnit>(Below(4))};
  }
  template <typename E>
  E AnyOf() {
    return static_cast<E>(Below(EnumNames<E>::kNames.size()));
  }
  template <typename E>
  std::vector<E> DistinctSubset(size_t max) {
    std::vector<E> all;
    for (size_t i = 0; i < EnumNames<E>::kNames.size(); ++i) all.push_back(static_cast<E>(i));
    std::shuffle(all.begin(), all.end(), rng_);
    all.resize(Below(std::min(max, all.size()) + 1));
    return all;
  }
  std::string Model(bool version) {
    std::string m = Chars("abcdefgh", 4) + ".example/" + Chars("abcdefgh0123", 1 + Below(8));
    if (version) m += "@" + Chars(kDigits, 1) + "." + Chars(kDigits, 1);
    return m;
  }

  std::string Iswc() {
    std::string d = Chars(kDigits, 9);
    int sum = 1;
    for (int i = 0; i < 9; ++i) sum += (i + 1) * (d[static_cast<size_t>(i)] - '0');
    d += static_cast<char>('0' + (10 - sum % 10) % 10);
    return Coin() ? "T" + d
                  : "T-" + d.substr(0, 3) + "." + d.substr(3, 3) + "." + d.substr(6, 3) + "-" +
                        d.substr(9);
  }
  std::string Isbn() {
    if (Coin()) {
      std::string d = "97" + Chars("89", 1) + Chars(kDigits, 9);
      int sum = 0;
      for (int i = 0; i < 12; ++i) sum += (d[static_cast<size_t>(i)] - '0') * (i % 2 ? 3 : 1);
      d += static_cast<char>('0' + (10 - sum % 10) % 10);
      return Coin() ? d
                    : d.substr(0, 3) + "-" + d.substr(3, 1) + "-" + d.substr(4, 4) + "-" +
                          d.substr(8, 4) + "-" + d.substr(12);
    }
    std::string d = Chars(kDigits, 9);
    int sum = 0;
    for (int i = 0; i < 9; ++i) sum += (d[static_cast<size_t>(i)] - '0') * (10 - i);
    const int check = (11 - sum % 11) % 11;
    d += check == 10 ? 'X' : static_cast<char>('0' + check);
    return d;
  }
  std::string Issn() {
    std::string d = Chars(kDigits, 7);
    int sum = 0;
    for (int i = 0; i < 7; ++i) sum += (d[static_cast<size_t>(i)] - '0') * (8 - i);
    const int check = (11 - sum % 11) % 11;
    return d.substr(0, 4) + "-" + d.substr(4) +
           (check == 10 ? 'X' : static_cast<char>('0' + check));
  }
  std::string HexGroups(size_t groups, std::string& hex) {
    std::string out;
    for (size_t g = 0; g < groups; ++g) {
      const std::string part = Chars(kUpperHex, 4);
      hex += part;
      out += (g ? "-" : "") + part;
    }
    return out;
  }
  WorkId Work() {
    std::string text;
    switch (Below(10)) {
      case 0:
        text = "iscc:" + Chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16 + Below(40));
        break;
      case 1: {
        const std::string c = Chars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 2) +
                              Chars(kAlnum, 3) + Chars(kDigits, 7);
        text = "isrc:" + (Coin() ? c
                                 : c.substr(0, 2) + "-" + c.substr(2, 3) + "-" + c.substr(5, 2) +
                                       "-" + c.substr(7));
        break;
      }
      case 2:
        text = "iswc:" + Iswc();
        break;
      case 3:
        text = "isbn:" + Isbn();
        break;
      case 4:
        text = "issn:" + Issn();
        break;
      case 5:
        text = "doi:10." + Chars(kDigits, 4) + "/" + Chars(kAlnum, 1 + Below(20));
        break;
      case 6: {
        std::string hex;
        text = "isan:" + HexGroups(4, hex);
        text += std::string("-") + detail::Iso7064Mod3736Check(hex);
        if (Coin()) {
          text += "-" + HexGroups(2, hex);
          text += std::string("-") + detail::Iso7064Mod3736Check(hex);
        }
        break;
      }
      case 7: {
        std::string hex;
        text = "eidr:10.5240/" + HexGroups(5, hex);
        text += std::string("-") + detail::Iso7064Mod3736Check(hex);
        break;
      }
      case 8:
        text = "url:" + Url() + (Coin() ? "*" : "");
        break;
      default:
        text = "sha256:" + proofs::HashToHex(Hash());
        break;
    }
    auto id = ParseWorkId(text);
    EXPECT_TRUE(id.has_value()) << text << ": " << id.error();
    return id.value_or(WorkId{});
  }
  std::vector<WorkId> Works(size_t min) {
    std::vector<WorkId> works;
    std::set<std::string> seen;
    for (uint64_t n = min + Below(4); works.size() < n;) {
      WorkId w = Work();
      if (seen.insert(NormaliseWorkId(w)).second) works.push_back(std::move(w));
    }
    return works;
  }
  // Non-redundant use lists: one aggregate, or distinct concrete uses.
  std::vector<Use> Uses() {
    switch (Below(3)) {
      case 0:
        return {Use::kAll};
      case 1:
        return {Use::kAiAll};
      default: {
        std::vector<Use> uses;
        for (size_t i = 0; i < kConcreteUseCount; ++i) {
          if (Coin()) uses.push_back(static_cast<Use>(i));
        }
        if (uses.empty()) uses.push_back(Use::kSearch);
        std::shuffle(uses.begin(), uses.end(), rng_);
        return uses;
      }
    }
  }

  KeyEntry Key() {
    KeyEntry e;
    auto [key, previous] = TwoKeys();
    e.key = key;
    if (Coin()) e.previous_key = previous;
    e.roles = DistinctSubset<Role>(3);
    if (e.roles.empty()) e.roles.push_back(Role::kMonitor);
    if (Coin()) e.party_name = Text();
    if (Coin()) e.party_ids = {PartyId{PartyIdScheme::kIsni, "0000000218250097"}};
    if (Coin()) e.party_ids.push_back(PartyId{PartyIdScheme::kIpi, Chars(kDigits, 11)});
    e.not_before = Time();
    if (Coin()) e.not_after = After(e.not_before);
    e.issued = Time();
    return e;
  }

  KeyRevoke KeyRevokeEntry() {
    KeyRevoke e;
    auto [key, by] = TwoKeys();
    e.key = key;
    if (Coin()) e.revoked_by = by;
    e.reason = AnyOf<KeyRevokeReason>();
    if (e.reason == KeyRevokeReason::kCompromised) e.compromised_since = Time();
    e.issued = Time();
    return e;
  }

  PaymentTerm Term() {
    PaymentTerm p;
    p.model = static_cast<PaymentModel>(1 + Below(7));  // never free here
    if (p.model == PaymentModel::kRevenueShare) {
      p.share_bps = static_cast<uint32_t>(Below(10001));
      p.base = AnyOf<RevenueBase>();
    } else {
      p.price = AnyMoney();
      p.unit = AnyOf<PaymentUnit>();
    }
    return p;
  }

  LicenceGrant Grant() {
    LicenceGrant g;
    g.grant_id = Id();
    g.kind = AnyOf<GrantKind>();
    auto [licensor, licensee] = TwoKeys();
    g.licensor = licensor;
    if (g.kind == GrantKind::kAgreement || Coin()) g.licensee = licensee;
    if (Coin()) {
      g.rightsholders = {Rightsholder{licensor, static_cast<uint32_t>(1 + Below(5000))},
                         Rightsholder{PartyId{PartyIdScheme::kIsni, "0000000218250097"},
                                      static_cast<uint32_t>(1 + Below(5000))}};
    }
    g.works = Works(0);
    if (g.works.empty() || Coin()) g.work_set = List();
    g.permit_uses = Uses();
    // Prohibit one concrete use that leaves something permitted.
    const UseSet permitted = ExpandUses(g.permit_uses);
    for (size_t i = 0; i < kConcreteUseCount; ++i) {
      const Use u = static_cast<Use>(i);
      if (Coin() && permitted.contains(u) && !Minus(permitted, ExpandUse(u)).empty()) {
        g.prohibit_uses = {u};
        break;
      }
    }
    g.stages = DistinctSubset<Stage>(3);
    g.user_classes = DistinctSubset<UserClass>(2);
    if (Coin()) {
      g.territories = {"WORLD"};
    } else {
      const std::string a = Territory();
      std::string b = Territory();
      g.territories = a == b ? std::vector<std::string>{a} : std::vector<std::string>{a, b};
    }
    if (Coin()) g.models = {Model(Coin())};
    g.not_before = Time();
    if (Coin()) g.not_after = After(g.not_before);
    if (Coin()) g.after_term = AnyOf<AfterTerm>();
    g.exclusive = Coin();
    g.sublicense = Coin();
    if (Below(4) == 0) {
      g.payments = {PaymentTerm{}};  // free
    } else {
      g.payments = {Term()};
      if (Coin()) {
        PaymentTerm second = Term();
        if (!(second == g.payments[0])) g.payments.push_back(second);
      }
      if (Coin()) g.minimum = AnyMoney();
    }
    if (Coin()) g.report_every = AnyDuration();
    if (Coin()) g.pay_within = AnyDuration();
    if (Coin()) g.attribution = Text();
    if (Coin()) g.terms = Terms{Url(), Hash()};
    if (Coin()) g.commit = Hash();
    if (Coin()) g.supersedes = Hash();
    g.issued = Time();
    return g;
  }

  UsageLine Line(size_t index) {
    UsageLine l;
    l.line_id = std::to_string(index + 1);
    l.works = Works(1);
    l.basis.kind = AnyOf<BasisKind>();
    if (l.basis.kind == BasisKind::kLicence) l.basis.licence = Hash();
    if (l.basis.kind == BasisKind::kOpenLicence) l.basis.spdx = Coin() ? "CC-BY-4.0" : "MIT";
    if (l.basis.kind == BasisKind::kLicence || Coin()) l.licensor = AnyKey();
    l.use = static_cast<Use>(Below(kConcreteUseCount));
    l.stage = AnyOf<Stage>();
    if (Coin()) l.acquisition = Time();
    l.quantity = Quantity{Amount(), AnyOf<QuantityUnit>()};
    l.first_use = Time();
    l.last_use = Coin() ? l.first_use : After(l.first_use);
    if (Coin()) l.territory = Territory();
    l.royalty_bearing = Coin();
    if (Coin()) l.owed = AnyMoney();
    return l;
  }

  UsageAttestation Usage() {
    UsageAttestation u;
    u.attestation_id = Id();
    u.attester = AnyKey();
    u.model = Model(true);
    if (Coin()) u.model_dependencies = {Model(true)};
    u.period_start = Time();
    u.period_end = After(u.period_start);
    if (Below(4) == 0) {
      u.nil = true;
    } else {
      if (Coin()) u.line_set = List();
      const size_t lines = u.line_set ? Below(3) : 1 + Below(4);
      for (size_t i = 0; i < lines; ++i) u.lines.push_back(Line(i));
      if (Coin()) u.totals = {UsageTotal{AnyKey(), AnyMoney()}};
    }
    if (Coin()) u.supersedes = Hash();
    u.issued = Time();
    return u;
  }

  Revoke RevokeEntry() {
    Revoke v;
    v.target = Hash();
    v.revoker = AnyKey();
    v.reason = AnyOf<RevokeReason>();
    if (Coin()) v.effective_at = Time();
    if (Coin()) v.wind_down = AnyDuration();
    v.issued = Time();
    return v;
  }

  Reservation ReservationEntry() {
    Reservation v;
    v.reservation_id = Id();
    v.declarant = AnyKey();
    v.works = Works(0);
    if (v.works.empty() || Coin()) v.work_set = List();
    v.reserve_uses = Uses();
    if (Coin()) v.licence_at = Url();
    v.issued = Time();
    return v;
  }

  Payment PaymentEntry() {
    Payment p;
    p.payment_id = Id();
    std::tie(p.payer, p.payee) = TwoKeys();
    p.grants = {Hash()};
    if (Coin()) p.grants.push_back(Hash());
    if (Coin()) p.usages = {Hash()};
    p.amount = AnyMoney();
    p.paid_at = Time();
    if (Coin()) p.reference = Id();
    p.issued = Time();
    return p;
  }

  Receipt ReceiptEntry() {
    Receipt p;
    p.receipt_id = Id();
    std::tie(p.payee, p.payer) = TwoKeys();
    p.payment = Hash();
    p.amount = AnyMoney();
    p.received_at = Time();
    p.issued = Time();
    return p;
  }

  std::mt19937_64 rng_;
  std::vector<VerifierKey> keys_;
};

TEST(EntryPropertyTest, FormatParseFormatIsIdentityForEveryType) {
  EntryGenerator gen(20260101);
  std::set<EntryType> types_seen;
  for (int i = 0; i < 3000; ++i) {
    const EntryBody body = gen.Any();
    types_seen.insert(TypeOf(body));
    const std::string text = FormatEntryText(body);
    auto parsed = ParseEntryText(text);
    ASSERT_TRUE(parsed.has_value()) << "iteration " << i << ": " << parsed.error() << "\n" << text;
    ASSERT_EQ(*parsed, body) << "iteration " << i << "\n" << text;
    ASSERT_EQ(FormatEntryText(*parsed), text) << "iteration " << i;
  }
  EXPECT_EQ(types_seen.size(), 8u);
}

TEST(EntryPropertyTest, EveryAcceptedMutationIsItselfCanonical) {
  EntryGenerator gen(42);
  std::mt19937_64 rng(43);
  int accepted = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string text = FormatEntryText(gen.Any());
    const size_t at = rng() % text.size();
    switch (rng() % 3) {
      case 0:
        text[at] = static_cast<char>(text[at] ^ (1u << (rng() % 8)));
        break;  // bit flip
      case 1:
        text.insert(at, 1, " 0a.-:\n"[rng() % 7]);
        break;  // insertion
      default:
        text.erase(at, 1);
        break;  // deletion
    }
    auto parsed = ParseEntryText(text);
    if (!parsed.has_value()) {
      EXPECT_FALSE(ReasonCode(parsed.error()).empty()) << parsed.error();
      continue;
    }
    ++accepted;
    EXPECT_EQ(FormatEntryText(*parsed), text) << "a second spelling parsed:\n" << text;
  }
  // Some mutations (a digit in a time, a letter in an id) stay valid; the
  // property is only meaningful if they occur.
  EXPECT_GT(accepted, 0);
}

}  // namespace
}  // namespace ltl::ledger
