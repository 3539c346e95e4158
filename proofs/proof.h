// What inclusion and consistency proofs share: the list of node ids a proof
// is built from, the step that turns fetched node hashes into the proof, and
// the error classes every verifier in proofs/ returns.
//
// Building a proof is split three ways (as transparency-dev/merkle's
// proof.Nodes): proofs/ says WHICH nodes it needs (InclusionNodes,
// ConsistencyNodes in proofs/inclusion.h and proofs/consistency.h), storage
// or a tile fetcher looks their hashes up, and Rehash() combines them:
//
//   LTL_ASSIGN_OR_RETURN(ProofNodes nodes, InclusionNodes(index, size));
//   std::vector<Hash> fetched = ...;  // fetched[i] = hash of nodes.ids[i]
//   LTL_ASSIGN_OR_RETURN(std::vector<Hash> proof, Rehash(fetched, nodes));
//
// Every id is a *perfect* node, so its hash never changes once the tree has
// grown past it, and it can be read from storage or from a tile. At most one
// element of a proof is not a perfect node: the "ephemeral" node on the right
// border of a tree whose size is not a power of two (see proofs/node_id.h).
// Its hash is rebuilt from the perfect nodes ids[begin, end), which cover the
// same leaves and are listed from the lowest level up.
//
// Error classes. Every verifier here returns exactly one of:
//   - OK;
//   - a bad-argument error: the sizes or index make no proof possible
//     (index >= size is OutOfRange; size1 > size2 or size1 == 0 is
//     InvalidArgument). The proof was not looked at.
//   - a malformed proof: kInvalidArgument, message starting
//     "malformed proof: " (wrong number of hashes; nothing was hashed).
//     IsMalformedProof() is true.
//   - a root mismatch: kFailedPrecondition, message
//     "root mismatch: computed <hex> != expected <hex>". IsRootMismatch() is
//     true and RootMismatch::FromStatus() recovers both roots (as evidence).
// Callers branch on IsMalformedProof / IsRootMismatch, never on messages.
// Both still recognise a status after Status::WithContext().
//
// Thread-safety: all functions are pure; ProofNodes is a value type.
#ifndef LTL_PROOFS_PROOF_H_
#define LTL_PROOFS_PROOF_H_

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "proofs/hash.h"
#include "proofs/node_id.h"

namespace ltl::proofs {

// The nodes whose hashes make up one proof, in proof order (lowest level
// first, as RFC 6962 lists proof hashes).
struct ProofNodes {
  // The perfect nodes to fetch.
  std::vector<NodeId> ids;
  // ids[begin, end) are hashed together, right to left, into the single
  // ephemeral node `ephem`; the proof carries that one hash in their place.
  // begin == end when the proof has no ephemeral node (then `ephem` is unused).
  size_t begin = 0;
  size_t end = 0;
  NodeId ephem;

  friend bool operator==(const ProofNodes&, const ProofNodes&) = default;
};

// Combines fetched node hashes into the proof: fetched[i] is the hash of
// nodes.ids[i]. The result has nodes.ids.size() - (end - begin - 1) hashes
// when end - begin >= 2, else nodes.ids.size().
// Errors: InvalidArgument if fetched.size() != nodes.ids.size() or
// nodes.begin/end do not describe a range of nodes.ids.
Result<std::vector<Hash>> Rehash(std::span<const Hash> fetched, const ProofNodes& nodes);

// The root-mismatch error class, carrying both roots.
struct RootMismatch {
  Hash computed;  // the root the proof leads to
  Hash expected;  // the root the caller trusts

  // kFailedPrecondition, "root mismatch: computed <hex> != expected <hex>".
  Status ToStatus() const;
  // The roots back from a status made by ToStatus(); nullopt for any other.
  static std::optional<RootMismatch> FromStatus(const Status& status);
};

// Makes a malformed-proof status: kInvalidArgument, "malformed proof: <why>".
Status MalformedProof(std::string_view why);

bool IsRootMismatch(const Status& status);
bool IsMalformedProof(const Status& status);

}  // namespace ltl::proofs

#endif  // LTL_PROOFS_PROOF_H_
