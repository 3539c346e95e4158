// CosignedLog: a log that publishes only checkpoints its witnesses cosigned
// (docs/network.md#log). It wraps the log's LogBackend: every read is the
// log's, except GET /checkpoint, which serves the latest PUBLISHED checkpoint:
// the log's signed checkpoint plus the cosignatures of at least `quorum` of
// its witnesses (C2SP tlog-witness v1.0.0, tlog-cosignature v1.0.1).
//
//   every `interval` (about a second; batches are not each sent to witnesses)
//     latest = the log's newest signed checkpoint
//     if latest is larger than the published one:
//       ask every witness IN PARALLEL: POST <url>/add-checkpoint with
//         "old <the size it last cosigned>", the consistency proof from
//         there, and `latest` (a witness whose size is unknown is sent
//         "old 0"; its 409 names its size, and the request is resent once);
//       keep each 200's cosignature line that verifies under that witness's
//         key (unknown or bad lines are dropped);
//       >= quorum cosignatures: persist the cosigned note (the node's
//         WitnessStore, one record per origin), then publish it in memory
//         and answer the waiting POST /add?wait=witnessed requests;
//       fewer: keep serving the last published checkpoint; the stall is
//         reported in /metrics (ltl_publication_stalled 1, the lag in
//         entries) and in the log when it starts and ends.
//
// Nothing is lost in a stall: entries are sequenced and acknowledged by the
// log as always (receipts with the log-signed checkpoint); only publication
// waits. When witnesses return, the next round publishes the newest tree.
// After a restart the published checkpoint is read back from the store.
//
// Thread-safety: all methods are thread-safe. One background thread runs
// the rounds and expires waits; it stops in the destructor.
#ifndef LTL_NODE_COSIGNING_H_
#define LTL_NODE_COSIGNING_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "client/fetcher.h"
#include "ledger/store/witness_store.h"
#include "node/log_backend.h"
#include "node/options.h"
#include "node/server.h"

namespace ltl::node {

// Opens a Fetcher for a base URL whose calls give up after `timeout`.
using FetcherFactory = std::function<Result<std::unique_ptr<client::Fetcher>>(
    const std::string& url, std::chrono::milliseconds timeout)>;

// client::HttpFetcher with two attempts, the timeout split between them.
FetcherFactory HttpFetcherFactory();

struct CosigningOptions {
  std::vector<WitnessEndpoint> witnesses;  // at least one
  size_t quorum = 1;                       // 1..witnesses.size()
  std::chrono::milliseconds interval{1000};
  std::chrono::milliseconds witness_timeout{5000};
  std::chrono::milliseconds wait_witnessed_timeout{30000};
  LogSink log = LogToStderr;
  FetcherFactory connect = HttpFetcherFactory();
  // Start the background thread (tests drive rounds with RunRound instead).
  bool background = true;
};

class CosignedLog final : public LogBackend {
 public:
  // REQUIRES: `log` and `store` outlive the CosignedLog.
  // Errors: InvalidArgument for no witnesses or a quorum outside
  // 1..witnesses.size(); those of the log's Checkpoint() and the store.
  static Result<std::unique_ptr<CosignedLog>> Start(LogBackend& log, store::WitnessStore& store,
                                                    CosigningOptions options);
  // Stops the thread; pending waits are answered Unavailable.
  ~CosignedLog() override;

  // The published checkpoint. Errors: Unavailable before the first
  // checkpoint met the quorum.
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

  // POST /add?wait=witnessed: calls `done` once with `receipt` moved to the
  // first published checkpoint whose tree contains receipt.index (its note
  // and an inclusion proof at its size), at once if the published one does;
  // Unavailable after wait_witnessed_timeout or at shutdown.
  void AwaitWitnessed(Receipt receipt, std::function<void(Result<Receipt>)> done);

  // One round (the table above) on the caller's thread. Returns OK when the
  // published checkpoint is the log's newest after the round; Unavailable
  // (naming the witnesses that failed) when the quorum was not met.
  Status RunRound();

  // Prometheus text: ltl_published_tree_size, ltl_publication_stalled,
  // ltl_publication_lag_entries, ltl_witness_requests_total{witness,result}.
  void AppendMetrics(std::string& out) const;

  struct State;

 private:
  explicit CosignedLog(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace ltl::node

#endif  // LTL_NODE_COSIGNING_H_
