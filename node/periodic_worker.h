// PeriodicWorker: one background thread that runs a round at once, then again
// every `interval`, until the worker is destroyed. Used by the roles that
// poll others on a timer (gossip, mirror).
//
// Contract:
//  - The first round starts as soon as the worker is constructed.
//  - Rounds never overlap: the next wait starts when a round returns, so a
//    slow round delays the next one rather than piling rounds up.
//  - Destruction wakes the thread from its wait and joins it. A round in
//    progress is not interrupted; the destructor waits for it to return, so
//    `round` must be bounded (its network calls carry timeouts).
//  - `round` runs on the worker's thread only; whatever it shares with other
//    threads it guards itself.
//
// Thread-safety: construct and destroy from one thread; nothing else to call.
#ifndef LTL_NODE_PERIODIC_WORKER_H_
#define LTL_NODE_PERIODIC_WORKER_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace ltl::node {

class PeriodicWorker {
 public:
  PeriodicWorker(std::chrono::milliseconds interval, std::function<void()> round);
  ~PeriodicWorker();

  PeriodicWorker(const PeriodicWorker&) = delete;
  PeriodicWorker& operator=(const PeriodicWorker&) = delete;

 private:
  void Loop();

  const std::chrono::milliseconds interval_;
  const std::function<void()> round_;
  std::mutex mu_;  // guards stopping_
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;  // last: started once every field above is ready
};

}  // namespace ltl::node

#endif  // LTL_NODE_PERIODIC_WORKER_H_
