// The closed vocabularies of entry values (docs/entries.md, section 3.6):
// uses, stages, user classes, key roles, payment models and units, usage
// bases, quantity units, revocation reasons and the like.
//
// Each enumeration has exactly one text spelling per value, lower-case ASCII,
// given by EnumNames<E>::kNames in enumerator order. The aggregate uses
// `ai-all` and `all` are kept as written (so texts round-trip) and expanded
// by ExpandUses(); prohibitions are applied with UseSet arithmetic.
// Thread-safety: constants and pure functions.
#ifndef LTL_LEDGER_VOCAB_H_
#define LTL_LEDGER_VOCAB_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace ltl::ledger {

// Concrete uses first, aggregates last (kAiAll, kAll). The order of concrete
// uses is the bit order of UseSet.
enum class Use : uint8_t {
  kTrainGenai,
  kTrainOther,
  kAiInput,
  kAiIndex,
  kSearch,
  kMine,
  kAiAll,  // train-genai, train-other, ai-input, ai-index
  kAll,    // every concrete use
};
inline constexpr size_t kConcreteUseCount = 6;
bool IsAggregateUse(Use use);

// A set of concrete uses, one bit per concrete Use.
struct UseSet {
  uint8_t bits = 0;
  bool empty() const { return bits == 0; }
  bool contains(Use concrete) const { return (bits >> static_cast<unsigned>(concrete)) & 1u; }
  friend bool operator==(const UseSet&, const UseSet&) = default;
};
UseSet ExpandUse(Use use);
UseSet ExpandUses(std::span<const Use> uses);
inline UseSet Minus(UseSet a, UseSet b) { return UseSet{static_cast<uint8_t>(a.bits & ~b.bits)}; }

enum class Stage : uint8_t { kPretrain, kFineTune, kPostTrain, kEval, kRag, kInference };
enum class UserClass : uint8_t { kCommercial, kNonCommercial, kEducation, kGovernment, kPersonal };
enum class Role : uint8_t { kLicensor, kAgent, kCmo, kLicensee, kMonitor, kWitness, kLog };
enum class GrantKind : uint8_t { kOffer, kAgreement };
enum class AfterTerm : uint8_t { kRetainModels, kNoNewTraining, kCeaseInput, kCeaseAll };
// RSL payment types that carry a price, plus `free` and `revenue-share`.
enum class PaymentModel : uint8_t {
  kFree,
  kPurchase,
  kSubscription,
  kTraining,
  kCrawl,
  kUse,
  kContribution,
  kRevenueShare,
};
enum class PaymentUnit : uint8_t {
  kFlat,
  kPerWork,
  kPerFetch,
  kPer1kOutputs,
  kPer1mTokens,
  kPerPeriod,
};
enum class RevenueBase : uint8_t { kGrossRevenue, kNetRevenue };
enum class BasisKind : uint8_t {
  kLicence,  // licence <entry-ref>
  kTdmException,
  kResearchException,
  kOpenLicence,  // open-licence <spdx>
  kPublicDomain,
  kOwned,
  kNone,  // disclosed and unlicensed
};
enum class QuantityUnit : uint8_t {
  kItems,
  kTokens,
  kBytes,
  kSeconds,
  kFetches,
  kRetrievals,
  kOutputs
};
enum class RevokeReason : uint8_t {
  kBreach,
  kNonPayment,
  kMutual,
  kSuperseded,
  kIssuedInError,  // retroactive: void from the start
  kKeyCompromise,  // retroactive: void from the start
  kOther,
};
enum class KeyRevokeReason : uint8_t { kCompromised, kSuperseded, kRetired };
enum class PartyIdScheme : uint8_t { kIsni, kIpi, kLei };

// Spellings, in enumerator order.
template <typename E>
struct EnumNames;
template <>
struct EnumNames<Use> {
  static constexpr std::array<std::string_view, 8> kNames = {
      "train-genai", "train-other", "ai-input", "ai-index", "search", "mine", "ai-all", "all"};
};
template <>
struct EnumNames<Stage> {
  static constexpr std::array<std::string_view, 6> kNames = {"pretrain", "fine-tune", "post-train",
                                                             "eval",     "rag",       "inference"};
};
template <>
struct EnumNames<UserClass> {
  static constexpr std::array<std::string_view, 5> kNames = {"commercial", "non-commercial",
                                                             "education", "government", "personal"};
};
template <>
struct EnumNames<Role> {
  static constexpr std::array<std::string_view, 7> kNames = {
      "licensor", "agent", "cmo", "licensee", "monitor", "witness", "log"};
};
template <>
struct EnumNames<GrantKind> {
  static constexpr std::array<std::string_view, 2> kNames = {"offer", "agreement"};
};
template <>
struct EnumNames<AfterTerm> {
  static constexpr std::array<std::string_view, 4> kNames = {"retain-models", "no-new-training",
                                                             "cease-input", "cease-all"};
};
template <>
struct EnumNames<PaymentModel> {
  static constexpr std::array<std::string_view, 8> kNames = {
      "free",  "purchase", "subscription", "training",
      "crawl", "use",      "contribution", "revenue-share"};
};
template <>
struct EnumNames<PaymentUnit> {
  static constexpr std::array<std::string_view, 6> kNames = {
      "flat", "per-work", "per-fetch", "per-1k-outputs", "per-1m-tokens", "per-period"};
};
template <>
struct EnumNames<RevenueBase> {
  static constexpr std::array<std::string_view, 2> kNames = {"gross-revenue", "net-revenue"};
};
template <>
struct EnumNames<BasisKind> {
  static constexpr std::array<std::string_view, 7> kNames = {
      "licence", "tdm-exception", "research-exception", "open-licence", "public-domain",
      "owned",   "none"};
};
template <>
struct EnumNames<QuantityUnit> {
  static constexpr std::array<std::string_view, 7> kNames = {
      "items", "tokens", "bytes", "seconds", "fetches", "retrievals", "outputs"};
};
template <>
struct EnumNames<RevokeReason> {
  static constexpr std::array<std::string_view, 7> kNames = {
      "breach",          "non-payment",    "mutual", "superseded",
      "issued-in-error", "key-compromise", "other"};
};
template <>
struct EnumNames<KeyRevokeReason> {
  static constexpr std::array<std::string_view, 3> kNames = {"compromised", "superseded",
                                                             "retired"};
};
template <>
struct EnumNames<PartyIdScheme> {
  static constexpr std::array<std::string_view, 3> kNames = {"isni", "ipi", "lei"};
};

template <typename E>
constexpr std::string_view NameOf(E value) {
  return EnumNames<E>::kNames[static_cast<size_t>(value)];
}

// The value spelled exactly `text`, or nullopt.
template <typename E>
constexpr std::optional<E> EnumFromName(std::string_view text) {
  const auto& names = EnumNames<E>::kNames;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == text) return static_cast<E>(i);
  }
  return std::nullopt;
}

// Whether the revocation applies from the start rather than from log time.
inline bool IsRetroactive(RevokeReason r) {
  return r == RevokeReason::kIssuedInError || r == RevokeReason::kKeyCompromise;
}

}  // namespace ltl::ledger

#endif  // LTL_LEDGER_VOCAB_H_
