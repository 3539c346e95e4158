// `ltl verify --offline` on receipts built from an in-memory log, and the
// online commands (`submit`, `verify`, `checkpoint`, `get`, `lookup`) against
// that log served over HTTP on 127.0.0.1 (tests/cli/cli_testing.h), through
// the built binary. Each failure class is pinned to its exit code.
#include <gtest/gtest.h>

#include "client/evidence.h"
#include "client/receipt.h"
#include "client/state.h"
#include "ledger/entry.h"
#include "ledger/keys.h"
#include "ledger/note.h"
#include "tests/cli/cli_testing.h"
#include "tests/client/fake_log.h"

namespace ltl::cli {
namespace {

using client::testing::FakeLog;
using client::testing::KeyFromSeed;
using client::testing::LogKey;
using client::testing::WitnessKey;
using testing::Describe;
using testing::RunLtl;
using testing::RunResult;
using testing::WriteFile;

constexpr int kUsage = 2;
constexpr int kNetwork = 3;
constexpr int kInvalidEntry = 4;
constexpr int kProofFailure = 5;
constexpr int kInconsistent = 6;
constexpr int kPolicy = 7;
constexpr int kBadSignature = 8;
constexpr int kLogError = 9;

// A signed licence grant naming `work`, as a creator would log it.
std::string GrantEntry(std::string_view id, std::string_view work) {
  const ledger::SigningKey alice = KeyFromSeed("alice.example/ltl", 0x11);
  ledger::LicenceGrant g;
  g.grant_id = std::string(id);
  g.licensor = alice.verifier();
  g.works = {ledger::ParseWorkId(work).value()};
  g.permit_uses = {ledger::Use::kTrainGenai};
  g.territories = {"WORLD"};
  g.not_before = ledger::ParseTimestamp("2026-01-01T00:00:00Z").value();
  g.issued = g.not_before;
  return ledger::SignNote(ledger::FormatEntryText(g), alice).value();
}

class LogCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ledger::InitCrypto().ok());
    log_.AppendTestEntries(5);
    grant_index_ = log_.Append(GrantEntry("g-1", "isrc:GBAYE6900531"));
    log_.AppendTestEntries(3);
  }

  std::string Path(std::string_view name) const { return (dir_.path() / name).string(); }
  std::string State() const { return Path("state"); }
  static std::string LogVkey() { return LogKey().verifier().ToString(); }

  // A receipt file for entry `index` at the log's current size.
  std::string WriteReceipt(uint64_t index, std::string_view file, bool with_entry = true) {
    client::Receipt receipt =
        client::ParseReceiptJson(log_.ReceiptJsonFor(index, log_.size())).value();
    if (with_entry) receipt.entry = log_.entries()[index];
    WriteFile(Path(file), client::ReceiptToJson(receipt));
    return Path(file);
  }

  RunResult VerifyOffline(const std::string& file, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"verify", "--offline", "--log-key", LogVkey()};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(file);
    return RunLtl(args);
  }

  // Runs an online command against `server` with the test's state folder.
  RunResult Online(const testing::HttpFakeServer& server, std::vector<std::string> args,
                   const std::string& log_key = LogVkey()) {
    args.insert(args.begin() + 1,
                {"--log", server.url(), "--log-key", log_key, "--state", State()});
    return RunLtl(args);
  }

  ltl::testing::TempDir dir_;
  FakeLog log_;
  uint64_t grant_index_ = 0;
};

// ---- Offline -------------------------------------------------------------------------

TEST_F(LogCommandsTest, OfflineReceiptWithItsEntryVerifies) {
  const RunResult r = VerifyOffline(WriteReceipt(grant_index_, "r.json"));
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("entry 5 of log.example/ltl"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("not checked offline"), std::string::npos) << r.out;
}

TEST_F(LogCommandsTest, OfflineEntryFileIsVerifiedWithTheReceiptBesideIt) {
  WriteFile(Path("grant.note"), log_.entries()[grant_index_]);
  WriteReceipt(grant_index_, "grant.note.receipt.json", /*with_entry=*/false);
  const RunResult r = VerifyOffline(Path("grant.note"), {"--json"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("\"entry_checked\": true"), std::string::npos) << r.out;
}

TEST_F(LogCommandsTest, OfflineEntryThatDiffersFromItsReceiptIsAnInvalidEntry) {
  WriteFile(Path("grant.note"), GrantEntry("g-2", "isrc:GBAYE6900531"));
  WriteReceipt(grant_index_, "grant.note.receipt.json", /*with_entry=*/false);
  EXPECT_EQ(VerifyOffline(Path("grant.note")).exit_code, kInvalidEntry);
}

TEST_F(LogCommandsTest, OfflineEntryWithoutAReceiptIsAUsageError) {
  WriteFile(Path("grant.note"), log_.entries()[grant_index_]);
  const RunResult r = VerifyOffline(Path("grant.note"));
  EXPECT_EQ(r.exit_code, kUsage) << Describe(r);
  EXPECT_NE(r.err.find("no receipt"), std::string::npos) << r.err;
}

TEST_F(LogCommandsTest, OfflineTamperedProofIsAProofFailure) {
  client::Receipt receipt =
      client::ParseReceiptJson(log_.ReceiptJsonFor(grant_index_, log_.size())).value();
  receipt.entry = log_.entries()[grant_index_];
  // Mutation probes named for the attack: each must fail as a proof failure.
  std::vector<std::pair<std::string, client::Receipt>> probes;
  client::Receipt flipped = receipt;
  flipped.inclusion_proof[1][0] ^= 1;
  probes.emplace_back("bit flip in a proof hash", flipped);
  client::Receipt truncated = receipt;
  truncated.inclusion_proof.pop_back();
  probes.emplace_back("truncated proof", truncated);
  client::Receipt next_index = receipt;
  next_index.index += 1;
  probes.emplace_back("index + 1", next_index);
  client::Receipt beyond = receipt;
  beyond.index = log_.size();
  probes.emplace_back("index beyond the tree", beyond);
  for (const auto& [name, probe] : probes) {
    WriteFile(Path("probe.json"), client::ReceiptToJson(probe));
    const RunResult r = VerifyOffline(Path("probe.json"));
    EXPECT_EQ(r.exit_code, kProofFailure) << name << Describe(r);
  }
}

TEST_F(LogCommandsTest, OfflineReceiptForAnotherLogIsABadSignature) {
  const std::string receipt = WriteReceipt(grant_index_, "r.json");
  const ledger::SigningKey other = KeyFromSeed("other.example/log", 0x77);
  const RunResult r =
      RunLtl({"verify", "--offline", "--log-key", other.verifier().ToString(), receipt});
  EXPECT_EQ(r.exit_code, kBadSignature) << Describe(r);
}

TEST_F(LogCommandsTest, OfflineCheckpointSignedByAnImpostorIsABadSignature) {
  // Same origin, another key: a forged checkpoint for the proven tree.
  FakeLog impostor(KeyFromSeed(client::testing::kOrigin, 0x66));
  for (const std::string& e : log_.entries()) impostor.Append(e);
  client::Receipt receipt =
      client::ParseReceiptJson(log_.ReceiptJsonFor(grant_index_, log_.size())).value();
  receipt.checkpoint = impostor.CheckpointAt(impostor.size());
  WriteFile(Path("forged.json"), client::ReceiptToJson(receipt));
  EXPECT_EQ(VerifyOffline(Path("forged.json")).exit_code, kBadSignature);
}

TEST_F(LogCommandsTest, OfflineQuorumIsEnforcedOnTheReceiptsCheckpoint) {
  const std::string receipt = WriteReceipt(grant_index_, "r.json");
  const std::string witness = WitnessKey(1).verifier().ToString();
  const RunResult unmet = VerifyOffline(receipt, {"--witness", witness, "--quorum", "1"});
  EXPECT_EQ(unmet.exit_code, kPolicy) << Describe(unmet);

  client::Receipt cosigned =
      client::ParseReceiptJson(log_.ReceiptJsonFor(grant_index_, log_.size())).value();
  cosigned.checkpoint = log_.CheckpointAt(log_.size(), {WitnessKey(1)});
  WriteFile(Path("cosigned.json"), client::ReceiptToJson(cosigned));
  const RunResult met =
      VerifyOffline(Path("cosigned.json"), {"--witness", witness, "--quorum", "1"});
  EXPECT_EQ(met.exit_code, 0) << Describe(met);
}

TEST_F(LogCommandsTest, QuorumAboveTheWitnessCountIsAUsageError) {
  const RunResult r = VerifyOffline(WriteReceipt(grant_index_, "r.json"), {"--quorum", "1"});
  EXPECT_EQ(r.exit_code, kUsage) << Describe(r);
}

TEST_F(LogCommandsTest, MalformedReceiptFileIsAUsageError) {
  std::string json = client::ReceiptToJson(
      client::ParseReceiptJson(log_.ReceiptJsonFor(grant_index_, log_.size())).value());
  json.insert(json.find('{') + 1, "\"extra\": 1, ");
  WriteFile(Path("bad.json"), json);
  const RunResult r = VerifyOffline(Path("bad.json"));
  EXPECT_EQ(r.exit_code, kUsage) << Describe(r);
  EXPECT_NE(r.err.find("extra"), std::string::npos) << r.err;
}

// ---- Online --------------------------------------------------------------------------

class OnlineTest : public LogCommandsTest {
 protected:
  void SetUp() override {
    LogCommandsTest::SetUp();
    server_ = std::make_unique<testing::HttpFakeServer>(
        log_, [this]() -> const std::vector<std::string>& { return log_.entries(); });
  }
  void TearDown() override { server_.reset(); }

  // `ltl submit` keeps no state: it only verifies the receipt it gets.
  RunResult Submit(const std::string& file) {
    return RunLtl({"submit", "--log", server_->url(), "--log-key", LogVkey(), file});
  }

  std::unique_ptr<testing::HttpFakeServer> server_;
};

TEST_F(OnlineTest, SubmitVerifiesAndSavesTheReceiptThenVerifyChecksItOnline) {
  WriteFile(Path("bob.note"), client::testing::KeyEntryText("bob"));
  const RunResult submitted = Submit(Path("bob.note"));
  ASSERT_EQ(submitted.exit_code, 0) << Describe(submitted);
  EXPECT_NE(submitted.out.find("logged: entry 9"), std::string::npos) << submitted.out;

  auto receipt =
      client::ParseReceiptJson(ltl::testing::ReadFileOrDie(Path("bob.note.receipt.json")));
  ASSERT_TRUE(receipt.has_value()) << receipt.error();
  EXPECT_EQ(receipt->index, 9u);
  EXPECT_EQ(receipt->entry, client::testing::KeyEntryText("bob"));

  log_.AppendTestEntries(300);  // the log grows past a full tile
  const RunResult verified = Online(*server_, {"verify", Path("bob.note")});
  EXPECT_EQ(verified.exit_code, 0) << Describe(verified);
  EXPECT_NE(verified.out.find("tree of size 310"), std::string::npos) << verified.out;
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(State()) /
                                      client::StateFileName(LogKey().verifier())));
}

TEST_F(OnlineTest, RefreshUpgradesASubmitReceiptToMeetTheQuorumOffline) {
  WriteFile(Path("bob.note"), client::testing::KeyEntryText("bob"));
  ASSERT_EQ(Submit(Path("bob.note")).exit_code, 0);
  const std::string witness = WitnessKey(1).verifier().ToString();
  const std::vector<std::string> quorum = {"--witness", witness, "--quorum", "1"};
  // The log's answer to POST /add cannot carry a cosignature yet.
  EXPECT_EQ(VerifyOffline(Path("bob.note"), quorum).exit_code, kPolicy);

  log_.AppendTestEntries(2);
  log_.witnesses = {WitnessKey(1)};
  std::vector<std::string> args = {"verify",   "--refresh", "--witness",     witness,
                                   "--quorum", "1",         Path("bob.note")};
  const RunResult refreshed = Online(*server_, args);
  ASSERT_EQ(refreshed.exit_code, 0) << Describe(refreshed);
  const RunResult offline = VerifyOffline(Path("bob.note"), quorum);
  EXPECT_EQ(offline.exit_code, 0) << Describe(offline);
  EXPECT_NE(offline.out.find("tree of size 12"), std::string::npos) << offline.out;
}

TEST_F(OnlineTest, SubmitRefusesAnEntryMissingASignatureWithoutPosting) {
  std::string unsigned_text = ledger::ParseNote(client::testing::KeyEntryText("bob"))->text;
  const ledger::SigningKey stranger = KeyFromSeed("stranger.example/ltl", 0x55);
  WriteFile(Path("bad.note"), ledger::SignNote(unsigned_text, stranger).value());
  const uint64_t before = log_.size();
  const RunResult r = Submit(Path("bad.note"));
  EXPECT_EQ(r.exit_code, kInvalidEntry) << Describe(r);
  EXPECT_EQ(log_.size(), before);
  EXPECT_FALSE(std::filesystem::exists(Path("bad.note.receipt.json")));
}

TEST_F(OnlineTest, ComposeSignAndSubmitInOneStep) {
  const ledger::SigningKey society = KeyFromSeed("cmo.example/ltl", 0x13);
  WriteFile(Path("society.key"), society.PrivateKeyString() + "\n", 0600);
  const RunResult r =
      RunLtl({"reserve", "--key", Path("society.key"), "--reservation-id", "r1", "--work",
              "iswc:T0345246801", "--reserve-use", "all", "--out", Path("r1.note"), "--submit",
              "--log", server_->url(), "--log-key", LogVkey()});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(log_.entries().back(), ltl::testing::ReadFileOrDie(Path("r1.note")));
  EXPECT_TRUE(std::filesystem::exists(Path("r1.note.receipt.json")));
}

TEST_F(OnlineTest, CheckpointIsTrustedOnFirstUseThenMustAdvanceConsistently) {
  const RunResult first = Online(*server_, {"checkpoint"});
  ASSERT_EQ(first.exit_code, 0) << Describe(first);
  EXPECT_NE(first.out.find("first use"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("tree size: 9"), std::string::npos) << first.out;

  log_.AppendTestEntries(4);
  const RunResult second = Online(*server_, {"checkpoint", "--json"});
  ASSERT_EQ(second.exit_code, 0) << Describe(second);
  EXPECT_NE(second.out.find("\"state\": \"advanced\""), std::string::npos) << second.out;
  EXPECT_NE(second.out.find("\"tree_size\": 13"), std::string::npos) << second.out;
}

TEST_F(OnlineTest, ForkedHistoryIsAnInconsistencyWithAnEvidenceFile) {
  ASSERT_EQ(Online(*server_, {"checkpoint"}).exit_code, 0);
  // The same log key now serves a different, larger history.
  FakeLog fork;
  fork.AppendTestEntries(2);
  fork.Append("rewritten history\n");
  fork.AppendTestEntries(20);
  testing::HttpFakeServer forked(fork);
  const RunResult r = Online(forked, {"checkpoint"});
  EXPECT_EQ(r.exit_code, kInconsistent) << Describe(r);
  const size_t at = r.err.find("evidence written to ");
  ASSERT_NE(at, std::string::npos) << r.err;
  std::string path = r.err.substr(at + 20);
  path = path.substr(0, path.find_first_of(" \n"));
  auto evidence = client::ParseEvidenceJson(ltl::testing::ReadFileOrDie(path));
  ASSERT_TRUE(evidence.has_value()) << evidence.error();
  EXPECT_EQ(evidence->old_size, 9u);
  EXPECT_EQ(evidence->new_size, 23u);

  // The saved state is kept: the honest log still verifies.
  EXPECT_EQ(Online(*server_, {"checkpoint"}).exit_code, 0);
}

TEST_F(OnlineTest, SameSizeOtherRootIsAnInconsistency) {
  ASSERT_EQ(Online(*server_, {"checkpoint"}).exit_code, 0);
  FakeLog fork;
  fork.AppendTestEntries(9);
  testing::HttpFakeServer forked(fork);
  EXPECT_EQ(Online(forked, {"checkpoint"}).exit_code, kInconsistent);
}

TEST_F(OnlineTest, CheckpointOfAnotherLogIsABadSignature) {
  const ledger::SigningKey other = KeyFromSeed("other.example/log", 0x77);
  const RunResult r = Online(*server_, {"checkpoint"}, other.verifier().ToString());
  EXPECT_EQ(r.exit_code, kBadSignature) << Describe(r);
}

TEST_F(OnlineTest, WitnessQuorumUnmetIsAPolicyFailure) {
  const std::string w1 = WitnessKey(1).verifier().ToString();
  const std::string w2 = WitnessKey(2).verifier().ToString();
  log_.witnesses = {WitnessKey(1)};
  const RunResult unmet =
      Online(*server_, {"checkpoint", "--witness", w1, "--witness", w2, "--quorum", "2"});
  EXPECT_EQ(unmet.exit_code, kPolicy) << Describe(unmet);
  const RunResult met =
      Online(*server_, {"checkpoint", "--witness", w1, "--witness", w2, "--quorum", "1"});
  EXPECT_EQ(met.exit_code, 0) << Describe(met);
  EXPECT_NE(met.out.find("1 of 2 cosigned"), std::string::npos) << met.out;
}

TEST_F(OnlineTest, GetWithLogKeyPrintsTheEntryProvedIncluded) {
  const RunResult r = Online(*server_, {"get", std::to_string(grant_index_)});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, log_.entries()[grant_index_]);
  EXPECT_NE(r.err.find("verified: entry 5"), std::string::npos) << r.err;
}

TEST_F(OnlineTest, GetWithoutLogKeySaysItIsNotVerified) {
  const RunResult r = RunLtl({"get", "--log", server_->url(), "3"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, log_.entries()[3]);
  EXPECT_NE(r.err.find("NOT verified"), std::string::npos) << r.err;
  EXPECT_EQ(RunLtl({"get", "--log", server_->url(), "99"}).exit_code, kUsage);
}

TEST_F(OnlineTest, GetBeyondTheTreeIsAUsageError) {
  EXPECT_EQ(Online(*server_, {"get", "9"}).exit_code, kUsage);
}

TEST_F(OnlineTest, TamperedEntryBundleIsAProofFailure) {
  log_.rewrite = [](std::string_view path, client::HttpResponse& response) {
    if (path.find("/tile/entries/") == 0 && response.body.size() > 10) response.body[10] ^= 1;
  };
  const RunResult r = Online(*server_, {"get", std::to_string(grant_index_)});
  EXPECT_EQ(r.exit_code, kProofFailure) << Describe(r);
}

TEST_F(OnlineTest, MalformedCheckpointIsALogError) {
  log_.served_checkpoint = "not a checkpoint";
  const RunResult r = Online(*server_, {"checkpoint"});
  EXPECT_EQ(r.exit_code, kLogError) << Describe(r);
}

TEST_F(OnlineTest, UnreachableLogIsANetworkError) {
  uint16_t closed_port;
  {
    testing::HttpFakeServer temporary(log_);
    closed_port = temporary.port();
  }
  const RunResult r =
      RunLtl({"checkpoint", "--log", "http://127.0.0.1:" + std::to_string(closed_port), "--log-key",
              LogVkey(), "--state", State()});
  EXPECT_EQ(r.exit_code, kNetwork) << Describe(r);
}

TEST_F(OnlineTest, LookupListsVerifiedEntriesAndSaysCompletenessIsNotProven) {
  const uint64_t second = log_.Append(GrantEntry("g-2", "isrc:GBAYE6900531"));
  log_.lookup_index["isrc:GBAYE6900531"] = {grant_index_, second};
  const RunResult r = Online(*server_, {"lookup", "--work", "isrc:GB-AYE-69-00531"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("entry 5  licence-grant"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("entry 9  licence-grant"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2 entries for isrc:GBAYE6900531"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("NOT proven"), std::string::npos) << r.out;

  const RunResult json = Online(*server_, {"lookup", "--work", "isrc:GBAYE6900531", "--json"});
  ASSERT_EQ(json.exit_code, 0) << Describe(json);
  EXPECT_NE(json.out.find("\"complete_proven\": false"), std::string::npos) << json.out;
}

TEST_F(OnlineTest, LookupHitWhoseRefContradictsTheTreeIsALogError) {
  // The index claims the grant's ref at another position.
  log_.lookup_index["isrc:GBAYE6900531"] = {grant_index_};
  log_.rewrite = [](std::string_view path, client::HttpResponse& response) {
    if (path.find("/lookup") == 0) {
      const size_t at = response.body.find("\"index\": 5");
      if (at != std::string::npos) response.body.replace(at, 10, "\"index\": 4");
    }
  };
  const RunResult r = Online(*server_, {"lookup", "--work", "isrc:GBAYE6900531"});
  EXPECT_EQ(r.exit_code, kLogError) << Describe(r);
}

TEST_F(OnlineTest, LookupNeedsExactlyOneKey) {
  EXPECT_EQ(Online(*server_, {"lookup"}).exit_code, kUsage);
  EXPECT_EQ(Online(*server_, {"lookup", "--work", "isrc:GBAYE6900531", "--signer", "a"}).exit_code,
            kUsage);
  EXPECT_EQ(Online(*server_, {"lookup", "--work", "isbn:123"}).exit_code, kUsage);
}

TEST_F(OnlineTest, DefaultStateFolderIsUnderXdgStateHome) {
  const std::string xdg = Path("xdg");
  const RunResult r = RunLtl({"checkpoint", "--log", server_->url(), "--log-key", LogVkey()}, "",
                             {{"XDG_STATE_HOME", xdg}});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(xdg) / "ltl" /
                                      client::StateFileName(LogKey().verifier())));
}

}  // namespace
}  // namespace ltl::cli
