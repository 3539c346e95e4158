#include "proofs/compact_range.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <utility>
#include <vector>

#include "tests/proofs/reference.h"

namespace ltl::proofs {
namespace {

using testing::MakeLeafHashes;
using testing::ReferenceTree;

using NodeKey = std::pair<int, uint64_t>;  // (level, index), orderable for sets
NodeKey Key(NodeId id) { return {id.level, id.index}; }

// Every perfect node inside [begin, end).
std::set<NodeKey> PerfectNodes(uint64_t begin, uint64_t end) {
  std::set<NodeKey> out;
  for (int level = 0; (uint64_t{1} << level) <= end; ++level) {
    for (uint64_t i = (begin + (uint64_t{1} << level) - 1) >> level; ((i + 1) << level) <= end;
         ++i) {
      out.insert({level, i});
    }
  }
  return out;
}

std::vector<Hash> ReferenceRangeHashes(ReferenceTree& ref, uint64_t begin, uint64_t end) {
  std::vector<Hash> out;
  for (NodeId id : RangeNodes(begin, end)) out.push_back(ref.NodeHash(id));
  return out;
}

// Records each visit and fails on a repeated node or a wrong hash.
struct VisitLog {
  explicit VisitLog(ReferenceTree* ref) : ref(ref) {}
  CompactRange::Visitor Visitor() {
    return [this](NodeId id, const Hash& hash) {
      EXPECT_TRUE(seen.insert(Key(id)).second) << id << " visited twice";
      EXPECT_EQ(hash, ref->NodeHash(id)) << id;
    };
  }
  ReferenceTree* ref;
  std::set<NodeKey> seen;
};

TEST(RangeNodesTest, MatchesTheHeaderExample) {
  const std::vector<NodeId> want = {{0, 3}, {2, 1}, {2, 2}, {0, 12}};
  EXPECT_EQ(RangeNodes(3, 13), want);
}

TEST(RangeNodesTest, EmptyForEmptyOrInvertedRanges) {
  EXPECT_TRUE(RangeNodes(5, 5).empty());
  EXPECT_TRUE(RangeNodes(6, 5).empty());
}

TEST(RangeNodesTest, TileTheRangeWithMaximalPerfectNodes) {
  for (uint64_t begin = 0; begin <= 70; ++begin) {
    for (uint64_t end = begin + 1; end <= 70; ++end) {
      const std::vector<NodeId> ids = RangeNodes(begin, end);
      uint64_t pos = begin;
      for (const NodeId& id : ids) {
        ASSERT_EQ(id.CoverageBegin(), pos) << "[" << begin << ", " << end << ") at " << id;
        pos = id.CoverageEnd();
        // Maximal: the parent does not fit in the range.
        const NodeId parent = id.Parent();
        EXPECT_TRUE(parent.CoverageBegin() < begin || parent.CoverageEnd() > end)
            << "[" << begin << ", " << end << "): " << id << " could be merged";
      }
      ASSERT_EQ(pos, end);
    }
  }
}

TEST(RangeNodesTest, WholeUint64RangeHasOneNodePerBitWithoutOverflow) {
  const std::vector<NodeId> ids = RangeNodes(0, UINT64_MAX);
  ASSERT_EQ(ids.size(), 64u);
  EXPECT_EQ(ids.front(), (NodeId{63, 0}));
  EXPECT_EQ(ids.back(), (NodeId{0, UINT64_MAX - 1}));
  EXPECT_EQ(RangeNodes(1, UINT64_MAX).size(), 126u);
}

class CompactRangeTest : public ::testing::Test {
 protected:
  static constexpr uint64_t kMaxSize = 300;
  CompactRangeTest() : leaves_(MakeLeafHashes(kMaxSize)), ref_(leaves_) {}
  std::vector<Hash> leaves_;
  ReferenceTree ref_;
};

TEST_F(CompactRangeTest, EmptyRangeAtZeroHasTheEmptyRoot) {
  Result<Hash> root = CompactRange().GetRootHash();
  ASSERT_TRUE(root.has_value());
  EXPECT_EQ(*root, EmptyRoot());
}

TEST_F(CompactRangeTest, AppendVisitsExactlyTheNodesThatBecomePerfect) {
  CompactRange range;
  VisitLog log(&ref_);
  for (uint64_t n = 1; n <= kMaxSize; ++n) {
    range.Append(leaves_[n - 1], log.Visitor());
    ASSERT_EQ(log.seen, PerfectNodes(0, n)) << "size " << n;
    ASSERT_EQ(range.hashes(), ReferenceRangeHashes(ref_, 0, n)) << "size " << n;
  }
}

TEST_F(CompactRangeTest, AppendRangeEqualsAppendingOneByOne) {
  for (uint64_t n : {0, 1, 2, 7, 8, 9, 255, 256, 257, 300}) {
    CompactRange one_by_one;
    VisitLog single(&ref_);
    for (uint64_t i = 0; i < n; ++i) one_by_one.Append(leaves_[i], single.Visitor());
    CompactRange batch;
    VisitLog batched(&ref_);
    batch.AppendRange(std::span(leaves_).first(n), batched.Visitor());
    EXPECT_EQ(batch, one_by_one) << "size " << n;
    EXPECT_EQ(batched.seen, single.seen) << "size " << n;
  }
}

TEST_F(CompactRangeTest, RangesNotStartingAtZeroHoldTheirDecomposition) {
  for (uint64_t begin = 0; begin <= 64; ++begin) {
    CompactRange range(begin);
    VisitLog log(&ref_);
    for (uint64_t end = begin + 1; end <= 140; ++end) {
      range.Append(leaves_[end - 1], log.Visitor());
      ASSERT_EQ(range.hashes(), ReferenceRangeHashes(ref_, begin, end))
          << "[" << begin << ", " << end << ")";
      ASSERT_EQ(log.seen, PerfectNodes(begin, end)) << "[" << begin << ", " << end << ")";
    }
  }
}

TEST_F(CompactRangeTest, MergeAtEverySplitGivesTheReferenceRoot) {
  // prefix[k] = [0, k); the right part [k, n) grows one leaf at a time.
  std::vector<CompactRange> prefix;
  CompactRange growing;
  for (uint64_t k = 0; k <= kMaxSize; ++k) {
    prefix.push_back(growing);
    if (k < kMaxSize) growing.Append(leaves_[k]);
  }
  for (uint64_t k = 0; k <= kMaxSize; ++k) {
    CompactRange right(k);
    for (uint64_t n = k; n <= kMaxSize; ++n) {
      if (n > k) right.Append(leaves_[n - 1]);
      CompactRange merged = prefix[k];
      ASSERT_EQ(merged.Merge(right), Status::Ok());
      ASSERT_EQ(merged, prefix[n]) << "split " << k << " size " << n;
      Result<Hash> root = merged.GetRootHash();
      ASSERT_TRUE(root.has_value());
      ASSERT_EQ(*root, ref_.Root(n)) << "split " << k << " size " << n;
    }
  }
}

TEST_F(CompactRangeTest, MergeOfArbitraryAdjacentRangesEqualsTheWholeRange) {
  constexpr uint64_t kLimit = 40;
  std::map<std::pair<uint64_t, uint64_t>, CompactRange> ranges;  // [a, b)
  for (uint64_t a = 0; a <= kLimit; ++a) {
    CompactRange r(a);
    ranges.emplace(std::pair{a, a}, r);
    for (uint64_t b = a + 1; b <= kLimit; ++b) {
      r.Append(leaves_[b - 1]);
      ranges.emplace(std::pair{a, b}, r);
    }
  }
  for (uint64_t a = 0; a <= kLimit; ++a) {
    for (uint64_t b = a; b <= kLimit; ++b) {
      for (uint64_t c = b; c <= kLimit; ++c) {
        CompactRange left = ranges.at({a, b});
        VisitLog log(&ref_);
        ASSERT_EQ(left.Merge(ranges.at({b, c}), log.Visitor()), Status::Ok());
        ASSERT_EQ(left, ranges.at({a, c})) << a << " " << b << " " << c;
        // The join creates exactly the perfect nodes that straddle b.
        std::set<NodeKey> straddling;
        for (const NodeKey& k : PerfectNodes(a, c)) {
          const NodeId id{static_cast<uint8_t>(k.first), k.second};
          if (id.CoverageBegin() < b && id.CoverageEnd() > b) straddling.insert(k);
        }
        ASSERT_EQ(log.seen, straddling) << a << " " << b << " " << c;
      }
    }
  }
}

TEST_F(CompactRangeTest, MergeRejectsANonAdjacentRangeAndStaysUnchanged) {
  CompactRange left;
  left.AppendRange(std::span(leaves_).first(5));
  const CompactRange before = left;
  CompactRange gap(6);
  gap.Append(leaves_[6]);
  Status s = left.Merge(gap);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(left, before);
}

TEST_F(CompactRangeTest, RootNeedsARangeStartingAtZero) {
  CompactRange r(4);
  r.Append(leaves_[4]);
  EXPECT_EQ(r.GetRootHash().error().code(), StatusCode::kFailedPrecondition);
}

TEST_F(CompactRangeTest, RootVisitorSeesTheEphemeralNodesOnTheRightBorder) {
  for (uint64_t n = 1; n <= kMaxSize; ++n) {
    CompactRange range;
    range.AppendRange(std::span(leaves_).first(n));
    std::vector<std::pair<NodeId, Hash>> visits;
    Result<Hash> root =
        range.GetRootHash([&](NodeId id, const Hash& h) { visits.emplace_back(id, h); });
    ASSERT_TRUE(root.has_value());
    ASSERT_EQ(visits.size(), range.hashes().size() - 1) << "size " << n;
    for (const auto& [id, h] : visits) {
      // An ephemeral node hashes what exists of its coverage at size n.
      EXPECT_LT(id.CoverageBegin(), n) << id;
      EXPECT_EQ(h, ref_.Mth(id.CoverageBegin(), std::min<uint64_t>(id.CoverageEnd(), n))) << id;
    }
    if (!visits.empty()) {
      EXPECT_EQ(visits.back().second, *root);
    }
  }
}

TEST_F(CompactRangeTest, FromHashesRoundTripsAndChecksTheCount) {
  CompactRange built(3);
  built.AppendRange(std::span(leaves_).subspan(3, 10));
  Result<CompactRange> restored = CompactRange::FromHashes(3, 13, built.hashes());
  ASSERT_TRUE(restored.has_value()) << restored.error();
  EXPECT_EQ(*restored, built);

  std::vector<Hash> one_short = built.hashes();
  one_short.pop_back();
  EXPECT_EQ(CompactRange::FromHashes(3, 13, one_short).error().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CompactRange::FromHashes(13, 3, {}).error().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(CompactRange::FromHashes(7, 7, {}).has_value());
}

TEST_F(CompactRangeTest, RangeNearTheTopOfUint64AppendsWithoutOverflow) {
  // [2^64 - 3, 2^64 - 1): the last two leaves a uint64 tree can hold.
  CompactRange r(UINT64_MAX - 2);
  r.Append(leaves_[0]);
  r.Append(leaves_[1]);
  EXPECT_EQ(r.end(), UINT64_MAX);
  EXPECT_EQ(r.hashes().size(), RangeNodes(UINT64_MAX - 2, UINT64_MAX).size());
}

}  // namespace
}  // namespace ltl::proofs
