// Ledger entries: the typed statements LTL logs (docs/entries.md).
//
// Every entry is a C2SP signed note (ledger/note.h). Its text is a type line
// `ltl/<type>/v1` followed by `key value` lines in a fixed order per type:
//
//   ltl/licence-grant/v1                 <- type line
//   grant-id g-2026-001                  <- key, ONE space, value
//   kind offer
//   licensor alice.example/ltl+1a2b3c4d+AQ...
//   ...
//
// Parsing is strict (STYLE.md habit 7): unknown, duplicate or out-of-order
// keys, empty values, double or trailing spaces, CR, control characters and
// non-canonical values are rejected, never normalised, so that
// FormatEntryText(*ParseEntryText(t)) == t for every accepted t.
//
// Identity and hashing:
//   entry reference = SHA-256(note text), the text without the blank line and
//                     signature lines, so it is stable when a co-signature is
//                     added;
//   log leaf        = the whole signed note (RFC 6962 leaf hash over it).
// An entry, signatures included, is at most kMaxEntrySize bytes: the size a
// tlog-tiles entry bundle can carry (uint16 length prefix).
//
// Errors are InvalidArgument (ResourceExhausted for size, PermissionDenied
// for signatures) whose message starts with a stable reason code, e.g.
// "field_order: line 4 'licensor': expected 'kind'"; ReasonCode() extracts
// it. The codes are listed in docs/entries.md, section 5.
// Thread-safety: value types and pure functions.
#ifndef LTL_LEDGER_ENTRY_H_
#define LTL_LEDGER_ENTRY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/result.h"
#include "ledger/decimal.h"
#include "ledger/keys.h"
#include "ledger/note.h"
#include "ledger/time.h"
#include "ledger/vocab.h"
#include "ledger/work_id.h"
#include "proofs/hash.h"

namespace ltl::ledger {

inline constexpr size_t kMaxEntrySize = 65535;

// The reference of an entry: SHA-256 of its note text. Written in texts as 64
// lower-case hex digits.
using EntryRef = proofs::Hash;

enum class EntryType : uint8_t {
  kKey,
  kKeyRevoke,
  kLicenceGrant,
  kUsage,
  kRevoke,
  kReservation,
  kPayment,
  kReceipt,
};
// "key", "key-revoke", "licence-grant", "usage", "revoke", "reservation",
// "payment", "receipt"; the type line is "ltl/" + name + "/v1".
std::string_view EntryTypeName(EntryType type);

// ---- Value types shared by several entries --------------------------------

// `<decimal> <ISO 4217 code>`, e.g. `12.5 EUR`.
struct Money {
  Decimal amount;
  std::string currency;
  friend bool operator==(const Money&, const Money&) = default;
};

// A party identifier: `isni:<16>` (ISO 27729, check character verified),
// `ipi:<9..11 digits>`, `lei:<20>` (ISO 17442, check digits verified).
struct PartyId {
  PartyIdScheme scheme = PartyIdScheme::kIsni;
  std::string value;
  friend bool operator==(const PartyId&, const PartyId&) = default;
};

// A list committed to by an RFC 6962 Merkle root: `<root hex> <count> <url>`.
struct MerkleList {
  proofs::Hash root{};
  uint64_t count = 0;  // >= 1
  std::string url;
  friend bool operator==(const MerkleList&, const MerkleList&) = default;
};

// ---- The entry types --------------------------------------------------------

// `key`: registers a signing key. Signed by `key` and, on rotation, by
// `previous_key`.
struct KeyEntry {
  VerifierKey key;
  std::optional<VerifierKey> previous_key;
  std::vector<Role> roles;  // >= 1, no duplicates
  std::optional<std::string> party_name;
  std::vector<PartyId> party_ids;
  Timestamp not_before;
  std::optional<Timestamp> not_after;  // > not_before
  Timestamp issued;
  friend bool operator==(const KeyEntry&, const KeyEntry&) = default;
};

// `key-revoke`: withdraws a key. Signed by `revoked_by` if present, else by
// `key` itself. (That `revoked_by` is entitled, e.g. a registered successor,
// is a registry check, not a text rule.)
struct KeyRevoke {
  VerifierKey key;
  std::optional<VerifierKey> revoked_by;
  KeyRevokeReason reason = KeyRevokeReason::kRetired;
  std::optional<Timestamp> compromised_since;  // present iff reason is compromised
  Timestamp issued;
  friend bool operator==(const KeyRevoke&, const KeyRevoke&) = default;
};

struct Rightsholder {
  std::variant<VerifierKey, PartyId> party;
  uint32_t share_bps = 0;  // 1..10000; the shares of a grant sum to <= 10000
  friend bool operator==(const Rightsholder&, const Rightsholder&) = default;
};

// One `payment` line of a grant:
//   payment free
//   payment <model> <amount> <currency> <unit>     (model purchase..contribution)
//   payment revenue-share <bps> bps <base>
// Members not used by the model keep their default values.
struct PaymentTerm {
  PaymentModel model = PaymentModel::kFree;
  Money price;
  PaymentUnit unit = PaymentUnit::kFlat;
  uint32_t share_bps = 0;  // 0..10000
  RevenueBase base = RevenueBase::kGrossRevenue;
  friend bool operator==(const PaymentTerm&, const PaymentTerm&) = default;
};

// `terms <url> <sha256 hex>`: the contract text and its digest.
struct Terms {
  std::string url;
  proofs::Hash sha256{};
  friend bool operator==(const Terms&, const Terms&) = default;
};

// `licence-grant`: an offer (signed by the licensor) or an agreement
// (co-signed by licensor and licensee).
struct LicenceGrant {
  std::string grant_id;
  GrantKind kind = GrantKind::kOffer;
  VerifierKey licensor;
  std::vector<Rightsholder> rightsholders;
  std::optional<VerifierKey> licensee;  // nullopt is `*`, a public offer
  std::vector<WorkId> works;
  std::optional<MerkleList> work_set;
  std::vector<Use> permit_uses;  // as written; aggregates kept
  std::vector<Use> prohibit_uses;
  std::vector<Stage> stages;             // empty: every stage
  std::vector<UserClass> user_classes;   // empty: every class
  std::vector<std::string> territories;  // >= 1
  std::vector<std::string> models;       // empty: every model
  Timestamp not_before;
  std::optional<Timestamp> not_after;
  std::optional<AfterTerm> after_term;
  bool exclusive = false;  // written `exclusive true`, absent when false
  bool sublicense = false;
  std::vector<PaymentTerm> payments;
  std::optional<Money> minimum;
  std::optional<Duration> report_every;
  std::optional<Duration> pay_within;
  std::optional<std::string> attribution;
  std::optional<Terms> terms;
  std::optional<proofs::Hash> commit;  // `commit sha256:<hex>`
  std::optional<EntryRef> supersedes;
  Timestamp issued;

  // Permitted uses with aggregates expanded, minus prohibited ones.
  UseSet EffectiveUses() const;
  friend bool operator==(const LicenceGrant&, const LicenceGrant&) = default;
};

// The basis a usage line claims: `licence <ref>`, `open-licence <spdx>` or a
// bare kind.
struct UsageBasis {
  BasisKind kind = BasisKind::kNone;
  EntryRef licence{};  // kind == kLicence only
  std::string spdx;    // kind == kOpenLicence only
  friend bool operator==(const UsageBasis&, const UsageBasis&) = default;
};

struct Quantity {
  Decimal amount;
  QuantityUnit unit = QuantityUnit::kItems;
  friend bool operator==(const Quantity&, const Quantity&) = default;
};

// One usage line, opened in the text by `line <line-id>`.
struct UsageLine {
  std::string line_id;
  std::vector<WorkId> works;            // >= 1
  std::optional<VerifierKey> licensor;  // required when basis is licence
  UsageBasis basis;
  Use use = Use::kTrainGenai;  // concrete, never an aggregate
  Stage stage = Stage::kPretrain;
  std::optional<Timestamp> acquisition;
  Quantity quantity;
  Timestamp first_use;
  Timestamp last_use;  // >= first_use
  std::optional<std::string> territory;
  bool royalty_bearing = false;
  std::optional<Money> owed;
  friend bool operator==(const UsageLine&, const UsageLine&) = default;
};

struct UsageTotal {
  VerifierKey licensor;
  Money amount;
  friend bool operator==(const UsageTotal&, const UsageTotal&) = default;
};

// `usage`: an AI firm's attestation of what it used in a period. Signed by
// the attester.
struct UsageAttestation {
  std::string attestation_id;
  VerifierKey attester;
  std::string model;  // <provider-domain>/<name>@<version>
  std::vector<std::string> model_dependencies;
  Timestamp period_start;
  Timestamp period_end;  // > period_start
  bool nil = false;      // `nil true`: an explicit "no usage" report
  std::optional<MerkleList> line_set;
  std::vector<UsageLine> lines;
  std::vector<UsageTotal> totals;
  std::optional<EntryRef> supersedes;
  Timestamp issued;
  friend bool operator==(const UsageAttestation&, const UsageAttestation&) = default;
};

// `revoke`: ends a grant, from log time (or `effective_at`); issued-in-error
// and key-compromise void it from the start. Signed by the revoker.
struct Revoke {
  EntryRef target{};
  VerifierKey revoker;
  RevokeReason reason = RevokeReason::kOther;
  std::optional<Timestamp> effective_at;
  std::optional<Duration> wind_down;
  Timestamp issued;
  friend bool operator==(const Revoke&, const Revoke&) = default;
};

// `reservation`: a text-and-data-mining opt-out bound to works (EU DSM
// Art. 4(3)). Signed by the declarant.
struct Reservation {
  std::string reservation_id;
  VerifierKey declarant;
  std::vector<WorkId> works;
  std::optional<MerkleList> work_set;
  std::vector<Use> reserve_uses;          // as written; aggregates kept
  std::optional<std::string> licence_at;  // where to ask for a licence
  Timestamp issued;
  friend bool operator==(const Reservation&, const Reservation&) = default;
};

// `payment`: the payer's statement that it paid. Signed by the payer.
struct Payment {
  std::string payment_id;
  VerifierKey payer;
  VerifierKey payee;
  std::vector<EntryRef> grants;  // >= 1
  std::vector<EntryRef> usages;  // attestations this payment settles
  Money amount;
  Timestamp paid_at;
  std::optional<std::string> reference;  // e.g. a bank transfer reference
  Timestamp issued;
  friend bool operator==(const Payment&, const Payment&) = default;
};

// `receipt`: the payee's acknowledgement of a payment. Signed by the payee.
struct Receipt {
  std::string receipt_id;
  VerifierKey payee;
  VerifierKey payer;
  EntryRef payment{};
  Money amount;
  Timestamp received_at;
  Timestamp issued;
  friend bool operator==(const Receipt&, const Receipt&) = default;
};

using EntryBody = std::variant<KeyEntry, KeyRevoke, LicenceGrant, UsageAttestation, Revoke,
                               Reservation, Payment, Receipt>;

EntryType TypeOf(const EntryBody& body);

// ---- Text -------------------------------------------------------------------

// Strict parse of an entry text (the note text: type line, fields, final
// "\n"), then the type's validation rules. Errors: InvalidArgument with a
// reason code; ResourceExhausted ("too_large") above kMaxEntrySize.
Result<EntryBody> ParseEntryText(std::string_view text);

// The canonical text. REQUIRES: ValidateEntryBody(body).ok(); then
// ParseEntryText(FormatEntryText(body)) == body.
std::string FormatEntryText(const EntryBody& body);

// Checks a constructed body against every rule ParseEntryText applies
// (field syntax and type rules). Errors: as ParseEntryText.
Status ValidateEntryBody(const EntryBody& body);

// ---- Signed entries ---------------------------------------------------------

struct Entry {
  Note note;  // the note as logged; note.text is the entry text
  EntryBody body;
  EntryRef ref{};  // EntryRef(note.text)
};

// SHA-256 of an entry text.
EntryRef ComputeEntryRef(std::string_view text);

// Strict parse of a signed note carrying an entry: size cap, note form
// (ParseNote), entry text. Signatures are not checked here.
// Errors: ResourceExhausted ("too_large"); InvalidArgument ("bad_note" or a
// text reason code).
Result<Entry> ParseEntry(std::string_view signed_note);

// The keys whose signatures the entry needs, derived from its body, without
// duplicates, in text order:
//   key: key (+ previous-key)        key-revoke: revoked-by, else key
//   licence-grant offer: licensor    agreement: licensor and licensee
//   usage: attester   revoke: revoker   reservation: declarant
//   payment: payer    receipt: payee
std::vector<VerifierKey> RequiredSigners(const EntryBody& body);

// Checks that every required signer signed the note text with a valid
// Ed25519 signature; other signatures are ignored. Errors: PermissionDenied
// ("missing_signature" naming the key, or "bad_signature" when a signature
// line with the key's name and ID does not verify).
Status ValidateEntrySignatures(const Entry& entry);

// ---- Index helpers (for the store and monitors) ------------------------------

// Normalised work identifiers named by the entry (grant works, usage line
// works, reservation works), sorted, without duplicates.
std::vector<std::string> EntryWorkIds(const EntryBody& body);

// Key names of RequiredSigners(body), in the same order.
std::vector<std::string> EntrySignerNames(const EntryBody& body);

// Entries this entry points at.
enum class LinkKind : uint8_t {
  kSupersedes,      // grant or usage: the entry it replaces
  kUsageLicence,    // a usage line's `basis licence <ref>`
  kRevokeTarget,    // revoke: the grant it ends
  kPaymentGrant,    // payment: a grant it pays under
  kPaymentUsage,    // payment: an attestation it settles
  kReceiptPayment,  // receipt: the payment it acknowledges
};
struct EntryLink {
  LinkKind kind;
  EntryRef ref;
  friend bool operator==(const EntryLink&, const EntryLink&) = default;
};
// In text order; a usage licence ref repeated across lines appears once.
std::vector<EntryLink> EntryLinks(const EntryBody& body);

// ---- Reasons ----------------------------------------------------------------

// The reason code at the start of an entry error's message ("field_order"),
// or "" when the message has none (e.g. an OK status).
std::string_view ReasonCode(const Status& status);

}  // namespace ltl::ledger

#endif  // LTL_LEDGER_ENTRY_H_
