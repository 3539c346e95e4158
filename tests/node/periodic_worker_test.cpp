#include "node/periodic_worker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

namespace ltl::node {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;

// A counter the test can wait on until it reaches a value.
class RoundCounter {
 public:
  void Increment() {
    std::lock_guard<std::mutex> lock(mu_);
    ++count_;
    changed_.notify_all();
  }
  void WaitFor(int at_least) {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] { return count_ >= at_least; });
  }
  int count() {
    std::lock_guard<std::mutex> lock(mu_);
    return count_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  int count_ = 0;
};

TEST(PeriodicWorkerTest, RunsTheFirstRoundAtOnceWithoutWaitingAnInterval) {
  RoundCounter rounds;
  // With an hour's interval, only a round at start can reach 1.
  PeriodicWorker worker(hours(1), [&] { rounds.Increment(); });
  rounds.WaitFor(1);
  EXPECT_EQ(rounds.count(), 1);
}

TEST(PeriodicWorkerTest, RunsRoundAfterRoundEveryInterval) {
  RoundCounter rounds;
  PeriodicWorker worker(milliseconds(1), [&] { rounds.Increment(); });
  rounds.WaitFor(5);
}

TEST(PeriodicWorkerTest, DestructionWakesTheWaitInsteadOfSleepingOutTheInterval) {
  RoundCounter rounds;
  auto worker = std::make_unique<PeriodicWorker>(hours(24), [&] { rounds.Increment(); });
  rounds.WaitFor(1);
  // If the wait were not woken this would hang, and ctest's timeout would fail the test.
  worker.reset();
  EXPECT_EQ(rounds.count(), 1);
}

TEST(PeriodicWorkerTest, DestructionLetsTheRoundInProgressFinishFirst) {
  std::mutex mu;
  std::condition_variable cv;
  bool round_started = false, release_round = false;
  std::atomic<bool> round_finished{false};
  auto worker = std::make_unique<PeriodicWorker>(hours(1), [&] {
    std::unique_lock<std::mutex> lock(mu);
    round_started = true;
    cv.notify_all();
    cv.wait(lock, [&] { return release_round; });
    round_finished = true;
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return round_started; });
  }
  std::atomic<bool> destroyed{false};
  std::thread destroyer([&] {
    worker.reset();
    destroyed = true;
  });
  {
    std::lock_guard<std::mutex> lock(mu);
    // The destructor cannot have returned: the round it must wait for is held here.
    EXPECT_FALSE(destroyed.load());
    release_round = true;
  }
  cv.notify_all();
  destroyer.join();
  EXPECT_TRUE(round_finished.load());
  EXPECT_TRUE(destroyed.load());
}

TEST(PeriodicWorkerTest, RoundsNeverOverlap) {
  std::atomic<int> running{0};
  std::atomic<int> most_at_once{0};
  RoundCounter rounds;
  {
    PeriodicWorker worker(milliseconds(0), [&] {
      const int now = ++running;
      int seen = most_at_once.load();
      while (now > seen && !most_at_once.compare_exchange_weak(seen, now)) {
      }
      std::this_thread::yield();
      --running;
      rounds.Increment();
    });
    rounds.WaitFor(50);
  }
  EXPECT_EQ(most_at_once.load(), 1);
}

}  // namespace
}  // namespace ltl::node
