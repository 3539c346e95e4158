// VerificationPolicy: which checkpoints the client believes.
//
// A checkpoint is accepted when (1) the log's own Ed25519 key signed it and
// its origin is that key's name (ledger::OpenCheckpoint), (2) every signature
// by a key the policy knows verifies (signed-note semantics: a known key's
// bad signature spoils the note; unknown keys are ignored), and (3) at least
// `quorum` distinct witnesses of the policy cosigned it (C2SP
// tlog-cosignature; a witness's cosignature says it saw no other history for
// this origin). With quorum 0 the client trusts the log's signature alone and
// relies on its own saved state (client/state.h) to notice a fork it was
// shown; witnesses extend that protection to forks shown to others.
//
// Thread-safety: values and pure functions.
#ifndef LTL_CLIENT_POLICY_H_
#define LTL_CLIENT_POLICY_H_

#include <cstddef>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "client/outcome.h"
#include "ledger/checkpoint.h"
#include "ledger/keys.h"

namespace ltl::client {

struct VerificationPolicy {
  ledger::VerifierKey log_key;                 // type kEd25519; name == origin
  std::vector<ledger::VerifierKey> witnesses;  // type kCosignatureV1
  size_t quorum = 0;                           // K of witnesses.size()

  // A checked policy. Errors: InvalidArgument if the log key is not an
  // Ed25519 note key, a witness key is not a cosignature/v1 key, two
  // witnesses share a name or a public key (a witness counted twice would
  // fake a quorum), or quorum > witnesses.size().
  static Result<VerificationPolicy> Create(ledger::VerifierKey log_key,
                                           std::vector<ledger::VerifierKey> witnesses,
                                           size_t quorum);
};

// Whether VerifyCheckpoint counts witness cosignatures.
enum class QuorumCheck {
  kEnforce,  // fewer than `quorum` verified cosignatures is kPolicy
  // Signatures only. For the checkpoint a log returns from POST /add, which no
  // witness can have seen yet; the quorum applies when that checkpoint (or a
  // later one) becomes the client's trusted state.
  kSkip,
};

// Opens `wire` under `policy`. Outcomes:
//   kLogError      the note or checkpoint text is malformed;
//   kBadSignature  no valid log signature, origin != log key name, or a
//                  signature by a known key (log or witness) fails;
//   kProofFailure  a size-0 checkpoint whose root is not SHA-256("");
//   kPolicy        (kEnforce) fewer than `quorum` witnesses verified.
VerifyResult<ledger::SignedCheckpoint> VerifyCheckpoint(const VerificationPolicy& policy,
                                                        std::string_view wire,
                                                        QuorumCheck quorum = QuorumCheck::kEnforce);

}  // namespace ltl::client

#endif  // LTL_CLIENT_POLICY_H_
