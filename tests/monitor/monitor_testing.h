// Test harness for the monitor: real logs served over HTTP on 127.0.0.1.
//
// TestLog is a store::Log in a temporary folder with a PERMISSIVE admission
// function (any bytes up to 65,535 are logged), served by node::Server. The
// monitor trusts no node, so its tests must be able to log what an honest
// node would refuse (unregistered signers, malformed entries). The server
// can be switched to another log with the same key (a fork) or made to
// tamper with entry bundles, to test log-integrity findings.
// Monitors in the tests read the log only over HTTP, as ltl-monitor does.
#ifndef LTL_TESTS_MONITOR_MONITOR_TESTING_H_
#define LTL_TESTS_MONITOR_MONITOR_TESTING_H_

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "client/http_fetcher.h"
#include "client/policy.h"
#include "ledger/entry.h"
#include "ledger/keys.h"
#include "ledger/store/init_log.h"
#include "ledger/store/log.h"
#include "ledger/store/monitor_state.h"
#include "monitor/finding.h"
#include "monitor/monitor.h"
#include "monitor/sim/scenario.h"
#include "node/admission.h"
#include "node/log_backend.h"
#include "node/server.h"

namespace ltl::monitor::testing {

inline ledger::SigningKey KeyFromName(const std::string& name,
                                      ledger::KeyType type = ledger::KeyType::kEd25519) {
  return ledger::SigningKey::FromSeed(name, proofs::Sha256("monitor-test/" + name), type).value();
}

inline store::AdmissionFn PermissiveAdmission() {
  return [](std::string_view submitted) -> Result<store::AdmittedEntry> {
    Result<ledger::Entry> entry = ledger::ParseEntry(submitted);
    if (entry) return node::IndexKeysFor(*entry, submitted);
    store::AdmittedEntry admitted;
    admitted.leaf = std::string(submitted);
    admitted.entry_ref = proofs::Sha256(submitted);
    return admitted;
  };
}

// Serves a store::Log (switchable) through the node's HTTP server.
class SwitchableBackend final : public node::LogBackend {
 public:
  void Serve(store::Log* log) {
    std::lock_guard<std::mutex> lock(mu_);
    log_ = log;
  }
  // Called on every entry bundle served (index, bytes), may change them.
  void TamperBundles(std::function<void(uint64_t, Bytes&)> tamper) {
    std::lock_guard<std::mutex> lock(mu_);
    tamper_ = std::move(tamper);
  }

  Result<std::string> Checkpoint() override { return reader().Checkpoint(); }
  Result<Bytes> Tile(uint8_t level, uint64_t index, uint16_t width) override {
    return reader().Tile(level, index, width);
  }
  Result<Bytes> EntryBundle(uint64_t index, uint16_t width) override {
    LTL_ASSIGN_OR_RETURN(Bytes bytes, reader().EntryBundle(index, width));
    std::function<void(uint64_t, Bytes&)> tamper;
    {
      std::lock_guard<std::mutex> lock(mu_);
      tamper = tamper_;
    }
    if (tamper) tamper(index, bytes);
    return bytes;
  }
  Result<std::string> Entry(uint64_t index) override { return reader().Entry(index); }
  Result<std::optional<uint64_t>> IndexByEntryRef(const proofs::Hash& ref) override {
    return reader().IndexByEntryRef(ref);
  }
  Result<std::vector<proofs::Hash>> InclusionProof(uint64_t index, uint64_t size) override {
    return reader().InclusionProof(index, size);
  }
  Result<std::vector<proofs::Hash>> ConsistencyProof(uint64_t from, uint64_t to) override {
    return reader().ConsistencyProof(from, to);
  }
  Result<node::LookupPage> Lookup(node::LookupKind, std::string_view, uint64_t, uint32_t) override {
    return node::LookupPage{};
  }
  void Submit(std::string, node::SubmitCallback done) override {
    done(Status::PermissionDenied("test log: submit through TestLog::Add"));
  }
  Status Health() override { return Status::Ok(); }
  node::BackendStats Stats() override { return {}; }

 private:
  const store::LogReader& reader() {
    std::lock_guard<std::mutex> lock(mu_);
    return log_->reader();
  }
  std::mutex mu_;
  store::Log* log_ = nullptr;
  std::function<void(uint64_t, Bytes&)> tamper_;
};

// A log with key `origin` in `dir`, served on 127.0.0.1.
class TestLog {
 public:
  // `node_admission`: the node's own admission (key registry) instead of the
  // permissive one, to show that what ltl-sim submits passes a real node.
  explicit TestLog(const std::filesystem::path& dir, bool node_admission = false,
                   const std::string& origin = "monitor.test/log")
      : key_(KeyFromName(origin)), node_admission_(node_admission) {
    primary_ = OpenLog(dir / "primary");
    backend_.Serve(primary_.get());
    node::ServerOptions options;
    options.port = 0;
    options.threads = 2;
    options.log = [](std::string_view) {};
    options.shutdown_grace = std::chrono::milliseconds(2000);
    auto server = node::Server::Start(options, backend_);
    EXPECT_TRUE(server.has_value()) << server.error().ToString();
    server_ = std::move(server).value();
  }
  ~TestLog() {
    server_->Stop();
    (void)server_->Wait();
  }

  // A second log with the same key and its own data (for forks).
  std::unique_ptr<store::Log> OpenLog(const std::filesystem::path& dir) {
    auto init = store::InitLogWithKey(dir, key_);
    EXPECT_TRUE(init.has_value()) << init.error().ToString();
    store::LogOptions options;
    options.max_batch_delay = std::chrono::milliseconds(1);
    options.worker_threads = 2;
    auto holder = std::make_shared<store::Log*>(nullptr);
    store::AdmissionFn admit = PermissiveAdmission();
    if (node_admission_) {
      admit = node::MakeAdmission(
          [holder]() -> const store::LogReader& { return (*holder)->reader(); });
    }
    auto log = store::Log::Open(dir, std::move(admit), options);
    EXPECT_TRUE(log.has_value()) << log.error().ToString();
    *holder = log->get();
    return std::move(log).value();
  }

  uint64_t Add(const std::string& entry) { return AddTo(*primary_, entry); }
  static uint64_t AddTo(store::Log& log, const std::string& entry) {
    auto receipt = log.SubmitAndWait(entry);
    EXPECT_TRUE(receipt.has_value()) << receipt.error().ToString();
    return receipt ? receipt->index : 0;
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }
  const ledger::VerifierKey& log_key() const { return key_.verifier(); }
  store::Log& primary() { return *primary_; }
  SwitchableBackend& backend() { return backend_; }

 private:
  ledger::SigningKey key_;
  bool node_admission_;
  std::unique_ptr<store::Log> primary_;
  SwitchableBackend backend_;
  std::unique_ptr<node::Server> server_;
};

// A monitor over HTTP with its state in `state_dir`, clock fixed at `now`.
struct MonitorRun {
  std::vector<Finding> findings;
  RunSummary summary;
  Status status;
};

inline MonitorRun RunMonitor(const TestLog& log, const std::filesystem::path& state_dir,
                             int64_t now, uint64_t max_entries = 0, size_t chunk_bundles = 16,
                             std::vector<ledger::VerifierKey> witnesses = {}, size_t quorum = 0,
                             std::optional<size_t> check_threads = std::nullopt) {
  MonitorRun run;
  auto fetcher = client::HttpFetcher::Create(log.url(), client::HttpFetcherOptions{
                                                            .max_attempts = 1,
                                                        });
  EXPECT_TRUE(fetcher.has_value());
  auto state = store::MonitorState::Open(state_dir);
  EXPECT_TRUE(state.has_value()) << state.error().ToString();
  MonitorOptions options;
  options.policy = client::VerificationPolicy::Create(log.log_key(), witnesses, quorum).value();
  options.clock = [now] { return now; };
  options.max_entries = max_entries;
  options.chunk_bundles = chunk_bundles;
  options.check_threads = check_threads;
  options.on_finding = [&](const Finding& f) { run.findings.push_back(f); };
  auto monitor = Monitor::Create(options, **fetcher, **state);
  EXPECT_TRUE(monitor.has_value()) << monitor.error().ToString();
  Result<RunSummary> summary = (*monitor)->RunOnce();
  if (summary) {
    run.summary = *summary;
  } else {
    run.status = summary.error();
  }
  return run;
}

inline std::vector<std::string> Codes(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const Finding& f : findings) out.emplace_back(FindingCodeName(f.code));
  return out;
}

inline std::string Describe(const std::vector<Finding>& findings) {
  std::string out;
  for (const Finding& f : findings) out += "\n  " + FindingToJson(f);
  return out;
}

}  // namespace ltl::monitor::testing

#endif  // LTL_TESTS_MONITOR_MONITOR_TESTING_H_
