#include "client/policy.h"

#include <string>
#include <utility>

namespace ltl::client {

Result<VerificationPolicy> VerificationPolicy::Create(ledger::VerifierKey log_key,
                                                      std::vector<ledger::VerifierKey> witnesses,
                                                      size_t quorum) {
  if (log_key.type() != ledger::KeyType::kEd25519) {
    return Status::InvalidArgument("policy: the log key must be an Ed25519 (type 0x01) key");
  }
  for (size_t i = 0; i < witnesses.size(); ++i) {
    if (witnesses[i].type() != ledger::KeyType::kCosignatureV1) {
      return Status::InvalidArgument("policy: witness key \"" + witnesses[i].name() +
                                     "\" is not a cosignature/v1 (type 0x04) key");
    }
    for (size_t j = 0; j < i; ++j) {
      if (witnesses[i].name() == witnesses[j].name() ||
          witnesses[i].public_key() == witnesses[j].public_key()) {
        return Status::InvalidArgument("policy: witness \"" + witnesses[i].name() +
                                       "\" is listed twice (same name or same key)");
      }
    }
  }
  if (quorum > witnesses.size()) {
    return Status::InvalidArgument("policy: quorum " + std::to_string(quorum) + " exceeds the " +
                                   std::to_string(witnesses.size()) + " witnesses");
  }
  return VerificationPolicy{std::move(log_key), std::move(witnesses), quorum};
}

VerifyResult<ledger::SignedCheckpoint> VerifyCheckpoint(const VerificationPolicy& policy,
                                                        std::string_view wire, QuorumCheck quorum) {
  auto opened = ledger::OpenCheckpoint(wire, policy.log_key, policy.witnesses);
  if (!opened.has_value()) {
    // OpenCheckpoint: InvalidArgument is a malformed note or text;
    // PermissionDenied a missing or failing signature or a foreign origin.
    const VerifyOutcome outcome = opened.error().code() == StatusCode::kPermissionDenied
                                      ? VerifyOutcome::kBadSignature
                                      : VerifyOutcome::kLogError;
    return Fail(outcome, opened.error().WithContext("checkpoint"));
  }
  ledger::SignedCheckpoint checkpoint = std::move(opened).value();
  if (checkpoint.checkpoint.size == 0 && checkpoint.checkpoint.root != proofs::EmptyRoot()) {
    return Fail(
        VerifyOutcome::kProofFailure,
        Status::FailedPrecondition("checkpoint: size 0 but the root is not the empty tree's root"));
  }
  if (quorum == QuorumCheck::kEnforce && checkpoint.verified_by.size() < policy.quorum) {
    return Fail(
        VerifyOutcome::kPolicy,
        Status::FailedPrecondition("checkpoint: " + std::to_string(checkpoint.verified_by.size()) +
                                   " trusted witness cosignature(s) verified, policy requires " +
                                   std::to_string(policy.quorum)));
  }
  return checkpoint;
}

}  // namespace ltl::client
