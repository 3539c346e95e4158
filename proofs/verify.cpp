// Inclusion and consistency proof verification (RFC 9162 sections 2.1.3.2
// and 2.1.4.2), in the decomposed form of transparency-dev/merkle's
// proof/verify.go.
//
// An inclusion proof for leaf `index` in a tree of `size` splits where the
// paths to leaves `index` and `size - 1` part:
//   - `inner` hashes below that point: siblings on a perfect subtree, each on
//     the left or the right according to the bits of `index`;
//   - `border` hashes above it: all on the left (the path runs along the
//     right border there), one per set bit of index >> inner.
// RFC 9162's loop (shift fn/sn, "if LSB(fn) is set or fn == sn") walks the
// same path; knowing both lengths up front lets us reject a proof of the
// wrong length before hashing anything.

#include <bit>
#include <string>

#include "proofs/consistency.h"
#include "proofs/inclusion.h"

namespace ltl::proofs {
namespace {

struct ProofShape {
  int inner;
  int border;
};

// REQUIRES: index < size.
ProofShape DecomposeInclusion(uint64_t index, uint64_t size) {
  const int inner = std::bit_width(index ^ (size - 1));
  // inner == 64 when index and size - 1 differ in bit 63; the shift would be
  // undefined, and nothing is left above the split anyway.
  const uint64_t above = inner < 64 ? index >> inner : 0;
  return ProofShape{inner, std::popcount(above)};
}

// Hashes `seed` (the node at position `index` on its level) up through the
// `inner` siblings: bit i of index says which side sibling i is on.
Hash ChainInner(Hash seed, std::span<const Hash> proof, uint64_t index) {
  for (size_t i = 0; i < proof.size(); ++i) {
    seed = ((index >> i) & 1) == 0 ? HashChildren(seed, proof[i]) : HashChildren(proof[i], seed);
  }
  return seed;
}

// As ChainInner, but only the siblings on the left: the same climb in the
// older, smaller tree, where the right siblings did not exist yet.
Hash ChainInnerRight(Hash seed, std::span<const Hash> proof, uint64_t index) {
  for (size_t i = 0; i < proof.size(); ++i) {
    if (((index >> i) & 1) == 1) seed = HashChildren(proof[i], seed);
  }
  return seed;
}

// Above the split every sibling is on the left.
Hash ChainBorderRight(Hash seed, std::span<const Hash> proof) {
  for (const Hash& h : proof) seed = HashChildren(h, seed);
  return seed;
}

Status WrongLength(size_t got, size_t want) {
  return MalformedProof("got " + std::to_string(got) + " hashes, want " + std::to_string(want));
}

}  // namespace

namespace detail {
Status CheckConsistencySizes(uint64_t size1, uint64_t size2) {
  if (size1 > size2) {
    return Status::InvalidArgument("consistency: size1 " + std::to_string(size1) +
                                   " is greater than size2 " + std::to_string(size2));
  }
  if (size1 == 0) return Status::InvalidArgument("consistency: no proof from the empty tree");
  return Status::Ok();
}

}  // namespace detail

size_t InclusionProofSize(uint64_t index, uint64_t size) {
  const ProofShape shape = DecomposeInclusion(index, size);
  return static_cast<size_t>(shape.inner + shape.border);
}

Result<Hash> RootFromInclusionProof(uint64_t index, uint64_t size, const Hash& leaf_hash,
                                    std::span<const Hash> proof) {
  if (index >= size) {
    return Status::OutOfRange("inclusion: leaf index " + std::to_string(index) +
                              " is not below tree size " + std::to_string(size));
  }
  const ProofShape shape = DecomposeInclusion(index, size);
  const size_t want = static_cast<size_t>(shape.inner + shape.border);
  if (proof.size() != want) return WrongLength(proof.size(), want);

  const Hash below = ChainInner(leaf_hash, proof.first(shape.inner), index);
  return ChainBorderRight(below, proof.subspan(shape.inner));
}

Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                       std::span<const Hash> proof, const Hash& root) {
  LTL_ASSIGN_OR_RETURN(Hash computed, RootFromInclusionProof(index, size, leaf_hash, proof));
  if (computed != root) return RootMismatch{computed, root}.ToStatus();
  return Status::Ok();
}

// A consistency proof from size1 to size2 is the inclusion proof of the
// largest perfect subtree ending at size1 (of 2^shift leaves, shift =
// trailing zeros of size1) in the tree of size2, preceded by that subtree's
// hash, the "seed", unless size1 == 2^shift (then the seed is root1 itself).
// Climbing from the seed with only the left siblings rebuilds root1; with all
// siblings, root2.
size_t ConsistencyProofSize(uint64_t size1, uint64_t size2) {
  if (size1 == size2) return 0;
  const ProofShape shape = DecomposeInclusion(size1 - 1, size2);
  const int shift = std::countr_zero(size1);
  const size_t seed = std::has_single_bit(size1) ? 0 : 1;
  return seed + static_cast<size_t>(shape.inner - shift + shape.border);
}

Result<Hash> RootFromConsistencyProof(uint64_t size1, uint64_t size2, std::span<const Hash> proof,
                                      const Hash& root1) {
  LTL_RETURN_IF_ERROR(detail::CheckConsistencySizes(size1, size2));
  if (size1 == size2) {
    if (!proof.empty()) return WrongLength(proof.size(), 0);
    return root1;
  }
  const size_t want = ConsistencyProofSize(size1, size2);
  if (proof.size() != want) return WrongLength(proof.size(), want);

  const ProofShape shape = DecomposeInclusion(size1 - 1, size2);
  const int shift = std::countr_zero(size1);
  // shift < shape.inner whenever size1 < size2: size2 - 1 >= size1 differs
  // from size1 - 1 at some bit >= shift.
  const size_t inner = static_cast<size_t>(shape.inner - shift);
  Hash seed = root1;
  if (!std::has_single_bit(size1)) {
    seed = proof.front();
    proof = proof.subspan(1);
  }
  const uint64_t index = (size1 - 1) >> shift;  // the seed's position on its level

  Hash hash1 = ChainInnerRight(seed, proof.first(inner), index);
  hash1 = ChainBorderRight(hash1, proof.subspan(inner));
  if (hash1 != root1) return RootMismatch{hash1, root1}.ToStatus();

  Hash hash2 = ChainInner(seed, proof.first(inner), index);
  return ChainBorderRight(hash2, proof.subspan(inner));
}

Status VerifyConsistency(uint64_t size1, uint64_t size2, std::span<const Hash> proof,
                         const Hash& root1, const Hash& root2) {
  LTL_ASSIGN_OR_RETURN(Hash computed, RootFromConsistencyProof(size1, size2, proof, root1));
  if (computed != root2) return RootMismatch{computed, root2}.ToStatus();
  return Status::Ok();
}

}  // namespace ltl::proofs
