// NodeId: the address of one node of an RFC 6962 Merkle tree.
//
// `level` is the height of the node above the leaves (leaves are level 0) and
// `index` is its position within that level, counted from 0 at the left. A
// node at (level, index) is the root of the perfect subtree over the leaves
// [index << level, (index + 1) << level). Nodes are labelled [level index]:
/*
                        [3 0]
                  /               \
             [2 0]                 [2 1]
            /     \               /     \
        [1 0]     [1 1]       [1 2]     [1 3]
        /   \     /   \       /   \     /   \
    [0 0] [0 1] [0 2] [0 3] [0 4] [0 5] [0 6] [0 7]     <- leaves 0..7
*/
// In a tree whose size is not a power of two, only *perfect* nodes have a
// stable hash. The nodes on the right border that are not perfect (merkle's
// "ephemeral" nodes) are never stored: their hash changes as the tree
// grows. For size 7:
/*
                     (root)
                  /          \
             [2 0]             ([2 1])     <- ephemeral: HASH([1 2], [0 6])
            /     \            /     \        at size 7; HASH([1 2], [1 3])
        [1 0]     [1 1]    [1 2]      |       once leaf 7 exists
        /   \     /   \    /   \      |
    [0 0] [0 1] [0 2] [0 3] [0 4] [0 5] [0 6]
*/
// Storage keys nodes by NodeId; proofs/ tells storage which NodeIds it needs
// (proofs/proof.h) and combines their hashes.
//
// A NodeId inside a uint64 tree has level <= 63 and index < 2^(64 - level).
// Thread-safety: a value type.
#ifndef LTL_PROOFS_NODE_ID_H_
#define LTL_PROOFS_NODE_ID_H_

#include <cstdint>
#include <ostream>
#include <string>

namespace ltl::proofs {

struct NodeId {
  uint8_t level = 0;
  uint64_t index = 0;

  // The node one level up whose subtree contains this one.
  constexpr NodeId Parent() const { return NodeId{static_cast<uint8_t>(level + 1), index >> 1}; }
  // The other child of Parent().
  constexpr NodeId Sibling() const { return NodeId{level, index ^ 1}; }
  // The leaves covered: [CoverageBegin(), CoverageEnd()).
  // REQUIRES: the node lies inside a uint64 tree (see above) and, for
  // CoverageEnd(), does not end exactly at 2^64.
  constexpr uint64_t CoverageBegin() const { return index << level; }
  constexpr uint64_t CoverageEnd() const { return (index + 1) << level; }

  friend constexpr bool operator==(const NodeId&, const NodeId&) = default;
};

// "[level index]", as in the diagram above; for logs and test failures.
std::string NodeIdToString(const NodeId& id);
std::ostream& operator<<(std::ostream& os, const NodeId& id);

}  // namespace ltl::proofs

#endif  // LTL_PROOFS_NODE_ID_H_
