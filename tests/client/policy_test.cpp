// VerificationPolicy and VerifyCheckpoint: signatures, origin, witness quorum.
#include "client/policy.h"

#include <gtest/gtest.h>

#include "fake_log.h"

namespace ltl::client {
namespace {

using testing::FakeLog;
using testing::KeyFromSeed;
using testing::LogKey;
using testing::PolicyFor;
using testing::WitnessKey;

FakeLog SmallLog() {
  FakeLog log;
  log.AppendTestEntries(5);
  return log;
}

TEST(VerifyCheckpoint, AcceptsTheLogsSignedCheckpoint) {
  FakeLog log = SmallLog();
  auto cp = VerifyCheckpoint(PolicyFor(LogKey()), log.CheckpointAt(5));
  ASSERT_TRUE(cp.has_value()) << cp.error().ToString();
  EXPECT_EQ(cp->checkpoint.size, 5u);
  EXPECT_EQ(cp->checkpoint.root, log.RootAt(5));
}

TEST(VerifyCheckpoint, BitFlipInTheSignatureIsBadSignature) {
  FakeLog log = SmallLog();
  std::string wire = log.CheckpointAt(5);
  // Flip a bit inside the base64 signature (the line's last characters).
  wire[wire.size() - 6] = wire[wire.size() - 6] == 'A' ? 'B' : 'A';
  auto cp = VerifyCheckpoint(PolicyFor(LogKey()), wire);
  EXPECT_EQ(cp.outcome(), VerifyOutcome::kBadSignature) << cp.error().ToString();
}

TEST(VerifyCheckpoint, TamperedRootIsBadSignature) {
  FakeLog log = SmallLog();
  std::string wire = log.CheckpointAt(5);
  std::string other_root = Base64Encode(log.RootAt(4));
  wire.replace(wire.find('\n', wire.find('\n') + 1) + 1, other_root.size(), other_root);
  EXPECT_EQ(VerifyCheckpoint(PolicyFor(LogKey()), wire).outcome(), VerifyOutcome::kBadSignature);
}

TEST(VerifyCheckpoint, AnotherKeyIsBadSignature) {
  // Same origin name, different key: signed-note ignores the unknown key, so
  // no log signature verified.
  FakeLog impostor(KeyFromSeed(testing::kOrigin, 0x66));
  impostor.AppendTestEntries(5);
  EXPECT_EQ(VerifyCheckpoint(PolicyFor(LogKey()), impostor.CheckpointAt(5)).outcome(),
            VerifyOutcome::kBadSignature);
}

TEST(VerifyCheckpoint, AnotherOriginIsBadSignature) {
  // A different log with its own valid key: its checkpoint never names our origin.
  FakeLog other(KeyFromSeed("other.example/ltl", 0x01));
  other.AppendTestEntries(5);
  EXPECT_EQ(VerifyCheckpoint(PolicyFor(LogKey()), other.CheckpointAt(5)).outcome(),
            VerifyOutcome::kBadSignature);
}

TEST(VerifyCheckpoint, GarbageIsALogError) {
  EXPECT_EQ(VerifyCheckpoint(PolicyFor(LogKey()), "not a note").outcome(),
            VerifyOutcome::kLogError);
}

TEST(VerifyCheckpoint, QuorumMetCountsDistinctTrustedWitnesses) {
  FakeLog log = SmallLog();
  const auto policy = PolicyFor(LogKey(), {WitnessKey(1), WitnessKey(2), WitnessKey(3)}, 2);
  auto cp = VerifyCheckpoint(policy, log.CheckpointAt(5, {WitnessKey(1), WitnessKey(3)}));
  ASSERT_TRUE(cp.has_value()) << cp.error().ToString();
  EXPECT_EQ(cp->verified_by.size(), 2u);
}

TEST(VerifyCheckpoint, QuorumNotMetIsPolicy) {
  FakeLog log = SmallLog();
  const auto policy = PolicyFor(LogKey(), {WitnessKey(1), WitnessKey(2), WitnessKey(3)}, 2);
  // One trusted witness, one the policy does not know.
  auto cp = VerifyCheckpoint(policy, log.CheckpointAt(5, {WitnessKey(1), WitnessKey(7)}));
  EXPECT_EQ(cp.outcome(), VerifyOutcome::kPolicy);
  // QuorumCheck::kSkip checks the signatures only.
  EXPECT_TRUE(VerifyCheckpoint(policy, log.CheckpointAt(5), QuorumCheck::kSkip).has_value());
}

TEST(VerifyCheckpoint, ABadCosignatureByATrustedWitnessSpoilsTheCheckpoint) {
  FakeLog log = SmallLog();
  const auto policy = PolicyFor(LogKey(), {WitnessKey(1)}, 1);
  std::string wire = log.CheckpointAt(5, {WitnessKey(1)});
  wire[wire.size() - 6] = wire[wire.size() - 6] == 'A' ? 'B' : 'A';  // the cosignature line
  EXPECT_EQ(VerifyCheckpoint(policy, wire).outcome(), VerifyOutcome::kBadSignature);
}

TEST(VerifyCheckpoint, EmptyTreeMustHaveTheEmptyRoot) {
  const ledger::SigningKey key = LogKey();
  ledger::Checkpoint cp{std::string(testing::kOrigin), 0, proofs::Sha256("not empty"), {}};
  std::string wire = ledger::SignCheckpoint(cp, key).value();
  EXPECT_EQ(VerifyCheckpoint(PolicyFor(key), wire).outcome(), VerifyOutcome::kProofFailure);
  cp.root = proofs::EmptyRoot();
  EXPECT_TRUE(
      VerifyCheckpoint(PolicyFor(key), ledger::SignCheckpoint(cp, key).value()).has_value());
}

TEST(VerificationPolicy, RejectsAWitnessListedTwice) {
  auto w = WitnessKey(1).verifier();
  auto twice = VerificationPolicy::Create(LogKey().verifier(), {w, w}, 2);
  EXPECT_EQ(twice.error().code(), StatusCode::kInvalidArgument);
  // Same key under another name counts once too.
  auto renamed = ledger::VerifierKey::FromPublicKey(
      "alias.example", ledger::KeyType::kCosignatureV1, w.public_key());
  EXPECT_FALSE(VerificationPolicy::Create(LogKey().verifier(), {w, renamed}, 2).has_value());
}

TEST(VerificationPolicy, RejectsQuorumAboveWitnessCountAndWrongKeyTypes) {
  EXPECT_FALSE(
      VerificationPolicy::Create(LogKey().verifier(), {WitnessKey(1).verifier()}, 2).has_value());
  EXPECT_FALSE(VerificationPolicy::Create(WitnessKey(1).verifier(), {}, 0).has_value());
  EXPECT_FALSE(
      VerificationPolicy::Create(LogKey().verifier(), {LogKey().verifier()}, 0).has_value());
}

}  // namespace
}  // namespace ltl::client
