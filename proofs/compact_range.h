// CompactRange: the hashes of leaves [begin, end) folded into the fewest
// perfect subtrees, after transparency-dev/merkle's compact.Range.
//
// The leaves [begin, end) split in exactly one way into a minimal sequence of
// perfect subtrees (nodes, proofs/node_id.h): sizes grow from the left edge
// and shrink towards the right edge. For [3, 13):
//
//   leaves   3 | 4  5  6  7 | 8  9  10  11 | 12
//   nodes  [0 3]   [2 1]         [2 2]      [0 12]    = RangeNodes(3, 13)
//
// A range starting at 0 holds one hash per set bit of `end`, so a whole tree
// of up to 2^64 - 1 leaves needs at most 64 hashes: the sequencer keeps one
// CompactRange for the log and gets the root after each batch without reading
// old leaves back.
//
// Appending reports every node that becomes complete, so the caller can store
// the perfect nodes (and thus tiles) as a by-product of computing the root.
//
// Thread-safety: a value type; no internal synchronisation.
#ifndef LTL_PROOFS_COMPACT_RANGE_H_
#define LTL_PROOFS_COMPACT_RANGE_H_

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "proofs/hash.h"
#include "proofs/node_id.h"

namespace ltl::proofs {

// The nodes of the minimal decomposition of [begin, end), left to right.
// Empty when begin >= end.
std::vector<NodeId> RangeNodes(uint64_t begin, uint64_t end);

class CompactRange {
 public:
  // Called with each node that becomes known, and its hash.
  using Visitor = std::function<void(NodeId, const Hash&)>;

  // The empty range [begin, begin).
  explicit CompactRange(uint64_t begin = 0) : begin_(begin), end_(begin) {}

  // A range from stored state: hashes[i] is the hash of RangeNodes(begin,
  // end)[i]. Errors: InvalidArgument if end < begin or the number of hashes
  // is not RangeNodes(begin, end).size().
  static Result<CompactRange> FromHashes(uint64_t begin, uint64_t end, std::vector<Hash> hashes);

  uint64_t begin() const { return begin_; }
  uint64_t end() const { return end_; }
  bool empty() const { return begin_ == end_; }
  // The hashes of RangeNodes(begin(), end()), left to right.
  const std::vector<Hash>& hashes() const { return hashes_; }

  // Extends the range by the leaf at index end(). `visit` (if set) sees the
  // leaf itself as node [0 end()], then each parent that the leaf completes,
  // lowest first. REQUIRES: end() < UINT64_MAX.
  void Append(const Hash& leaf_hash, const Visitor& visit = {});

  // Append() for each hash in order; same visits.
  // REQUIRES: leaf_hashes.size() <= UINT64_MAX - end().
  void AppendRange(std::span<const Hash> leaf_hashes, const Visitor& visit = {});

  // Extends this range by `other`, which must start where this one ends.
  // `visit` sees each node created by joining the two (not the nodes already
  // in `other`). Errors: InvalidArgument if other.begin() != end() (this
  // range is then unchanged).
  Status Merge(const CompactRange& other, const Visitor& visit = {});

  // The RFC 6962 root of the tree of end() leaves: EmptyRoot() when empty.
  // `visit` sees each ephemeral node on the tree's right border (the
  // non-perfect nodes the root is built through), lowest first; their ids
  // are the nodes' positions in a tree of the next power-of-two size.
  // Errors: FailedPrecondition if begin() != 0 (not a whole tree).
  Result<Hash> GetRootHash(const Visitor& visit = {}) const;

  friend bool operator==(const CompactRange&, const CompactRange&) = default;

 private:
  CompactRange(uint64_t begin, uint64_t end, std::vector<Hash> hashes)
      : begin_(begin), end_(end), hashes_(std::move(hashes)) {}

  // Adds the perfect node `node`, whose leaves start at end_, merging it with
  // the trailing hashes it completes.
  void PushNode(NodeId node, const Hash& hash, const Visitor& visit);

  uint64_t begin_;
  uint64_t end_;
  std::vector<Hash> hashes_;
};

}  // namespace ltl::proofs

#endif  // LTL_PROOFS_COMPACT_RANGE_H_
