// Inclusion proofs (RFC 9162 section 2.1.3): that the leaf at `index` is in
// the tree of `size` leaves with a given root.
//
// Generation: InclusionNodes() names the nodes to fetch, Rehash()
// (proofs/proof.h) turns their hashes into the proof. Verification:
// VerifyInclusion() / RootFromInclusionProof(), the algorithm of RFC 9162
// section 2.1.3.2, after checking the exact proof length so that nothing is
// hashed for a proof of the wrong shape.
//
// Indices are 0-based; `size` is the number of leaves. Errors are the classes
// documented in proofs/proof.h.
// Thread-safety: all functions are pure.
#ifndef LTL_PROOFS_INCLUSION_H_
#define LTL_PROOFS_INCLUSION_H_

#include <cstdint>
#include <span>

#include "base/result.h"
#include "base/status.h"
#include "proofs/hash.h"
#include "proofs/proof.h"

namespace ltl::proofs {

// The nodes of the inclusion proof of leaf `index` in the tree of `size`.
// Errors: OutOfRange if index >= size (this includes size 0).
Result<ProofNodes> InclusionNodes(uint64_t index, uint64_t size);

// The number of hashes in a valid inclusion proof for (index, size).
// REQUIRES: index < size.
size_t InclusionProofSize(uint64_t index, uint64_t size);

// The root that `proof` leads to from `leaf_hash` at `index` in a tree of
// `size`. Errors: OutOfRange if index >= size; a malformed proof if
// proof.size() != InclusionProofSize(index, size).
Result<Hash> RootFromInclusionProof(uint64_t index, uint64_t size, const Hash& leaf_hash,
                                    std::span<const Hash> proof);

// OK iff `proof` shows that `leaf_hash` is leaf `index` of the tree of `size`
// whose root is `root`. Errors: those of RootFromInclusionProof, or a root
// mismatch (IsRootMismatch) when the proof leads to another root.
Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                       std::span<const Hash> proof, const Hash& root);

}  // namespace ltl::proofs

#endif  // LTL_PROOFS_INCLUSION_H_
