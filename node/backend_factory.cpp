// The node's LogBackend over the LMDB store: a thin adapter. The store does
// the work (ledger/store/log.h); admission is node/admission.h. And the
// assembly of the network roles around it (NetworkNode).
#include "node/backend_factory.h"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "base/process_memory.h"
#include "ledger/keys.h"
#include "ledger/store/log.h"
#include "ledger/store/log_reader.h"
#include "ledger/store/mirror_store.h"
#include "ledger/store/witness_store.h"
#include "node/admission.h"
#include "node/cosigning.h"
#include "node/gossip.h"
#include "node/mirror.h"
#include "node/periodic_worker.h"
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

// How often resident mapped pages are compared with map_resident_budget_mib.
// A statm read costs microseconds; the interval bounds the overshoot. Random
// reads map whole page-cache folios (~200 KiB per touch measured on Linux
// 6.18), so proofs over a 10M-entry log map ~3 GB/s (docs/storage.md).
constexpr std::chrono::milliseconds kMapTrimInterval{50};

class StoreBackend final : public LogBackend {
 public:
  StoreBackend() : batch_sizes_(BatchSizeBuckets()) {}
  ~StoreBackend() override {
    map_trimmer_.reset();
    // Answers or refuses every pending Submit before the store closes.
    if (log_) log_->Close();
  }

  Status Open(const ServeOptions& options) {
    store::LogOptions log_options = options.log;
    log_options.on_batch = [this](const store::BatchInfo& info) {
      batch_sizes_.Observe(info.new_entries);
      last_batch_unix_.store(SystemUnixSeconds(), std::memory_order_relaxed);
    };
    // The operator's log says when and why the store turned read-only, and
    // when it took writes again (docs/threat-model.md, disk trouble).
    log_options.on_health_change = [log = options.server.log](const Status& health) {
      if (!log) return;
      log(health.ok() ? std::string("store: writes succeed again; accepting entries")
                      : "error: store: " + health.ToString());
    };
    store::AdmissionFn admit =
        MakeAdmission([this]() -> const store::LogReader& { return log_->reader(); });
    LTL_ASSIGN_OR_RETURN(log_, store::Log::Open(options.data_dir, std::move(admit), log_options));
    if (options.map_resident_budget_bytes > 0) {
      map_trimmer_ = std::make_unique<PeriodicWorker>(
          kMapTrimInterval, [this, budget = options.map_resident_budget_bytes,
                             log = options.server.log] { TrimMappedPages(budget, log); });
    }
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
    out.map_releases = map_releases_.load(std::memory_order_relaxed);
    return out;
  }

 private:
  const store::LogReader& reader() const { return log_->reader(); }

  // Pages of the data file that serving and replay read stay mapped, and
  // count in the node's resident set, until the process unmaps them; the
  // kernel keeps them in its page cache either way. Over the budget they are
  // unmapped all at once: the hot ones (upper B-tree pages, recent tiles)
  // come back on their next read, one minor fault each.
  void TrimMappedPages(uint64_t budget, const std::function<void(std::string_view)>& log) {
    Result<ResidentMemory> resident = ReadResidentMemory();
    Status s = resident ? Status::Ok() : resident.error();
    if (s.ok() && resident->file_bytes > budget) {
      s = log_->ReleaseMappedPages();
      if (s.ok()) map_releases_.fetch_add(1, std::memory_order_relaxed);
    }
    // Said once per failing spell, not once a second.
    if (!s.ok() && !trim_failing_ && log)
      log("error: store: cannot trim mapped pages: " + s.ToString());
    trim_failing_ = !s.ok();
  }

  std::unique_ptr<store::Log> log_;
  Histogram batch_sizes_;
  // Wall-clock time of the newest checkpoint signed since the node started
  // (checkpoints carry no time; 0 = none yet).
  std::atomic<int64_t> last_batch_unix_{0};
  std::atomic<uint64_t> map_releases_{0};
  bool trim_failing_ = false;                    // the trimmer's thread only
  std::unique_ptr<PeriodicWorker> map_trimmer_;  // when the budget is not 0
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
// A mirror's copy of the upstream tree.
constexpr std::string_view kMirrorStoreDir = "mirror";

// The verifier key of the log in `data` (its log.key file; the store checks
// the file's mode when it opens the log).
Result<ledger::VerifierKey> ReadLogVerifier(const std::filesystem::path& data) {
  // The file holds the private key: read it into one stack buffer (no
  // stream buffers or string growth leaving copies) and wipe it after use.
  const std::filesystem::path path = data / store::kLogKeyFile;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::NotFound("cannot read " + path.string());
  char buf[512];
  const ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  if (n <= 0 || static_cast<size_t>(n) == sizeof buf) {
    sodium_memzero(buf, sizeof buf);
    return Status::FailedPrecondition(path.string() + " is not a private key file");
  }
  std::string_view line(buf, static_cast<size_t>(n));
  if (line.back() == '\n') line.remove_suffix(1);
  Result<ledger::SigningKey> parsed = ledger::SigningKey::ParsePrivateKey(line);
  sodium_memzero(buf, sizeof buf);
  if (!parsed) return parsed.error();
  return parsed->verifier();
}

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
  std::unique_ptr<store::MirrorStore> mirror_store;
  std::unique_ptr<LogBackend> log;  // the log's store, or the no-log backend
  std::unique_ptr<Witness> witness;
  std::unique_ptr<CosignedLog> cosigned;  // wraps `log` when witnesses are configured
  std::unique_ptr<Mirror> mirror;
  std::unique_ptr<Gossip> gossip;
  LogBackend* served = nullptr;  // what the HTTP server serves
  std::string served_origin;     // the origin of the tree served (log or mirror)

  // This node's signed checkpoint for `origin`: the tree it serves, else the
  // checkpoint it last cosigned as a witness.
  std::optional<std::string> OwnView(std::string_view origin) const {
    if (!served_origin.empty() && origin == served_origin) {
      Result<std::string> cp = served->Checkpoint();
      if (cp) return std::move(*cp);
      return std::nullopt;
    }
    if (witness) {
      Result<std::optional<store::CheckpointRecord>> r = network_store->Latest(origin);
      if (r && *r) return (*r)->note;
    }
    return std::nullopt;
  }
};

NetworkNode::NetworkNode(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

NetworkNode::~NetworkNode() {
  // Roles first (they call into the log), then the log, then the stores.
  parts_->gossip.reset();
  parts_->mirror.reset();
  parts_->cosigned.reset();
  parts_->witness.reset();
  parts_->log.reset();
  parts_->mirror_store.reset();
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
    c.log = LogToStderr;  // role events, even with access_log off
    LTL_ASSIGN_OR_RETURN(parts->cosigned,
                         CosignedLog::Start(*parts->log, *parts->network_store, std::move(c)));
    parts->served = parts->cosigned.get();
  }
  std::vector<ledger::VerifierKey> known_logs;  // for gossip
  if (net.log) {
    LTL_ASSIGN_OR_RETURN(ledger::VerifierKey log_key, ReadLogVerifier(options.data_dir));
    parts->served_origin = log_key.name();
    known_logs.push_back(std::move(log_key));
  }
  if (net.mirror) {
    const ledger::VerifierKey& upstream = *net.upstream_key;
    LTL_ASSIGN_OR_RETURN(ledger::SigningKey key,
                         store::ReadCosignerKey(options.data_dir, store::kMirrorKeyFile));
    LTL_ASSIGN_OR_RETURN(parts->mirror_store,
                         store::MirrorStore::Open(options.data_dir / kMirrorStoreDir,
                                                  upstream.name(), upstream.ToString()));
    MirrorOptions m;
    m.upstream = net.upstream;
    m.upstream_key = upstream;
    m.interval = net.mirror_interval;
    m.log = LogToStderr;
    LTL_ASSIGN_OR_RETURN(parts->mirror, Mirror::Start(*parts->mirror_store, *parts->network_store,
                                                      std::move(key), std::move(m)));
    parts->served = parts->mirror.get();
    parts->served_origin = upstream.name();
    known_logs.push_back(upstream);
  }
  for (const ledger::VerifierKey& k : net.witness_logs) {
    bool known = false;
    for (const ledger::VerifierKey& seen : known_logs) known = known || seen.name() == k.name();
    if (!known) known_logs.push_back(k);
  }
  if (!net.peers.empty()) {
    Parts* p = parts.get();
    GossipOptions g;
    g.peers = net.peers;
    g.logs = known_logs;
    g.interval = net.gossip_interval;
    g.log = LogToStderr;
    g.own_view = [p](std::string_view origin) { return p->OwnView(origin); };
    g.own_tree = net.log || net.mirror ? parts->served : nullptr;
    g.own_tree_origin = parts->served_origin;
    LTL_ASSIGN_OR_RETURN(parts->gossip, Gossip::Start(*parts->network_store, std::move(g)));
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
  }
  r.gossip_checkpoint = [p](std::string_view origin) -> Result<std::string> {
    std::optional<std::string> view = p->OwnView(origin);
    if (!view) return Status::NotFound("this node holds no checkpoint of " + std::string(origin));
    return std::move(*view);
  };
  r.alarms = [p]() { return AlarmsJson(*p->network_store); };
  r.metrics = [p](std::string& out) {
    if (p->cosigned) p->cosigned->AppendMetrics(out);
    if (p->mirror) p->mirror->AppendMetrics(out);
    if (p->gossip) p->gossip->AppendMetrics(out);
  };
  return r;
}

}  // namespace ltl::node
