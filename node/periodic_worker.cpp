#include "node/periodic_worker.h"

#include <utility>

namespace ltl::node {

PeriodicWorker::PeriodicWorker(std::chrono::milliseconds interval, std::function<void()> round)
    : interval_(interval), round_(std::move(round)), thread_([this] { Loop(); }) {}

PeriodicWorker::~PeriodicWorker() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void PeriodicWorker::Loop() {
  for (;;) {
    round_();
    std::unique_lock<std::mutex> lock(mu_);
    // The predicate makes a stop requested during a round end the loop at
    // once, and ignores spurious wake-ups.
    if (wake_.wait_for(lock, interval_, [this] { return stopping_; })) return;
  }
}

}  // namespace ltl::node
