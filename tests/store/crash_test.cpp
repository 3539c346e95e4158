// kill -9 mid-append, again and again: a child process appends in a loop and
// reports each acknowledgement (index, leaf hash, checkpoint) through a pipe;
// the parent kills it with SIGKILL at random moments. After every kill, every
// acknowledged entry is at its index, fsck passes, and every checkpoint ever
// returned is consistent with the tree that survived.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "ledger/checkpoint.h"
#include "ledger/store/fsck.h"
#include "ledger/store/log.h"
#include "proofs/consistency.h"
#include "tests/store/store_testing.h"
#include "tests/testing/testing.h"

namespace ltl::store {
namespace {

using proofs::Hash;
using Clock = std::chrono::steady_clock;

// Message: u32be length of the rest || u64be index || leaf hash || checkpoint.
void WriteAll(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ::_exit(5);  // the parent went away
    done += static_cast<size_t>(n);
  }
}

[[noreturn]] void ChildAppendLoop(const std::filesystem::path& dir, int fd, int round) {
  auto log = Log::Open(dir, testing::AcceptAll(),
                       LogOptions{.max_batch_entries = 64,
                                  .max_batch_delay = std::chrono::milliseconds(1),
                                  .worker_threads = 2});
  if (!log) ::_exit(3);
  std::mutex write_mu;
  std::atomic<int> in_flight{0};
  for (uint64_t k = 0;; ++k) {
    while (in_flight.load() >= 48) std::this_thread::sleep_for(std::chrono::microseconds(200));
    ++in_flight;
    (*log)->Submit("crash round " + std::to_string(round) + " entry " + std::to_string(k) + "\n",
                   [&](Result<Receipt> r) {
                     if (!r) ::_exit(4);
                     std::string msg(4 + 8 + 32, '\0');
                     PutBigEndian32(reinterpret_cast<uint8_t*>(msg.data()),
                                    static_cast<uint32_t>(8 + 32 + r->checkpoint.size()));
                     PutBigEndian64(reinterpret_cast<uint8_t*>(msg.data() + 4), r->index);
                     std::memcpy(msg.data() + 12, r->leaf_hash.data(), 32);
                     msg += r->checkpoint;
                     {
                       std::lock_guard<std::mutex> lock(write_mu);
                       WriteAll(fd, msg);
                     }
                     --in_flight;
                   });
  }
}

struct Acks {
  std::map<uint64_t, Hash> leaves;  // index -> leaf hash
  std::set<std::string> checkpoints;
  std::set<std::string> new_checkpoints;  // returned in the last round
};

// Parses complete messages; a message cut by the kill is not an ack.
void ParseAcks(const std::string& stream, Acks* acks) {
  size_t at = 0;
  while (stream.size() - at >= 4) {
    const uint32_t len = GetBigEndian32(reinterpret_cast<const uint8_t*>(stream.data() + at));
    if (stream.size() - at - 4 < len) break;
    const auto* p = reinterpret_cast<const uint8_t*>(stream.data() + at + 4);
    const uint64_t index = GetBigEndian64(p);
    Hash leaf;
    std::memcpy(leaf.data(), p + 8, 32);
    auto [it, inserted] = acks->leaves.emplace(index, leaf);
    EXPECT_TRUE(inserted || it->second == leaf) << "index " << index << " acknowledged twice";
    std::string note = stream.substr(at + 4 + 40, len - 40);
    if (acks->checkpoints.insert(note).second) acks->new_checkpoints.insert(std::move(note));
    at += 4 + len;
  }
}

TEST(StoreCrash, AcknowledgedEntriesAndSignedCheckpointsSurviveSigkillAtRandomMoments) {
  ::ltl::testing::TempDir tmp;
  const auto dir = testing::InitTestLog(tmp.path());
  const unsigned seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> run_ms(20, 500);
  constexpr int kMinKills = 20;
  constexpr int kMaxKills = 30;
  const auto budget = Clock::now() + std::chrono::seconds(20);
  Acks acks;
  std::string previous_latest;
  int kills = 0;
  for (int round = 0; kills < kMinKills || (kills < kMaxKills && Clock::now() < budget); ++round) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      ChildAppendLoop(dir, fds[1], round);
    }
    ::close(fds[1]);
    std::string stream;
    char buf[65536];
    const auto kill_at = Clock::now() + std::chrono::milliseconds(run_ms(rng));
    bool child_alive = true;
    while (Clock::now() < kill_at) {
      pollfd pfd{fds[0], POLLIN, 0};
      const int left = static_cast<int>(
          std::chrono::duration_cast<std::chrono::milliseconds>(kill_at - Clock::now()).count());
      if (::poll(&pfd, 1, std::max(left, 0)) > 0) {
        ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n <= 0) {
          child_alive = false;
          break;
        }
        stream.append(buf, static_cast<size_t>(n));
      }
    }
    ::kill(pid, SIGKILL);
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) {
      stream.append(buf, static_cast<size_t>(n));
    }
    ::close(fds[0]);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && child_alive)
        << "the appending child stopped on its own (exit code "
        << (WIFEXITED(status) ? WEXITSTATUS(status) : -1) << ") in round " << round;
    ++kills;
    ParseAcks(stream, &acks);

    // The folder after the crash.
    auto report = Fsck(dir);
    ASSERT_TRUE(report.has_value()) << report.error();
    ASSERT_TRUE(report->ok()) << "round " << round << ": " << report->problem;
    auto log = Log::Open(dir, testing::AcceptAll());
    ASSERT_TRUE(log.has_value()) << log.error();
    const LogReader& reader = (*log)->reader();
    const uint64_t size = reader.TreeSize().value();
    auto latest = ledger::OpenCheckpoint(reader.Checkpoint().value(), testing::LogKey().verifier());
    ASSERT_TRUE(latest.has_value());
    for (const auto& [index, leaf] : acks.leaves) {
      ASSERT_LT(index, size) << "acknowledged entry " << index << " lost in round " << round;
      auto entry = reader.Entry(index);
      ASSERT_TRUE(entry.has_value()) << entry.error();
      ASSERT_EQ(proofs::HashLeaf(*entry), leaf) << "entry " << index << " changed";
    }
    // Being a prefix is transitive: checking this round's checkpoints and the
    // previous tree's latest checkpoint covers every earlier one; the last
    // round checks them all directly.
    const bool last_round = !(kills < kMinKills || (kills < kMaxKills && Clock::now() < budget));
    std::set<std::string> to_check = last_round ? acks.checkpoints : acks.new_checkpoints;
    if (!previous_latest.empty()) to_check.insert(previous_latest);
    acks.new_checkpoints.clear();
    previous_latest = reader.Checkpoint().value();
    for (const std::string& note : to_check) {
      auto cp = ledger::OpenCheckpoint(note, testing::LogKey().verifier());
      ASSERT_TRUE(cp.has_value()) << cp.error();
      ASSERT_LE(cp->checkpoint.size, size);
      auto proof = reader.ConsistencyProof(cp->checkpoint.size, size);
      ASSERT_TRUE(proof.has_value()) << proof.error();
      EXPECT_TRUE(proofs::VerifyConsistency(cp->checkpoint.size, size, *proof, cp->checkpoint.root,
                                            latest->checkpoint.root)
                      .ok())
          << "checkpoint of size " << cp->checkpoint.size << " forked";
    }
  }
  EXPECT_GE(kills, kMinKills);
  EXPECT_GT(acks.leaves.size(), 0u);
  std::printf("crash test: %d kills, %zu acknowledged entries, %zu checkpoints returned\n", kills,
              acks.leaves.size(), acks.checkpoints.size());
}

}  // namespace
}  // namespace ltl::store
