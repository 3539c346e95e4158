#include "monitor/leaf_checker.h"

#include <algorithm>
#include <atomic>
#include <utility>

namespace ltl::monitor {
namespace detail {

// Leaves are claimed a few at a time: one atomic increment per claim, and
// a claim (~8 signature checks, some 300 us) is short enough that the last
// claims of a batch spread over every thread.
constexpr size_t kLeavesPerClaim = 8;

struct CheckBatch {
  explicit CheckBatch(std::vector<std::string> l)
      : leaves(std::move(l)), size(leaves.size()), checks(size) {}

  // Claims the next unclaimed range and checks it; false when none is left.
  bool CheckNextRange() {
    const size_t begin = next.fetch_add(kLeavesPerClaim, std::memory_order_relaxed);
    if (begin >= size) return false;
    const size_t end = std::min(size, begin + kLeavesPerClaim);
    for (size_t i = begin; i < end; ++i) checks[i] = CheckLeaf(leaves[i]);
    std::lock_guard<std::mutex> lock(mu);
    done += end - begin;
    if (done == size) all_done.notify_all();
    return true;
  }

  // A worker may still look at a batch (and find nothing left to claim)
  // after it was taken, when `leaves` has been moved out: only `size` and
  // `next` are read then.
  std::vector<std::string> leaves;
  const size_t size;
  std::vector<CheckedLeaf> checks;  // checks[i] is written by whoever claimed i
  std::atomic<size_t> next{0};      // first unclaimed index
  std::mutex mu;
  std::condition_variable all_done;
  size_t done = 0;  // guarded by mu; publishes checks[] to the taker
};

}  // namespace detail

CheckTicket& CheckTicket::operator=(CheckTicket&& other) noexcept {
  if (this != &other) {
    CheckTicket abandoned(std::move(*this));
    batch_ = std::move(other.batch_);
  }
  return *this;
}

CheckTicket::~CheckTicket() {
  // Past the end: later claims find nothing (a taken batch is complete, so
  // this changes nothing for it).
  if (batch_) batch_->next.store(batch_->size, std::memory_order_relaxed);
}

LeafChecker::LeafChecker(size_t threads) {
  workers_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

LeafChecker::~LeafChecker() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  for (std::thread& t : workers_) t.join();
}

CheckTicket LeafChecker::Submit(std::vector<std::string> leaves) {
  auto batch = std::make_shared<detail::CheckBatch>(std::move(leaves));
  if (!workers_.empty()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back(batch);
    }
    work_ready_.notify_all();
  }
  return CheckTicket(std::move(batch));
}

CheckedLeaves LeafChecker::Take(CheckTicket ticket) {
  detail::CheckBatch& batch = *ticket.batch_;
  while (batch.CheckNextRange()) {
  }
  {
    std::unique_lock<std::mutex> lock(batch.mu);
    batch.all_done.wait(lock, [&] { return batch.done == batch.size; });
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::erase(queue_, ticket.batch_);
  }
  // Every range is checked and the batch is out of the queue: a worker can
  // still hold it, but finds nothing to claim and never reads `leaves`.
  CheckedLeaves out;
  out.leaves = std::move(batch.leaves);
  out.checks = std::move(batch.checks);
  return out;
}

void LeafChecker::WorkerLoop() {
  for (;;) {
    std::shared_ptr<detail::CheckBatch> batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      batch = queue_.front();
    }
    if (!batch->CheckNextRange()) {
      // Every leaf of the oldest batch is claimed: move on to the next one.
      std::lock_guard<std::mutex> lock(mu_);
      if (!queue_.empty() && queue_.front() == batch) queue_.pop_front();
    }
  }
}

}  // namespace ltl::monitor
