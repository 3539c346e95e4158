// Evidence of a log that could not prove two of its checkpoints consistent.
//
// When a log's key has signed checkpoint A (size a) and checkpoint B (size
// b >= a) and the log cannot produce a consistency proof from A to B, either
// the log forked (showed different histories to different people) or it is
// broken. Either way the two signed checkpoints are what a user needs to
// show others: anyone with the log's public key can check both signatures
// and ask the log for the proof again. The evidence carries both checkpoints
// exactly as received (every signature line kept), the proof the client
// built, and why it failed.
//
// JSON file format (EvidenceToJson; docs/client.md#evidence):
//   {
//     "type": "ltl-consistency-evidence/v1",
//     "reason": "<why the proof failed>",
//     "old_checkpoint": "<signed note, the smaller tree>",
//     "new_checkpoint": "<signed note, the larger (or equal-size) tree>",
//     "old_size": <n>, "new_size": <n>,
//     "proof": ["<base64 hash>", ...]
//   }
// For two checkpoints of equal size and different roots the proof is empty:
// the pair itself is the evidence.
//
// Thread-safety: values and pure functions.
#ifndef LTL_CLIENT_EVIDENCE_H_
#define LTL_CLIENT_EVIDENCE_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "proofs/hash.h"

namespace ltl::client {

struct Evidence {
  std::string old_checkpoint;  // signed note wire, smaller (or equal) tree
  std::string new_checkpoint;  // signed note wire
  uint64_t old_size = 0;
  uint64_t new_size = 0;
  std::vector<proofs::Hash> proof;  // as built from the log's tiles
  std::string reason;

  friend bool operator==(const Evidence&, const Evidence&) = default;
};

std::string EvidenceToJson(const Evidence& evidence);

// Strict inverse of EvidenceToJson (unknown or missing members, wrong types,
// non-canonical base64 are errors). Errors: InvalidArgument.
Result<Evidence> ParseEvidenceJson(std::string_view json);

// Writes EvidenceToJson(evidence) to `path` atomically (temporary file,
// fsync, rename, fsync of the folder). Errors: PermissionDenied (EACCES,
// EPERM, EROFS), ResourceExhausted (ENOSPC, EDQUOT), otherwise Internal; the
// message names the path.
Status WriteEvidenceFile(const Evidence& evidence, const std::filesystem::path& path);

}  // namespace ltl::client

#endif  // LTL_CLIENT_EVIDENCE_H_
