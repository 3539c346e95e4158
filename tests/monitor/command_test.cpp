// `ltl monitor` as a user runs it: the ltl binary runs ltl-monitor, which
// audits a generated scenario over HTTP; --json lines, --report, --subscribe,
// flag errors and the monitor state store.
#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>

#include "ledger/keys.h"
#include "ledger/store/monitor_state.h"
#include "monitor/finding.h"
#include "monitor/sim/scenario.h"
#include "tests/cli/cli_testing.h"
#include "tests/monitor/monitor_testing.h"
#include "tests/testing/testing.h"

namespace ltl::monitor {
namespace {

using cli::testing::RunLtl;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

class CommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ledger::InitCrypto().ok());
    sim::ScenarioOptions options;
    options.creators = 4;
    options.firms = 3;
    options.works_per_creator = 3;
    options.agreements_per_firm = 2;
    auto scenario = sim::BuildScenario(options);
    ASSERT_TRUE(scenario.has_value()) << scenario.error().ToString();
    scenario_ = std::move(*scenario);
    log_ = std::make_unique<testing::TestLog>(dir_.path() / "log", /*node_admission=*/true);
    for (const std::string& e : scenario_.entries) log_->Add(e);
  }

  std::vector<std::string> Base() const {
    return {"monitor",
            "--log",
            log_->url(),
            "--log-key",
            log_->log_key().ToString(),
            "--state",
            (dir_.path() / "state").string(),
            "--once"};
  }

  ltl::testing::TempDir dir_;
  sim::Scenario scenario_;
  std::unique_ptr<testing::TestLog> log_;
};

TEST_F(CommandTest, OnceJsonPrintsExactlyThePlantedFindingsAndWritesTheReport) {
  std::vector<std::string> args = Base();
  const std::string report = (dir_.path() / "report.html").string();
  args.insert(args.end(), {"--json", "--report", report});
  const auto run = RunLtl(args);
  ASSERT_EQ(run.exit_code, 0) << cli::testing::Describe(run);
  std::multiset<std::string> got, want;
  for (const std::string& line : Lines(run.out)) {
    auto f = FindingFromJson(line);
    ASSERT_TRUE(f.has_value()) << line;
    got.insert(FindingKey(*f));
  }
  for (const Finding& f : scenario_.expected) want.insert(FindingKey(f));
  EXPECT_EQ(got, want);
  const std::string html = ltl::testing::ReadFileOrDie(report);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("Owed vs paid per licensor"), std::string::npos);
  EXPECT_NE(html.find("Usage lines per firm"), std::string::npos);
  EXPECT_NE(html.find("MISSING_REPORT"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);  // self-contained, no script

  // A second --once finds nothing new.
  const auto again = RunLtl(Base());
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.out.find("findings this run: 0"), std::string::npos) << again.out;
}

TEST_F(CommandTest, SubscribePrintsOnlyWhatConcernsTheParty) {
  std::vector<std::string> args = Base();
  args.insert(args.end(), {"--json", "--subscribe", "signer=firm0.example/ltl"});
  const auto run = RunLtl(args);
  ASSERT_EQ(run.exit_code, 0) << cli::testing::Describe(run);
  size_t findings = 0, entries = 0;
  for (const std::string& line : Lines(run.out)) {
    if (line.find("\"event\":\"entry\"") != std::string::npos) {
      ++entries;
      EXPECT_NE(line.find("firm0.example/ltl"), std::string::npos) << line;
      continue;
    }
    auto f = FindingFromJson(line);
    ASSERT_TRUE(f.has_value()) << line;
    ++findings;
    EXPECT_NE(std::find(f->parties.begin(), f->parties.end(), "firm0.example/ltl"),
              f->parties.end())
        << line;
  }
  EXPECT_GT(entries, 0u);
  EXPECT_EQ(findings, 2u);  // firm 0's two agreements miss their Q2 report
}

TEST_F(CommandTest, FollowModeStopsAfterMaxPolls) {
  std::vector<std::string> args = Base();
  args.pop_back();  // no --once
  args.insert(args.end(), {"--poll-interval", "1", "--max-polls", "2", "--quiet"});
  const auto run = RunLtl(args);
  ASSERT_EQ(run.exit_code, 0) << cli::testing::Describe(run);
  const std::string total = std::to_string(scenario_.entries.size());
  EXPECT_NE(run.out.find("audited " + total + " of " + total), std::string::npos) << run.out;
}

TEST_F(CommandTest, FlagErrorsAreUsageErrors) {
  auto run = RunLtl({"monitor", "--log", log_->url()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("--log-key is required"), std::string::npos) << run.err;
  run = RunLtl({"monitor", "--log", log_->url(), "--log-key", "nope", "--state", "x"});
  EXPECT_EQ(run.exit_code, 2);
  run = RunLtl({"monitor", "--bogus"});
  EXPECT_EQ(run.exit_code, 2);
  run = RunLtl({"monitor", "--help"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.out.find("--subscribe"), std::string::npos);
}

TEST_F(CommandTest, UnreachableLogIsExitThree) {
  auto run =
      RunLtl({"monitor", "--log", "http://127.0.0.1:1", "--log-key", log_->log_key().ToString(),
              "--state", (dir_.path() / "s2").string(), "--once"});
  EXPECT_EQ(run.exit_code, 3) << cli::testing::Describe(run);
}

TEST(MonitorCommandTest, LtlWithoutLtlMonitorBesideItSaysSo) {
  ltl::testing::TempDir dir;
  const auto copy = dir.path() / "ltl";
  std::filesystem::copy_file(cli::testing::LtlBinary(), copy);
  const auto run = cli::testing::RunBinary(copy.string(), {"monitor", "--help"});
  EXPECT_EQ(run.exit_code, 2) << cli::testing::Describe(run);
  EXPECT_NE(run.err.find("ltl-monitor not found"), std::string::npos) << run.err;
}

// ---- The state store ------------------------------------------------------------------

TEST(MonitorStateTest, RecordsAreKeptAcrossReopenAndWritesAreAtomic) {
  ltl::testing::TempDir dir;
  {
    auto state = store::MonitorState::Open(dir.path() / "s");
    ASSERT_TRUE(state.has_value());
    ASSERT_TRUE((*state)
                    ->Write([](store::MonitorWriter& w) -> Status {
                      LTL_RETURN_IF_ERROR(w.AddSighting({10, 100}));
                      LTL_RETURN_IF_ERROR(w.AddSighting({20, 200}));
                      LTL_RETURN_IF_ERROR(w.PutEntry({0, 5, 3, "leaf"}, proofs::Sha256("r")));
                      LTL_RETURN_IF_ERROR(w.AddToIndex(store::MonitorIndex::kKeyByName, "k", 0));
                      LTL_RETURN_IF_ERROR(w.AddToIndex(store::MonitorIndex::kKeyByName, "k", 0));
                      LTL_RETURN_IF_ERROR(w.AddToTotal(store::MonitorTotal::kPaid, "a|EUR",
                                                       ledger::Decimal::Parse("1.5").value()));
                      LTL_RETURN_IF_ERROR(w.AddToTotal(store::MonitorTotal::kPaid, "a|EUR",
                                                       ledger::Decimal::Parse("2").value()));
                      LTL_ASSIGN_OR_RETURN(uint64_t seq, w.AppendFinding("{}"));
                      EXPECT_EQ(seq, 0u);
                      return Status::Ok();
                    })
                    .ok());
    // A failing body leaves nothing behind.
    Status failed = (*state)->Write([](store::MonitorWriter& w) -> Status {
      LTL_RETURN_IF_ERROR(w.PutEntry({1, 5, 3, "leaf2"}, proofs::Sha256("r2")));
      return Status::Internal("abort");
    });
    EXPECT_EQ(failed.code(), StatusCode::kInternal);
    // Sightings only grow; entries only append.
    EXPECT_FALSE((*state)
                     ->Write([](store::MonitorWriter& w) {
                       return w.AddSighting({15, 1});
                     })
                     .ok());
    EXPECT_FALSE((*state)
                     ->Write([](store::MonitorWriter& w) {
                       return w.PutEntry({5, 0, 0, "x"}, {});
                     })
                     .ok());
  }
  auto state = store::MonitorState::Open(dir.path() / "s");
  ASSERT_TRUE(state.has_value());
  ASSERT_TRUE((*state)
                  ->Read([](const store::MonitorReader& r) -> Status {
                    EXPECT_EQ(r.FirstCovering(9).value()->size, 10u);
                    EXPECT_EQ(r.FirstCovering(10).value()->size, 20u);
                    EXPECT_FALSE(r.FirstCovering(20).value().has_value());
                    EXPECT_FALSE(r.LastNotCovering(9).value().has_value());
                    EXPECT_EQ(r.LastNotCovering(15).value()->time, 100);
                    EXPECT_EQ(r.Entry(0).value()->leaf, "leaf");
                    EXPECT_FALSE(r.Entry(1).value().has_value());
                    EXPECT_EQ(*r.FindRef(proofs::Sha256("r")).value(), 0u);
                    EXPECT_EQ(r.Lookup(store::MonitorIndex::kKeyByName, "k").value(),
                              std::vector<uint64_t>{0});
                    EXPECT_EQ(r.Total(store::MonitorTotal::kPaid, "a|EUR").value().ToString(),
                              "3.5");
                    EXPECT_EQ(r.FindingCount().value(), 1u);
                    return Status::Ok();
                  })
                  .ok());
  // A second open of the same folder (another monitor) is refused.
  auto second = store::MonitorState::Open(dir.path() / "s");
  EXPECT_FALSE(second.has_value());
}

}  // namespace
}  // namespace ltl::monitor
