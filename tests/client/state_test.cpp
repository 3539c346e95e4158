// LogStateTracker: persistence, consistency from tiles, fork evidence.
#include "client/state.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "client/evidence.h"
#include "fake_log.h"
#include "proofs/consistency.h"
#include "tests/testing/testing.h"

namespace ltl::client {
namespace {

using testing::FakeLog;
using testing::LogKey;
using testing::PolicyFor;
using testing::WitnessKey;
using Kind = CheckpointUpdate::Kind;

class StateTest : public ::testing::Test {
 protected:
  LogStateTracker OpenTracker(VerificationPolicy policy = PolicyFor(LogKey())) {
    auto tracker = LogStateTracker::Open(std::move(policy), dir_.path() / "state");
    EXPECT_TRUE(tracker.has_value()) << tracker.error().ToString();
    return std::move(tracker).value();
  }

  ltl::testing::TempDir dir_;
};

TEST_F(StateTest, FirstCheckpointIsTrustedOnFirstUseAndSaved) {
  FakeLog log;
  log.AppendTestEntries(10);
  TileReader reader(log);
  LogStateTracker tracker = OpenTracker();
  EXPECT_FALSE(tracker.latest().has_value());
  auto update = tracker.Update(log.CheckpointAt(10), reader);
  ASSERT_TRUE(update.has_value()) << update.error().ToString();
  EXPECT_EQ(update->kind, Kind::kFirstUse);
  EXPECT_EQ(ltl::testing::ReadFileOrDie(tracker.state_file()), log.CheckpointAt(10));
  EXPECT_EQ(tracker.state_file().filename(),
            "log.example%2Fltl+" +
                HexEncode(std::vector<uint8_t>{
                    uint8_t(LogKey().key_id() >> 24), uint8_t(LogKey().key_id() >> 16),
                    uint8_t(LogKey().key_id() >> 8), uint8_t(LogKey().key_id())}) +
                ".checkpoint");
}

TEST_F(StateTest, AdvancesOnlyWithAConsistencyProofAndPersistsAcrossInstances) {
  FakeLog log;
  log.AppendTestEntries(10);
  TileReader reader(log);
  {
    LogStateTracker tracker = OpenTracker();
    ASSERT_TRUE(tracker.Update(log.CheckpointAt(10), reader).has_value());
  }
  log.AppendTestEntries(290);
  LogStateTracker reopened = OpenTracker();
  ASSERT_TRUE(reopened.latest().has_value());
  EXPECT_EQ(reopened.latest()->checkpoint.size, 10u);
  auto update = reopened.Update(log.CheckpointAt(300), reader);
  ASSERT_TRUE(update.has_value()) << update.error().ToString();
  EXPECT_EQ(update->kind, Kind::kAdvanced);
  EXPECT_EQ(update->proof.size(), proofs::ConsistencyProofSize(10, 300));
  EXPECT_EQ(OpenTracker().latest()->checkpoint.size, 300u);
}

TEST_F(StateTest, SameCheckpointAgainIsUnchanged) {
  FakeLog log;
  log.AppendTestEntries(3);
  TileReader reader(log);
  LogStateTracker tracker = OpenTracker();
  ASSERT_TRUE(tracker.Update(log.CheckpointAt(3), reader).has_value());
  auto again = tracker.Update(log.CheckpointAt(3), reader);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->kind, Kind::kUnchanged);
}

TEST_F(StateTest, SameTreeWithMoreWitnessesReplacesTheSavedCopy) {
  FakeLog log;
  log.AppendTestEntries(3);
  TileReader reader(log);
  LogStateTracker tracker = OpenTracker(PolicyFor(LogKey(), {WitnessKey(1), WitnessKey(2)}, 1));
  ASSERT_TRUE(tracker.Update(log.CheckpointAt(3, {WitnessKey(1)}), reader).has_value());
  const std::string both = log.CheckpointAt(3, {WitnessKey(1), WitnessKey(2)});
  auto update = tracker.Update(both, reader);
  ASSERT_TRUE(update.has_value());
  EXPECT_EQ(update->kind, Kind::kUnchanged);
  EXPECT_EQ(ltl::testing::ReadFileOrDie(tracker.state_file()), both);
}

TEST_F(StateTest, ForkedLogGivesEvidenceWithBothCheckpointsAndKeepsTheState) {
  // Two histories signed by the same key: entries 0..9 shared, then they differ.
  FakeLog honest;
  honest.AppendTestEntries(10);
  FakeLog fork = honest;
  honest.AppendTestEntries(20);
  fork.Append("a different entry 10");
  fork.AppendTestEntries(19);

  TileReader honest_reader(honest);
  LogStateTracker tracker = OpenTracker();
  ASSERT_TRUE(tracker.Update(honest.CheckpointAt(20), honest_reader).has_value());

  const std::string forked = fork.CheckpointAt(30);
  TileReader fork_reader(fork);  // the fork serves its own tiles
  auto update = tracker.Update(forked, fork_reader);
  ASSERT_FALSE(update.has_value());
  const VerifyFailure& failure = update.error();
  EXPECT_EQ(failure.outcome, VerifyOutcome::kInconsistent) << failure.ToString();
  ASSERT_TRUE(failure.evidence.has_value());
  const Evidence& evidence = *failure.evidence;
  EXPECT_EQ(evidence.old_checkpoint, honest.CheckpointAt(20));
  EXPECT_EQ(evidence.new_checkpoint, forked);
  EXPECT_EQ(evidence.old_size, 20u);
  EXPECT_EQ(evidence.new_size, 30u);
  EXPECT_EQ(evidence.proof.size(), proofs::ConsistencyProofSize(20, 30));
  // Anyone can re-check: the proof really fails for these two signed roots.
  EXPECT_FALSE(
      proofs::VerifyConsistency(20, 30, evidence.proof, honest.RootAt(20), fork.RootAt(30)).ok());
  // The saved state did not move.
  EXPECT_EQ(OpenTracker().latest()->wire, honest.CheckpointAt(20));

  // The evidence survives a trip through a file.
  const auto path = dir_.path() / "evidence.json";
  ASSERT_TRUE(WriteEvidenceFile(evidence, path).ok());
  auto reread = ParseEvidenceJson(ltl::testing::ReadFileOrDie(path));
  ASSERT_TRUE(reread.has_value()) << reread.error();
  EXPECT_EQ(*reread, evidence);
}

TEST_F(StateTest, SameSizeDifferentRootIsInconsistentWithAnEmptyProof) {
  FakeLog a;
  a.AppendTestEntries(8);
  FakeLog b;
  b.Append("something else");
  b.AppendTestEntries(7);
  TileReader reader(a);
  LogStateTracker tracker = OpenTracker();
  ASSERT_TRUE(tracker.Update(a.CheckpointAt(8), reader).has_value());
  auto update = tracker.Update(b.CheckpointAt(8), reader);
  ASSERT_EQ(update.outcome(), VerifyOutcome::kInconsistent);
  ASSERT_TRUE(update.error().evidence.has_value());
  EXPECT_TRUE(update.error().evidence->proof.empty());
}

TEST_F(StateTest, OlderCheckpointIsCheckedButDoesNotMoveTheStateBack) {
  FakeLog log;
  log.AppendTestEntries(50);
  TileReader reader(log);
  LogStateTracker tracker = OpenTracker();
  ASSERT_TRUE(tracker.Update(log.CheckpointAt(50), reader).has_value());
  auto older = tracker.Update(log.CheckpointAt(20), reader);
  ASSERT_TRUE(older.has_value()) << older.error().ToString();
  EXPECT_EQ(older->kind, Kind::kOlder);
  EXPECT_EQ(older->current.checkpoint.size, 50u);
  EXPECT_EQ(OpenTracker().latest()->checkpoint.size, 50u);
}

TEST_F(StateTest, OlderCheckpointFromAForkIsInconsistent) {
  FakeLog honest;
  honest.AppendTestEntries(50);
  FakeLog fork;
  fork.Append("rewritten entry 0");
  fork.AppendTestEntries(19);
  TileReader reader(honest);
  LogStateTracker tracker = OpenTracker();
  ASSERT_TRUE(tracker.Update(honest.CheckpointAt(50), reader).has_value());
  auto update = tracker.Update(fork.CheckpointAt(20), reader);
  ASSERT_EQ(update.outcome(), VerifyOutcome::kInconsistent);
  EXPECT_EQ(update.error().evidence->old_checkpoint, fork.CheckpointAt(20));
  EXPECT_EQ(update.error().evidence->new_checkpoint, honest.CheckpointAt(50));
}

TEST_F(StateTest, NewerCheckpointWithoutQuorumIsRefused) {
  FakeLog log;
  log.AppendTestEntries(5);
  TileReader reader(log);
  LogStateTracker tracker = OpenTracker(PolicyFor(LogKey(), {WitnessKey(1)}, 1));
  auto update = tracker.Update(log.CheckpointAt(5), reader);
  EXPECT_EQ(update.outcome(), VerifyOutcome::kPolicy);
  EXPECT_FALSE(tracker.latest().has_value());
}

TEST_F(StateTest, UnreachableTilesRefuseTheUpdateWithoutEvidence) {
  FakeLog log;
  log.AppendTestEntries(5);
  TileReader reader(log);
  LogStateTracker tracker = OpenTracker();
  ASSERT_TRUE(tracker.Update(log.CheckpointAt(5), reader).has_value());
  log.AppendTestEntries(5);
  log.queued.push_back(Status::Unavailable("connection reset"));
  TileReader fresh(log);
  auto update = tracker.Update(log.CheckpointAt(10), fresh);
  EXPECT_EQ(update.outcome(), VerifyOutcome::kNetwork);
  EXPECT_FALSE(update.error().evidence.has_value());
  EXPECT_EQ(tracker.latest()->checkpoint.size, 5u);
}

TEST_F(StateTest, TwoTrackersOnOneFolderSeeEachOthersProgress) {
  FakeLog log;
  log.AppendTestEntries(5);
  TileReader reader(log);
  LogStateTracker first = OpenTracker();
  LogStateTracker second = OpenTracker();
  ASSERT_TRUE(first.Update(log.CheckpointAt(5), reader).has_value());
  log.AppendTestEntries(5);
  ASSERT_TRUE(first.Update(log.CheckpointAt(10), reader).has_value());
  // `second` opened before any state existed; it re-reads under the lock and
  // so treats size 7 as older than the saved 10, not as a first use.
  auto update = second.Update(log.CheckpointAt(7), reader);
  ASSERT_TRUE(update.has_value()) << update.error().ToString();
  EXPECT_EQ(update->kind, Kind::kOlder);
}

TEST_F(StateTest, CorruptStateFileIsALocalStateError) {
  FakeLog log;
  log.AppendTestEntries(5);
  TileReader reader(log);
  std::filesystem::path file;
  {
    LogStateTracker tracker = OpenTracker();
    ASSERT_TRUE(tracker.Update(log.CheckpointAt(5), reader).has_value());
    file = tracker.state_file();
  }
  std::string wire = ltl::testing::ReadFileOrDie(file);
  wire[3] ^= 0x01;
  std::ofstream(file, std::ios::trunc) << wire;
  auto reopened = LogStateTracker::Open(PolicyFor(LogKey()), dir_.path() / "state");
  EXPECT_EQ(reopened.outcome(), VerifyOutcome::kLocalState);
}

TEST(DefaultStateDir, FollowsXdgStateHomeThenHome) {
  const char* saved_xdg = std::getenv("XDG_STATE_HOME");
  const char* saved_home = std::getenv("HOME");
  const std::string xdg = saved_xdg ? saved_xdg : "";
  const std::string home = saved_home ? saved_home : "";

  setenv("XDG_STATE_HOME", "/x/state", 1);
  EXPECT_EQ(DefaultStateDir().value(), "/x/state/ltl");
  setenv("XDG_STATE_HOME", "relative", 1);  // ignored, as the XDG spec says
  setenv("HOME", "/home/u", 1);
  EXPECT_EQ(DefaultStateDir().value(), "/home/u/.local/state/ltl");
  unsetenv("XDG_STATE_HOME");
  unsetenv("HOME");
  EXPECT_EQ(DefaultStateDir().error().code(), StatusCode::kFailedPrecondition);

  if (saved_xdg) setenv("XDG_STATE_HOME", xdg.c_str(), 1);
  if (saved_home) setenv("HOME", home.c_str(), 1);
}

TEST(StateFileName, EscapesAndBoundsLongOrigins) {
  const auto key = testing::KeyFromSeed(std::string(300, 'a') + "/ltl", 0x01);
  const std::string name = StateFileName(key.verifier());
  EXPECT_LT(name.size(), 255u);
  EXPECT_EQ(name.find('/'), std::string::npos);
}

}  // namespace
}  // namespace ltl::client
