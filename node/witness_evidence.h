// Evidence documents of the network roles: what a witness keeps when it
// refuses a log's checkpoint, what a mirror keeps when it refuses to advance,
// and what gossip raises as an alarm. docs/network.md#evidence.
//
// One JSON object per document, written by the node and stored verbatim in
// the node's WitnessStore (ledger/store/witness_store.h):
//
//   {
//     "type": "ltl-network-evidence/v1",
//     "kind": "witness_refused" | "mirror_refused" | "gossip_alarm",
//     "origin": "<log origin>",
//     "detected_unix": <seconds>,
//     "source": "<who showed the second checkpoint: a peer URL, add-checkpoint, upstream>",
//     "reason": "<why the two cannot both be true>",
//     "old_size": <n>, "new_size": <n>,
//     "old_checkpoint": "<signed note, the smaller (or equal) tree>",
//     "new_checkpoint": "<signed note>",
//     "proof": ["<base64 hash>", ...]
//   }
//
// Both checkpoints carry the log's own signature (a witness or gossip only
// records pairs whose signatures verified), so anyone holding the log's
// verifier key can check that the log signed two histories. The proof is the
// one that failed (empty when none applies: equal sizes, or no proof given).
//
// Thread-safety: values and pure functions.
#ifndef LTL_NODE_WITNESS_EVIDENCE_H_
#define LTL_NODE_WITNESS_EVIDENCE_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "proofs/hash.h"

namespace ltl::node {

struct NetworkEvidence {
  std::string kind;  // "witness_refused", "mirror_refused", "gossip_alarm"
  std::string origin;
  int64_t detected_unix = 0;
  std::string source;
  std::string reason;
  uint64_t old_size = 0;
  uint64_t new_size = 0;
  std::string old_checkpoint;
  std::string new_checkpoint;
  std::vector<proofs::Hash> proof;
};

// The JSON document above, ending in "\n".
std::string NetworkEvidenceJson(const NetworkEvidence& evidence);

// `{"alarms": [doc, doc, ...]}` from stored documents (each a JSON object as
// NetworkEvidenceJson wrote it; its final "\n" is dropped). The documents come
// from the node's own store, so they are inserted as they are.
std::string EvidenceListJson(std::string_view member, std::span<const std::string> documents);

}  // namespace ltl::node

#endif  // LTL_NODE_WITNESS_EVIDENCE_H_
