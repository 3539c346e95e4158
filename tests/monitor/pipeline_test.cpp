// The monitor checks leaves (hash, parse, signatures) on worker threads
// ahead of its in-order audit (monitor/leaf_checker.h), and parses the
// entries it reads back from its state once per transaction (AuditCache).
// These tests pin down that this changes nothing observable: results in
// submission order, a bad signature in the middle of a parallel batch
// reported exactly as a sequential audit reports it, abandoned work never
// blocking later work, and the same findings with or without the cache.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/encoding.h"
#include "ledger/entry.h"
#include "ledger/keys.h"
#include "ledger/store/monitor_state.h"
#include "monitor/audit.h"
#include "monitor/leaf_checker.h"
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

// A self-registered key entry for key `i` (each one a distinct leaf).
std::string KeyEntryLeaf(int i) {
  const ledger::SigningKey key = KeyFromName("k" + std::to_string(i) + ".example/ltl");
  ledger::KeyEntry k;
  k.key = key.verifier();
  k.roles = {ledger::Role::kLicensee};
  k.not_before = ledger::Timestamp{0};
  k.issued = ledger::Timestamp{1000 + i};
  return sim::SignEntry(k, {&key}).value();
}

// `leaf` with one bit of its (only) signature flipped: it still parses and
// names the right key, but the signature does not verify.
std::string WithBadSignature(const std::string& leaf) {
  const size_t line = leaf.rfind("\xE2\x80\x94 ");  // "— name base64\n"
  const size_t space = leaf.find(' ', line + 4);
  const std::string b64 = leaf.substr(space + 1, leaf.size() - space - 2);
  Bytes sig = Base64Decode(b64).value();
  sig.back() ^= 0x01;
  return leaf.substr(0, space + 1) + Base64Encode(sig) + "\n";
}

std::vector<std::string> Json(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const Finding& f : findings) out.push_back(FindingToJson(f));
  return out;
}

void ExpectSameCheck(const CheckedLeaf& got, const CheckedLeaf& want, size_t i) {
  EXPECT_EQ(got.leaf_hash, want.leaf_hash) << "leaf " << i;
  EXPECT_EQ(got.invalid.ToString(), want.invalid.ToString()) << "leaf " << i;
  ASSERT_EQ(got.entry.has_value(), want.entry.has_value()) << "leaf " << i;
  if (got.entry) {
    EXPECT_EQ(got.entry->ref, want.entry->ref) << "leaf " << i;
  }
}

class LeafCheckerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ledger::InitCrypto().ok());
    for (int i = 0; i < 200; ++i) leaves_.push_back(KeyEntryLeaf(i));
    leaves_[97] = WithBadSignature(leaves_[97]);
    leaves_[150] = "not a signed note\n";
  }
  std::vector<std::string> leaves_;
};

TEST_F(LeafCheckerTest, BadSignatureHelperMakesALeafThatParsesButDoesNotVerify) {
  const CheckedLeaf bad = CheckLeaf(leaves_[97]);
  ASSERT_TRUE(bad.entry.has_value()) << bad.invalid.ToString();
  EXPECT_EQ(bad.invalid.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(bad.invalid.message().find("bad_signature"), std::string::npos);
  EXPECT_TRUE(CheckLeaf(leaves_[96]).invalid.ok());
}

TEST_F(LeafCheckerTest, ResultsComeBackInSubmissionOrderAcrossQueuedTickets) {
  std::vector<CheckedLeaf> want;
  for (const std::string& leaf : leaves_) want.push_back(CheckLeaf(leaf));
  for (size_t threads : {0u, 1u, 3u}) {
    SCOPED_TRACE("threads " + std::to_string(threads));
    LeafChecker checker(threads);
    EXPECT_EQ(checker.threads(), threads);
    // Three tickets queued before any is taken, of uneven sizes.
    const std::vector<std::pair<size_t, size_t>> parts = {{0, 90}, {90, 101}, {101, 200}};
    std::vector<CheckTicket> tickets;
    for (auto [b, e] : parts) {
      tickets.push_back(checker.Submit({leaves_.begin() + b, leaves_.begin() + e}));
    }
    for (size_t t = 0; t < parts.size(); ++t) {
      CheckedLeaves got = checker.Take(std::move(tickets[t]));
      const auto [b, e] = parts[t];
      ASSERT_EQ(got.leaves.size(), e - b);
      ASSERT_EQ(got.checks.size(), e - b);
      for (size_t i = 0; i < e - b; ++i) {
        EXPECT_EQ(got.leaves[i], leaves_[b + i]);
        ExpectSameCheck(got.checks[i], want[b + i], b + i);
      }
    }
  }
}

TEST_F(LeafCheckerTest, AbandonedTicketDoesNotDelayOrDisturbTheNextOne) {
  LeafChecker checker(2);
  {
    CheckTicket abandoned = checker.Submit(leaves_);
    EXPECT_TRUE(abandoned.valid());
  }
  CheckedLeaves got = checker.Take(checker.Submit({leaves_[97], leaves_[98]}));
  ASSERT_EQ(got.checks.size(), 2u);
  EXPECT_EQ(got.checks[0].invalid.code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(got.checks[1].invalid.ok());
  // An empty batch completes at once.
  EXPECT_TRUE(checker.Take(checker.Submit({})).checks.empty());
}

// The audit of a whole generated scenario (every plantable finding) in one
// state transaction, entry by entry with a fresh AuditCache each (as
// AuditEntry does) and with one cache shared by all: the cache only saves
// re-parsing, so the findings and the stored findings are identical.
TEST(AuditCacheTest, SharedCacheMakesExactlyTheFindingsOfFreshCaches) {
  ASSERT_TRUE(ledger::InitCrypto().ok());
  auto scenario = sim::BuildScenario({});
  ASSERT_TRUE(scenario.has_value()) << scenario.error().ToString();
  ltl::testing::TempDir dir;
  auto audit = [&](const std::string& name, bool shared) {
    auto state = store::MonitorState::Open(dir.path() / name).value();
    const AuditContext context{scenario->entries.size(), {}, scenario->audit_after};
    std::vector<Finding> findings;
    Status s = state->Write([&](store::MonitorWriter& w) -> Status {
      LTL_RETURN_IF_ERROR(w.AddSighting({scenario->entries.size(), scenario->audit_after}));
      AuditCache cache;
      for (size_t i = 0; i < scenario->entries.size(); ++i) {
        const std::string& leaf = scenario->entries[i];
        if (shared) {
          LTL_RETURN_IF_ERROR(
              AuditCheckedEntry(w, cache, i, leaf, CheckLeaf(leaf), context, {}, findings));
        } else {
          LTL_RETURN_IF_ERROR(AuditEntry(w, i, leaf, context, {}, findings));
        }
      }
      return AuditCheckpointEnd(w, context, {}, findings);
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return Json(findings);
  };
  const std::vector<std::string> fresh = audit("fresh", false);
  EXPECT_GE(fresh.size(), sim::PlantableCodes().size());
  EXPECT_EQ(audit("shared", true), fresh);
}

// Over HTTP: a log of three bundles and a half with a bad signature and a
// malformed leaf in the middle, audited one bundle per chunk so that chunks
// are read and checked ahead of the audit.
class PipelineTest : public ::testing::Test {
 protected:
  static constexpr int kEntries = 3 * 256 + 100;
  static constexpr uint64_t kBadSignature = 300;  // in the second bundle
  static constexpr uint64_t kMalformed = 520;     // in the third

  void SetUp() override {
    ASSERT_TRUE(ledger::InitCrypto().ok());
    log_ = std::make_unique<TestLog>(dir_.path() / "log");
    for (int i = 0; i < kEntries; ++i) {
      std::string leaf = KeyEntryLeaf(i);
      if (i == static_cast<int>(kBadSignature)) leaf = WithBadSignature(leaf);
      if (i == static_cast<int>(kMalformed)) leaf = "not a signed note " + std::to_string(i) + "\n";
      ASSERT_EQ(log_->Add(leaf), static_cast<uint64_t>(i));
    }
  }

  MonitorRun Audit(const std::string& state, std::optional<size_t> threads, uint64_t max = 0) {
    return RunMonitor(*log_, dir_.path() / state, 1'800'000'000, max, /*chunk_bundles=*/1, {}, 0,
                      threads);
  }

  ltl::testing::TempDir dir_;
  std::unique_ptr<TestLog> log_;
};

TEST_F(PipelineTest, BadSignatureInAParallelBatchIsReportedExactlyAsSequentially) {
  const MonitorRun sequential = Audit("sequential", 0);
  ASSERT_TRUE(sequential.status.ok()) << sequential.status.ToString();
  ASSERT_EQ(Codes(sequential.findings),
            (std::vector<std::string>{"MALFORMED_ENTRY", "MALFORMED_ENTRY"}))
      << Describe(sequential.findings);
  EXPECT_EQ(sequential.findings[0].entries[0].index, kBadSignature);
  EXPECT_NE(sequential.findings[0].message.find("bad_signature"), std::string::npos);
  EXPECT_EQ(sequential.findings[1].entries[0].index, kMalformed);

  const MonitorRun parallel = Audit("parallel", 3);
  ASSERT_TRUE(parallel.status.ok()) << parallel.status.ToString();
  EXPECT_TRUE(parallel.summary.complete());
  EXPECT_EQ(parallel.summary.audited_to, static_cast<uint64_t>(kEntries));
  EXPECT_EQ(Json(parallel.findings), Json(sequential.findings));
}

TEST_F(PipelineTest, PassStoppedByMaxEntriesResumesWithTheSameFindings) {
  const MonitorRun whole = Audit("whole", 3);
  ASSERT_TRUE(whole.status.ok());
  // Stops after the chunk holding the bad signature; the chunk read ahead
  // is dropped and read again by the next pass.
  const MonitorRun first = Audit("split", 3, 257);
  ASSERT_TRUE(first.status.ok());
  EXPECT_EQ(first.summary.audited_to, 512u);
  const MonitorRun second = Audit("split", 3);
  ASSERT_TRUE(second.status.ok());
  EXPECT_EQ(second.summary.audited_from, 512u);
  EXPECT_TRUE(second.summary.complete());
  std::vector<std::string> resumed = Json(first.findings);
  for (const std::string& f : Json(second.findings)) resumed.push_back(f);
  EXPECT_EQ(resumed, Json(whole.findings));
}

TEST_F(PipelineTest, TamperedBundleAfterGoodChunksStopsAtThatChunkAsSequentially) {
  // The fourth bundle (entries 768..867) is served altered: the three chunks
  // before it are audited and committed, then the pass stops.
  log_->backend().TamperBundles([](uint64_t index, Bytes& bundle) {
    if (index == 3) bundle.back() ^= 0x01;
  });
  for (std::optional<size_t> threads : {std::optional<size_t>(0), std::optional<size_t>(3)}) {
    const MonitorRun run = Audit("tampered" + std::to_string(*threads), threads);
    ASSERT_TRUE(run.status.ok()) << run.status.ToString();
    EXPECT_EQ(Codes(run.findings),
              (std::vector<std::string>{"MALFORMED_ENTRY", "MALFORMED_ENTRY", "TREE_MISMATCH"}))
        << Describe(run.findings);
    EXPECT_EQ(run.summary.integrity_failure, FindingCode::kTreeMismatch);
    EXPECT_EQ(run.summary.audited_to, 768u);
  }
}

}  // namespace
}  // namespace ltl::monitor
