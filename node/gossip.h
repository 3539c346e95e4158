// Gossip: compares this node's view of each log with its peers' views and
// raises an alarm when two signed checkpoints of one log cannot both be true
// (docs/network.md#gossip).
//
//   every `interval`, for each peer and each known log (origin + key):
//     GET <peer>/gossip/checkpoint?origin=<origin>  (any LTL node), falling
//       back to GET <peer>/checkpoint for a peer that is a plain log;
//     the checkpoint must carry the log's valid signature (else ignored:
//       an unsigned claim proves nothing);
//     compared with this node's own view (or, without one, the first peer
//       view of this round):
//       same size, other root            -> ALARM (the pair is the proof);
//       different sizes                  -> a consistency proof from the
//         smaller to the larger, built from tiles (client::ProveConsistent)
//         of whoever can serve the larger tree: the peer that showed it, or
//         this node's own tree; a proof that fails -> ALARM with it;
//         nobody can serve the tiles     -> unresolved (counted, retried).
//   An alarm is a log line ("gossip: ALARM ..."), a counter in /metrics,
//   and an evidence document (node/witness_evidence.h, kind gossip_alarm)
//   with both signed checkpoints, kept in the node's WitnessStore and served
//   at GET /alarms. The same pair raises one alarm.
//
// Thread-safety: all methods are thread-safe; one background thread.
#ifndef LTL_NODE_GOSSIP_H_
#define LTL_NODE_GOSSIP_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "ledger/keys.h"
#include "ledger/store/witness_store.h"
#include "node/cosigning.h"
#include "node/log_backend.h"
#include "node/server.h"

namespace ltl::node {

struct GossipOptions {
  std::vector<std::string> peers;         // base URLs
  std::vector<ledger::VerifierKey> logs;  // the logs compared, one per origin
  std::chrono::milliseconds interval{5000};
  std::chrono::milliseconds timeout{5000};  // one request to one peer
  LogSink log = LogToStderr;
  FetcherFactory connect = HttpFetcherFactory();
  std::function<uint64_t()> now_unix_seconds;  // empty = system clock
  // This node's signed checkpoint for an origin, nullopt when it has none.
  std::function<std::optional<std::string>(std::string_view origin)> own_view;
  // The tree this node serves for `own_tree_origin` (a log or a mirror), to
  // build proofs from; null when it serves none.
  LogBackend* own_tree = nullptr;
  std::string own_tree_origin;
  bool background = true;  // false: tests call RunRound
};

class Gossip {
 public:
  // REQUIRES: `store` (and options.own_tree) outlive the Gossip.
  // Errors: InvalidArgument for no peers, no logs, or two logs per origin.
  static Result<std::unique_ptr<Gossip>> Start(store::WitnessStore& store, GossipOptions options);
  ~Gossip();

  // One round on the caller's thread; returns the number of new alarms.
  // Peer failures are not errors (counted in metrics); errors are the
  // store's.
  Result<size_t> RunRound();

  // ltl_gossip_alarms_total, ltl_gossip_peer_failures_total,
  // ltl_gossip_unresolved_total.
  void AppendMetrics(std::string& out) const;

  struct State;

 private:
  explicit Gossip(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// GET /alarms: {"alarms": [...]} with the node's newest evidence documents
// (witness refusals, mirror refusals, gossip alarms), oldest first, at most
// `limit`.
Result<std::string> AlarmsJson(const store::WitnessStore& store, size_t limit = 1000);

}  // namespace ltl::node

#endif  // LTL_NODE_GOSSIP_H_
