// ProofNodes shapes, Rehash's checks, the error classes, and proof geometry
// at the top of the uint64 range (where a careless shift is undefined).
#include "proofs/proof.h"

#include <gtest/gtest.h>

#include <vector>

#include "proofs/consistency.h"
#include "proofs/inclusion.h"

namespace ltl::proofs {
namespace {

Hash Filled(uint8_t b) {
  Hash h;
  h.fill(b);
  return h;
}

TEST(ProofNodesTest, InclusionNodesForLeafOneOfSevenMatchTheDiagram) {
  Result<ProofNodes> nodes = InclusionNodes(1, 7);
  ASSERT_TRUE(nodes.has_value()) << nodes.error();
  const std::vector<NodeId> want = {{0, 0}, {1, 1}, {0, 6}, {1, 2}};
  EXPECT_EQ(nodes->ids, want);
  EXPECT_EQ(nodes->begin, 2u);
  EXPECT_EQ(nodes->end, 4u);
  EXPECT_EQ(nodes->ephem, (NodeId{2, 1}));
}

TEST(ProofNodesTest, PerfectTreeHasNoEphemeralNode) {
  Result<ProofNodes> nodes = InclusionNodes(5, 8);
  ASSERT_TRUE(nodes.has_value());
  const std::vector<NodeId> want = {{0, 4}, {1, 3}, {2, 0}};
  EXPECT_EQ(nodes->ids, want);
  EXPECT_EQ(nodes->begin, nodes->end);
}

TEST(ProofNodesTest, ConsistencyFromAPowerOfTwoOmitsTheKnownRoot) {
  // 4 -> 7: root1 is [2 0] itself; the proof is its inclusion in size 7.
  Result<ProofNodes> nodes = ConsistencyNodes(4, 7);
  ASSERT_TRUE(nodes.has_value());
  const std::vector<NodeId> want = {{0, 6}, {1, 2}};
  EXPECT_EQ(nodes->ids, want);
  // 3 -> 7: the seed [0 2] is sent first.
  nodes = ConsistencyNodes(3, 7);
  ASSERT_TRUE(nodes.has_value());
  EXPECT_EQ(nodes->ids.front(), (NodeId{0, 2}));
}

TEST(ProofNodesTest, BadArgumentsHaveTheirOwnCodes) {
  EXPECT_EQ(InclusionNodes(7, 7).error().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(InclusionNodes(0, 0).error().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(ConsistencyNodes(5, 4).error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ConsistencyNodes(0, 4).error().code(), StatusCode::kInvalidArgument);
  Result<ProofNodes> same = ConsistencyNodes(9, 9);
  ASSERT_TRUE(same.has_value());
  EXPECT_TRUE(same->ids.empty());
}

TEST(RehashTest, RejectsAHashCountThatDoesNotMatchTheIds) {
  Result<ProofNodes> nodes = InclusionNodes(1, 7);
  ASSERT_TRUE(nodes.has_value());
  std::vector<Hash> fetched(nodes->ids.size() - 1);
  EXPECT_EQ(Rehash(fetched, *nodes).error().code(), StatusCode::kInvalidArgument);
  fetched.resize(nodes->ids.size() + 1);
  EXPECT_EQ(Rehash(fetched, *nodes).error().code(), StatusCode::kInvalidArgument);
}

TEST(RehashTest, RejectsAnEphemeralRangeOutsideTheIds) {
  ProofNodes nodes;
  nodes.ids = {{0, 0}, {0, 1}};
  std::vector<Hash> fetched(2);
  nodes.begin = 1;
  nodes.end = 3;
  EXPECT_EQ(Rehash(fetched, nodes).error().code(), StatusCode::kInvalidArgument);
  nodes.begin = 2;
  nodes.end = 1;
  EXPECT_EQ(Rehash(fetched, nodes).error().code(), StatusCode::kInvalidArgument);
}

TEST(RehashTest, FoldsTheEphemeralPartsRightToLeft) {
  ProofNodes nodes;
  nodes.ids = {{0, 0}, {0, 6}, {1, 2}, {2, 0}};
  nodes.begin = 1;
  nodes.end = 3;
  const std::vector<Hash> fetched = {Filled(1), Filled(2), Filled(3), Filled(4)};
  Result<std::vector<Hash>> proof = Rehash(fetched, nodes);
  ASSERT_TRUE(proof.has_value());
  const std::vector<Hash> want = {Filled(1), HashChildren(Filled(3), Filled(2)), Filled(4)};
  EXPECT_EQ(*proof, want);
}

TEST(ErrorClassTest, RootMismatchCarriesBothRootsInTheDocumentedFormat) {
  const RootMismatch m{Filled(0xab), Filled(0x01)};
  const Status s = m.ToStatus();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), "root mismatch: computed " + HashToHex(Filled(0xab)) + " != expected " +
                             HashToHex(Filled(0x01)));
  EXPECT_TRUE(IsRootMismatch(s));
  EXPECT_FALSE(IsMalformedProof(s));
  std::optional<RootMismatch> back = RootMismatch::FromStatus(s);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->computed, m.computed);
  EXPECT_EQ(back->expected, m.expected);
}

TEST(ErrorClassTest, ClassesSurviveAddedContext) {
  const Status mismatch = RootMismatch{Filled(1), Filled(2)}.ToStatus().WithContext("log x");
  EXPECT_TRUE(IsRootMismatch(mismatch));
  ASSERT_TRUE(RootMismatch::FromStatus(mismatch).has_value());
  EXPECT_EQ(RootMismatch::FromStatus(mismatch)->expected, Filled(2));
  EXPECT_TRUE(IsMalformedProof(MalformedProof("short").WithContext("entry 5")));
}

TEST(ErrorClassTest, OtherStatusesBelongToNeitherClass) {
  for (const Status& s : {Status::Ok(), Status::InvalidArgument("bad size"),
                          Status::FailedPrecondition("read-only"), Status::OutOfRange("x"),
                          // Right words, wrong code: not ours.
                          Status::DataLoss("malformed proof: x"),
                          Status::Internal("root mismatch: computed x != expected y")}) {
    EXPECT_FALSE(IsRootMismatch(s)) << s;
    EXPECT_FALSE(IsMalformedProof(s)) << s;
    EXPECT_FALSE(RootMismatch::FromStatus(s).has_value()) << s;
  }
  // A truncated root in a mismatch message yields no roots.
  EXPECT_FALSE(RootMismatch::FromStatus(
                   Status::FailedPrecondition("root mismatch: computed ab != expected cd"))
                   .has_value());
}

// Near 2^64 the bit arithmetic hits its edge cases: bit_width of 64, shifts
// by 64, coverage ends near the top. UBSan (LTL_SANITIZE) turns any undefined
// shift here into a failure.
TEST(HugeTreeTest, InclusionGeometryAtTheTopOfUint64) {
  const uint64_t kTop = UINT64_MAX;
  const uint64_t kHalf = uint64_t{1} << 63;
  struct Case {
    uint64_t index, size;
  };
  for (Case c : {Case{0, kTop}, Case{kTop - 1, kTop}, Case{kHalf - 1, kHalf + 1},
                 Case{kHalf, kHalf + 1}, Case{kHalf - 1, kHalf}, Case{12345, kTop}}) {
    SCOPED_TRACE(::testing::Message() << "index " << c.index << " size " << c.size);
    Result<ProofNodes> nodes = InclusionNodes(c.index, c.size);
    ASSERT_TRUE(nodes.has_value()) << nodes.error();
    for (const NodeId& id : nodes->ids) {
      EXPECT_LT(id.index, c.size >> id.level) << id << " is not perfect";
    }
    std::vector<Hash> fetched(nodes->ids.size(), Filled(7));
    Result<std::vector<Hash>> proof = Rehash(fetched, *nodes);
    ASSERT_TRUE(proof.has_value());
    EXPECT_EQ(proof->size(), InclusionProofSize(c.index, c.size));
    EXPECT_LE(proof->size(), 64u);
    EXPECT_TRUE(RootFromInclusionProof(c.index, c.size, Filled(1), *proof).has_value());
  }
}

TEST(HugeTreeTest, ConsistencyGeometryAtTheTopOfUint64) {
  const uint64_t kTop = UINT64_MAX;
  const uint64_t kHalf = uint64_t{1} << 63;
  struct Case {
    uint64_t size1, size2;
  };
  for (Case c : {Case{1, kTop}, Case{kHalf, kTop}, Case{kHalf - 1, kHalf}, Case{kTop - 1, kTop},
                 Case{3, kHalf + 3}}) {
    SCOPED_TRACE(::testing::Message() << c.size1 << " -> " << c.size2);
    Result<ProofNodes> nodes = ConsistencyNodes(c.size1, c.size2);
    ASSERT_TRUE(nodes.has_value()) << nodes.error();
    for (const NodeId& id : nodes->ids) {
      EXPECT_LT(id.index, c.size2 >> id.level) << id << " is not perfect";
    }
    std::vector<Hash> fetched(nodes->ids.size(), Filled(7));
    Result<std::vector<Hash>> proof = Rehash(fetched, *nodes);
    ASSERT_TRUE(proof.has_value());
    EXPECT_EQ(proof->size(), ConsistencyProofSize(c.size1, c.size2));
    // Arbitrary hashes of the right count are well-formed: the outcome is a
    // root mismatch, never a malformed proof.
    Status s = VerifyConsistency(c.size1, c.size2, *proof, Filled(1), Filled(2));
    EXPECT_TRUE(IsRootMismatch(s)) << s;
  }
}

}  // namespace
}  // namespace ltl::proofs
