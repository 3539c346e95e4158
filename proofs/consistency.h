// Consistency proofs (RFC 9162 section 2.1.4): that the tree of `size1`
// leaves is a prefix of the tree of `size2` leaves.
//
// Generation: ConsistencyNodes() names the nodes to fetch, Rehash()
// (proofs/proof.h) turns their hashes into the proof. Verification:
// VerifyConsistency() / RootFromConsistencyProof(), equivalent to RFC 9162
// section 2.1.4.2, after checking the exact proof length.
//
// Sizes: 0 < size1 <= size2. A proof from the empty tree is meaningless
// (every tree extends it) and is refused rather than trivially accepted, so a
// client that has verified nothing yet must say so explicitly. For
// size1 == size2 the proof is empty and the roots must be equal.
// Errors are the classes documented in proofs/proof.h.
// Thread-safety: all functions are pure.
#ifndef LTL_PROOFS_CONSISTENCY_H_
#define LTL_PROOFS_CONSISTENCY_H_

#include <cstdint>
#include <span>

#include "base/result.h"
#include "base/status.h"
#include "proofs/hash.h"
#include "proofs/proof.h"

namespace ltl::proofs {

// The nodes of the consistency proof from `size1` to `size2`.
// Errors: InvalidArgument if size1 > size2 or size1 == 0.
Result<ProofNodes> ConsistencyNodes(uint64_t size1, uint64_t size2);

// The number of hashes in a valid consistency proof for (size1, size2).
// REQUIRES: 0 < size1 <= size2.
size_t ConsistencyProofSize(uint64_t size1, uint64_t size2);

// Checks `proof` against `root1` and returns the root of the tree of `size2`
// it leads to. Errors: InvalidArgument if size1 > size2 or size1 == 0; a
// malformed proof if proof.size() != ConsistencyProofSize(size1, size2); a
// root mismatch (expected = root1) if the proof does not lead to root1.
Result<Hash> RootFromConsistencyProof(uint64_t size1, uint64_t size2, std::span<const Hash> proof,
                                      const Hash& root1);

// OK iff `proof` shows that the tree of `size1` with root `root1` is a prefix
// of the tree of `size2` with root `root2`. Errors: those of
// RootFromConsistencyProof, or a root mismatch (expected = root2).
Status VerifyConsistency(uint64_t size1, uint64_t size2, std::span<const Hash> proof,
                         const Hash& root1, const Hash& root2);

namespace detail {
// The bad-argument checks shared by generation and verification.
Status CheckConsistencySizes(uint64_t size1, uint64_t size2);
}  // namespace detail

}  // namespace ltl::proofs

#endif  // LTL_PROOFS_CONSISTENCY_H_
