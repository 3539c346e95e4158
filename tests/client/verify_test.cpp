// The high-level operations: submit, online receipt verification, entries
// and lookups with proof.
#include "client/verify.h"

#include <gtest/gtest.h>

#include "fake_log.h"
#include "tests/testing/testing.h"

namespace ltl::client {
namespace {

using testing::FakeLog;
using testing::KeyEntryText;
using testing::LogKey;
using testing::PolicyFor;
using testing::WitnessKey;

TEST(SubmitAndVerify, ReturnsAVerifiedReceiptCarryingTheEntry) {
  FakeLog log;
  log.AppendTestEntries(12);
  const std::string entry = KeyEntryText("alice");
  auto submitted = SubmitAndVerify(log, PolicyFor(LogKey()), entry);
  ASSERT_TRUE(submitted.has_value()) << submitted.error().ToString();
  EXPECT_EQ(submitted->receipt.index, 12u);
  EXPECT_TRUE(submitted->entry_checked);
  EXPECT_EQ(submitted->receipt.entry, entry);
  EXPECT_EQ(log.requests, std::vector<std::string>{"/add"});
}

TEST(SubmitAndVerify, MalformedEntryIsRefusedBeforeTheNetwork) {
  FakeLog log;
  auto submitted = SubmitAndVerify(log, PolicyFor(LogKey()), testing::TestEntry(0));
  EXPECT_EQ(submitted.outcome(), VerifyOutcome::kInvalidEntry);
  EXPECT_TRUE(log.requests.empty());
}

TEST(SubmitAndVerify, EntryRefusedByTheLogIsInvalidEntry) {
  FakeLog log;
  HttpResponse refused;
  refused.status = 403;
  refused.body = R"({"error": "signer not registered", "reason": "permission_denied"})";
  log.queued.push_back(refused);
  auto submitted = SubmitAndVerify(log, PolicyFor(LogKey()), KeyEntryText("alice"));
  ASSERT_EQ(submitted.outcome(), VerifyOutcome::kInvalidEntry);
  EXPECT_NE(submitted.error().status.message().find("signer not registered"), std::string::npos);
}

TEST(SubmitAndVerify, OverloadAfterRetriesIsNetwork) {
  FakeLog log;
  HttpResponse busy;
  busy.status = 503;
  busy.retry_after_seconds = 1;
  log.queued.push_back(busy);
  EXPECT_EQ(SubmitAndVerify(log, PolicyFor(LogKey()), KeyEntryText("alice")).outcome(),
            VerifyOutcome::kNetwork);
}

TEST(SubmitAndVerify, ReceiptForAnotherEntryIsInvalidEntry) {
  FakeLog log;
  log.AppendTestEntries(3);
  const std::string other_receipt = log.ReceiptJsonFor(1, 3);
  log.rewrite = [&](std::string_view path, HttpResponse& r) {
    if (path == "/add") r.body = other_receipt;
  };
  EXPECT_EQ(SubmitAndVerify(log, PolicyFor(LogKey()), KeyEntryText("alice")).outcome(),
            VerifyOutcome::kInvalidEntry);
}

TEST(SubmitAndVerify, MalformedReceiptIsALogError) {
  FakeLog log;
  log.rewrite = [](std::string_view, HttpResponse& r) { r.body = "{\"index\": 0}"; };
  EXPECT_EQ(SubmitAndVerify(log, PolicyFor(LogKey()), KeyEntryText("alice")).outcome(),
            VerifyOutcome::kLogError);
}

class OnlineTest : public ::testing::Test {
 protected:
  LogStateTracker Tracker(VerificationPolicy policy = PolicyFor(LogKey())) {
    return LogStateTracker::Open(std::move(policy), dir_.path()).value();
  }
  ltl::testing::TempDir dir_;
};

TEST_F(OnlineTest, ReceiptIsProvedAtTheNewestCheckpointAndRefreshed) {
  FakeLog log;
  log.AppendTestEntries(5);
  auto submitted = SubmitAndVerify(log, PolicyFor(LogKey()), KeyEntryText("alice"));
  ASSERT_TRUE(submitted.has_value()) << submitted.error().ToString();
  log.AppendTestEntries(300);
  log.witnesses = {WitnessKey(1)};

  TileReader reader(log);
  LogStateTracker tracker = Tracker(PolicyFor(LogKey(), {WitnessKey(1)}, 1));
  auto online = VerifyReceiptOnline(log, reader, tracker, submitted->receipt);
  ASSERT_TRUE(online.has_value()) << online.error().ToString();
  EXPECT_EQ(online->update.current.checkpoint.size, 306u);
  EXPECT_EQ(online->refreshed.checkpoint, log.CheckpointAt(306, {WitnessKey(1)}));
  // The refreshed receipt verifies offline with the full policy (quorum met).
  auto offline = VerifyReceiptOffline(online->refreshed, PolicyFor(LogKey(), {WitnessKey(1)}, 1));
  EXPECT_TRUE(offline.has_value()) << offline.error().ToString();
}

TEST_F(OnlineTest, ReceiptFromAForkIsInconsistentWithEvidence) {
  // The receipt was issued on a history the log later abandoned.
  FakeLog fork;
  fork.AppendTestEntries(5);
  auto submitted = SubmitAndVerify(fork, PolicyFor(LogKey()), KeyEntryText("alice"));
  ASSERT_TRUE(submitted.has_value());
  FakeLog rewritten;
  rewritten.AppendTestEntries(40);

  TileReader reader(rewritten);
  LogStateTracker tracker = Tracker();
  auto online = VerifyReceiptOnline(rewritten, reader, tracker, submitted->receipt);
  ASSERT_EQ(online.outcome(), VerifyOutcome::kInconsistent) << online.error().ToString();
  ASSERT_TRUE(online.error().evidence.has_value());
  EXPECT_EQ(online.error().evidence->old_checkpoint, submitted->receipt.checkpoint);
  EXPECT_EQ(online.error().evidence->new_checkpoint, rewritten.CheckpointAt(40));
}

TEST_F(OnlineTest, NewestCheckpointWithTooFewWitnessesIsPolicy) {
  FakeLog log;
  log.AppendTestEntries(5);
  auto submitted = SubmitAndVerify(log, PolicyFor(LogKey()), KeyEntryText("alice"));
  ASSERT_TRUE(submitted.has_value());
  TileReader reader(log);
  LogStateTracker tracker = Tracker(PolicyFor(LogKey(), {WitnessKey(1), WitnessKey(2)}, 2));
  log.witnesses = {WitnessKey(1)};
  EXPECT_EQ(VerifyReceiptOnline(log, reader, tracker, submitted->receipt).outcome(),
            VerifyOutcome::kPolicy);
}

TEST(VerifyEntryAt, ReadsAndProvesAnEntry) {
  FakeLog log;
  log.AppendTestEntries(300);
  const auto checkpoint = VerifyCheckpoint(PolicyFor(LogKey()), log.CheckpointAt(300)).value();
  TileReader reader(log);
  auto entry = VerifyEntryAt(reader, checkpoint, 270);
  ASSERT_TRUE(entry.has_value()) << entry.error().ToString();
  EXPECT_EQ(entry->entry, log.entries()[270]);
  EXPECT_EQ(VerifyEntryAt(reader, checkpoint, 300).outcome(), VerifyOutcome::kUsage);
}

TEST(VerifyEntryAt, ConsistentlyTamperedTilesStillFailTheSignedRoot) {
  // The log swaps entry 3 for another and serves a level-0 tile that matches
  // the swap: the bundle check passes, the inclusion proof cannot.
  FakeLog log;
  log.AppendTestEntries(10);
  const auto checkpoint = VerifyCheckpoint(PolicyFor(LogKey()), log.CheckpointAt(10)).value();
  FakeLog liar = log;
  FakeLog swapped;
  for (uint64_t i = 0; i < 10; ++i) {
    swapped.Append(i == 3 ? testing::TestEntry(99) : log.entries()[i]);
  }
  TileReader reader(swapped);
  EXPECT_EQ(VerifyEntryAt(reader, checkpoint, 3).outcome(), VerifyOutcome::kProofFailure);
}

TEST(Lookup, VerifiesEveryHitAcrossPagesAndReportsNewerOnes) {
  FakeLog log;
  log.AppendTestEntries(20);
  log.lookup_index["isrc:GBAYE6900531"] = {2, 9, 15, 19};
  const auto checkpoint = VerifyCheckpoint(PolicyFor(LogKey()), log.CheckpointAt(18)).value();
  TileReader reader(log);
  auto result = Lookup(log, reader, checkpoint, LookupKey::kWork, "isrc:GBAYE6900531");
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  ASSERT_EQ(result->entries.size(), 3u);
  EXPECT_EQ(result->entries[1].index, 9u);
  EXPECT_EQ(result->entries[1].entry, log.entries()[9]);
  EXPECT_EQ(result->beyond_checkpoint, std::vector<uint64_t>{19});
  EXPECT_FALSE(result->truncated);
  EXPECT_EQ(log.requests[0], "/lookup?work=isrc%3AGBAYE6900531");
}

TEST(Lookup, HitWhoseReferenceContradictsTheTreeIsALogError) {
  FakeLog log;
  log.AppendTestEntries(10);
  log.lookup_index["doi:10.1000/182"] = {4};
  log.rewrite = [&](std::string_view path, HttpResponse& r) {
    if (path.substr(0, 7) == "/lookup") {
      const std::string good =
          proofs::HashToHex(ledger::ComputeEntryRef(ledger::ParseNote(log.entries()[4])->text));
      const std::string bad = proofs::HashToHex(proofs::Sha256("other"));
      r.body.replace(r.body.find(good), good.size(), bad);
    }
  };
  const auto checkpoint = VerifyCheckpoint(PolicyFor(LogKey()), log.CheckpointAt(10)).value();
  TileReader reader(log);
  EXPECT_EQ(Lookup(log, reader, checkpoint, LookupKey::kWork, "doi:10.1000/182").outcome(),
            VerifyOutcome::kLogError);
}

TEST(Lookup, StopsAtMaxPagesAndSaysSo) {
  FakeLog log;
  log.AppendTestEntries(10);
  log.lookup_index["isbn:9780306406157"] = {1, 2, 3, 4, 5};
  const auto checkpoint = VerifyCheckpoint(PolicyFor(LogKey()), log.CheckpointAt(10)).value();
  TileReader reader(log);
  auto result = Lookup(log, reader, checkpoint, LookupKey::kWork, "isbn:9780306406157",
                       LookupOptions{.max_pages = 1});
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->entries.size(), 2u);
  EXPECT_TRUE(result->truncated);
}

TEST(PercentEncodeQueryValue, KeepsUnreservedAndEncodesTheRest) {
  EXPECT_EQ(PercentEncodeQueryValue("a-Z_0.~"), "a-Z_0.~");
  EXPECT_EQ(PercentEncodeQueryValue("doi:10.1/x y+z"), "doi%3A10.1%2Fx%20y%2Bz");
}

}  // namespace
}  // namespace ltl::client
