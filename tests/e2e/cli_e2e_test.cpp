// End to end: the `ltl` tool against real `ltl-node` processes on 127.0.0.1.
//
//   - The licensing story: a creator registers a key and issues an offer; an
//     AI firm registers, co-signs an agreement the creator drafted and submits
//     it; the creator verifies its inclusion (without a receipt, through the
//     log's signer index); the firm attests usage under the agreement.
//   - Failures pinned to exit codes: a tampered receipt (5), a receipt checked
//     against another log's key (8), a checkpoint that is not consistent with
//     the saved state (6, with an evidence file): two copies of one freshly
//     initialised log, fed different entries, are one key showing two
//     histories.
//   - docs/cli.md's walk-through, extracted from the document and run with
//     sh exactly as written (only LOG and LOG_KEY point at the test's node).
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <thread>

#include "client/evidence.h"
#include "client/receipt.h"
#include "tests/cli/cli_testing.h"

namespace ltl::cli {
namespace {

using testing::Describe;
using testing::RunBinary;
using testing::RunLtl;
using testing::RunResult;
using testing::WriteFile;

constexpr int kInvalidEntry = 4;
constexpr int kProofFailure = 5;
constexpr int kInconsistent = 6;
constexpr int kBadSignature = 8;

std::string NodeBinary() { return (ltl::testing::BinaryDir() / "bin" / "ltl-node").string(); }

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// `ltl-node init` in `dir`; returns the log's verifier key.
std::string InitLog(const std::filesystem::path& dir, const std::string& origin) {
  const RunResult init =
      RunBinary(NodeBinary(), {"init", "--data", dir.string(), "--origin", origin});
  EXPECT_EQ(init.exit_code, 0) << Describe(init);
  const RunResult show = RunLtl({"key", "show", "--key", (dir / "log.key").string()});
  EXPECT_EQ(show.exit_code, 0) << Describe(show);
  return Trimmed(show.out);
}

// `ltl-node serve` on 127.0.0.1 with a port the kernel picks; the port is read
// from the node's "listening on" log line. SIGTERM and reaped on destruction.
class NodeProcess {
 public:
  NodeProcess(const std::filesystem::path& data, const std::filesystem::path& log_file) {
    pid_ = ::fork();
    if (pid_ < 0) std::abort();
    if (pid_ == 0) {
      const int fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      const std::string binary = NodeBinary();
      const std::string data_arg = data.string();
      ::execl(binary.c_str(), binary.c_str(), "serve", "--data", data_arg.c_str(), "--listen",
              "127.0.0.1:0", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    const std::regex listening("listening on 127\\.0\\.0\\.1:([0-9]+)");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      std::smatch m;
      std::ifstream in(log_file);  // may not exist yet
      const std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (std::regex_search(log, m, listening)) {
        port_ = std::stoi(m[1]);
        return;
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        ADD_FAILURE() << "ltl-node exited early:\n" << log;
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ADD_FAILURE() << "ltl-node did not report its port";
  }
  ~NodeProcess() { Stop(); }
  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;

  void Stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  bool running() const { return pid_ > 0 && port_ > 0; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

class CliEndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_key_ = InitLog(dir_.path() / "data", "ltl.localhost/log");
    node_ = std::make_unique<NodeProcess>(dir_.path() / "data", dir_.path() / "node.log");
    ASSERT_TRUE(node_->running());
  }

  std::string Path(std::string_view name) const { return (dir_.path() / name).string(); }

  // Runs ltl with --log/--log-key (and, for stateful commands, the state
  // folder of `who`) inserted after the command words.
  RunResult Ltl(std::vector<std::string> args, size_t command_words = 1, std::string who = "") {
    std::vector<std::string> extra = {"--log", node_->url(), "--log-key", log_key_};
    if (!who.empty()) {
      extra.push_back("--state");
      extra.push_back(Path(who + "-state"));
    }
    args.insert(args.begin() + static_cast<long>(command_words), extra.begin(), extra.end());
    return RunLtl(args);
  }

  std::string GenerateKey(const std::string& name, const std::string& file) {
    const RunResult r = RunLtl({"key", "generate", "--name", name, "--out", Path(file)});
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    return Trimmed(r.out);
  }

  void Register(const std::string& key_file, const std::string& role, const std::string& party,
                const std::string& out) {
    const RunResult r = Ltl({"key", "entry", "--key", Path(key_file), "--role", role, "--party",
                             party, "--out", Path(out), "--submit"},
                            2);
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
  }

  ltl::testing::TempDir dir_;
  std::string log_key_;
  std::unique_ptr<NodeProcess> node_;
};

TEST_F(CliEndToEndTest, CreatorAndFirmLicenceTrainAndVerify) {
  const std::string alice = GenerateKey("alice.example/ltl", "alice.key");
  const std::string bob = GenerateKey("bob-ai.example/ltl", "bob.key");
  Register("alice.key", "licensor", "Alice Example Music", "alice-key.note");
  Register("bob.key", "licensee", "Bob AI Inc.", "bob-key.note");

  // The creator's public offer.
  RunResult r =
      Ltl({"grant", "--key", Path("alice.key"), "--grant-id", "offer-2026", "--work",
           "isrc:GBAYE6900531", "--permit-use", "train-genai", "--territory", "WORLD", "--payment",
           "training 0.25 EUR per-work", "--out", Path("offer.note"), "--submit"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);

  // The agreement: drafted and signed by the creator, co-signed and
  // submitted by the firm.
  r = RunLtl({"grant", "--key", Path("alice.key"), "--grant-id", "bob-2026-01", "--licensee", bob,
              "--work", "isrc:GBAYE6900531", "--permit-use", "train-genai", "--territory", "WORLD",
              "--payment", "training 0.25 EUR per-work", "--out", Path("agreement.note")});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  r = RunLtl({"submit", "--log", node_->url(), "--log-key", log_key_, Path("agreement.note")});
  EXPECT_EQ(r.exit_code, kInvalidEntry) << "half-signed agreement" << Describe(r);
  r = RunLtl({"sign", "--key", Path("bob.key"), Path("agreement.note")});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  WriteFile(Path("agreement.signed"), r.out);
  r = RunLtl({"entry", "verify", "--key", alice, "--key", bob, Path("agreement.signed")});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  const std::string grant_ref = [&] {
    const size_t at = r.out.find("entry ref: ");
    return r.out.substr(at + 11, 64);
  }();
  r = Ltl({"submit", Path("agreement.signed")});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);

  // The creator verifies the agreement she signed is logged, without a
  // receipt: found through the signer index, proved included.
  r = Ltl({"verify", Path("agreement.note")}, 1, "alice");
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("other signature lines"), std::string::npos) << r.out;
  // And with the firm's receipt.
  r = Ltl({"verify", Path("agreement.signed.receipt.json")}, 1, "alice");
  EXPECT_EQ(r.exit_code, 0) << Describe(r);

  // The firm attests usage under the agreement.
  WriteFile(Path("lines.json"), R"({"lines": [{"line": "1", "work": ["isrc:GBAYE6900531"],
      "licensor": ")" + alice + R"(", "basis": "licence )" +
                                    grant_ref + R"(",
      "use": "train-genai", "stage": "pretrain", "quantity": "1 items",
      "first-use": "2026-02-03T00:00:00Z", "last-use": "2026-02-20T00:00:00Z",
      "royalty-bearing": true, "owed": "0.25 EUR"}]})");
  r = Ltl({"usage", "--key", Path("bob.key"), "--attestation-id", "2026-02", "--model",
           "bob-ai.example/songwriter@2.1", "--period-start", "2026-02-01T00:00:00Z",
           "--period-end", "2026-03-01T00:00:00Z", "--lines", Path("lines.json"), "--out",
           Path("usage.note"), "--submit"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);

  // A monitor: the work's entries, each proved; the usage verified online.
  r = Ltl({"lookup", "--work", "isrc:GB-AYE-69-00531"}, 1, "monitor");
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("3 entries for isrc:GBAYE6900531"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("NOT proven"), std::string::npos);
  r = Ltl({"verify", Path("usage.note")}, 1, "monitor");
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  r = Ltl({"get", "0"}, 1, "monitor");
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, ltl::testing::ReadFileOrDie(Path("alice-key.note")));
}

TEST_F(CliEndToEndTest, TamperedReceiptAndAnotherLogsKeyFailWithTheirCodes) {
  GenerateKey("alice.example/ltl", "alice.key");
  Register("alice.key", "licensor", "Alice", "alice-key.note");
  Register("alice.key", "licensor", "Alice Music", "alice-key-2.note");  // a second entry

  auto receipt =
      client::ParseReceiptJson(ltl::testing::ReadFileOrDie(Path("alice-key-2.note.receipt.json")));
  ASSERT_TRUE(receipt.has_value()) << receipt.error();
  ASSERT_FALSE(receipt->inclusion_proof.empty());
  receipt->inclusion_proof[0][5] ^= 0x20;
  WriteFile(Path("tampered.json"), client::ReceiptToJson(*receipt));
  RunResult r = RunLtl({"verify", "--offline", "--log-key", log_key_, Path("tampered.json")});
  EXPECT_EQ(r.exit_code, kProofFailure) << Describe(r);
  r = Ltl({"verify", Path("tampered.json")}, 1, "alice");
  EXPECT_EQ(r.exit_code, kProofFailure) << Describe(r);

  // Another log, same origin name, its own key.
  const std::string other_key = InitLog(dir_.path() / "other", "ltl.localhost/log");
  r = RunLtl({"verify", "--offline", "--log-key", other_key, Path("alice-key-2.note")});
  EXPECT_EQ(r.exit_code, kBadSignature) << Describe(r);
  r = RunLtl({"checkpoint", "--log", node_->url(), "--log-key", other_key, "--state",
              Path("alice-state")});
  EXPECT_EQ(r.exit_code, kBadSignature) << Describe(r);
}

TEST(CliForkTest, CheckpointInconsistentWithTheSavedStateIsExitSixWithEvidence) {
  ltl::testing::TempDir dir;
  const auto path = [&](std::string_view name) { return (dir.path() / name).string(); };
  const std::string log_key = InitLog(dir.path() / "a", "ltl.localhost/log");
  // A copy of the freshly initialised log: same key, same empty tree.
  std::filesystem::copy(dir.path() / "a", dir.path() / "b");

  const RunResult keys =
      RunLtl({"key", "generate", "--name", "alice.example/ltl", "--out", path("alice.key")});
  ASSERT_EQ(keys.exit_code, 0) << Describe(keys);
  const std::string state = path("state");
  {
    NodeProcess a(dir.path() / "a", dir.path() / "a.log");
    ASSERT_TRUE(a.running());
    const RunResult r = RunLtl({"key", "entry", "--key", path("alice.key"), "--role", "licensor",
                                "--party", "Alice in history A", "--out", path("a.note"),
                                "--submit", "--log", a.url(), "--log-key", log_key});
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
    const RunResult cp =
        RunLtl({"checkpoint", "--log", a.url(), "--log-key", log_key, "--state", state});
    ASSERT_EQ(cp.exit_code, 0) << Describe(cp);
  }
  NodeProcess b(dir.path() / "b", dir.path() / "b.log");
  ASSERT_TRUE(b.running());
  for (const char* party : {"Alice in history B", "and again"}) {
    const std::string out = path(std::string("b-") + party[0] + party[1] + ".note");
    const RunResult r =
        RunLtl({"key", "entry", "--key", path("alice.key"), "--role", "licensor", "--party", party,
                "--out", out, "--submit", "--log", b.url(), "--log-key", log_key});
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
  }
  const RunResult r =
      RunLtl({"checkpoint", "--log", b.url(), "--log-key", log_key, "--state", state});
  EXPECT_EQ(r.exit_code, kInconsistent) << Describe(r);
  const std::smatch m = [&] {
    std::smatch match;
    static const std::regex written("evidence written to (\\S+)");
    std::regex_search(r.err, match, written);
    return match;
  }();
  ASSERT_EQ(m.size(), 2u) << r.err;
  auto evidence = client::ParseEvidenceJson(ltl::testing::ReadFileOrDie(m[1].str()));
  ASSERT_TRUE(evidence.has_value()) << evidence.error();
  EXPECT_EQ(evidence->old_size, 1u);
  EXPECT_EQ(evidence->new_size, 2u);
}

// docs/cli.md runs as written: every ```sh block from the walk-through
// set-up's successor to the end, in one shell, with LOG and LOG_KEY aimed at
// this test's node and PATH at the built binaries.
TEST_F(CliEndToEndTest, DocsWalkThroughRunsAsWritten) {
  const std::string doc = ltl::testing::ReadFileOrDie(ltl::testing::SourceDir() / "docs/cli.md");
  const size_t from = doc.find("## Creator: register and offer");
  ASSERT_NE(from, std::string::npos);
  std::string script = "set -e\n";
  size_t blocks = 0;
  for (size_t at = doc.find("```sh\n", from); at != std::string::npos;
       at = doc.find("```sh\n", at)) {
    const size_t body = at + 6;
    const size_t end = doc.find("```\n", body);
    script += doc.substr(body, end - body);
    at = end + 4;
    ++blocks;
  }
  ASSERT_GE(blocks, 10u);
  const std::filesystem::path walk = dir_.path() / "walkthrough";
  std::filesystem::create_directories(walk);
  const std::string path_env = (ltl::testing::BinaryDir() / "bin").string() + ":" +
                               (std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin");
  const RunResult r = RunBinary("/bin/sh", {"-c", script}, "",
                                {{"PATH", path_env},
                                 {"LOG", node_->url()},
                                 {"LOG_KEY", log_key_},
                                 {"XDG_STATE_HOME", (walk / "state").string()}},
                                walk);
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  // The failure examples at the end fail, each with its documented code.
  EXPECT_NE(r.out.find("failed: exit 5"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("failed: exit 8"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("failed: exit 4"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace ltl::cli
