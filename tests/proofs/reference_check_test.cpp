// The fast proof code against the naive RFC 6962 reference, for every tree
// size up to kMaxSize: roots, generated proofs (node ids -> hashes from the
// reference -> Rehash) and verification.
#include <gtest/gtest.h>

#include <vector>

#include "proofs/compact_range.h"
#include "proofs/consistency.h"
#include "proofs/inclusion.h"
#include "tests/proofs/reference.h"

namespace ltl::proofs {
namespace {

using testing::MakeLeafHashes;
using testing::ReferenceTree;

constexpr uint64_t kMaxSize = 300;

// Fetches the hash of every id from the reference, checking on the way that
// each id is a perfect node of the tree of `size` (storage only has those).
std::vector<Hash> FetchPerfect(ReferenceTree& ref, const ProofNodes& nodes, uint64_t size) {
  std::vector<Hash> fetched;
  for (const NodeId& id : nodes.ids) {
    EXPECT_LE(id.CoverageEnd(), size) << id << " is not perfect at size " << size;
    fetched.push_back(ref.NodeHash(id));
  }
  return fetched;
}

// The ephemeral node's hash, rebuilt as Rehash does, is MTH over the part of
// its coverage that exists at `size`.
void ExpectEphemeralCoversRightBorder(ReferenceTree& ref, const ProofNodes& nodes,
                                      const std::vector<Hash>& fetched, uint64_t size) {
  if (nodes.begin == nodes.end) return;
  Hash h = fetched[nodes.begin];
  for (size_t i = nodes.begin + 1; i < nodes.end; ++i) h = HashChildren(fetched[i], h);
  const uint64_t end = std::min(nodes.ephem.CoverageEnd(), size);
  EXPECT_EQ(h, ref.Mth(nodes.ephem.CoverageBegin(), end)) << "ephemeral " << nodes.ephem;
}

class ReferenceCheck : public ::testing::Test {
 protected:
  ReferenceCheck() : ref_(MakeLeafHashes(kMaxSize)) {}
  ReferenceTree ref_;
};

TEST_F(ReferenceCheck, CompactRangeRootMatchesMthForEverySize) {
  CompactRange range;
  for (uint64_t n = 0; n <= kMaxSize; ++n) {
    Result<Hash> root = range.GetRootHash();
    ASSERT_TRUE(root.has_value()) << root.error();
    ASSERT_EQ(*root, ref_.Root(n)) << "size " << n;
    if (n < kMaxSize) range.Append(ref_.leaf(n));
  }
}

TEST_F(ReferenceCheck, InclusionProofsMatchPathForEveryIndexAndSize) {
  for (uint64_t n = 1; n <= kMaxSize; ++n) {
    const Hash root = ref_.Root(n);
    for (uint64_t i = 0; i < n; ++i) {
      Result<ProofNodes> nodes = InclusionNodes(i, n);
      ASSERT_TRUE(nodes.has_value()) << nodes.error();
      const std::vector<Hash> fetched = FetchPerfect(ref_, *nodes, n);
      ExpectEphemeralCoversRightBorder(ref_, *nodes, fetched, n);
      Result<std::vector<Hash>> proof = Rehash(fetched, *nodes);
      ASSERT_TRUE(proof.has_value()) << proof.error();

      const std::vector<Hash> want = ref_.InclusionProof(i, n);
      ASSERT_EQ(*proof, want) << "index " << i << " size " << n;
      ASSERT_EQ(InclusionProofSize(i, n), want.size()) << "index " << i << " size " << n;
      ASSERT_EQ(VerifyInclusion(i, n, ref_.leaf(i), want, root), Status::Ok())
          << "index " << i << " size " << n;
    }
  }
}

TEST_F(ReferenceCheck, ConsistencyProofsMatchProofForEverySizePair) {
  for (uint64_t n = 1; n <= kMaxSize; ++n) {
    const Hash root2 = ref_.Root(n);
    for (uint64_t m = 1; m <= n; ++m) {
      Result<ProofNodes> nodes = ConsistencyNodes(m, n);
      ASSERT_TRUE(nodes.has_value()) << nodes.error();
      const std::vector<Hash> fetched = FetchPerfect(ref_, *nodes, n);
      ExpectEphemeralCoversRightBorder(ref_, *nodes, fetched, n);
      Result<std::vector<Hash>> proof = Rehash(fetched, *nodes);
      ASSERT_TRUE(proof.has_value()) << proof.error();

      const std::vector<Hash> want = ref_.ConsistencyProof(m, n);
      ASSERT_EQ(*proof, want) << m << " -> " << n;
      ASSERT_EQ(ConsistencyProofSize(m, n), want.size()) << m << " -> " << n;
      ASSERT_EQ(VerifyConsistency(m, n, want, ref_.Root(m), root2), Status::Ok())
          << m << " -> " << n;
      Result<Hash> computed = RootFromConsistencyProof(m, n, want, ref_.Root(m));
      ASSERT_TRUE(computed.has_value()) << computed.error();
      ASSERT_EQ(*computed, root2) << m << " -> " << n;
    }
  }
}

}  // namespace
}  // namespace ltl::proofs
