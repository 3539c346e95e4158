#include "node/mirror.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <utility>

#include "base/encoding.h"
#include "client/tile_reader.h"
#include "ledger/checkpoint.h"
#include "ledger/cosignature.h"
#include "ledger/note.h"
#include "node/periodic_worker.h"
#include "node/witness_evidence.h"
#include "proofs/consistency.h"
#include "proofs/tiles.h"

namespace ltl::node {
namespace {

uint64_t SystemNow() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace

struct Mirror::State {
  store::MirrorStore& tree;
  store::WitnessStore& network;
  ledger::SigningKey key;
  MirrorOptions options;
  std::unique_ptr<client::Fetcher> upstream;

  std::mutex round_mu;       // one round at a time
  std::mutex mu;             // guards last_refused
  std::string last_refused;  // the upstream note last refused (evidence kept once)
  bool failing = false;      // the worker's thread only: whether the last round failed
  std::unique_ptr<PeriodicWorker> worker;  // when options.background

  std::atomic<uint64_t> upstream_size{0};
  std::atomic<uint64_t> rounds_ok{0};
  std::atomic<uint64_t> rounds_failed{0};
  std::atomic<uint64_t> refusals{0};

  State(store::MirrorStore& t, store::WitnessStore& n, ledger::SigningKey k, MirrorOptions o)
      : tree(t), network(n), key(std::move(k)), options(std::move(o)) {}

  Status Round();
  Status Refuse(const std::string& stored_note, const std::string& offered, uint64_t old_size,
                uint64_t new_size, std::vector<proofs::Hash> proof, const std::string& reason);
  // The upstream note plus this mirror's cosignature.
  Result<std::string> CosignedNote(const ledger::SignedCheckpoint& cp);
  void BackgroundRound();
};

Result<std::string> Mirror::State::CosignedNote(const ledger::SignedCheckpoint& cp) {
  LTL_ASSIGN_OR_RETURN(ledger::NoteSignature sig,
                       ledger::Cosign(cp.note.text, key, options.now_unix_seconds()));
  ledger::Note note = cp.note;
  // A cosignature of ours already there (the upstream copied it) is replaced.
  std::erase_if(note.signatures, [&](const ledger::NoteSignature& s) {
    return s.name == key.name() && s.key_id == key.key_id();
  });
  note.signatures.push_back(std::move(sig));
  return ledger::FormatNote(note);
}

Status Mirror::State::Refuse(const std::string& stored_note, const std::string& offered,
                             uint64_t old_size, uint64_t new_size, std::vector<proofs::Hash> proof,
                             const std::string& reason) {
  refusals.fetch_add(1, std::memory_order_relaxed);
  bool first;
  {
    std::lock_guard<std::mutex> lock(mu);
    first = last_refused != offered;
    last_refused = offered;
  }
  if (first) {
    NetworkEvidence e{.kind = "mirror_refused",
                      .origin = options.upstream_key.name(),
                      .detected_unix = static_cast<int64_t>(options.now_unix_seconds()),
                      .source = options.upstream,
                      .reason = reason,
                      .old_size = old_size,
                      .new_size = new_size,
                      .old_checkpoint = stored_note,
                      .new_checkpoint = offered,
                      .proof = std::move(proof)};
    if (!e.old_checkpoint.empty() && old_size > new_size) {
      std::swap(e.old_checkpoint, e.new_checkpoint);
      std::swap(e.old_size, e.new_size);
    }
    (void)network.AddEvidence(NetworkEvidenceJson(e));
    options.log("mirror: ALARM: refused the upstream checkpoint of size " +
                FormatDecimalU64(new_size) + ": " + reason + " (evidence kept)");
  }
  return Status::DataLoss("mirror: refused the upstream checkpoint: " + reason);
}

Status Mirror::State::Round() {
  std::lock_guard<std::mutex> one_round(round_mu);
  LTL_ASSIGN_OR_RETURN(std::string wire, client::GetBody(*upstream, "/checkpoint"));
  Result<ledger::SignedCheckpoint> opened = ledger::OpenCheckpoint(wire, options.upstream_key);
  if (!opened) return opened.error().WithContext("upstream checkpoint");
  const ledger::Checkpoint& cp = opened->checkpoint;
  upstream_size.store(cp.size, std::memory_order_relaxed);
  LTL_ASSIGN_OR_RETURN(uint64_t size, tree.TreeSize());
  std::string stored_note;
  ledger::Checkpoint stored{cp.origin, 0, proofs::EmptyRoot(), {}};
  if (Result<std::string> note = tree.Checkpoint(); note) {
    stored_note = std::move(*note);
    LTL_ASSIGN_OR_RETURN(ledger::Note parsed, ledger::ParseNote(stored_note));
    LTL_ASSIGN_OR_RETURN(stored, ledger::ParseCheckpointText(parsed.text));
  }

  if (cp.size < size) {
    // An older (cached) checkpoint: it must be a prefix of what we hold.
    std::vector<proofs::Hash> proof;
    if (cp.size > 0) {
      LTL_ASSIGN_OR_RETURN(proof, tree.ConsistencyProof(cp.size, size));
      Status s = proofs::VerifyConsistency(cp.size, size, proof, cp.root, stored.root);
      if (!s.ok()) return Refuse(stored_note, wire, size, cp.size, proof, s.message());
    } else if (cp.root != proofs::EmptyRoot()) {
      return Refuse(stored_note, wire, size, 0, {}, "an empty tree with another root");
    }
    return Status::Ok();
  }
  if (cp.size == size && !stored_note.empty()) {
    if (cp.root != stored.root) {
      return Refuse(stored_note, wire, size, cp.size, {}, "same size, different root");
    }
    LTL_ASSIGN_OR_RETURN(ledger::Note stored_parsed, ledger::ParseNote(stored_note));
    LTL_ASSIGN_OR_RETURN(std::string served, CosignedNote(*opened));
    // Refresh only for more signature lines (say a witness joined), not to
    // re-date our own cosignature every round.
    if (opened->note.signatures.size() + 1 > stored_parsed.signatures.size()) {
      LTL_RETURN_IF_ERROR(tree.Extend({}, cp.size, cp.root, served));
    }
    return Status::Ok();
  }

  // Larger: fetch the new entries, bundle by bundle, unchecked: Extend
  // checks them all at once against the signed root.
  client::TileReader reader(*upstream);
  std::vector<std::string> entries;
  entries.reserve(cp.size - size);
  for (uint64_t b = size / proofs::kTileWidth; b * proofs::kTileWidth < cp.size; ++b) {
    const uint64_t begin = b * proofs::kTileWidth;
    const auto width =
        static_cast<uint16_t>(std::min<uint64_t>(proofs::kTileWidth, cp.size - begin));
    LTL_ASSIGN_OR_RETURN(std::vector<std::string> bundle, reader.FetchEntryBundle(b, width));
    if (bundle.size() != width) {
      return Status::InvalidArgument("upstream bundle " + FormatDecimalU64(b) + " has " +
                                     std::to_string(bundle.size()) + " entries, want " +
                                     std::to_string(width));
    }
    for (uint64_t i = std::max(size, begin) - begin; i < width; ++i) {
      entries.push_back(std::move(bundle[i]));
    }
  }
  LTL_ASSIGN_OR_RETURN(std::string served, CosignedNote(*opened));
  Status extended = tree.Extend(entries, cp.size, cp.root, served);
  if (extended.code() == StatusCode::kDataLoss) {
    return Refuse(stored_note, wire, size, cp.size, {},
                  "its entries do not extend the stored tree to its root: " + extended.message());
  }
  return extended;
}

void Mirror::State::BackgroundRound() {
  Status s = Round();
  if (s.ok()) {
    rounds_ok.fetch_add(1, std::memory_order_relaxed);
    if (failing) options.log("mirror: following " + options.upstream + " again");
    failing = false;
  } else {
    rounds_failed.fetch_add(1, std::memory_order_relaxed);
    if (!failing && s.code() != StatusCode::kDataLoss) {
      options.log("mirror: cannot follow " + options.upstream + ": " + s.ToString());
    }
    failing = true;
  }
}

Mirror::Mirror(std::unique_ptr<State> state) : state_(std::move(state)) {}

// The worker goes first: its last round still uses the rest of the state.
Mirror::~Mirror() { state_->worker.reset(); }

Result<std::unique_ptr<Mirror>> Mirror::Start(store::MirrorStore& tree,
                                              store::WitnessStore& network, ledger::SigningKey key,
                                              MirrorOptions options) {
  if (key.verifier().type() != ledger::KeyType::kCosignatureV1) {
    return Status::InvalidArgument("mirror key must be a cosignature/v1 (type 0x04) key");
  }
  if (options.upstream_key.type() != ledger::KeyType::kEd25519) {
    return Status::InvalidArgument("upstream key must be a log's Ed25519 key");
  }
  if (!options.now_unix_seconds) options.now_unix_seconds = SystemNow;
  auto state = std::make_unique<State>(tree, network, std::move(key), std::move(options));
  LTL_ASSIGN_OR_RETURN(state->upstream,
                       state->options.connect(state->options.upstream, state->options.timeout));
  State* raw = state.get();
  if (raw->options.background) {
    raw->worker =
        std::make_unique<PeriodicWorker>(raw->options.interval, [raw] { raw->BackgroundRound(); });
  }
  return std::unique_ptr<Mirror>(new Mirror(std::move(state)));
}

Status Mirror::RunRound() { return state_->Round(); }

void Mirror::AppendMetrics(std::string& out) const {
  Result<uint64_t> size = state_->tree.TreeSize();
  prometheus::AppendHeader(out, "ltl_mirror_tree_size", "gauge", "Entries stored and served.");
  prometheus::AppendSample(out, "ltl_mirror_tree_size", "", FormatDecimalU64(size.value_or(0)));
  prometheus::AppendHeader(out, "ltl_mirror_upstream_tree_size", "gauge",
                           "Tree size of the upstream's last checkpoint seen.");
  prometheus::AppendSample(out, "ltl_mirror_upstream_tree_size", "",
                           FormatDecimalU64(state_->upstream_size.load()));
  prometheus::AppendHeader(out, "ltl_mirror_rounds_total", "counter",
                           "Follow rounds, by result (refused: inconsistent upstream).");
  prometheus::AppendSample(out, "ltl_mirror_rounds_total", "result=\"ok\"",
                           FormatDecimalU64(state_->rounds_ok.load()));
  prometheus::AppendSample(out, "ltl_mirror_rounds_total", "result=\"failed\"",
                           FormatDecimalU64(state_->rounds_failed.load()));
  prometheus::AppendSample(out, "ltl_mirror_rounds_total", "result=\"refused\"",
                           FormatDecimalU64(state_->refusals.load()));
}

Result<std::string> Mirror::Checkpoint() {
  Result<std::string> cp = state_->tree.Checkpoint();
  if (!cp && cp.error().code() == StatusCode::kNotFound) {
    return Status::Unavailable("the mirror has not copied a checkpoint yet");
  }
  return cp;
}
Result<Bytes> Mirror::Tile(uint8_t level, uint64_t index, uint16_t width) {
  return state_->tree.Tile(level, index, width);
}
Result<Bytes> Mirror::EntryBundle(uint64_t index, uint16_t width) {
  return state_->tree.EntryBundle(index, width);
}
Result<std::string> Mirror::Entry(uint64_t index) { return state_->tree.Entry(index); }
Result<std::optional<uint64_t>> Mirror::IndexByEntryRef(const proofs::Hash&) {
  return Status::FailedPrecondition("a mirror keeps no indexes; ask the log at " +
                                    state_->options.upstream);
}
Result<std::vector<proofs::Hash>> Mirror::InclusionProof(uint64_t index, uint64_t tree_size) {
  return state_->tree.InclusionProof(index, tree_size);
}
Result<std::vector<proofs::Hash>> Mirror::ConsistencyProof(uint64_t from, uint64_t to) {
  return state_->tree.ConsistencyProof(from, to);
}
Result<LookupPage> Mirror::Lookup(LookupKind, std::string_view, uint64_t, uint32_t) {
  return Status::FailedPrecondition("a mirror keeps no indexes; ask the log at " +
                                    state_->options.upstream);
}
void Mirror::Submit(std::string, SubmitCallback done) {
  done(Status::FailedPrecondition("a mirror takes no entries; submit to the log at " +
                                  state_->options.upstream));
}
Status Mirror::Health() { return Status::Ok(); }
BackendStats Mirror::Stats() {
  BackendStats s;
  s.tree_size = state_->tree.TreeSize().value_or(0);
  return s;
}

}  // namespace ltl::node
