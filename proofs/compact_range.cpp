#include "proofs/compact_range.h"

#include <bit>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

namespace ltl::proofs {
namespace {

// The minimal decomposition of [begin, end) as two bit masks (merkle's
// compact.Decompose): bit k of `left` is a subtree of 2^k leaves on the left
// edge (listed from low to high bits), bit k of `right` one on the right edge
// (listed from high to low bits).
// REQUIRES: begin < end.
std::pair<uint64_t, uint64_t> Decompose(uint64_t begin, uint64_t end) {
  if (begin == 0) return {0, end};  // everything is on the right edge
  // Only nodes strictly below the point where the paths to leaves begin - 1
  // and end part lie inside the range.
  const uint64_t before = begin - 1;
  const int split = std::bit_width(before ^ end) - 1;
  const uint64_t mask = (uint64_t{1} << split) - 1;
  // Left: the subtrees right of the path to begin - 1 (its zero bits);
  // right: the subtrees left of the path to end (its one bits).
  return {~before & mask, end & mask};
}

}  // namespace

std::vector<NodeId> RangeNodes(uint64_t begin, uint64_t end) {
  std::vector<NodeId> ids;
  if (begin >= end) return ids;
  auto [left, right] = Decompose(begin, end);
  ids.reserve(std::popcount(left) + std::popcount(right));
  uint64_t pos = begin;
  while (left != 0) {  // growing sizes along the left edge
    const int level = std::countr_zero(left);
    ids.push_back(NodeId{static_cast<uint8_t>(level), pos >> level});
    pos += uint64_t{1} << level;
    left &= left - 1;
  }
  while (right != 0) {  // shrinking sizes along the right edge
    const int level = std::bit_width(right) - 1;
    ids.push_back(NodeId{static_cast<uint8_t>(level), pos >> level});
    pos += uint64_t{1} << level;
    right ^= uint64_t{1} << level;
  }
  return ids;
}

Result<CompactRange> CompactRange::FromHashes(uint64_t begin, uint64_t end,
                                              std::vector<Hash> hashes) {
  if (end < begin) {
    return Status::InvalidArgument("compact range: end " + std::to_string(end) +
                                   " is before begin " + std::to_string(begin));
  }
  const size_t want = RangeNodes(begin, end).size();
  if (hashes.size() != want) {
    return Status::InvalidArgument("compact range [" + std::to_string(begin) + ", " +
                                   std::to_string(end) + ") needs " + std::to_string(want) +
                                   " hashes, got " + std::to_string(hashes.size()));
  }
  return CompactRange(begin, end, std::move(hashes));
}

void CompactRange::PushNode(NodeId node, const Hash& hash, const Visitor& visit) {
  // Invariant: hashes_ is the decomposition of [begin_, node.CoverageBegin()).
  // While `node` is a right child whose left sibling lies inside the range,
  // that sibling is exactly the last hash (the largest aligned subtree ending
  // where `node` starts), and the two complete their parent.
  Hash seed = hash;
  while ((node.index & 1) == 1 && ((node.index - 1) << node.level) >= begin_) {
    seed = HashChildren(hashes_.back(), seed);
    hashes_.pop_back();
    node = node.Parent();
    if (visit) visit(node, seed);
  }
  hashes_.push_back(seed);
}

void CompactRange::Append(const Hash& leaf_hash, const Visitor& visit) {
  if (end_ == UINT64_MAX) {
    // Unreachable in practice (2^64 leaves); wrapping around would silently
    // corrupt the range, so stop instead.
    std::fprintf(stderr, "CompactRange::Append: range is full\n");
    std::abort();
  }
  const NodeId leaf{0, end_};
  if (visit) visit(leaf, leaf_hash);
  PushNode(leaf, leaf_hash, visit);
  ++end_;
}

void CompactRange::AppendRange(std::span<const Hash> leaf_hashes, const Visitor& visit) {
  for (const Hash& h : leaf_hashes) Append(h, visit);
}

Status CompactRange::Merge(const CompactRange& other, const Visitor& visit) {
  if (other.begin_ != end_) {
    return Status::InvalidArgument("compact range: cannot merge [" + std::to_string(other.begin_) +
                                   ", " + std::to_string(other.end_) + ") after end " +
                                   std::to_string(end_));
  }
  // Pushing other's nodes left to right keeps the decomposition minimal: a
  // node of `other` can only complete a parent together with our trailing
  // hashes (its own siblings inside `other` are already merged there).
  const std::vector<NodeId> ids = RangeNodes(other.begin_, other.end_);
  for (size_t i = 0; i < ids.size(); ++i) PushNode(ids[i], other.hashes_[i], visit);
  end_ = other.end_;
  return Status::Ok();
}

Result<Hash> CompactRange::GetRootHash(const Visitor& visit) const {
  if (begin_ != 0) {
    return Status::FailedPrecondition("compact range starts at " + std::to_string(begin_) +
                                      ", not 0: it is not a whole tree");
  }
  if (hashes_.empty()) return EmptyRoot();
  // Fold right to left. Each step's node is the parent of the perfect subtree
  // hashes_[i]: clearing the lowest set bit of `size` drops the subtree just
  // folded in, and the next set bit is hashes_[i]'s size.
  Hash hash = hashes_.back();
  uint64_t size = end_;
  for (size_t i = hashes_.size() - 1; i-- > 0;) {
    hash = HashChildren(hashes_[i], hash);
    if (visit) {
      size &= size - 1;
      const int level = std::countr_zero(size) + 1;
      visit(NodeId{static_cast<uint8_t>(level), level < 64 ? size >> level : 0}, hash);
    }
  }
  return hash;
}

}  // namespace ltl::proofs
