// End to end: a small LTL network of real ltl-node processes on 127.0.0.1
// (issue 7, docs/network.md): one log, three witnesses, one mirror.
//
//   - Entries flow; the log publishes only checkpoints cosigned by at least
//     2 of 3 witnesses; POST /add?wait=witnessed returns a receipt at such a
//     checkpoint; the mirror serves byte-identical tiles and bundles under
//     its own cosignature; `ltl verify --quorum 2` passes against log and
//     mirror.
//   - One witness down: publication continues with 2 of 3. All down: the
//     log keeps acknowledging entries, publication stalls and says so
//     (/metrics), and resumes with every entry when the witnesses return.
//   - Restarts of the log, a witness and the mirror keep their state.
//   - Split view: a fork of the log (same key and origin, other entries) is
//     refused by a witness that cosigned the honest tree (evidence kept),
//     raised by gossip (/alarms with both signed checkpoints), and rejected
//     with evidence by a client holding the honest state.
//
// Cadences are 150-200 ms so the whole file runs in seconds; every wait is a
// bounded poll, never a timing assertion.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "base/encoding.h"
#include "client/evidence.h"
#include "client/http_fetcher.h"
#include "client/policy.h"
#include "client/receipt.h"
#include "ledger/checkpoint.h"
#include "ledger/entry.h"
#include "ledger/keys.h"
#include "ledger/store/init_log.h"
#include "proofs/tiles.h"
#include "tests/cli/cli_testing.h"
#include "tests/ledger/entry_samples.h"
#include "tests/testing/testing.h"

namespace ltl::e2e {
namespace {

using cli::testing::Describe;
using cli::testing::RunBinary;
using cli::testing::RunLtl;
using cli::testing::RunResult;

constexpr std::string_view kOrigin = "ltl.localhost/net";
constexpr auto kPollLimit = std::chrono::seconds(20);

std::string NodeBinary() { return (ltl::testing::BinaryDir() / "bin" / "ltl-node").string(); }

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// A self-registered licensor key entry; distinct for each `name`.
std::string KeyEntryNote(const std::string& name) {
  const proofs::Hash seed = proofs::Sha256(name);
  ledger::SigningKey key = ledger::SigningKey::FromSeed(name, seed).value();
  ledger::KeyEntry e;
  e.key = key.verifier();
  e.roles = {ledger::Role::kLicensor};
  e.not_before = ledger::samples::T("2000-01-01T00:00:00Z");
  e.issued = ledger::samples::T("2000-01-01T00:00:00Z");
  return ledger::samples::SignAll(ledger::FormatEntryText(e), {key});
}

// Polls `condition` every 50 ms until it holds or kPollLimit passes.
bool Eventually(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + kPollLimit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}

// One `ltl-node serve` process. The first start lets the kernel pick a port;
// restarts reuse it so that peers' configuration stays valid.
class Node {
 public:
  Node(std::filesystem::path data, std::filesystem::path logs, std::vector<std::string> args)
      : data_(std::move(data)), logs_(std::move(logs)), args_(std::move(args)) {}
  ~Node() { Stop(SIGTERM); }

  void Start() {
    ASSERT_LT(pid_, 0) << "already running";
    const std::filesystem::path log_file =
        logs_ / (data_.filename().string() + "-" + std::to_string(starts_++) + ".log");
    std::vector<std::string> argv_storage = {NodeBinary(), "serve",
                                             "--data",     data_.string(),
                                             "--listen",   "127.0.0.1:" + std::to_string(port_)};
    argv_storage.insert(argv_storage.end(), args_.begin(), args_.end());
    pid_ = ::fork();
    ASSERT_GE(pid_, 0);
    if (pid_ == 0) {
      const int fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      std::vector<char*> argv;
      for (std::string& a : argv_storage) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    const std::regex listening("listening on 127\\.0\\.0\\.1:([0-9]+)");
    const bool up = Eventually([&] {
      std::ifstream in(log_file);
      const std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      std::smatch m;
      if (std::regex_search(log, m, listening)) {
        port_ = std::stoi(m[1]);
        return true;
      }
      return false;
    });
    ASSERT_TRUE(up) << "ltl-node did not start: " << log_file;
  }

  void Stop(int signal_number) {
    if (pid_ <= 0) return;
    ::kill(pid_, signal_number);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  void Restart() {
    Stop(SIGTERM);
    Start();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::filesystem::path& data() const { return data_; }
  std::vector<std::string>& args() { return args_; }

  // GET `path`; the answer, or status 0 when the node cannot be reached.
  client::HttpResponse Get(const std::string& path) const {
    client::HttpFetcherOptions once;
    once.max_attempts = 1;
    auto fetcher = client::HttpFetcher::Create(url(), once).value();
    Result<client::HttpResponse> r = fetcher->Get(path);
    return r ? *r : client::HttpResponse{};
  }
  client::HttpResponse Post(const std::string& path, const std::string& body,
                            std::string_view type = "text/plain; charset=utf-8") const {
    client::HttpFetcherOptions once;
    once.max_attempts = 1;
    auto fetcher = client::HttpFetcher::Create(url(), once).value();
    Result<client::HttpResponse> r = fetcher->Post(path, type, body);
    return r ? *r : client::HttpResponse{};
  }

 private:
  std::filesystem::path data_;
  std::filesystem::path logs_;
  std::vector<std::string> args_;
  pid_t pid_ = -1;
  int port_ = 0;
  int starts_ = 0;
};

class NetworkE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ledger::InitCrypto().ok());
    log_key_ = Init({"--data", Path("log"), "--origin", std::string(kOrigin)});
    for (int i = 1; i <= 3; ++i) {
      const std::string name = "w" + std::to_string(i) + ".net.example";
      witness_keys_.push_back(Init({"--data", Path(name), "--name", name, "--role", "witness"}));
      witnesses_.push_back(std::make_unique<Node>(
          dir_.path() / name, dir_.path(),
          std::vector<std::string>{"--role", "witness", "--witness-log", log_key_}));
      witnesses_.back()->Start();
    }
    mirror_key_ =
        Init({"--data", Path("mirror"), "--name", "mirror.net.example", "--role", "mirror"});
    std::vector<std::string> log_args = {"--quorum",
                                         "2",
                                         "--cosign-interval-ms",
                                         "150",
                                         "--witness-timeout-ms",
                                         "2000",
                                         "--wait-witnessed-timeout-ms",
                                         "15000"};
    for (size_t i = 0; i < witnesses_.size(); ++i) {
      log_args.push_back("--witness");
      log_args.push_back(witnesses_[i]->url() + "=" + witness_keys_[i]);
    }
    log_ = std::make_unique<Node>(dir_.path() / "log", dir_.path(), log_args);
    log_->Start();
    mirror_ = std::make_unique<Node>(
        dir_.path() / "mirror", dir_.path(),
        std::vector<std::string>{"--role", "mirror", "--upstream", log_->url(), "--upstream-key",
                                 log_key_, "--mirror-interval-ms", "150"});
    mirror_->Start();
    std::vector<ledger::VerifierKey> witnesses;
    for (const std::string& w : witness_keys_)
      witnesses.push_back(ledger::VerifierKey::Parse(w).value());
    policy_ = client::VerificationPolicy::Create(ledger::VerifierKey::Parse(log_key_).value(),
                                                 witnesses, 2)
                  .value();
  }

  std::string Path(const std::string& name) const { return (dir_.path() / name).string(); }

  static std::string Init(const std::vector<std::string>& args) {
    std::vector<std::string> full = {"init"};
    full.insert(full.end(), args.begin(), args.end());
    const RunResult r = RunBinary(NodeBinary(), full);
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    return Trimmed(r.out);
  }

  // Submits entries named `prefix`-<i> for i in [from, to) to `node`, four
  // at a time; every one must be acknowledged.
  static void SubmitEntries(const Node& node, const std::string& prefix, int from, int to) {
    std::atomic<int> next{from};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        for (int i = next++; i < to; i = next++) {
          const std::string name = prefix + "-" + std::to_string(i) + ".net.example/ltl";
          client::HttpResponse r = node.Post("/add", KeyEntryNote(name));
          EXPECT_EQ(r.status, 200) << name << ": " << r.body;
        }
      });
    }
    for (auto& t : threads) t.join();
  }

  // The node's /checkpoint opened under the 2-of-3 policy, or nullopt.
  std::optional<ledger::SignedCheckpoint> Witnessed(const Node& node) const {
    client::HttpResponse r = node.Get("/checkpoint");
    if (r.status != 200) return std::nullopt;
    auto v = client::VerifyCheckpoint(policy_, r.body);
    if (!v) return std::nullopt;
    return std::move(v).value();
  }
  uint64_t WitnessedSize(const Node& node) const {
    auto cp = Witnessed(node);
    return cp ? cp->checkpoint.size : 0;
  }

  ltl::testing::TempDir dir_;
  std::string log_key_;
  std::vector<std::string> witness_keys_;
  std::string mirror_key_;
  std::vector<std::unique_ptr<Node>> witnesses_;
  std::unique_ptr<Node> log_;
  std::unique_ptr<Node> mirror_;
  client::VerificationPolicy policy_;
};

TEST_F(NetworkE2eTest, CosignedPublicationMirrorAndClientVerification) {
  constexpr int kEntries = 260;  // a full level-0 tile and a partial one
  SubmitEntries(*log_, "flow", 0, kEntries);

  // A witnessed receipt: the checkpoint it carries meets the 2-of-3 policy.
  const std::string entry = KeyEntryNote("witnessed.net.example/ltl");
  client::HttpResponse added = log_->Post("/add?wait=witnessed", entry);
  ASSERT_EQ(added.status, 200) << added.body;
  Result<client::Receipt> receipt = client::ParseReceiptJson(added.body);
  ASSERT_TRUE(receipt.has_value()) << receipt.error();
  receipt->entry = entry;
  auto verified =
      client::VerifyReceiptOffline(*receipt, policy_, client::QuorumCheck::kEnforce, entry);
  ASSERT_TRUE(verified.has_value()) << verified.error().ToString();
  EXPECT_GE(verified->checkpoint.verified_by.size(), 2u);
  EXPECT_EQ(verified->receipt.index, static_cast<uint64_t>(kEntries));

  // The log publishes the whole tree with >= 2 cosignatures; the mirror
  // follows with the same tree under its own cosignature.
  ASSERT_TRUE(Eventually([&] { return WitnessedSize(*log_) == kEntries + 1; }));
  ASSERT_TRUE(Eventually([&] { return WitnessedSize(*mirror_) == kEntries + 1; }));
  const auto at_log = Witnessed(*log_).value();
  const auto at_mirror = Witnessed(*mirror_).value();
  EXPECT_EQ(at_log.checkpoint, at_mirror.checkpoint);
  EXPECT_GE(at_log.verified_by.size(), 2u);
  const std::vector<ledger::VerifierKey> mirror_key = {
      ledger::VerifierKey::Parse(mirror_key_).value()};
  auto mirror_signed = ledger::OpenCheckpoint(at_mirror.wire, policy_.log_key, mirror_key);
  ASSERT_TRUE(mirror_signed.has_value()) << mirror_signed.error();
  EXPECT_EQ(mirror_signed->verified_by.size(), 1u) << "the mirror's own cosignature";

  // Byte-identical tiles and bundles, full and partial.
  const uint64_t size = at_log.checkpoint.size;
  std::vector<std::string> paths;
  for (int level = 0; level <= 1; ++level) {
    for (const proofs::TileId& t : proofs::TilesForTreeSize(size, level)) {
      paths.push_back("/" + proofs::FormatTilePath(t));
      if (level == 0) {
        paths.push_back("/" +
                        proofs::FormatTilePath(proofs::TilePath::ForEntryBundle(t.index, t.width)));
      }
    }
  }
  ASSERT_GE(paths.size(), 4u);
  for (const std::string& p : paths) {
    client::HttpResponse a = log_->Get(p);
    client::HttpResponse b = mirror_->Get(p);
    ASSERT_EQ(a.status, 200) << p;
    EXPECT_EQ(b.status, 200) << p;
    EXPECT_TRUE(a.body == b.body) << p << " differs between log and mirror";
  }

  // `ltl verify --quorum 2` against the log and against the mirror.
  const std::string receipt_file = Path("witnessed.receipt.json");
  cli::testing::WriteFile(receipt_file, client::ReceiptToJson(*receipt));
  for (const Node* node : {log_.get(), mirror_.get()}) {
    std::vector<std::string> args = {
        "verify",    receipt_file,
        "--log",     node->url(),
        "--log-key", log_key_,
        "--quorum",  "2",
        "--state",   Path("state-" + std::to_string(node == log_.get()))};
    for (const std::string& w : witness_keys_) {
      args.push_back("--witness");
      args.push_back(w);
    }
    const RunResult r = RunLtl(args);
    EXPECT_EQ(r.exit_code, 0) << node->url() << Describe(r);
  }
  // `ltl submit --witnessed` gets its receipt at a 2-of-3 checkpoint.
  const std::string entry_file = Path("cli-entry.note");
  cli::testing::WriteFile(entry_file, KeyEntryNote("cli-witnessed.net.example/ltl"));
  std::vector<std::string> submit = {"submit",    "--witnessed", "--log",    log_->url(),
                                     "--log-key", log_key_,      "--quorum", "2"};
  for (const std::string& w : witness_keys_) {
    submit.push_back("--witness");
    submit.push_back(w);
  }
  submit.push_back(entry_file);
  const RunResult submitted = RunLtl(submit);
  ASSERT_EQ(submitted.exit_code, 0) << Describe(submitted);
  auto cli_receipt =
      client::ParseReceiptJson(ltl::testing::ReadFileOrDie(entry_file + ".receipt.json"));
  ASSERT_TRUE(cli_receipt.has_value()) << cli_receipt.error();
  EXPECT_TRUE(client::VerifyReceiptOffline(*cli_receipt, policy_).has_value());

  // The quorum is enforced: with a fourth witness that never cosigned, a
  // 4-of-4 policy fails with the policy exit code.
  ledger::SigningKey stranger =
      ledger::SigningKey::Generate("stranger.net.example", ledger::KeyType::kCosignatureV1).value();
  std::vector<std::string> args = {"checkpoint",
                                   "--log",
                                   log_->url(),
                                   "--log-key",
                                   log_key_,
                                   "--quorum",
                                   "4",
                                   "--state",
                                   Path("state-strict"),
                                   "--witness",
                                   stranger.verifier().ToString()};
  for (const std::string& w : witness_keys_) {
    args.push_back("--witness");
    args.push_back(w);
  }
  const RunResult strict = RunLtl(args);
  EXPECT_EQ(strict.exit_code, 7) << "policy exit code" << Describe(strict);
}

TEST_F(NetworkE2eTest, WitnessOutagesStallPublicationWithoutLosingEntries) {
  SubmitEntries(*log_, "before", 0, 10);
  ASSERT_TRUE(Eventually([&] { return WitnessedSize(*log_) == 10; }));

  // One witness down: 2 of 3 still publish.
  witnesses_[2]->Stop(SIGKILL);
  SubmitEntries(*log_, "one-down", 0, 10);
  ASSERT_TRUE(Eventually([&] { return WitnessedSize(*log_) == 20; }));
  EXPECT_EQ(Witnessed(*log_)->verified_by.size(), 2u);

  // All down: entries are still acknowledged, publication stalls at 20.
  witnesses_[0]->Stop(SIGKILL);
  witnesses_[1]->Stop(SIGKILL);
  SubmitEntries(*log_, "all-down", 0, 15);
  ASSERT_TRUE(Eventually([&] {
    return log_->Get("/metrics").body.find("ltl_publication_stalled 1") != std::string::npos;
  }));
  EXPECT_EQ(WitnessedSize(*log_), 20u);
  EXPECT_TRUE(Eventually([&] {
    return log_->Get("/metrics").body.find("ltl_publication_lag_entries 15") != std::string::npos;
  }));

  // They return (state kept on disk): publication resumes with every entry.
  for (auto& w : witnesses_) w->Start();
  ASSERT_TRUE(Eventually([&] { return WitnessedSize(*log_) == 35; }));
  EXPECT_TRUE(Eventually([&] {
    return log_->Get("/metrics").body.find("ltl_publication_stalled 0") != std::string::npos;
  }));
  // The witness that was down longest catches up through a consistency
  // proof from the size it cosigned last: the next checkpoint has all three.
  SubmitEntries(*log_, "back", 0, 1);
  ASSERT_TRUE(Eventually([&] {
    auto cp = Witnessed(*log_);
    return cp && cp->checkpoint.size == 36 && cp->verified_by.size() == 3;
  }));
}

// Issue 10's partitioned witness: a witness cut off while the log publishes
// many cosigned checkpoints without it comes back with only its old state,
// is brought forward by one consistency proof across all of them (never
// asked to jump back or to cosign anything inconsistent), and cosigns again.
TEST_F(NetworkE2eTest, PartitionedWitnessCatchesUpAcrossManyCheckpoints) {
  SubmitEntries(*log_, "pre-partition", 0, 4);
  ASSERT_TRUE(Eventually([&] { return WitnessedSize(*log_) == 4; }));
  ASSERT_TRUE(Eventually([&] {
    auto cp = Witnessed(*log_);
    return cp && cp->verified_by.size() == 3;
  }));

  witnesses_[2]->Stop(SIGKILL);
  // Twelve separate publications at sizes 5..16, each cosigned by the two
  // witnesses still reachable.
  constexpr int kPublications = 12;
  for (int i = 0; i < kPublications; ++i) {
    SubmitEntries(*log_, "partitioned-" + std::to_string(i), 0, 1);
    const uint64_t want = 4 + static_cast<uint64_t>(i) + 1;
    ASSERT_TRUE(Eventually([&] { return WitnessedSize(*log_) == want; })) << "size " << want;
    EXPECT_EQ(Witnessed(*log_)->verified_by.size(), 2u);
  }
  const std::string stale_view =
      witnesses_[2]->Get("/gossip/checkpoint?origin=" + std::string(kOrigin)).body;
  EXPECT_TRUE(stale_view.empty()) << "the partitioned witness is down";

  witnesses_[2]->Start();
  SubmitEntries(*log_, "healed", 0, 1);
  const uint64_t final_size = 4 + kPublications + 1;
  ASSERT_TRUE(Eventually([&] {
    auto cp = Witnessed(*log_);
    return cp && cp->checkpoint.size == final_size && cp->verified_by.size() == 3;
  })) << "the returning witness cosigns again";
  const std::string view =
      witnesses_[2]->Get("/gossip/checkpoint?origin=" + std::string(kOrigin)).body;
  EXPECT_NE(view.find("\n" + std::to_string(final_size) + "\n"), std::string::npos) << view;
}

TEST_F(NetworkE2eTest, RestartsKeepEveryNodesState) {
  SubmitEntries(*log_, "restart", 0, 12);
  ASSERT_TRUE(Eventually([&] { return WitnessedSize(*log_) == 12; }));
  ASSERT_TRUE(Eventually([&] { return WitnessedSize(*mirror_) == 12; }));
  const std::string witness_view =
      witnesses_[0]->Get("/gossip/checkpoint?origin=" + std::string(kOrigin)).body;
  ASSERT_NE(witness_view.find("\n12\n"), std::string::npos) << witness_view;

  // Stop everything but one witness; the log and mirror serve their last
  // state at once after a restart, before any new cosigning round.
  witnesses_[1]->Stop(SIGTERM);
  witnesses_[2]->Stop(SIGTERM);
  log_->Restart();
  EXPECT_EQ(WitnessedSize(*log_), 12u);
  mirror_->Restart();
  EXPECT_EQ(WitnessedSize(*mirror_), 12u);
  EXPECT_EQ(mirror_->Get("/tile/entries/000.p/12").status, 200);
  witnesses_[0]->Restart();
  EXPECT_EQ(witnesses_[0]->Get("/gossip/checkpoint?origin=" + std::string(kOrigin)).body,
            witness_view);

  // And the network carries on from there.
  witnesses_[1]->Start();
  SubmitEntries(*log_, "restart", 12, 20);
  ASSERT_TRUE(Eventually([&] { return WitnessedSize(*log_) == 20; }));
  ASSERT_TRUE(Eventually([&] { return WitnessedSize(*mirror_) == 20; }));
}

TEST_F(NetworkE2eTest, SplitViewIsRefusedRaisedAndRejectedWithEvidence) {
  SubmitEntries(*log_, "honest", 0, 8);
  ASSERT_TRUE(Eventually([&] { return WitnessedSize(*log_) == 8; }));
  ASSERT_TRUE(Eventually([&] { return WitnessedSize(*mirror_) == 8; }));
  // A client records the honest state.
  const std::string state = Path("client-state");
  RunResult r =
      RunLtl({"checkpoint", "--log", log_->url(), "--log-key", log_key_, "--state", state});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);

  // The fork: the same key and origin in another folder, other entries,
  // a larger tree.
  const std::string key_text = ltl::testing::ReadFileOrDie(dir_.path() / "log" / "log.key");
  ledger::SigningKey key = ledger::SigningKey::ParsePrivateKey(Trimmed(key_text)).value();
  ASSERT_TRUE(store::InitLogWithKey(dir_.path() / "fork", key).has_value());
  Node fork(dir_.path() / "fork", dir_.path(), {});
  fork.Start();
  SubmitEntries(fork, "forked", 0, 12);
  const std::string forked = fork.Get("/checkpoint").body;
  ASSERT_NE(forked.find("\n12\n"), std::string::npos) << forked;

  // 1. A witness that cosigned the honest tree refuses the fork and keeps
  //    the evidence.
  Node& w1 = *witnesses_[0];
  const std::string before = w1.Get("/gossip/checkpoint?origin=" + std::string(kOrigin)).body;
  const uint64_t w1_size = ledger::ParseCheckpointText(ledger::ParseNote(before)->text)->size;
  ASSERT_GE(w1_size, 8u);
  client::HttpResponse proof =
      fork.Get("/proof/consistency?from=" + std::to_string(w1_size) + "&to=12");
  ASSERT_EQ(proof.status, 200) << proof.body;
  std::string body = "old " + std::to_string(w1_size) + "\n";
  const std::regex hash("\"([A-Za-z0-9+/=]{44})\"");
  for (auto it = std::sregex_iterator(proof.body.begin(), proof.body.end(), hash);
       it != std::sregex_iterator(); ++it) {
    body += (*it)[1].str() + "\n";
  }
  body += "\n" + forked;
  client::HttpResponse refused = w1.Post("/add-checkpoint", body);
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_EQ(w1.Get("/gossip/checkpoint?origin=" + std::string(kOrigin)).body, before);
  const std::string w1_alarms = w1.Get("/alarms").body;
  EXPECT_NE(w1_alarms.find("witness_refused"), std::string::npos) << w1_alarms;
  auto json_escaped = [](const std::string& s) {
    std::string out;
    for (char c : s) out += c == '\n' ? std::string("\\n") : std::string(1, c);
    return out;
  };
  EXPECT_NE(w1_alarms.find(json_escaped(forked)), std::string::npos);
  EXPECT_NE(w1_alarms.find(json_escaped(before)), std::string::npos);

  // 2. Gossip: the mirror, given the fork as a peer, raises the alarm.
  mirror_->args().insert(mirror_->args().end(),
                         {"--peer", fork.url(), "--gossip-interval-ms", "150"});
  mirror_->Restart();
  std::string alarms;
  ASSERT_TRUE(Eventually([&] {
    alarms = mirror_->Get("/alarms").body;
    return alarms.find("gossip_alarm") != std::string::npos;
  })) << alarms;
  EXPECT_NE(alarms.find(json_escaped(forked)), std::string::npos) << alarms;
  EXPECT_NE(alarms.find("\"old_size\":8"), std::string::npos) << alarms;
  EXPECT_NE(mirror_->Get("/metrics").body.find("ltl_gossip_alarms_total 1"), std::string::npos);

  // 3. The client holding the honest state rejects the fork with evidence.
  r = RunLtl({"checkpoint", "--log", fork.url(), "--log-key", log_key_, "--state", state});
  EXPECT_EQ(r.exit_code, 6) << Describe(r);
  std::smatch m;
  static const std::regex written("evidence written to (\\S+)");
  ASSERT_TRUE(std::regex_search(r.err, m, written)) << r.err;
  auto evidence = client::ParseEvidenceJson(ltl::testing::ReadFileOrDie(m[1].str()));
  ASSERT_TRUE(evidence.has_value()) << evidence.error();
  EXPECT_EQ(evidence->new_checkpoint, forked);
  EXPECT_EQ(evidence->old_size, 8u);

  // The honest network is unaffected.
  EXPECT_EQ(WitnessedSize(*log_), 8u);
}

}  // namespace
}  // namespace ltl::e2e
