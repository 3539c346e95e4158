// Whole-log behaviour: a generated scenario audited to exactly its planted
// findings, resumption, and logs that lie (tampered bundles, forks, bad
// checkpoints), which stop the audit with a log-integrity finding and never
// yield licence findings from unverified data.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "client/evidence.h"
#include "ledger/entry.h"
#include "ledger/keys.h"
#include "monitor/sim/scenario.h"
#include "tests/monitor/monitor_testing.h"
#include "tests/testing/testing.h"

namespace ltl::monitor {
namespace {

using testing::Codes;
using testing::Describe;
using testing::KeyFromName;
using testing::MonitorRun;
using testing::RunMonitor;
using testing::TestLog;

std::multiset<std::string> Keys(const std::vector<Finding>& findings) {
  std::multiset<std::string> out;
  for (const Finding& f : findings) out.insert(FindingKey(f));
  return out;
}

std::vector<std::string> StoredFindings(const std::filesystem::path& state_dir) {
  std::vector<std::string> out;
  auto state = store::MonitorState::Open(state_dir);
  EXPECT_TRUE(state.has_value());
  EXPECT_TRUE((*state)
                  ->Read([&](const store::MonitorReader& r) -> Status {
                    LTL_ASSIGN_OR_RETURN(out, r.Findings(0, 100000));
                    return Status::Ok();
                  })
                  .ok());
  return out;
}

class ScenarioTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(ledger::InitCrypto().ok()); }

  // Submits the scenario through the node's own admission (key registry).
  void Submit(const sim::Scenario& scenario) {
    log_ = std::make_unique<TestLog>(dir_.path() / "log", /*node_admission=*/true);
    for (const std::string& e : scenario.entries) log_->Add(e);
  }

  ltl::testing::TempDir dir_;
  std::unique_ptr<TestLog> log_;
};

TEST_F(ScenarioTest, GeneratedScenarioYieldsExactlyThePlantedFindings) {
  auto scenario = sim::BuildScenario({});
  ASSERT_TRUE(scenario.has_value()) << scenario.error().ToString();
  ASSERT_GE(scenario->entries.size(), 250u);
  Submit(*scenario);
  const MonitorRun run = RunMonitor(*log_, dir_.path() / "state", scenario->audit_after);
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_TRUE(run.summary.complete());
  EXPECT_EQ(Keys(run.findings), Keys(scenario->expected)) << Describe(run.findings);
  // Every plantable code was planted and found.
  std::set<std::string> codes;
  for (const Finding& f : run.findings) codes.insert(std::string(FindingCodeName(f.code)));
  EXPECT_EQ(codes.size(), sim::PlantableCodes().size());
  for (const Finding& expected : scenario->expected) {
    auto it = std::find_if(run.findings.begin(), run.findings.end(),
                           [&](const Finding& f) { return FindingKey(f) == FindingKey(expected); });
    if (it != run.findings.end()) {
      EXPECT_EQ(it->severity, expected.severity) << FindingKey(*it);
    }
  }
}

TEST_F(ScenarioTest, HonestScenarioYieldsNoFinding) {
  sim::ScenarioOptions options;
  options.plant_all = false;
  options.seed = 7;
  auto scenario = sim::BuildScenario(options);
  ASSERT_TRUE(scenario.has_value());
  EXPECT_TRUE(scenario->expected.empty());
  Submit(*scenario);
  const MonitorRun run = RunMonitor(*log_, dir_.path() / "state", scenario->audit_after);
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_TRUE(run.findings.empty()) << Describe(run.findings);
}

TEST_F(ScenarioTest, ResumedReplayMakesTheSameFindingsAsAnUninterruptedOne) {
  auto scenario = sim::BuildScenario({});
  ASSERT_TRUE(scenario.has_value());
  Submit(*scenario);
  const MonitorRun whole = RunMonitor(*log_, dir_.path() / "whole", scenario->audit_after);
  ASSERT_TRUE(whole.status.ok());

  // One bundle per chunk, one chunk per pass: stops after entry 256.
  const auto split = dir_.path() / "split";
  const MonitorRun first = RunMonitor(*log_, split, scenario->audit_after, 1, 1);
  ASSERT_TRUE(first.status.ok());
  EXPECT_EQ(first.summary.audited_to, 256u);
  EXPECT_FALSE(first.summary.complete());
  const MonitorRun second = RunMonitor(*log_, split, scenario->audit_after, 0, 1);
  ASSERT_TRUE(second.status.ok());
  EXPECT_EQ(second.summary.audited_from, 256u);
  EXPECT_TRUE(second.summary.complete());

  std::vector<std::string> resumed;
  for (const auto* run : {&first, &second}) {
    for (const Finding& f : run->findings) resumed.push_back(FindingToJson(f));
  }
  std::vector<std::string> uninterrupted;
  for (const Finding& f : whole.findings) uninterrupted.push_back(FindingToJson(f));
  EXPECT_EQ(resumed, uninterrupted);
  EXPECT_EQ(StoredFindings(split), StoredFindings(dir_.path() / "whole"));
}

// ---- Logs that lie -----------------------------------------------------------------

class IntegrityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ledger::InitCrypto().ok());
    log_ = std::make_unique<TestLog>(dir_.path() / "log");
    AddKeyAndUnlicensedUse(log_->primary(), "bob.example/ltl");
  }

  // Two entries: bob's key and a usage line citing no grant (a licence finding).
  static void AddKeyAndUnlicensedUse(store::Log& log, const std::string& firm) {
    const ledger::SigningKey bob = KeyFromName(firm);
    ledger::KeyEntry k;
    k.key = bob.verifier();
    k.roles = {ledger::Role::kLicensee};
    k.not_before = ledger::Timestamp{0};
    k.issued = ledger::Timestamp{1000};
    TestLog::AddTo(log, sim::SignEntry(k, {&bob}).value());
    ledger::UsageAttestation u;
    u.attestation_id = "r1";
    u.attester = bob.verifier();
    u.model = "bob.example/m@1";
    u.period_start = ledger::Timestamp{1000};
    u.period_end = ledger::Timestamp{2000};
    ledger::UsageLine l;
    l.line_id = "1";
    l.works = {ledger::ParseWorkId("isrc:GBAYE6900531").value()};
    l.licensor = bob.verifier();
    l.basis.kind = ledger::BasisKind::kLicence;
    l.basis.licence = proofs::Sha256("none");
    l.quantity =
        ledger::Quantity{ledger::Decimal::FromInteger(1).value(), ledger::QuantityUnit::kItems};
    l.first_use = ledger::Timestamp{1000};
    l.last_use = ledger::Timestamp{1500};
    u.lines = {l};
    u.issued = ledger::Timestamp{2000};
    TestLog::AddTo(log, sim::SignEntry(u, {&bob}).value());
  }

  MonitorRun Audit(const std::vector<ledger::VerifierKey>& witnesses = {}, size_t quorum = 0) {
    return RunMonitor(*log_, dir_.path() / "state", 1'800'000'000, 0, 16, witnesses, quorum);
  }

  ltl::testing::TempDir dir_;
  std::unique_ptr<TestLog> log_;
};

TEST_F(IntegrityTest, TamperedBundleStopsTheAuditWithTreeMismatchAndEvidence) {
  log_->backend().TamperBundles([](uint64_t, Bytes& bundle) { bundle.back() ^= 0x01; });
  MonitorRun run = Audit();
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  ASSERT_EQ(Codes(run.findings), std::vector<std::string>{"TREE_MISMATCH"})
      << Describe(run.findings);
  EXPECT_EQ(run.summary.integrity_failure, FindingCode::kTreeMismatch);
  EXPECT_EQ(run.summary.audited_to, 0u);
  EXPECT_NE(run.findings[0].evidence_json.find("ltl-tree-mismatch-evidence/v1"), std::string::npos);

  // Served honestly again, the same state audits the entries from the start.
  log_->backend().TamperBundles({});
  run = Audit();
  EXPECT_EQ(Codes(run.findings), std::vector<std::string>{"USAGE_WITHOUT_LICENCE"})
      << Describe(run.findings);
}

TEST_F(IntegrityTest, ForkedLogIsLogInconsistentWithBothCheckpointsAsEvidence) {
  ASSERT_EQ(Codes(Audit().findings), std::vector<std::string>{"USAGE_WITHOUT_LICENCE"});
  // Same key, another history of three entries.
  std::unique_ptr<store::Log> fork = log_->OpenLog(dir_.path() / "fork");
  AddKeyAndUnlicensedUse(*fork, "mallory.example/ltl");
  AddKeyAndUnlicensedUse(*fork, "eve.example/ltl");
  log_->backend().Serve(fork.get());
  const MonitorRun run = Audit();
  ASSERT_EQ(Codes(run.findings), std::vector<std::string>{"LOG_INCONSISTENT"})
      << Describe(run.findings);
  auto evidence = client::ParseEvidenceJson([&] {
    // The finding carries the evidence object compactly; re-read it.
    return run.findings[0].evidence_json;
  }());
  ASSERT_TRUE(evidence.has_value()) << evidence.error().ToString();
  EXPECT_EQ(evidence->old_size, 2u);
  EXPECT_EQ(evidence->new_size, 4u);
  log_->backend().Serve(&log_->primary());
}

TEST_F(IntegrityTest, SameSizeDifferentRootIsSplitView) {
  ASSERT_TRUE(Audit().status.ok());
  std::unique_ptr<store::Log> fork = log_->OpenLog(dir_.path() / "fork");
  AddKeyAndUnlicensedUse(*fork, "mallory.example/ltl");
  log_->backend().Serve(fork.get());
  const MonitorRun run = Audit();
  EXPECT_EQ(Codes(run.findings), std::vector<std::string>{"SPLIT_VIEW"}) << Describe(run.findings);
  log_->backend().Serve(&log_->primary());
}

TEST_F(IntegrityTest, CheckpointNotSignedByThePinnedKeyIsBadCheckpointSignature) {
  const ledger::SigningKey other =
      ledger::SigningKey::FromSeed("monitor.test/log", proofs::Sha256("other")).value();
  MonitorRun run;
  {
    auto fetcher = client::HttpFetcher::Create(log_->url());
    auto state = store::MonitorState::Open(dir_.path() / "state");
    MonitorOptions options;
    options.policy = client::VerificationPolicy::Create(other.verifier(), {}, 0).value();
    options.on_finding = [&](const Finding& f) { run.findings.push_back(f); };
    auto monitor = Monitor::Create(options, **fetcher, **state);
    ASSERT_TRUE(monitor.has_value());
    auto summary = (*monitor)->RunOnce();
    ASSERT_TRUE(summary.has_value());
    EXPECT_EQ(summary->integrity_failure, FindingCode::kBadCheckpointSignature);
  }
  EXPECT_EQ(Codes(run.findings), std::vector<std::string>{"BAD_CHECKPOINT_SIGNATURE"});
}

TEST_F(IntegrityTest, CheckpointWithoutTheWitnessQuorumIsQuorumMissing) {
  const ledger::SigningKey witness =
      KeyFromName("witness.example/w", ledger::KeyType::kCosignatureV1);
  const MonitorRun run = Audit({witness.verifier()}, 1);
  EXPECT_EQ(Codes(run.findings), std::vector<std::string>{"QUORUM_MISSING"})
      << Describe(run.findings);
  EXPECT_EQ(run.summary.audited_to, 0u);
}

TEST_F(IntegrityTest, StateFolderOfAnotherLogIsRefused) {
  ASSERT_TRUE(Audit().status.ok());
  TestLog other(dir_.path() / "other", false, "other.test/log");
  auto fetcher = client::HttpFetcher::Create(other.url());
  auto state = store::MonitorState::Open(dir_.path() / "state");
  MonitorOptions options;
  options.policy = client::VerificationPolicy::Create(other.log_key(), {}, 0).value();
  auto monitor = Monitor::Create(options, **fetcher, **state);
  ASSERT_FALSE(monitor.has_value());
  EXPECT_EQ(monitor.error().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace ltl::monitor
