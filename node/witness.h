// Witness: the witness role of ltl-node, C2SP tlog-witness v1.0.0 with
// tlog-cosignature v1.0.1 cosignatures (docs/network.md#witness).
//
//   POST /add-checkpoint
//   body:  "old <size>\n" <0..63 base64 consistency-proof lines> "\n" <signed checkpoint>
//
//   answer                                     when
//   -----------------------------------------  --------------------------------------------
//   400 (JSON error)                           malformed body or checkpoint; old > new size
//   404 (JSON error)                           the origin is not a log this witness witnesses
//   403 (JSON error)                           no valid signature by the log's key
//   409 text/x.tlog.size "<size>\n"            old size != the size this witness last
//                                              cosigned for the origin (0 if never)
//   409 text/x.tlog.size "<size>\n"            old == new size but another root (v1.0.0;
//                                              main's 422 is for later versions); evidence kept
//   422 (JSON error)                           consistency proof does not verify, or is not
//                                              empty for old 0; evidence kept
//   200 text/plain "— <name> <base64>\n"       cosigned: the new checkpoint was stored first
//
// Guarantees:
//  - The check of the old size against the stored checkpoint and the storing
//    of the new one are one LMDB write transaction, committed durably before
//    the 200 is sent (store::WitnessStore::Advance). Two racing requests
//    cannot roll the witness back.
//  - The witness never cosigns a checkpoint that is not proved consistent
//    with the one it cosigned before: each stored checkpoint is reached from
//    the previous one by a verified consistency proof (or equal roots).
//  - It keeps the full signed note of the latest checkpoint per origin, and,
//    for every refusal of a checkpoint that the log's key did sign (409 same
//    size other root, 422), an evidence document (node/witness_evidence.h)
//    with both signed checkpoints and the failing proof.
//
// Thread-safety: AddCheckpoint may be called concurrently.
#ifndef LTL_NODE_WITNESS_H_
#define LTL_NODE_WITNESS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "ledger/keys.h"
#include "ledger/store/witness_store.h"
#include "node/http_handlers.h"
#include "node/log_backend.h"
#include "proofs/hash.h"

namespace ltl::node {

// The Content-Type of a 409 answer's body (tlog-witness).
inline constexpr std::string_view kTlogSizeContentType = "text/x.tlog.size";
// tlog-witness: a client must not send more than 63 proof lines.
inline constexpr size_t kMaxWitnessProofLines = 63;

struct AddCheckpointRequest {
  uint64_t old_size = 0;
  std::vector<proofs::Hash> proof;
  std::string checkpoint;  // the signed note, as sent
  friend bool operator==(const AddCheckpointRequest&, const AddCheckpointRequest&) = default;
};

// Strict parse of an add-checkpoint body: "old " and a canonical decimal,
// then each proof line exactly 44 characters of canonical base64 of 32
// bytes, at most 63 of them, then an empty line, then the note (not parsed
// here). Errors: InvalidArgument naming the line.
Result<AddCheckpointRequest> ParseAddCheckpointRequest(std::string_view body);

// The body for `request`; ParseAddCheckpointRequest inverts it.
std::string FormatAddCheckpointRequest(const AddCheckpointRequest& request);

// The size in a 409 answer's text/x.tlog.size body: a canonical decimal and
// "\n", nothing else. Errors: InvalidArgument.
Result<uint64_t> ParseTlogSizeBody(std::string_view body);

struct WitnessOptions {
  // Cosignature timestamps, POSIX seconds (a parameter so tests can fix it).
  std::function<uint64_t()> now_unix_seconds;
};

class Witness {
 public:
  // `key` is the witness's cosigning key (type 0x04); `logs` the verifier
  // keys (type 0x01) of the logs it witnesses, each named after its origin.
  // REQUIRES: `store` outlives the witness.
  // Errors: InvalidArgument for a key of the wrong type, no logs, or two
  // logs with one origin.
  static Result<std::unique_ptr<Witness>> Create(ledger::SigningKey key,
                                                 std::vector<ledger::VerifierKey> logs,
                                                 store::WitnessStore& store,
                                                 WitnessOptions options = {});

  // The answer to POST /add-checkpoint with `body` (the table above).
  // Storage failures are 500/503 answers (the log retries later).
  Response AddCheckpoint(std::string_view body);

  const ledger::VerifierKey& verifier() const { return key_.verifier(); }
  std::span<const ledger::VerifierKey> logs() const { return logs_; }

 private:
  Witness(ledger::SigningKey key, std::vector<ledger::VerifierKey> logs, store::WitnessStore& store,
          WitnessOptions options)
      : key_(std::move(key)), logs_(std::move(logs)), store_(store), options_(std::move(options)) {}

  const ledger::VerifierKey* FindLog(std::string_view origin) const;
  // Stores an evidence document unless it repeats the last one for this
  // origin (a log retrying the same refused checkpoint).
  void KeepEvidence(const std::string& origin, const std::string& offered, std::string document);

  ledger::SigningKey key_;
  std::vector<ledger::VerifierKey> logs_;
  store::WitnessStore& store_;
  WitnessOptions options_;
  std::mutex evidence_mu_;
  std::map<std::string, std::string, std::less<>> last_refused_;  // origin -> offered note
};

// The LogBackend of a node that serves no tree (a witness and nothing else):
// reads and submissions are NotFound ("this node serves no log"), health is
// OK, statistics are zero. The HTTP server always has a backend; this one
// makes the log routes of a witness-only node answer 404.
std::unique_ptr<LogBackend> MakeNoLogBackend();

}  // namespace ltl::node

#endif  // LTL_NODE_WITNESS_H_
