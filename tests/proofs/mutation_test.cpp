// Mutation probes: proofs built by the naive reference (not by the code under
// test), then altered the way an attacker or a buggy log would. Each probe is
// named for the attack and pins the error class a caller would see.
#include <gtest/gtest.h>

#include <bit>
#include <vector>

#include "proofs/consistency.h"
#include "proofs/inclusion.h"
#include "tests/proofs/reference.h"

namespace ltl::proofs {
namespace {

using testing::MakeLeafHashes;
using testing::ReferenceTree;

// Every (index, size) up to this size, plus a few larger shapes.
constexpr uint64_t kMaxExhaustive = 40;
constexpr uint64_t kLeaves = 1100;

class InclusionMutation : public ::testing::Test {
 protected:
  InclusionMutation() : ref_(MakeLeafHashes(kLeaves)) {}

  struct Case {
    uint64_t index;
    uint64_t size;
  };
  std::vector<Case> Cases() const {
    std::vector<Case> out;
    for (uint64_t n = 1; n <= kMaxExhaustive; ++n) {
      for (uint64_t i = 0; i < n; ++i) out.push_back({i, n});
    }
    for (uint64_t n : {255, 256, 257, 511, 1024, 1099}) {
      for (uint64_t i : {uint64_t{0}, n / 2, n - 2, n - 1}) out.push_back({i, n});
    }
    return out;
  }

  ReferenceTree ref_;
};

TEST_F(InclusionMutation, WrongLeafIsRootMismatch) {
  for (auto [i, n] : Cases()) {
    const Hash wrong = ref_.leaf((i + 1) % kLeaves);
    Status s = VerifyInclusion(i, n, wrong, ref_.InclusionProof(i, n), ref_.Root(n));
    EXPECT_TRUE(IsRootMismatch(s)) << "index " << i << " size " << n << ": " << s;
  }
}

TEST_F(InclusionMutation, WrongRootIsRootMismatchCarryingBothRoots) {
  for (auto [i, n] : Cases()) {
    const Hash wrong_root = ref_.Root(n + 1);
    Status s = VerifyInclusion(i, n, ref_.leaf(i), ref_.InclusionProof(i, n), wrong_root);
    std::optional<RootMismatch> mismatch = RootMismatch::FromStatus(s);
    ASSERT_TRUE(mismatch.has_value()) << s;
    EXPECT_EQ(mismatch->computed, ref_.Root(n));
    EXPECT_EQ(mismatch->expected, wrong_root);
  }
}

TEST_F(InclusionMutation, TruncatedProofIsMalformed) {
  for (auto [i, n] : Cases()) {
    std::vector<Hash> proof = ref_.InclusionProof(i, n);
    if (proof.empty()) continue;
    proof.pop_back();
    Status s = VerifyInclusion(i, n, ref_.leaf(i), proof, ref_.Root(n));
    EXPECT_TRUE(IsMalformedProof(s)) << "index " << i << " size " << n << ": " << s;
  }
}

TEST_F(InclusionMutation, TrailingGarbageIsMalformed) {
  for (auto [i, n] : Cases()) {
    std::vector<Hash> proof = ref_.InclusionProof(i, n);
    proof.push_back(ref_.leaf(0));
    Status s = VerifyInclusion(i, n, ref_.leaf(i), proof, ref_.Root(n));
    EXPECT_TRUE(IsMalformedProof(s)) << "index " << i << " size " << n << ": " << s;
  }
}

TEST_F(InclusionMutation, PrecedingGarbageIsMalformed) {
  for (auto [i, n] : Cases()) {
    std::vector<Hash> proof = ref_.InclusionProof(i, n);
    proof.insert(proof.begin(), ref_.leaf(0));
    Status s = VerifyInclusion(i, n, ref_.leaf(i), proof, ref_.Root(n));
    EXPECT_TRUE(IsMalformedProof(s)) << "index " << i << " size " << n << ": " << s;
  }
}

TEST_F(InclusionMutation, IndexPlusOrMinusOneIsRejected) {
  for (auto [i, n] : Cases()) {
    const std::vector<Hash> proof = ref_.InclusionProof(i, n);
    Status plus = VerifyInclusion(i + 1, n, ref_.leaf(i), proof, ref_.Root(n));
    EXPECT_FALSE(plus.ok()) << "index " << i << "+1 size " << n;
    if (i + 1 == n) {
      EXPECT_EQ(plus.code(), StatusCode::kOutOfRange);
    }
    if (i > 0) {
      Status minus = VerifyInclusion(i - 1, n, ref_.leaf(i), proof, ref_.Root(n));
      EXPECT_FALSE(minus.ok()) << "index " << i << "-1 size " << n;
    }
  }
}

// Doubling the size adds a level above every leaf's path, so the proof is
// one hash short: always malformed, whatever the hashes.
TEST_F(InclusionMutation, SizeTimesTwoIsMalformed) {
  for (auto [i, n] : Cases()) {
    Status s = VerifyInclusion(i, 2 * n, ref_.leaf(i), ref_.InclusionProof(i, n), ref_.Root(n));
    EXPECT_TRUE(IsMalformedProof(s)) << "index " << i << " size " << n << "*2: " << s;
  }
}

// Not an attack the proof can stop: leaf 0's proof in the tree of 3 also
// "verifies" leaf 0 in a claimed tree of 4 with the same root, because the
// claimed size only shapes the hashing. A root is meaningful only together
// with the size it was signed with (a checkpoint binds both), which is why
// every caller passes the size from the same verified checkpoint as the root.
TEST_F(InclusionMutation, SizeIsBoundByTheCheckpointNotByTheProof) {
  const std::vector<Hash> proof = ref_.InclusionProof(0, 3);
  EXPECT_EQ(VerifyInclusion(0, 4, ref_.leaf(0), proof, ref_.Root(3)), Status::Ok());
  // With the root that size 4 really has, the same proof fails.
  EXPECT_TRUE(IsRootMismatch(VerifyInclusion(0, 4, ref_.leaf(0), proof, ref_.Root(4))));
}

TEST_F(InclusionMutation, BitFlipInAnyProofHashIsRootMismatch) {
  for (auto [i, n] : Cases()) {
    const std::vector<Hash> proof = ref_.InclusionProof(i, n);
    for (size_t k = 0; k < proof.size(); ++k) {
      for (size_t bit : {size_t{0}, size_t{131}, size_t{255}}) {
        std::vector<Hash> flipped = proof;
        flipped[k][bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
        Status s = VerifyInclusion(i, n, ref_.leaf(i), flipped, ref_.Root(n));
        EXPECT_TRUE(IsRootMismatch(s)) << "index " << i << " size " << n << " hash " << k;
      }
    }
  }
}

TEST_F(InclusionMutation, IndexBeyondSizeIsOutOfRangeBeforeLookingAtTheProof) {
  EXPECT_EQ(VerifyInclusion(0, 0, ref_.leaf(0), {}, EmptyRoot()).code(), StatusCode::kOutOfRange);
  EXPECT_EQ(
      VerifyInclusion(UINT64_MAX, 8, ref_.leaf(0), ref_.InclusionProof(0, 8), ref_.Root(8)).code(),
      StatusCode::kOutOfRange);
}

class ConsistencyMutation : public ::testing::Test {
 protected:
  ConsistencyMutation() : ref_(MakeLeafHashes(kLeaves)) {}

  struct Case {
    uint64_t size1;
    uint64_t size2;
  };
  // Pairs with size1 < size2 (equal sizes have an empty proof to mutate).
  std::vector<Case> Cases() const {
    std::vector<Case> out;
    for (uint64_t n = 2; n <= kMaxExhaustive; ++n) {
      for (uint64_t m = 1; m < n; ++m) out.push_back({m, n});
    }
    for (uint64_t n : {256, 257, 1024, 1099}) {
      for (uint64_t m : {uint64_t{1}, uint64_t{3}, n / 2, n - 1}) out.push_back({m, n});
    }
    return out;
  }

  ReferenceTree ref_;
};

TEST_F(ConsistencyMutation, SwappedRootsAreRootMismatch) {
  for (auto [m, n] : Cases()) {
    Status s = VerifyConsistency(m, n, ref_.ConsistencyProof(m, n), ref_.Root(n), ref_.Root(m));
    EXPECT_TRUE(IsRootMismatch(s)) << m << " -> " << n << ": " << s;
  }
}

TEST_F(ConsistencyMutation, WrongOldRootIsRootMismatch) {
  for (auto [m, n] : Cases()) {
    const Hash wrong = ref_.Root(m + 1);
    Status s = VerifyConsistency(m, n, ref_.ConsistencyProof(m, n), wrong, ref_.Root(n));
    std::optional<RootMismatch> mismatch = RootMismatch::FromStatus(s);
    ASSERT_TRUE(mismatch.has_value()) << m << " -> " << n << ": " << s;
    // When size1 is a power of two, root1 is itself the seed of the climb, so
    // a wrong root1 surfaces as the wrong root2; otherwise it is caught first.
    EXPECT_EQ(mismatch->expected, std::has_single_bit(m) ? ref_.Root(n) : wrong)
        << m << " -> " << n;
  }
}

TEST_F(ConsistencyMutation, WrongNewRootIsMismatchAgainstNewRoot) {
  for (auto [m, n] : Cases()) {
    const Hash wrong = ref_.Root(n + 1);
    Status s = VerifyConsistency(m, n, ref_.ConsistencyProof(m, n), ref_.Root(m), wrong);
    std::optional<RootMismatch> mismatch = RootMismatch::FromStatus(s);
    ASSERT_TRUE(mismatch.has_value()) << m << " -> " << n << ": " << s;
    EXPECT_EQ(mismatch->computed, ref_.Root(n));
    EXPECT_EQ(mismatch->expected, wrong);
  }
}

TEST_F(ConsistencyMutation, TruncatedProofIsMalformed) {
  for (auto [m, n] : Cases()) {
    std::vector<Hash> proof = ref_.ConsistencyProof(m, n);
    proof.pop_back();
    Status s = VerifyConsistency(m, n, proof, ref_.Root(m), ref_.Root(n));
    EXPECT_TRUE(IsMalformedProof(s)) << m << " -> " << n << ": " << s;
  }
}

TEST_F(ConsistencyMutation, EmptyProofIsMalformed) {
  for (auto [m, n] : Cases()) {
    Status s = VerifyConsistency(m, n, {}, ref_.Root(m), ref_.Root(n));
    EXPECT_TRUE(IsMalformedProof(s)) << m << " -> " << n << ": " << s;
  }
}

TEST_F(ConsistencyMutation, TrailingAndPrecedingGarbageAreMalformed) {
  for (auto [m, n] : Cases()) {
    std::vector<Hash> trailing = ref_.ConsistencyProof(m, n);
    trailing.push_back(ref_.leaf(0));
    EXPECT_TRUE(IsMalformedProof(VerifyConsistency(m, n, trailing, ref_.Root(m), ref_.Root(n))))
        << m << " -> " << n;
    std::vector<Hash> preceding = ref_.ConsistencyProof(m, n);
    preceding.insert(preceding.begin(), ref_.leaf(0));
    EXPECT_TRUE(IsMalformedProof(VerifyConsistency(m, n, preceding, ref_.Root(m), ref_.Root(n))))
        << m << " -> " << n;
  }
}

TEST_F(ConsistencyMutation, BitFlipInAnyProofHashIsRootMismatch) {
  for (auto [m, n] : Cases()) {
    const std::vector<Hash> proof = ref_.ConsistencyProof(m, n);
    for (size_t k = 0; k < proof.size(); ++k) {
      std::vector<Hash> flipped = proof;
      flipped[k][17] ^= 0x20;
      Status s = VerifyConsistency(m, n, flipped, ref_.Root(m), ref_.Root(n));
      EXPECT_TRUE(IsRootMismatch(s)) << m << " -> " << n << " hash " << k << ": " << s;
    }
  }
}

// Doubling one size changes the shape of the climb. (Doubling both does not:
// the (2m, 2n) proof is the (m, n) proof one level up, and with the same
// roots it verifies. As for inclusion, the checkpoints bind sizes to roots.)
TEST_F(ConsistencyMutation, OneSizeTimesTwoIsRejected) {
  for (auto [m, n] : Cases()) {
    const std::vector<Hash> proof = ref_.ConsistencyProof(m, n);
    const Hash r1 = ref_.Root(m);
    const Hash r2 = ref_.Root(n);
    EXPECT_FALSE(VerifyConsistency(m, 2 * n, proof, r1, r2).ok()) << m << " -> " << n << "*2";
    EXPECT_FALSE(VerifyConsistency(2 * m, n, proof, r1, r2).ok()) << m << "*2 -> " << n;
  }
}

TEST_F(ConsistencyMutation, BadSizesAreInvalidArgumentNotProofErrors) {
  const Hash r = ref_.Root(4);
  for (Status s : {VerifyConsistency(5, 4, {}, r, r), VerifyConsistency(0, 4, {}, r, r),
                   VerifyConsistency(0, 0, {}, EmptyRoot(), EmptyRoot())}) {
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s;
    EXPECT_FALSE(IsMalformedProof(s)) << s;
    EXPECT_FALSE(IsRootMismatch(s)) << s;
  }
}

TEST_F(ConsistencyMutation, EqualSizesNeedAnEmptyProofAndEqualRoots) {
  const Hash r = ref_.Root(5);
  EXPECT_EQ(VerifyConsistency(5, 5, {}, r, r), Status::Ok());
  EXPECT_TRUE(IsMalformedProof(VerifyConsistency(5, 5, std::vector<Hash>{r}, r, r)));
  EXPECT_TRUE(IsRootMismatch(VerifyConsistency(5, 5, {}, r, ref_.Root(6))));
}

}  // namespace
}  // namespace ltl::proofs
