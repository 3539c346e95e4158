#include "node/cosigning.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <future>
#include <list>
#include <mutex>
#include <thread>
#include <utility>

#include "base/encoding.h"
#include "client/http_fetcher.h"
#include "ledger/checkpoint.h"
#include "ledger/cosignature.h"
#include "ledger/note.h"
#include "node/witness.h"

namespace ltl::node {

using Clock = std::chrono::steady_clock;

FetcherFactory HttpFetcherFactory() {
  return [](const std::string& url,
            std::chrono::milliseconds timeout) -> Result<std::unique_ptr<client::Fetcher>> {
    client::HttpFetcherOptions o;
    o.max_attempts = 2;
    const auto per_attempt = std::max(std::chrono::milliseconds(1), timeout / 2);
    o.connect_timeout = per_attempt;
    o.request_timeout = per_attempt;
    o.initial_backoff = std::chrono::milliseconds(50);
    o.max_backoff = std::chrono::milliseconds(200);
    o.max_retry_after = std::chrono::seconds(0);
    o.max_body_bytes = size_t{1} << 20;
    o.user_agent = "ltl-node";
    LTL_ASSIGN_OR_RETURN(std::unique_ptr<client::HttpFetcher> f,
                         client::HttpFetcher::Create(url, o));
    return std::unique_ptr<client::Fetcher>(std::move(f));
  };
}

namespace {

// A parsed log-signed checkpoint.
struct LogCheckpoint {
  std::string wire;
  ledger::Note note;
  ledger::Checkpoint checkpoint;
};

Result<LogCheckpoint> ParseLogCheckpoint(std::string wire) {
  LTL_ASSIGN_OR_RETURN(ledger::Note note, ledger::ParseNote(wire));
  LTL_ASSIGN_OR_RETURN(ledger::Checkpoint checkpoint, ledger::ParseCheckpointText(note.text));
  return LogCheckpoint{std::move(wire), std::move(note), std::move(checkpoint)};
}

struct Waiter {
  Receipt receipt;
  Clock::time_point deadline;
  std::function<void(Result<Receipt>)> done;
};

}  // namespace

// What the log knows about one witness.
struct WitnessState {
  WitnessEndpoint endpoint;
  std::unique_ptr<client::Fetcher> fetcher;
  // The size this witness last cosigned for us, when known (from a 200 or a
  // 409). Touched only by the round in progress (rounds do not overlap).
  std::optional<uint64_t> size;
  bool failing = false;  // last request failed (for logging changes only)
  std::atomic<uint64_t> ok_total{0};
  std::atomic<uint64_t> failed_total{0};
};

struct CosignedLog::State {
  LogBackend& log;
  store::WitnessStore& store;
  CosigningOptions options;
  std::string origin;
  std::vector<std::unique_ptr<WitnessState>> witnesses;

  std::mutex round_mu;  // one round at a time (thread and RunRound)

  mutable std::mutex mu;  // guards the fields below
  std::condition_variable wake;
  bool stopping = false;
  std::optional<LogCheckpoint> published;
  uint64_t latest_size = 0;
  bool stalled = false;
  std::list<Waiter> waiters;

  std::thread thread;

  State(LogBackend& l, store::WitnessStore& s, CosigningOptions o)
      : log(l), store(s), options(std::move(o)) {}

  // Asks one witness to cosign `latest`; returns its verified cosignature.
  Result<ledger::NoteSignature> Ask(WitnessState& w, const LogCheckpoint& latest);
  Status Round();
  void Publish(LogCheckpoint cosigned);
  void Loop();
  // Answers (outside `mu`) the waiters that the published checkpoint covers
  // and those past their deadline.
  void ServeWaiters(bool shutting_down);
};

Result<ledger::NoteSignature> CosignedLog::State::Ask(WitnessState& w,
                                                      const LogCheckpoint& latest) {
  const uint64_t new_size = latest.checkpoint.size;
  // Two attempts: the second after a 409 taught us the witness's size.
  for (int attempt = 0; attempt < 2; ++attempt) {
    AddCheckpointRequest request;
    request.old_size = w.size.value_or(0);
    if (request.old_size > new_size) {
      return Status::FailedPrecondition("witness " + w.endpoint.key.name() + " has cosigned size " +
                                        FormatDecimalU64(request.old_size) +
                                        ", larger than this log's " + FormatDecimalU64(new_size) +
                                        ": it saw another history");
    }
    if (request.old_size > 0 && request.old_size < new_size) {
      LTL_ASSIGN_OR_RETURN(request.proof, log.ConsistencyProof(request.old_size, new_size));
    }
    request.checkpoint = latest.wire;
    LTL_ASSIGN_OR_RETURN(client::HttpResponse response,
                         w.fetcher->Post("/add-checkpoint", "text/plain; charset=utf-8",
                                         FormatAddCheckpointRequest(request)));
    if (response.status == 409 && response.content_type == kTlogSizeContentType) {
      LTL_ASSIGN_OR_RETURN(uint64_t size, ParseTlogSizeBody(response.body));
      if (w.size == size) {
        // Same size, still 409: the witness holds another root at this size.
        return Status::FailedPrecondition("witness " + w.endpoint.key.name() +
                                          " refused: it holds another tree of size " +
                                          FormatDecimalU64(size));
      }
      w.size = size;
      continue;
    }
    if (response.status != 200) {
      w.size.reset();  // ask its size again next time
      return client::HttpAnswerToStatus(response, "POST /add-checkpoint");
    }
    // The answer is signature lines: read them as the signatures of our note.
    Result<ledger::Note> lines = ledger::ParseNote(latest.note.text + "\n" + response.body);
    if (!lines) return lines.error().WithContext("witness answer");
    for (const ledger::NoteSignature& sig : lines->signatures) {
      if (sig.name != w.endpoint.key.name() || sig.key_id != w.endpoint.key.key_id()) continue;
      Result<uint64_t> verified = ledger::VerifyCosignature(latest.note.text, sig, w.endpoint.key);
      if (!verified) return verified.error().WithContext("witness answer");
      w.size = new_size;
      return sig;
    }
    return Status::PermissionDenied("witness " + w.endpoint.key.name() +
                                    " answered without a cosignature by its key");
  }
  return Status::Unavailable("witness " + w.endpoint.key.name() + " kept answering 409");
}

Status CosignedLog::State::Round() {
  std::lock_guard<std::mutex> one_round(round_mu);
  LTL_ASSIGN_OR_RETURN(std::string wire, log.Checkpoint());
  LTL_ASSIGN_OR_RETURN(LogCheckpoint latest, ParseLogCheckpoint(std::move(wire)));
  {
    std::lock_guard<std::mutex> lock(mu);
    latest_size = latest.checkpoint.size;
    if (published && published->checkpoint.size >= latest.checkpoint.size) return Status::Ok();
  }

  // In parallel: one thread per witness, each bounded by its fetcher's timeout.
  std::vector<std::future<Result<ledger::NoteSignature>>> answers;
  answers.reserve(witnesses.size());
  for (const auto& w : witnesses) {
    answers.push_back(
        std::async(std::launch::async, [this, &w, &latest] { return Ask(*w, latest); }));
  }
  std::vector<ledger::NoteSignature> cosignatures;
  std::string failures;
  for (size_t i = 0; i < answers.size(); ++i) {
    WitnessState& w = *witnesses[i];
    Result<ledger::NoteSignature> answer = answers[i].get();
    if (answer) {
      cosignatures.push_back(std::move(*answer));
      w.ok_total.fetch_add(1, std::memory_order_relaxed);
      if (w.failing) options.log("cosigning: witness " + w.endpoint.key.name() + " is back");
      w.failing = false;
      continue;
    }
    w.failed_total.fetch_add(1, std::memory_order_relaxed);
    if (!w.failing) {
      options.log("cosigning: witness " + w.endpoint.key.name() + " (" + w.endpoint.url +
                  ") failed: " + answer.error().ToString());
    }
    w.failing = true;
    failures +=
        (failures.empty() ? "" : "; ") + w.endpoint.key.name() + ": " + answer.error().message();
  }

  const uint64_t size = latest.checkpoint.size;
  if (cosignatures.size() < options.quorum) {
    std::string why = "publication stalled: " + std::to_string(cosignatures.size()) + " of " +
                      std::to_string(witnesses.size()) + " witnesses cosigned size " +
                      FormatDecimalU64(size) + " (quorum " + std::to_string(options.quorum) + ")";
    bool was_stalled;
    uint64_t serving = 0;
    {
      std::lock_guard<std::mutex> lock(mu);
      was_stalled = stalled;
      stalled = true;
      if (published) serving = published->checkpoint.size;
    }
    if (!was_stalled) {
      options.log("cosigning: " + why + "; serving size " + FormatDecimalU64(serving));
    }
    return Status::Unavailable(why + ": " + failures);
  }

  LogCheckpoint cosigned = latest;
  for (ledger::NoteSignature& sig : cosignatures)
    cosigned.note.signatures.push_back(std::move(sig));
  cosigned.wire = ledger::FormatNote(cosigned.note);
  // Durable before it is served: after a restart the node never serves an
  // older checkpoint than one it published.
  store::CheckpointRecord record{latest.checkpoint.origin, size, latest.checkpoint.root,
                                 cosigned.wire};
  LTL_RETURN_IF_ERROR(store.Advance(record, [size](const auto& current) -> Status {
    if (current && current->size > size) {
      return Status::FailedPrecondition("the published checkpoint is larger than the log's");
    }
    return Status::Ok();
  }));
  Publish(std::move(cosigned));
  return Status::Ok();
}

void CosignedLog::State::Publish(LogCheckpoint cosigned) {
  bool was_stalled;
  const uint64_t size = cosigned.checkpoint.size;
  const size_t count = cosigned.note.signatures.size() - 1;
  {
    std::lock_guard<std::mutex> lock(mu);
    was_stalled = stalled;
    stalled = false;
    published = std::move(cosigned);
  }
  if (was_stalled) {
    options.log("cosigning: publication resumed at size " + FormatDecimalU64(size) + " with " +
                std::to_string(count) + " cosignatures");
  }
  ServeWaiters(false);
}

void CosignedLog::State::ServeWaiters(bool shutting_down) {
  std::vector<Waiter> covered;
  std::vector<Waiter> expired;
  std::optional<LogCheckpoint> at;
  {
    std::lock_guard<std::mutex> lock(mu);
    const auto now = Clock::now();
    at = published;
    for (auto it = waiters.begin(); it != waiters.end();) {
      if (at && it->receipt.index < at->checkpoint.size) {
        covered.push_back(std::move(*it));
      } else if (shutting_down || it->deadline <= now) {
        expired.push_back(std::move(*it));
      } else {
        ++it;
        continue;
      }
      it = waiters.erase(it);
    }
  }
  for (Waiter& w : covered) {
    Result<std::vector<proofs::Hash>> proof =
        log.InclusionProof(w.receipt.index, at->checkpoint.size);
    if (!proof) {
      w.done(proof.error());
      continue;
    }
    w.receipt.checkpoint = at->wire;
    w.receipt.inclusion_proof = std::move(*proof);
    w.done(std::move(w.receipt));
  }
  for (Waiter& w : expired) {
    w.done(Status::Unavailable(shutting_down
                                   ? "the log is shutting down"
                                   : "entry " + FormatDecimalU64(w.receipt.index) +
                                         " is logged, but no witnessed checkpoint covers it yet; "
                                         "resubmit to wait again"));
  }
}

void CosignedLog::State::Loop() {
  auto next_round = Clock::now();
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu);
      for (;;) {
        if (stopping) return;
        auto until = next_round;
        for (const Waiter& w : waiters) until = std::min(until, w.deadline);
        if (Clock::now() >= until) break;
        wake.wait_until(lock, until);
      }
    }
    if (Clock::now() >= next_round) {
      next_round = Clock::now() + options.interval;
      (void)Round();  // failures are logged and shown in metrics
    }
    ServeWaiters(false);
  }
}

CosignedLog::CosignedLog(std::unique_ptr<State> state) : state_(std::move(state)) {}

CosignedLog::~CosignedLog() {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->stopping = true;
  }
  state_->wake.notify_all();
  if (state_->thread.joinable()) state_->thread.join();
  state_->ServeWaiters(true);
}

Result<std::unique_ptr<CosignedLog>> CosignedLog::Start(LogBackend& log, store::WitnessStore& store,
                                                        CosigningOptions options) {
  if (options.witnesses.empty()) return Status::InvalidArgument("cosigning: no witnesses");
  if (options.quorum == 0 || options.quorum > options.witnesses.size()) {
    return Status::InvalidArgument("cosigning: quorum must be 1.." +
                                   std::to_string(options.witnesses.size()));
  }
  auto state = std::make_unique<State>(log, store, std::move(options));
  LTL_ASSIGN_OR_RETURN(std::string wire, log.Checkpoint());
  LTL_ASSIGN_OR_RETURN(LogCheckpoint latest, ParseLogCheckpoint(std::move(wire)));
  state->origin = latest.checkpoint.origin;
  state->latest_size = latest.checkpoint.size;
  for (const WitnessEndpoint& endpoint : state->options.witnesses) {
    auto w = std::make_unique<WitnessState>();
    w->endpoint = endpoint;
    LTL_ASSIGN_OR_RETURN(w->fetcher,
                         state->options.connect(endpoint.url, state->options.witness_timeout));
    state->witnesses.push_back(std::move(w));
  }
  LTL_ASSIGN_OR_RETURN(std::optional<store::CheckpointRecord> saved, store.Latest(state->origin));
  if (saved) {
    LTL_ASSIGN_OR_RETURN(LogCheckpoint published, ParseLogCheckpoint(saved->note));
    if (published.checkpoint.size > latest.checkpoint.size) {
      return Status::FailedPrecondition(
          "the published checkpoint (size " + FormatDecimalU64(published.checkpoint.size) +
          ") is larger than the log's (size " + FormatDecimalU64(latest.checkpoint.size) +
          "): is this the right network store?");
    }
    state->published = std::move(published);
  }
  State* raw = state.get();
  if (raw->options.background) raw->thread = std::thread([raw] { raw->Loop(); });
  return std::unique_ptr<CosignedLog>(new CosignedLog(std::move(state)));
}

Result<std::string> CosignedLog::Checkpoint() {
  std::lock_guard<std::mutex> lock(state_->mu);
  if (!state_->published) {
    return Status::Unavailable("no checkpoint has met the witness quorum yet");
  }
  return state_->published->wire;
}

Result<Bytes> CosignedLog::Tile(uint8_t level, uint64_t index, uint16_t width) {
  return state_->log.Tile(level, index, width);
}
Result<Bytes> CosignedLog::EntryBundle(uint64_t index, uint16_t width) {
  return state_->log.EntryBundle(index, width);
}
Result<std::string> CosignedLog::Entry(uint64_t index) { return state_->log.Entry(index); }
Result<std::optional<uint64_t>> CosignedLog::IndexByEntryRef(const proofs::Hash& entry_ref) {
  return state_->log.IndexByEntryRef(entry_ref);
}
Result<std::vector<proofs::Hash>> CosignedLog::InclusionProof(uint64_t index, uint64_t tree_size) {
  return state_->log.InclusionProof(index, tree_size);
}
Result<std::vector<proofs::Hash>> CosignedLog::ConsistencyProof(uint64_t from, uint64_t to) {
  return state_->log.ConsistencyProof(from, to);
}
Result<LookupPage> CosignedLog::Lookup(LookupKind kind, std::string_view key, uint64_t cursor,
                                       uint32_t limit) {
  return state_->log.Lookup(kind, key, cursor, limit);
}
void CosignedLog::Submit(std::string entry, SubmitCallback done) {
  state_->log.Submit(std::move(entry), std::move(done));
}
Status CosignedLog::Health() { return state_->log.Health(); }
BackendStats CosignedLog::Stats() { return state_->log.Stats(); }

void CosignedLog::AwaitWitnessed(Receipt receipt, std::function<void(Result<Receipt>)> done) {
  bool stopping;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    stopping = state_->stopping;
    if (!stopping) {
      state_->waiters.push_back(Waiter{std::move(receipt),
                                       Clock::now() + state_->options.wait_witnessed_timeout,
                                       std::move(done)});
    }
  }
  if (stopping) {
    done(Status::Unavailable("the log is shutting down"));
    return;
  }
  // Answers at once when the published checkpoint already covers it.
  state_->ServeWaiters(false);
  state_->wake.notify_all();
}

Status CosignedLog::RunRound() { return state_->Round(); }

void CosignedLog::AppendMetrics(std::string& out) const {
  uint64_t published = 0, latest = 0;
  bool stalled;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->published) published = state_->published->checkpoint.size;
    latest = state_->latest_size;
    stalled = state_->stalled;
  }
  prometheus::AppendHeader(out, "ltl_published_tree_size", "gauge",
                           "Tree size of the checkpoint served at /checkpoint (witnessed).");
  prometheus::AppendSample(out, "ltl_published_tree_size", "", FormatDecimalU64(published));
  prometheus::AppendHeader(out, "ltl_publication_stalled", "gauge",
                           "1 while the witness quorum is not met for the newest checkpoint.");
  prometheus::AppendSample(out, "ltl_publication_stalled", "", stalled ? "1" : "0");
  prometheus::AppendHeader(out, "ltl_publication_lag_entries", "gauge",
                           "Entries signed by the log but not yet in a published checkpoint.");
  prometheus::AppendSample(out, "ltl_publication_lag_entries", "",
                           FormatDecimalU64(latest > published ? latest - published : 0));
  prometheus::AppendHeader(out, "ltl_witness_requests_total", "counter",
                           "add-checkpoint requests to each witness, by result.");
  for (const auto& w : state_->witnesses) {
    const std::string name = prometheus::EscapeLabelValue(w->endpoint.key.name());
    prometheus::AppendSample(out, "ltl_witness_requests_total",
                             "witness=\"" + name + "\",result=\"ok\"",
                             FormatDecimalU64(w->ok_total.load(std::memory_order_relaxed)));
    prometheus::AppendSample(out, "ltl_witness_requests_total",
                             "witness=\"" + name + "\",result=\"failed\"",
                             FormatDecimalU64(w->failed_total.load(std::memory_order_relaxed)));
  }
}

}  // namespace ltl::node
