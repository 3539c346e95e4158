// The node's LogBackend over the LMDB store: a thin adapter. The store does
// the work (ledger/store/log.h); admission is node/admission.h. And the
// assembly of the network roles around it (NetworkNode).
#include "node/backend_factory.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ledger/keys.h"
#include "ledger/store/log.h"
#include "ledger/store/log_reader.h"
#include "ledger/store/witness_store.h"
#include "node/admission.h"
#include "node/cosigning.h"
#include "node/witness.h"

namespace ltl::node {
namespace {

Receipt ToNodeReceipt(store::Receipt r) {
  return Receipt{r.index, r.entry_ref, r.leaf_hash, std::move(r.checkpoint),
                 std::move(r.inclusion_proof)};
}

store::IndexKind ToIndexKind(LookupKind kind) {
  switch (kind) {
    case LookupKind::kWork:
      return store::IndexKind::kWork;
    case LookupKind::kSigner:
      return store::IndexKind::kSigner;
    case LookupKind::kGrant:
      return store::IndexKind::kGrant;
  }
  return store::IndexKind::kWork;
}

class StoreBackend final : public LogBackend {
 public:
  StoreBackend() : batch_sizes_(BatchSizeBuckets()) {}
  ~StoreBackend() override {
    // Answers or refuses every pending Submit before the store closes.
    if (log_) log_->Close();
  }

  Status Open(const ServeOptions& options) {
    store::LogOptions log_options = options.log;
    log_options.on_batch = [this](const store::BatchInfo& info) {
      batch_sizes_.Observe(info.new_entries);
      last_batch_unix_.store(SystemUnixSeconds(), std::memory_order_relaxed);
    };
    store::AdmissionFn admit =
        MakeAdmission([this]() -> const store::LogReader& { return log_->reader(); });
    LTL_ASSIGN_OR_RETURN(log_, store::Log::Open(options.data_dir, std::move(admit), log_options));
    return Status::Ok();
  }

  Result<std::string> Checkpoint() override {
    Result<std::string> cp = reader().Checkpoint();
    if (!cp && cp.error().code() == StatusCode::kNotFound) {
      return Status::Unavailable("the log has no checkpoint yet");
    }
    return cp;
  }
  Result<Bytes> Tile(uint8_t level, uint64_t index, uint16_t width) override {
    return reader().Tile(level, index, width);
  }
  Result<Bytes> EntryBundle(uint64_t index, uint16_t width) override {
    return reader().EntryBundle(index, width);
  }
  Result<std::string> Entry(uint64_t index) override { return reader().Entry(index); }
  Result<std::optional<uint64_t>> IndexByEntryRef(const proofs::Hash& entry_ref) override {
    return reader().IndexByEntryRef(entry_ref);
  }
  Result<std::vector<proofs::Hash>> InclusionProof(uint64_t index, uint64_t tree_size) override {
    return reader().InclusionProof(index, tree_size);
  }
  Result<std::vector<proofs::Hash>> ConsistencyProof(uint64_t from, uint64_t to) override {
    return reader().ConsistencyProof(from, to);
  }
  Result<LookupPage> Lookup(LookupKind kind, std::string_view key, uint64_t cursor,
                            uint32_t limit) override {
    if (key.empty() || key.size() > 255) {
      return Status::InvalidArgument("lookup key must be 1..255 bytes");
    }
    LTL_ASSIGN_OR_RETURN(store::IndexPage page,
                         reader().Lookup(ToIndexKind(kind), key, cursor, limit));
    LookupPage out;
    out.hits.reserve(page.hits.size());
    for (const store::IndexHit& hit : page.hits) out.hits.push_back({hit.index, hit.entry_ref});
    out.next_cursor = page.next;
    return out;
  }
  void Submit(std::string entry, SubmitCallback done) override {
    log_->Submit(std::move(entry), [done = std::move(done)](Result<store::Receipt> r) {
      if (!r) {
        done(r.error());
        return;
      }
      done(ToNodeReceipt(std::move(*r)));
    });
  }
  Status Health() override { return log_->Health(); }
  BackendStats Stats() override {
    store::LogStats s = log_->Stats();
    BackendStats out;
    out.tree_size = s.tree_size;
    out.pending_entries = s.queued;
    if (int64_t t = last_batch_unix_.load(std::memory_order_relaxed); t != 0) {
      out.checkpoint_unix_seconds = t;
    }
    out.batch_sizes = batch_sizes_.Snapshot();
    return out;
  }

 private:
  const store::LogReader& reader() const { return log_->reader(); }

  std::unique_ptr<store::Log> log_;
  Histogram batch_sizes_;
  // Wall-clock time of the newest checkpoint signed since the node started
  // (checkpoints carry no time; 0 = none yet).
  std::atomic<int64_t> last_batch_unix_{0};
};

}  // namespace

Result<std::unique_ptr<LogBackend>> OpenLogBackend(const ServeOptions& options) {
  LTL_RETURN_IF_ERROR(ledger::InitCrypto());
  auto backend = std::make_unique<StoreBackend>();
  LTL_RETURN_IF_ERROR(backend->Open(options));
  return std::unique_ptr<LogBackend>(std::move(backend));
}

namespace {

// Every role keeps its network state here, beside its other files.
constexpr std::string_view kNetworkStoreDir = "network";

}  // namespace

Result<ledger::SigningKey> CreateNetworkFolder(const std::filesystem::path& data,
                                               std::string_view role, std::string_view name) {
  std::string_view key_file;
  if (role == "witness") {
    key_file = store::kWitnessKeyFile;
  } else if (role == "mirror") {
    key_file = store::kMirrorKeyFile;
  } else {
    return Status::InvalidArgument("init: role must be witness or mirror here");
  }
  LTL_RETURN_IF_ERROR(ledger::ValidateKeyName(name));
  LTL_ASSIGN_OR_RETURN(ledger::SigningKey key, store::CreateCosignerKey(data, key_file, name));
  LTL_ASSIGN_OR_RETURN(std::unique_ptr<store::WitnessStore> network,
                       store::WitnessStore::Open(data / kNetworkStoreDir));
  return key;
}

// Destruction order matters: members are destroyed bottom-up, so the roles
// (which use the backends and the store) go before what they use.
struct NetworkNode::Parts {
  std::unique_ptr<store::WitnessStore> network_store;
  std::unique_ptr<LogBackend> log;  // the log's store, or the no-log backend
  std::unique_ptr<Witness> witness;
  std::unique_ptr<CosignedLog> cosigned;  // wraps `log` when witnesses are configured
  LogBackend* served = nullptr;           // what the HTTP server serves
};

NetworkNode::NetworkNode(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

NetworkNode::~NetworkNode() {
  // Roles first (they call into the log), then the log, then the store.
  parts_->cosigned.reset();
  parts_->witness.reset();
  parts_->log.reset();
  parts_->network_store.reset();
}

LogBackend& NetworkNode::backend() { return *parts_->served; }

Result<std::unique_ptr<NetworkNode>> NetworkNode::Open(const ServeOptions& options) {
  LTL_RETURN_IF_ERROR(ledger::InitCrypto());
  const NetworkOptions& net = options.network;
  auto parts = std::make_unique<Parts>();
  if (net.log) {
    LTL_ASSIGN_OR_RETURN(parts->log, OpenLogBackend(options));
  } else {
    parts->log = MakeNoLogBackend();
  }
  LTL_ASSIGN_OR_RETURN(parts->network_store,
                       store::WitnessStore::Open(options.data_dir / kNetworkStoreDir));
  parts->served = parts->log.get();
  if (net.witness) {
    LTL_ASSIGN_OR_RETURN(ledger::SigningKey key,
                         store::ReadCosignerKey(options.data_dir, store::kWitnessKeyFile));
    LTL_ASSIGN_OR_RETURN(parts->witness,
                         Witness::Create(std::move(key), net.witness_logs, *parts->network_store));
  }
  if (net.log && !net.witnesses.empty()) {
    CosigningOptions c;
    c.witnesses = net.witnesses;
    c.quorum = net.quorum.value_or(net.witnesses.size());
    c.interval = net.cosign_interval;
    c.witness_timeout = net.witness_timeout;
    c.wait_witnessed_timeout = net.wait_witnessed_timeout;
    c.log = options.server.log;
    LTL_ASSIGN_OR_RETURN(parts->cosigned,
                         CosignedLog::Start(*parts->log, *parts->network_store, std::move(c)));
    parts->served = parts->cosigned.get();
  }
  return std::unique_ptr<NetworkNode>(new NetworkNode(std::move(parts)));
}

NetworkRoutes NetworkNode::routes() const {
  NetworkRoutes r;
  Parts* p = parts_.get();
  if (p->witness) {
    r.add_checkpoint = [p](std::string_view body) { return p->witness->AddCheckpoint(body); };
  }
  if (p->cosigned) {
    r.await_witnessed = [p](Receipt receipt, std::function<void(Result<Receipt>)> done) {
      p->cosigned->AwaitWitnessed(std::move(receipt), std::move(done));
    };
    r.metrics = [p](std::string& out) { p->cosigned->AppendMetrics(out); };
  }
  return r;
}

}  // namespace ltl::node
