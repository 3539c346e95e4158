#include "node/gossip.h"

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <utility>

#include "base/encoding.h"
#include "client/state.h"
#include "client/tile_reader.h"
#include "client/verify.h"
#include "ledger/checkpoint.h"
#include "node/periodic_worker.h"
#include "node/witness_evidence.h"
#include "proofs/tiles.h"

namespace ltl::node {
namespace {

uint64_t SystemNow() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

// A client::Fetcher over this node's own LogBackend, so that proofs from our
// own tree are built by the same code (client::ProofBuilder) as from a peer.
// Serves GET of tlog-tiles paths only.
class BackendFetcher final : public client::Fetcher {
 public:
  explicit BackendFetcher(LogBackend& backend) : backend_(backend) {}

  Result<client::HttpResponse> Get(std::string_view path) override {
    if (path.empty() || path.front() != '/') return Status::InvalidArgument("path without '/'");
    Result<proofs::TilePath> tile = proofs::ParseTilePath(path.substr(1));
    if (!tile) return client::HttpResponse{404, "text/plain", std::nullopt, "no such path"};
    Result<Bytes> bytes = tile->kind == proofs::TilePath::Kind::kEntryBundle
                              ? backend_.EntryBundle(tile->index, tile->width)
                              : backend_.Tile(tile->level, tile->index, tile->width);
    if (!bytes) {
      const int status = bytes.error().code() == StatusCode::kNotFound ? 404 : 503;
      return client::HttpResponse{status, "text/plain", std::nullopt, bytes.error().message()};
    }
    return client::HttpResponse{200, "application/octet-stream", std::nullopt,
                                std::string(AsChars(*bytes))};
  }
  Result<client::HttpResponse> Post(std::string_view, std::string_view, std::string_view) override {
    return Status::InvalidArgument("BackendFetcher serves GET only");
  }

 private:
  LogBackend& backend_;
};

// One signed view of a log and who showed it.
struct View {
  ledger::SignedCheckpoint checkpoint;
  std::string source;                // "self" or a peer URL
  client::Fetcher* tiles = nullptr;  // who can serve its tree, if anyone
};

}  // namespace

struct Gossip::State {
  store::WitnessStore& store;
  GossipOptions options;
  std::vector<std::pair<std::string, std::unique_ptr<client::Fetcher>>> peers;
  std::unique_ptr<BackendFetcher> own_tiles;

  std::mutex round_mu;
  std::mutex mu;                                         // guards raised
  std::set<std::pair<std::string, std::string>> raised;  // (old, new) notes alarmed
  std::unique_ptr<PeriodicWorker> worker;                // when options.background

  std::atomic<uint64_t> alarms{0};
  std::atomic<uint64_t> peer_failures{0};
  std::atomic<uint64_t> unresolved{0};

  State(store::WitnessStore& s, GossipOptions o) : store(s), options(std::move(o)) {}

  // The peer's signed view of `key`'s log, nullopt when it has none or
  // cannot be reached (counted).
  std::optional<ledger::SignedCheckpoint> PeerView(client::Fetcher& peer,
                                                   const ledger::VerifierKey& key);
  // Compares two views; returns true when a new alarm was raised.
  Result<bool> Compare(const View& mine, const View& theirs);
  Result<size_t> Round();
  void BackgroundRound();
};

std::optional<ledger::SignedCheckpoint> Gossip::State::PeerView(client::Fetcher& peer,
                                                                const ledger::VerifierKey& key) {
  Result<client::HttpResponse> r =
      peer.Get("/gossip/checkpoint?origin=" + client::PercentEncodeQueryValue(key.name()));
  if (r && r->status == 404) r = peer.Get("/checkpoint");  // a plain log
  if (!r || r->status != 200) {
    peer_failures.fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
  }
  Result<ledger::SignedCheckpoint> opened = ledger::OpenCheckpoint(r->body, key);
  if (!opened) {
    // Another log's checkpoint (the /checkpoint fallback), or not signed by
    // this log's key: no claim about this log.
    return std::nullopt;
  }
  return std::move(*opened);
}

Result<bool> Gossip::State::Compare(const View& a, const View& b) {
  const View& smaller = a.checkpoint.checkpoint.size <= b.checkpoint.checkpoint.size ? a : b;
  const View& larger = &smaller == &a ? b : a;
  if (smaller.checkpoint.checkpoint == larger.checkpoint.checkpoint) return false;
  std::optional<client::VerifyFailure> failure;
  bool resolved = false;
  // Whoever showed the larger tree should serve it; our own tree can too.
  for (client::Fetcher* source : {larger.tiles, smaller.tiles}) {
    if (source == nullptr) continue;
    client::TileReader reader(*source);
    auto proved = client::ProveConsistent(smaller.checkpoint, larger.checkpoint, reader);
    if (proved) return false;  // consistent
    if (proved.outcome() == client::VerifyOutcome::kInconsistent) {
      failure = std::move(proved).error();
      resolved = true;
      break;
    }
  }
  if (smaller.checkpoint.checkpoint.size == larger.checkpoint.checkpoint.size && !resolved) {
    // Equal sizes need no tiles: two roots for one size are the proof.
    failure = client::Fail(client::VerifyOutcome::kInconsistent,
                           Status::FailedPrecondition("same size, different roots"));
    failure->evidence = client::Evidence{smaller.checkpoint.wire,
                                         larger.checkpoint.wire,
                                         smaller.checkpoint.checkpoint.size,
                                         larger.checkpoint.checkpoint.size,
                                         {},
                                         "same size, different roots"};
    resolved = true;
  }
  if (!resolved) {
    unresolved.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  const client::Evidence& ev = *failure->evidence;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (!raised.emplace(ev.old_checkpoint, ev.new_checkpoint).second) return false;
  }
  const std::string& origin = smaller.checkpoint.checkpoint.origin;
  NetworkEvidence e{.kind = "gossip_alarm",
                    .origin = origin,
                    .detected_unix = static_cast<int64_t>(options.now_unix_seconds()),
                    .source = smaller.source + " vs " + larger.source,
                    .reason = ev.reason,
                    .old_size = ev.old_size,
                    .new_size = ev.new_size,
                    .old_checkpoint = ev.old_checkpoint,
                    .new_checkpoint = ev.new_checkpoint,
                    .proof = ev.proof};
  if (Result<uint64_t> kept = store.AddEvidence(NetworkEvidenceJson(e)); !kept) {
    return kept.error();
  }
  alarms.fetch_add(1, std::memory_order_relaxed);
  options.log("gossip: ALARM: log " + origin + " signed two inconsistent checkpoints (sizes " +
              FormatDecimalU64(ev.old_size) + " from " + smaller.source + " and " +
              FormatDecimalU64(ev.new_size) + " from " + larger.source + "): " + ev.reason +
              "; evidence at /alarms");
  return true;
}

Result<size_t> Gossip::State::Round() {
  std::lock_guard<std::mutex> one_round(round_mu);
  size_t raised_now = 0;
  for (const ledger::VerifierKey& key : options.logs) {
    std::optional<View> reference;
    if (options.own_view) {
      if (std::optional<std::string> mine = options.own_view(key.name())) {
        if (Result<ledger::SignedCheckpoint> opened = ledger::OpenCheckpoint(*mine, key)) {
          reference = View{std::move(*opened), "self",
                           key.name() == options.own_tree_origin ? own_tiles.get() : nullptr};
        }
      }
    }
    for (auto& [url, fetcher] : peers) {
      std::optional<ledger::SignedCheckpoint> theirs = PeerView(*fetcher, key);
      if (!theirs) continue;
      View view{std::move(*theirs), url, fetcher.get()};
      if (!reference) {
        reference = std::move(view);
        continue;
      }
      LTL_ASSIGN_OR_RETURN(bool raised_alarm, Compare(*reference, view));
      if (raised_alarm) ++raised_now;
    }
  }
  return raised_now;
}

void Gossip::State::BackgroundRound() {
  Result<size_t> r = Round();
  if (!r) options.log("gossip: round failed: " + r.error().ToString());
}

Gossip::Gossip(std::unique_ptr<State> state) : state_(std::move(state)) {}

// The worker goes first: its last round still uses the rest of the state.
Gossip::~Gossip() { state_->worker.reset(); }

Result<std::unique_ptr<Gossip>> Gossip::Start(store::WitnessStore& store, GossipOptions options) {
  if (options.peers.empty()) return Status::InvalidArgument("gossip: no peers");
  if (options.logs.empty()) return Status::InvalidArgument("gossip: no logs to compare");
  for (size_t i = 0; i < options.logs.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (options.logs[i].name() == options.logs[j].name()) {
        return Status::InvalidArgument("gossip: two keys for origin " + options.logs[i].name());
      }
    }
  }
  if (!options.now_unix_seconds) options.now_unix_seconds = SystemNow;
  auto state = std::make_unique<State>(store, std::move(options));
  for (const std::string& url : state->options.peers) {
    LTL_ASSIGN_OR_RETURN(std::unique_ptr<client::Fetcher> f,
                         state->options.connect(url, state->options.timeout));
    state->peers.emplace_back(url, std::move(f));
  }
  if (state->options.own_tree != nullptr) {
    state->own_tiles = std::make_unique<BackendFetcher>(*state->options.own_tree);
  }
  State* raw = state.get();
  if (raw->options.background) {
    raw->worker =
        std::make_unique<PeriodicWorker>(raw->options.interval, [raw] { raw->BackgroundRound(); });
  }
  return std::unique_ptr<Gossip>(new Gossip(std::move(state)));
}

Result<size_t> Gossip::RunRound() { return state_->Round(); }

void Gossip::AppendMetrics(std::string& out) const {
  prometheus::AppendHeader(out, "ltl_gossip_alarms_total", "counter",
                           "Pairs of inconsistent signed checkpoints found since start.");
  prometheus::AppendSample(out, "ltl_gossip_alarms_total", "",
                           FormatDecimalU64(state_->alarms.load()));
  prometheus::AppendHeader(out, "ltl_gossip_peer_failures_total", "counter",
                           "Peer views that could not be fetched.");
  prometheus::AppendSample(out, "ltl_gossip_peer_failures_total", "",
                           FormatDecimalU64(state_->peer_failures.load()));
  prometheus::AppendHeader(out, "ltl_gossip_unresolved_total", "counter",
                           "Differing views that no reachable tree could prove or refute.");
  prometheus::AppendSample(out, "ltl_gossip_unresolved_total", "",
                           FormatDecimalU64(state_->unresolved.load()));
}

Result<std::string> AlarmsJson(const store::WitnessStore& store, size_t limit) {
  std::deque<std::string> newest;
  uint64_t from = 0;
  for (;;) {
    LTL_ASSIGN_OR_RETURN(std::vector<store::EvidenceItem> page, store.Evidence(from, 256));
    if (page.empty()) break;
    for (store::EvidenceItem& item : page) {
      newest.push_back(std::move(item.document));
      if (newest.size() > limit) newest.pop_front();
    }
    from = page.back().sequence + 1;
  }
  std::vector<std::string> docs(std::make_move_iterator(newest.begin()),
                                std::make_move_iterator(newest.end()));
  return EvidenceListJson("alarms", docs);
}

}  // namespace ltl::node
