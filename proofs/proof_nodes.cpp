// Which nodes make up an inclusion or a consistency proof (after
// transparency-dev/merkle's proof.Inclusion / proof.Consistency).

#include <algorithm>
#include <bit>
#include <string>

#include "proofs/compact_range.h"
#include "proofs/consistency.h"
#include "proofs/inclusion.h"

namespace ltl::proofs {
namespace {

// The nodes that prove the perfect node `node` is in the tree of `size`
// leaves, starting with `node` itself (callers that already know its hash
// drop it with SkipFirst).
//
// The path from `node` to the root joins the path from the next leaf to be
// appended (leaf `size`) just above the "fork" node. Below the fork, every
// sibling on the path is a perfect node. The fork's sibling is the ephemeral
// node, covering [fork end, size) and rebuilt from the perfect nodes of that
// range. Above the fork, every sibling lies to the left; together they cover
// [0, fork begin).
/*
    size 7, node [0 1]:         root
                             /        \
                fork -> [2 0]          (ephemeral [2 1]) = HASH([1 2], [0 6])
                        /    \
                    [1 0]    [1 1]      ids: [0 1] [0 0] [1 1] [0 6] [1 2]
                    /   \               ephemeral from ids[3, 5)
                [0 0]   [0 1]
*/
// REQUIRES: node is perfect in the tree of `size` ((index+1) << level <= size).
ProofNodes PathNodes(NodeId node, uint64_t size) {
  // The paths to `node` and to the would-be leaf `size` part above the fork;
  // `inner` is how many levels above `node` the fork is.
  const int inner = std::bit_width(node.index ^ (size >> node.level)) - 1;
  const NodeId fork{static_cast<uint8_t>(node.level + inner), node.index >> inner};
  const uint64_t fork_begin = fork.CoverageBegin();
  const uint64_t fork_end = fork.CoverageEnd();  // <= size: the fork is perfect

  std::vector<NodeId> right = RangeNodes(fork_end, size);
  std::vector<NodeId> left = RangeNodes(0, fork_begin);

  ProofNodes out;
  out.ids.reserve(1 + inner + right.size() + left.size());
  out.ids.push_back(node);
  for (NodeId n = node; n.level < fork.level; n = n.Parent()) out.ids.push_back(n.Sibling());
  // The ephemeral node's parts, lowest level first, as Rehash consumes them.
  if (!right.empty()) {
    out.begin = out.ids.size();
    out.ids.insert(out.ids.end(), right.rbegin(), right.rend());
    out.end = out.ids.size();
  }
  // The left siblings above the fork, lowest first: the proof climbs upwards.
  out.ids.insert(out.ids.end(), left.rbegin(), left.rend());
  out.ephem = fork.Sibling();
  return out;
}

// Drops ids[0], the node whose hash the verifier already has.
ProofNodes SkipFirst(ProofNodes nodes) {
  nodes.ids.erase(nodes.ids.begin());
  if (nodes.begin < nodes.end) {
    --nodes.begin;
    --nodes.end;
  }
  return nodes;
}

}  // namespace

Result<ProofNodes> InclusionNodes(uint64_t index, uint64_t size) {
  if (index >= size) {
    return Status::OutOfRange("inclusion: leaf index " + std::to_string(index) +
                              " is not below tree size " + std::to_string(size));
  }
  return SkipFirst(PathNodes(NodeId{0, index}, size));
}

Result<ProofNodes> ConsistencyNodes(uint64_t size1, uint64_t size2) {
  LTL_RETURN_IF_ERROR(detail::CheckConsistencySizes(size1, size2));
  if (size1 == size2) return ProofNodes{};
  // RFC 9162 2.1.4.1: the proof is the inclusion proof, in the tree of size2,
  // of the largest perfect subtree ending at size1 (level = trailing zeros of
  // size1), preceded by that subtree's own hash unless it is the whole tree
  // of size1 (then the verifier has it already as root1).
  const int level = std::countr_zero(size1);
  ProofNodes nodes = PathNodes(NodeId{static_cast<uint8_t>(level), (size1 - 1) >> level}, size2);
  if (std::has_single_bit(size1)) return SkipFirst(std::move(nodes));
  return nodes;
}

}  // namespace ltl::proofs
