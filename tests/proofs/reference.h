// A naive RFC 6962 section 2.1 Merkle tree, for tests only.
//
// MTH, PATH and SUBPROOF/PROOF are written exactly as the RFC recursions
// (split at the largest power of two below n), with no bit tricks, so that the
// fast code in proofs/ is checked against an independent statement of the
// spec. MTH results are memoised per range so that exhaustive checks over
// every size up to a few hundred stay fast, also under sanitizers; memoising
// does not change what is computed.
#ifndef LTL_TESTS_PROOFS_REFERENCE_H_
#define LTL_TESTS_PROOFS_REFERENCE_H_

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "proofs/hash.h"
#include "proofs/node_id.h"
#include "proofs/tiles.h"

namespace ltl::proofs::testing {

// Distinct, deterministic leaf data: "leaf-<i>".
inline std::vector<Hash> MakeLeafHashes(uint64_t count) {
  std::vector<Hash> out;
  out.reserve(count);
  for (uint64_t i = 0; i < count; ++i) out.push_back(HashLeaf("leaf-" + std::to_string(i)));
  return out;
}

class ReferenceTree {
 public:
  explicit ReferenceTree(std::vector<Hash> leaf_hashes) : leaves_(std::move(leaf_hashes)) {}

  uint64_t size() const { return leaves_.size(); }
  const Hash& leaf(uint64_t i) const { return leaves_[i]; }

  // MTH(D[begin:end]).
  Hash Mth(uint64_t begin, uint64_t end) {
    const uint64_t n = end - begin;
    if (n == 0) return EmptyRoot();
    if (n == 1) return leaves_[begin];
    const uint64_t key = begin * (leaves_.size() + 1) + end;
    if (auto it = memo_.find(key); it != memo_.end()) return it->second;
    const uint64_t k = LargestPowerOfTwoBelow(n);
    const Hash h = HashChildren(Mth(begin, begin + k), Mth(begin + k, end));
    memo_.emplace(key, h);
    return h;
  }
  Hash Root(uint64_t n) { return Mth(0, n); }

  // The hash of a perfect node: MTH over the leaves it covers.
  Hash NodeHash(NodeId id) { return Mth(id.CoverageBegin(), id.CoverageEnd()); }

  // PATH(m, D[begin:end]): the inclusion proof of leaf begin + m.
  std::vector<Hash> Path(uint64_t m, uint64_t begin, uint64_t end) {
    const uint64_t n = end - begin;
    if (n == 1) return {};
    const uint64_t k = LargestPowerOfTwoBelow(n);
    std::vector<Hash> out;
    if (m < k) {
      out = Path(m, begin, begin + k);
      out.push_back(Mth(begin + k, end));
    } else {
      out = Path(m - k, begin + k, end);
      out.push_back(Mth(begin, begin + k));
    }
    return out;
  }
  std::vector<Hash> InclusionProof(uint64_t index, uint64_t n) { return Path(index, 0, n); }

  // PROOF(m, D[n]) = SUBPROOF(m, D[n], true).
  std::vector<Hash> ConsistencyProof(uint64_t m, uint64_t n) { return SubProof(m, 0, n, true); }

  // SUBPROOF(m, D[begin:end], b).
  std::vector<Hash> SubProof(uint64_t m, uint64_t begin, uint64_t end, bool b) {
    const uint64_t n = end - begin;
    if (m == n) {
      if (b) return {};
      return {Mth(begin, end)};
    }
    const uint64_t k = LargestPowerOfTwoBelow(n);
    std::vector<Hash> out;
    if (m <= k) {
      out = SubProof(m, begin, begin + k, b);
      out.push_back(Mth(begin + k, end));
    } else {
      out = SubProof(m - k, begin + k, end, false);
      out.push_back(Mth(begin, begin + k));
    }
    return out;
  }

 private:
  // The largest power of two strictly below n (n >= 2), by counting up.
  static uint64_t LargestPowerOfTwoBelow(uint64_t n) {
    uint64_t k = 1;
    while (k * 2 < n) k *= 2;
    return k;
  }

  std::vector<Hash> leaves_;
  std::unordered_map<uint64_t, Hash> memo_;  // key: begin * (size + 1) + end
};

// The body of `tile` (tlog-tiles) computed from the reference tree.
inline Bytes ReferenceTile(ReferenceTree& ref, const TileId& tile) {
  std::vector<Hash> hashes;
  for (uint64_t i = 0; i < tile.width; ++i) {
    hashes.push_back(
        ref.NodeHash(NodeId{static_cast<uint8_t>(tile.level * 8), tile.index * kTileWidth + i}));
  }
  return EncodeTileHashes(hashes);
}

}  // namespace ltl::proofs::testing

#endif  // LTL_TESTS_PROOFS_REFERENCE_H_
