// LeafChecker: runs CheckLeaf (monitor/audit.h: leaf hash, parse, Ed25519
// signatures) on worker threads, so that the monitor's single, in-order
// audit is not bounded by signature verification on one core.
//
//   main thread:  fetch chunk k+1 -> Submit(k+1) -> Take(k) -> verify tree,
//                                                            audit chunk k
//   workers:      CheckLeaf over the leaves of k, then of k+1, ...
//
// Results come back in the order the leaves were submitted, whatever thread
// checked them: the checker changes when a leaf is checked, never what is
// checked or in which order the audit sees it. A thread that calls Take
// checks the ticket's unclaimed leaves itself instead of sleeping, so Take
// also makes progress when every worker is busy with an older ticket.
//
// Thread-safety: Submit and Take may be called from one thread at a time
// (the monitor's); the workers are internal.
#ifndef LTL_MONITOR_LEAF_CHECKER_H_
#define LTL_MONITOR_LEAF_CHECKER_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "monitor/audit.h"

namespace ltl::monitor {

namespace detail {
struct CheckBatch;
}  // namespace detail

// One submitted group of leaves; redeem it with LeafChecker::Take.
class CheckTicket {
 public:
  CheckTicket() = default;
  CheckTicket(CheckTicket&&) noexcept = default;
  // Abandons the ticket held before (see the destructor).
  CheckTicket& operator=(CheckTicket&& other) noexcept;
  CheckTicket(const CheckTicket&) = delete;
  CheckTicket& operator=(const CheckTicket&) = delete;
  // A ticket dropped without Take (a pass that stops early) is abandoned:
  // leaves of it that no thread has started are never checked.
  ~CheckTicket();

  bool valid() const { return batch_ != nullptr; }

 private:
  friend class LeafChecker;
  explicit CheckTicket(std::shared_ptr<detail::CheckBatch> batch) : batch_(std::move(batch)) {}
  std::shared_ptr<detail::CheckBatch> batch_;
};

// The leaves of a ticket and their checks, index for index.
struct CheckedLeaves {
  std::vector<std::string> leaves;
  std::vector<CheckedLeaf> checks;
};

class LeafChecker {
 public:
  // `threads` workers; 0 runs every check on the thread that calls Take.
  explicit LeafChecker(size_t threads);
  // Joins the workers; tickets not taken are dropped unfinished.
  ~LeafChecker();
  LeafChecker(const LeafChecker&) = delete;
  LeafChecker& operator=(const LeafChecker&) = delete;

  // Queues `leaves` behind the tickets already submitted.
  CheckTicket Submit(std::vector<std::string> leaves);

  // Waits until every leaf of `ticket` is checked and returns them in
  // submission order. REQUIRES: ticket.valid(), not taken before.
  CheckedLeaves Take(CheckTicket ticket);

  size_t threads() const { return workers_.size(); }

 private:
  void WorkerLoop();

  std::mutex mu_;
  std::condition_variable work_ready_;                     // a batch was queued, or stopping
  std::deque<std::shared_ptr<detail::CheckBatch>> queue_;  // with unclaimed leaves
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace ltl::monitor

#endif  // LTL_MONITOR_LEAF_CHECKER_H_
