#include "proofs/proof.h"

#include <string>

namespace ltl::proofs {
namespace {

// Both markers are part of the contract in proof.h: IsMalformedProof and
// IsRootMismatch recognise statuses by code plus marker, so that callers
// never have to. The marker is searched for, not required at the start, so
// that the class survives Status::WithContext (which prepends "<context>: ").
constexpr std::string_view kMalformedPrefix = "malformed proof: ";
constexpr std::string_view kMismatchPrefix = "root mismatch: computed ";
constexpr std::string_view kMismatchMiddle = " != expected ";

}  // namespace

Result<std::vector<Hash>> Rehash(std::span<const Hash> fetched, const ProofNodes& nodes) {
  if (fetched.size() != nodes.ids.size()) {
    return Status::InvalidArgument("rehash: got " + std::to_string(fetched.size()) +
                                   " hashes for " + std::to_string(nodes.ids.size()) + " nodes");
  }
  if (nodes.begin > nodes.end || nodes.end > nodes.ids.size()) {
    return Status::InvalidArgument("rehash: ephemeral range is not within the node list");
  }
  std::vector<Hash> proof;
  proof.reserve(fetched.size());
  size_t i = 0;
  while (i < fetched.size()) {
    if (i == nodes.begin && nodes.begin < nodes.end) {
      // The ephemeral node's perfect parts, lowest level (rightmost) first:
      // each next part lies to the left of everything hashed so far.
      Hash ephemeral = fetched[i];
      for (size_t j = i + 1; j < nodes.end; ++j) ephemeral = HashChildren(fetched[j], ephemeral);
      proof.push_back(ephemeral);
      i = nodes.end;
    } else {
      proof.push_back(fetched[i]);
      ++i;
    }
  }
  return proof;
}

Status RootMismatch::ToStatus() const {
  std::string msg;
  msg.reserve(kMismatchPrefix.size() + kMismatchMiddle.size() + 4 * kHashSize);
  msg.append(kMismatchPrefix).append(HashToHex(computed));
  msg.append(kMismatchMiddle).append(HashToHex(expected));
  return Status::FailedPrecondition(msg);
}

std::optional<RootMismatch> RootMismatch::FromStatus(const Status& status) {
  if (!IsRootMismatch(status)) return std::nullopt;
  std::string_view msg = status.message();
  msg.remove_prefix(msg.rfind(kMismatchPrefix) + kMismatchPrefix.size());
  constexpr size_t kHexSize = 2 * kHashSize;
  if (msg.size() != 2 * kHexSize + kMismatchMiddle.size() ||
      msg.substr(kHexSize, kMismatchMiddle.size()) != kMismatchMiddle) {
    return std::nullopt;
  }
  Result<Hash> computed = HashFromHex(msg.substr(0, kHexSize));
  Result<Hash> expected = HashFromHex(msg.substr(kHexSize + kMismatchMiddle.size()));
  if (!computed.has_value() || !expected.has_value()) return std::nullopt;
  return RootMismatch{*computed, *expected};
}

Status MalformedProof(std::string_view why) {
  std::string msg(kMalformedPrefix);
  msg.append(why);
  return Status::InvalidArgument(msg);
}

bool IsRootMismatch(const Status& status) {
  return status.code() == StatusCode::kFailedPrecondition &&
         status.message().find(kMismatchPrefix) != std::string::npos;
}

bool IsMalformedProof(const Status& status) {
  return status.code() == StatusCode::kInvalidArgument &&
         status.message().find(kMalformedPrefix) != std::string::npos;
}

}  // namespace ltl::proofs
