// Mirror: follows another log through its tlog-tiles API, keeps a verified
// copy in its own LMDB (store::MirrorStore), and serves the same read API
// (docs/network.md#mirror), after the intent of C2SP tlog-mirror.
//
//   every `interval`:
//     GET <upstream>/checkpoint; it must carry the upstream log's valid
//       signature (ledger::OpenCheckpoint with the configured key);
//     larger than the stored tree: fetch the entry bundles of the new
//       entries, append them, and store the result only if the rebuilt tree
//       has the checkpoint's size and root (MirrorStore::Extend, one durable
//       transaction). The stored tree is extended, never rewritten, so each
//       stored checkpoint is consistent with the previous one by
//       construction;
//     the served checkpoint is the upstream's note (its log signature and
//       witness cosignatures kept) plus the mirror's own cosignature
//       (tlog-cosignature v1.0.1, the mirror's own key): "as of this time,
//       this tree is stored here and served";
//     smaller or equal: checked against the stored tree (root at that size
//       from stored nodes); equal and identical roots with a new note (say
//       more cosignatures): the served note is refreshed.
//   A checkpoint that contradicts the stored tree (the rebuilt root differs,
//   an older checkpoint is not a prefix, or equal size with another root) is
//   refused: the mirror does not advance, keeps an evidence document with
//   both signed checkpoints (node/witness_evidence.h, kind mirror_refused),
//   logs it and counts it in /metrics.
//
// Catch-up holds the new entries of one round in memory (the upstream's lag
// behind the mirror, at most 65,535 bytes each).
//
// The read API: checkpoint, tiles, entry bundles, entries and proofs come
// from the mirror's store; lookups and submissions are refused (a mirror keeps
// no indexes and takes no entries: FailedPrecondition, naming the upstream).
//
// Thread-safety: all methods are thread-safe; one background thread follows
// the upstream and stops in the destructor.
#ifndef LTL_NODE_MIRROR_H_
#define LTL_NODE_MIRROR_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/result.h"
#include "ledger/keys.h"
#include "ledger/store/mirror_store.h"
#include "ledger/store/witness_store.h"
#include "node/cosigning.h"
#include "node/log_backend.h"
#include "node/server.h"

namespace ltl::node {

struct MirrorOptions {
  std::string upstream;              // base URL of the followed log
  ledger::VerifierKey upstream_key;  // its Ed25519 key, named after its origin
  std::chrono::milliseconds interval{1000};
  std::chrono::milliseconds timeout{10000};  // one upstream request, attempts included
  LogSink log = LogToStderr;
  FetcherFactory connect = HttpFetcherFactory();
  std::function<uint64_t()> now_unix_seconds;  // cosignature timestamps; empty = system clock
  bool background = true;                      // false: tests call RunRound
};

class Mirror final : public LogBackend {
 public:
  // REQUIRES: `tree` and `network` outlive the mirror; `tree` was opened for
  // options.upstream_key. `key` is the mirror's cosignature/v1 key.
  // Errors: InvalidArgument for key types; the fetcher factory's errors.
  static Result<std::unique_ptr<Mirror>> Start(store::MirrorStore& tree,
                                               store::WitnessStore& network, ledger::SigningKey key,
                                               MirrorOptions options);
  ~Mirror() override;

  // One round on the caller's thread. OK when the mirror holds the
  // upstream's checkpoint afterwards; Unavailable for fetch failures;
  // PermissionDenied for a bad signature; DataLoss for a refused
  // (inconsistent) checkpoint, evidence kept.
  Status RunRound();

  // ltl_mirror_tree_size, ltl_mirror_upstream_tree_size,
  // ltl_mirror_rounds_total{result}.
  void AppendMetrics(std::string& out) const;

  // Errors: Unavailable before the first checkpoint was mirrored.
  Result<std::string> Checkpoint() override;
  Result<Bytes> Tile(uint8_t level, uint64_t index, uint16_t width) override;
  Result<Bytes> EntryBundle(uint64_t index, uint16_t width) override;
  Result<std::string> Entry(uint64_t index) override;
  Result<std::optional<uint64_t>> IndexByEntryRef(const proofs::Hash& entry_ref) override;
  Result<std::vector<proofs::Hash>> InclusionProof(uint64_t index, uint64_t tree_size) override;
  Result<std::vector<proofs::Hash>> ConsistencyProof(uint64_t from, uint64_t to) override;
  Result<LookupPage> Lookup(LookupKind kind, std::string_view key, uint64_t cursor,
                            uint32_t limit) override;
  void Submit(std::string entry, SubmitCallback done) override;
  Status Health() override;
  BackendStats Stats() override;

  struct State;

 private:
  explicit Mirror(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace ltl::node

#endif  // LTL_NODE_MIRROR_H_
