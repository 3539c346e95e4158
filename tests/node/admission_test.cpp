// The node's admission (node/admission.h) over a real store: every rule of
// the key registry is probed with a refusal AND a control that the same
// bytes, or a sibling entry, are admitted once the rule is satisfied, so
// that each test fails if its rule is removed (or if the refusal comes from
// some other rule).
#include "node/admission.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/encoding.h"
#include "ledger/entry.h"
#include "ledger/keys.h"
#include "ledger/store/init_log.h"
#include "ledger/store/log.h"
#include "tests/ledger/entry_samples.h"
#include "tests/testing/testing.h"

namespace ltl::node {
namespace {

using ledger::samples::Alice;
using ledger::samples::AliceOld;
using ledger::samples::Bob;
using ledger::samples::KeyFromSeedByte;
using ledger::samples::SignAll;
using ledger::samples::Society;
using ledger::samples::T;
using ledger::samples::W;

// A second key under Alice's name: a rotation target, or a squatter.
ledger::SigningKey AliceNext() { return KeyFromSeedByte("alice.example/ltl", 0x21); }
ledger::SigningKey Mallory() { return KeyFromSeedByte("alice.example/ltl", 0x66); }
ledger::SigningKey MalloryOwn() { return KeyFromSeedByte("mallory.example/ltl", 0x67); }

int64_t Unix(std::string_view timestamp) { return T(timestamp).unix_seconds; }

// A `key` entry for `key`, valid from 2026-01-01 (until `not_after`).
ledger::KeyEntry KeyEntryFor(const ledger::SigningKey& key,
                             std::optional<ledger::VerifierKey> previous = std::nullopt,
                             std::optional<std::string_view> not_after = std::nullopt) {
  ledger::KeyEntry e;
  e.key = key.verifier();
  e.previous_key = std::move(previous);
  e.roles = {ledger::Role::kLicensor};
  e.not_before = T("2026-01-01T00:00:00Z");
  if (not_after) e.not_after = T(*not_after);
  e.issued = T("2025-12-01T00:00:00Z");
  return e;
}

// A reservation declared (and so signed) by `key` alone; `id` varies the bytes.
ledger::Reservation ReservationBy(const ledger::SigningKey& key, std::string id) {
  ledger::Reservation r;
  r.reservation_id = std::move(id);
  r.declarant = key.verifier();
  r.works = {W("isrc:GB-AYE-69-00531")};
  r.reserve_uses = {ledger::Use::kAll};
  r.issued = T("2026-02-01T00:00:00Z");
  return r;
}

ledger::KeyRevoke SelfRevoke(const ledger::SigningKey& key) {
  ledger::KeyRevoke r;
  r.key = key.verifier();
  r.reason = ledger::KeyRevokeReason::kRetired;
  r.issued = T("2026-03-01T00:00:00Z");
  return r;
}

std::string Signed(const ledger::EntryBody& body, const std::vector<ledger::SigningKey>& signers) {
  return SignAll(ledger::FormatEntryText(body), signers);
}

// A data folder with a real store whose admission is MakeAdmission with an
// injected clock (mid-2026 unless a test moves it).
class AdmissionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ledger::InitCrypto().ok());
    const std::filesystem::path dir = temp_.path() / "log";
    Result<store::InitResult> init = store::InitLog(dir, "log.ltl.test/admission");
    ASSERT_TRUE(init.has_value()) << init.error();
    store::AdmissionFn admit =
        MakeAdmission([this]() -> const store::LogReader& { return log_->reader(); },
                      [this] { return now_.load(); });
    store::LogOptions options;
    options.max_batch_entries = 64;
    options.max_batch_delay = std::chrono::milliseconds(1);
    Result<std::unique_ptr<store::Log>> log = store::Log::Open(dir, std::move(admit), options);
    ASSERT_TRUE(log.has_value()) << log.error();
    log_ = std::move(*log);
  }

  Result<store::Receipt> Submit(const std::string& signed_entry) {
    return log_->SubmitAndWait(signed_entry);
  }

  // Submits and requires the entry to be logged.
  store::Receipt Admit(const std::string& signed_entry) {
    Result<store::Receipt> r = Submit(signed_entry);
    EXPECT_TRUE(r.has_value()) << r.error() << "\nfor entry:\n" << signed_entry;
    return r.value_or(store::Receipt{});
  }

  void Register(const ledger::SigningKey& key) { Admit(Signed(KeyEntryFor(key), {key})); }

  uint64_t TreeSize() { return log_->reader().TreeSize().value(); }

  std::atomic<int64_t> now_{Unix("2026-06-01T00:00:00Z")};
  ltl::testing::TempDir temp_;
  std::unique_ptr<store::Log> log_;
};

// The refusal's code and reason code, checked together: a refusal for another
// reason must not pass for this one.
void ExpectRefused(const Result<store::Receipt>& r, StatusCode code, std::string_view reason) {
  ASSERT_FALSE(r.has_value()) << "admitted at index " << r->index;
  EXPECT_EQ(r.error().code(), code) << r.error();
  EXPECT_EQ(ledger::ReasonCode(r.error()), reason) << r.error();
}

TEST_F(AdmissionTest, KeyEntryIsAdmittedAndIndexedUnderItsVerifierKey) {
  const store::Receipt receipt = Admit(Signed(KeyEntryFor(Bob()), {Bob()}));
  EXPECT_EQ(receipt.index, 0u);
  Result<store::IndexPage> page =
      log_->reader().Lookup(store::IndexKind::kSigner, Bob().verifier().ToString(), 0, 10);
  ASSERT_TRUE(page.has_value()) << page.error();
  ASSERT_EQ(page->hits.size(), 1u);
  EXPECT_EQ(page->hits[0].index, 0u);
}

TEST_F(AdmissionTest, EntryByUnregisteredSignerIsRefusedUntilItsKeyIsRegistered) {
  const std::string reservation = Signed(ReservationBy(Bob(), "r-1"), {Bob()});
  ExpectRefused(Submit(reservation), StatusCode::kPermissionDenied, "unregistered_key");
  EXPECT_EQ(TreeSize(), 0u) << "a refused entry leaves no trace";

  Register(Bob());
  EXPECT_EQ(Admit(reservation).index, 1u);
}

TEST_F(AdmissionTest, EveryRequiredSignerMustBeRegistered) {
  // An agreement needs licensor (Alice) and licensee (Bob).
  const std::string agreement = Signed(ledger::samples::Agreement(), {Alice(), Bob()});
  Register(Alice());
  const Result<store::Receipt> refused = Submit(agreement);
  ExpectRefused(refused, StatusCode::kPermissionDenied, "unregistered_key");
  EXPECT_NE(refused.error().message().find(Bob().verifier().ToString()), std::string::npos)
      << "the refusal names the unregistered signer: " << refused.error();

  Register(Bob());
  Admit(agreement);
}

TEST_F(AdmissionTest, RevokedKeyCanNeitherSignNorBeRegisteredAgain) {
  Register(Bob());
  Admit(Signed(ReservationBy(Bob(), "before-revocation"), {Bob()}));
  Admit(Signed(SelfRevoke(Bob()), {Bob()}));

  ExpectRefused(Submit(Signed(ReservationBy(Bob(), "after-revocation"), {Bob()})),
                StatusCode::kPermissionDenied, "revoked_key");
  // Re-registering the key with different bytes (another issue date) is refused too.
  ledger::KeyEntry again = KeyEntryFor(Bob());
  again.issued = T("2026-04-01T00:00:00Z");
  ExpectRefused(Submit(Signed(again, {Bob()})), StatusCode::kPermissionDenied, "revoked_key");
}

TEST_F(AdmissionTest, RevocationByAnotherKeyNeedsThatKeyRegistered) {
  Register(AliceOld());
  ledger::KeyRevoke revoke = ledger::samples::AliceOldRevoke();  // revoked-by Alice
  const std::string signed_revoke = Signed(revoke, {Alice()});
  ExpectRefused(Submit(signed_revoke), StatusCode::kPermissionDenied, "unregistered_key");
  Register(Alice());
  Admit(signed_revoke);
  ExpectRefused(Submit(Signed(ReservationBy(AliceOld(), "old"), {AliceOld()})),
                StatusCode::kPermissionDenied, "revoked_key");
}

TEST_F(AdmissionTest, RevokingAnUnregisteredKeyIsRefused) {
  ExpectRefused(Submit(Signed(SelfRevoke(Bob()), {Bob()})), StatusCode::kPermissionDenied,
                "unregistered_key");
}

TEST_F(AdmissionTest, SignerOutsideItsValidityWindowIsRefused) {
  Admit(Signed(KeyEntryFor(Bob(), std::nullopt, "2027-01-01T00:00:00Z"), {Bob()}));
  const std::string reservation = Signed(ReservationBy(Bob(), "windowed"), {Bob()});

  now_ = Unix("2026-01-01T00:00:00Z") - 1;  // one second before not-before
  ExpectRefused(Submit(reservation), StatusCode::kPermissionDenied, "key_not_valid");
  now_ = Unix("2027-01-01T00:00:00Z");  // not-after is exclusive
  ExpectRefused(Submit(reservation), StatusCode::kPermissionDenied, "key_not_valid");
  now_ = Unix("2026-01-01T00:00:00Z");  // not-before is inclusive
  Admit(reservation);
}

// Admission keeps the state of keys it has seen and reads only newer index
// hits: a registry change logged after a key signed accepted entries must
// still be seen by the next admission (here, a later registration of the
// same key that ends its window, then a revocation).
TEST_F(AdmissionTest, RegistryChangesAfterAKeyWasUsedApplyToItsNextEntries) {
  Register(Bob());
  for (int i = 0; i < 3; ++i) {
    Admit(Signed(ReservationBy(Bob(), "before-" + std::to_string(i)), {Bob()}));
  }
  ledger::KeyEntry shortened = KeyEntryFor(Bob(), std::nullopt, "2026-05-01T00:00:00Z");
  shortened.issued = T("2026-04-01T00:00:00Z");
  Admit(Signed(shortened, {Bob()}));
  ExpectRefused(Submit(Signed(ReservationBy(Bob(), "after-window"), {Bob()})),
                StatusCode::kPermissionDenied, "key_not_valid");

  Register(Alice());
  Admit(Signed(ReservationBy(Alice(), "alice-before"), {Alice()}));
  Admit(Signed(SelfRevoke(Alice()), {Alice()}));
  ExpectRefused(Submit(Signed(ReservationBy(Alice(), "alice-after"), {Alice()})),
                StatusCode::kPermissionDenied, "revoked_key");
}

TEST_F(AdmissionTest, SecondKeyForARegisteredNameWithoutRotationIsNameTaken) {
  Register(Alice());
  ExpectRefused(Submit(Signed(KeyEntryFor(Mallory()), {Mallory()})), StatusCode::kPermissionDenied,
                "name_taken");
  // Rotating from a registered key of ANOTHER name does not entitle the name.
  Register(MalloryOwn());
  ExpectRefused(
      Submit(Signed(KeyEntryFor(Mallory(), MalloryOwn().verifier()), {Mallory(), MalloryOwn()})),
      StatusCode::kPermissionDenied, "name_taken");
  // The name's own holder may register the same key again (a re-issue).
  ledger::KeyEntry reissue = KeyEntryFor(Alice());
  reissue.issued = T("2026-02-01T00:00:00Z");
  Admit(Signed(reissue, {Alice()}));
}

TEST_F(AdmissionTest, RotationSignedByTheRegisteredOldKeyIsAdmitted) {
  Register(Alice());
  const ledger::KeyEntry rotation = KeyEntryFor(AliceNext(), Alice().verifier());

  // The old key must sign the rotation.
  ExpectRefused(Submit(Signed(rotation, {AliceNext()})), StatusCode::kPermissionDenied,
                "missing_signature");
  Admit(Signed(rotation, {AliceNext(), Alice()}));
  // The new key now signs under the name.
  Admit(Signed(ReservationBy(AliceNext(), "rotated"), {AliceNext()}));
}

TEST_F(AdmissionTest, RotationFromAnUnregisteredOrRevokedPreviousKeyIsRefused) {
  const ledger::KeyEntry rotation = KeyEntryFor(AliceNext(), Alice().verifier());
  const std::string signed_rotation = Signed(rotation, {AliceNext(), Alice()});
  ExpectRefused(Submit(signed_rotation), StatusCode::kPermissionDenied, "unregistered_key");

  Register(Alice());
  Admit(Signed(SelfRevoke(Alice()), {Alice()}));
  ExpectRefused(Submit(signed_rotation), StatusCode::kPermissionDenied, "revoked_key");
}

TEST_F(AdmissionTest, MalformedEntriesAreInvalidArgumentWithTheParserReason) {
  Register(Bob());
  const std::string good_text = ledger::FormatEntryText(ReservationBy(Bob(), "shape"));

  // Not a signed note at all.
  ExpectRefused(Submit("ltl/reservation/v1\n"), StatusCode::kInvalidArgument, "bad_note");
  // An unknown type, correctly signed by a registered key.
  std::string unknown_type = good_text;
  unknown_type.replace(0, std::string("ltl/reservation/v1").size(), "ltl/tip-jar/v1");
  ExpectRefused(Submit(SignAll(unknown_type, {Bob()})), StatusCode::kInvalidArgument, "bad_type");
  // Two fields swapped.
  const size_t id = good_text.find("reservation-id ");
  const size_t declarant = good_text.find("declarant ");
  const size_t after = good_text.find('\n', declarant) + 1;
  ASSERT_LT(id, declarant);
  std::string swapped = good_text.substr(0, id) + good_text.substr(declarant, after - declarant) +
                        good_text.substr(id, declarant - id) + good_text.substr(after);
  ExpectRefused(Submit(SignAll(swapped, {Bob()})), StatusCode::kInvalidArgument, "field_order");
  // A trailing space on a value.
  std::string spaced = good_text;
  spaced.insert(good_text.find('\n', id), " ");
  ExpectRefused(Submit(SignAll(spaced, {Bob()})), StatusCode::kInvalidArgument, "bad_line");

  EXPECT_EQ(TreeSize(), 1u);
  Admit(SignAll(good_text, {Bob()}));  // the control: the well-formed text passes
}

TEST_F(AdmissionTest, SignatureFailuresArePermissionDenied) {
  Register(Bob());
  const std::string good = Signed(ReservationBy(Bob(), "sig"), {Bob()});
  // Signed by a key of another name only.
  ExpectRefused(Submit(Signed(ReservationBy(Bob(), "sig"), {Society()})),
                StatusCode::kPermissionDenied, "missing_signature");
  // Bob's signature line with one signature byte changed (the base64 is
  // decoded, the bit flipped, and re-encoded so the note stays well formed).
  const size_t line = good.rfind("\n\xE2\x80\x94 ") + 1;
  const size_t b64 = good.find(' ', good.find(' ', line) + 1) + 1;
  Bytes sig = Base64Decode(std::string_view(good).substr(b64, good.size() - 1 - b64)).value();
  sig.back() ^= 0x01;
  const std::string tampered = good.substr(0, b64) + Base64Encode(sig) + "\n";
  ExpectRefused(Submit(tampered), StatusCode::kPermissionDenied, "bad_signature");
  Admit(good);
}

TEST_F(AdmissionTest, OversizedEntryIsResourceExhausted) {
  // Called directly: the store refuses such bytes before admission sees them,
  // so only a direct call shows admission's own size rule.
  const store::AdmissionFn admit =
      MakeAdmission([this]() -> const store::LogReader& { return log_->reader(); },
                    [this] { return now_.load(); });
  ledger::Reservation big = ReservationBy(Bob(), "big");
  big.licence_at = "https://cmo.example/" + std::string(ledger::kMaxEntrySize, 'a');
  const std::string oversized = SignAll(ledger::FormatEntryText(big), {Bob()});
  ASSERT_GT(oversized.size(), ledger::kMaxEntrySize);
  const Result<store::AdmittedEntry> r = admit(oversized);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), StatusCode::kResourceExhausted) << r.error();
  EXPECT_EQ(ledger::ReasonCode(r.error()), "too_large") << r.error();

  // The same admission function admits a well-sized sibling (Bob registered).
  Register(Bob());
  EXPECT_TRUE(admit(Signed(ReservationBy(Bob(), "small"), {Bob()})).has_value());
}

TEST(IndexKeysForTest, AgreementIsIndexedByWorksSignersAndItsOwnReference) {
  ASSERT_TRUE(ledger::InitCrypto().ok());
  const std::string note = Signed(ledger::samples::Agreement(), {Alice(), Bob()});
  const ledger::Entry entry = ledger::ParseEntry(note).value();
  const store::AdmittedEntry admitted = IndexKeysFor(entry, note);

  EXPECT_EQ(admitted.leaf, note);
  EXPECT_EQ(admitted.entry_ref, ledger::samples::AgreementRef());
  EXPECT_EQ(admitted.work_keys, ledger::EntryWorkIds(entry.body));
  EXPECT_FALSE(admitted.work_keys.empty());
  EXPECT_EQ(admitted.signer_keys,
            (std::vector<std::string>{"alice.example/ltl", "bob-ai.example/ltl"}));
  // A grant is listed under its own reference, so ?grant=REF finds it too.
  EXPECT_EQ(admitted.grant_keys,
            std::vector<std::string>{HexEncode(ledger::samples::AgreementRef())});
}

TEST(IndexKeysForTest, UsageIsIndexedUnderTheGrantItCites) {
  ASSERT_TRUE(ledger::InitCrypto().ok());
  const std::string note = Signed(ledger::samples::Usage(), {Bob()});
  const ledger::Entry entry = ledger::ParseEntry(note).value();
  const store::AdmittedEntry admitted = IndexKeysFor(entry, note);
  EXPECT_EQ(admitted.signer_keys, std::vector<std::string>{"bob-ai.example/ltl"});
  EXPECT_EQ(admitted.grant_keys,
            std::vector<std::string>{HexEncode(ledger::samples::AgreementRef())});
  EXPECT_EQ(admitted.work_keys, ledger::EntryWorkIds(entry.body));
  EXPECT_EQ(admitted.work_keys.size(), 2u);
}

TEST(IndexKeysForTest, KeyEntriesAreIndexedUnderTheFullVerifierKey) {
  ASSERT_TRUE(ledger::InitCrypto().ok());
  const std::string key_note = Signed(ledger::samples::AliceKey(), {Alice(), AliceOld()});
  const store::AdmittedEntry key = IndexKeysFor(ledger::ParseEntry(key_note).value(), key_note);
  EXPECT_EQ(key.signer_keys,
            (std::vector<std::string>{"alice.example/ltl", "alice.example/ltl-2025",
                                      Alice().verifier().ToString()}));
  EXPECT_TRUE(key.grant_keys.empty());
  EXPECT_TRUE(key.work_keys.empty());

  const std::string revoke_note = Signed(ledger::samples::AliceOldRevoke(), {Alice()});
  const store::AdmittedEntry revoke =
      IndexKeysFor(ledger::ParseEntry(revoke_note).value(), revoke_note);
  // Signed by Alice; indexed under the revoked key as well (string and name).
  EXPECT_EQ(revoke.signer_keys,
            (std::vector<std::string>{"alice.example/ltl", AliceOld().verifier().ToString(),
                                      "alice.example/ltl-2025"}));
}

}  // namespace
}  // namespace ltl::node
