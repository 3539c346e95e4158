// Network abuse against the real ltl-node on 127.0.0.1, bounded in time and
// connections: slowloris, many idle connections, the connection cap,
// oversized headers and bodies, request floods and sequencer overload. In
// each case a probe client on a fresh connection is still answered (its
// latency is printed as a figure, never asserted), the limits are the ones
// given on the command line, and overload is a 503 with Retry-After.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/robustness/node_harness.h"

namespace ltl::robustness {
namespace {

using Clock = std::chrono::steady_clock;

struct Probe {
  HttpAnswer answer;
  double ms = 0;
};

Probe ProbeCheckpoint(uint16_t port) {
  const auto start = Clock::now();
  Probe p;
  p.answer = Http(port, "GET", "/checkpoint", {}, std::chrono::seconds(10));
  p.ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return p;
}

void PrintFigure(std::string_view what, double ms) {
  std::printf("[ figure ] %.*s: probe answered in %.1f ms\n", static_cast<int>(what.size()),
              what.data(), ms);
}

// True once the peer closed `fd` (EOF or reset) within `timeout`.
bool ClosedByPeer(int fd, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  char buf[4096];
  while (Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, 100);
    if (ready <= 0) continue;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return true;  // EOF or error: closed
  }
  return false;
}

class NodeNetworkAbuse : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ledger::InitCrypto().ok());
    data_ = tmp_.path() / "data";
    InitNode(data_, "abuse.ltl.example/log");
  }

  std::unique_ptr<NodeProcess> StartNode(std::vector<std::string> args) {
    auto node = std::make_unique<NodeProcess>(data_, tmp_.path() / "node.log", args);
    EXPECT_TRUE(node->Start()) << node->Log();
    return node;
  }

  ltl::testing::TempDir tmp_;
  std::filesystem::path data_;
};

TEST_F(NodeNetworkAbuse, SlowlorisConnectionsAreCutAtTheReadTimeoutAndOthersAreServed) {
  auto node = StartNode({"--read-timeout-ms", "1000", "--idle-timeout-ms", "1000"});
  const uint16_t port = node->port();
  constexpr int kSlow = 40;
  std::vector<int> slow;
  for (int i = 0; i < kSlow; ++i) {
    const int fd = ConnectLocal(port);
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(SendAll(fd, "GET /checkpoint HTTP/1.1\r\nHost: x\r\n"));
    slow.push_back(fd);
  }
  // Keep trickling a header byte every 200 ms: never a complete request.
  std::atomic<bool> stop{false};
  std::thread trickle([&] {
    while (!stop.load()) {
      for (int fd : slow) SendAll(fd, "X");
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  });
  const Probe probe = ProbeCheckpoint(port);
  EXPECT_EQ(probe.answer.status, 200);
  PrintFigure("slowloris (40 connections)", probe.ms);
  int closed = 0;
  for (int fd : slow) closed += ClosedByPeer(fd, std::chrono::seconds(10)) ? 1 : 0;
  stop = true;
  trickle.join();
  for (int fd : slow) ::close(fd);
  EXPECT_EQ(closed, kSlow) << "slow requests were not cut at read_timeout_ms";
  EXPECT_EQ(ProbeCheckpoint(port).answer.status, 200);
}

TEST_F(NodeNetworkAbuse, ManyIdleConnectionsDoNotStarveOthersAndAreClosedWhenIdle) {
  auto node = StartNode({"--idle-timeout-ms", "1500", "--max-connections", "400"});
  const uint16_t port = node->port();
  std::vector<int> idle;
  for (int i = 0; i < 300; ++i) {
    const int fd = ConnectLocal(port);
    ASSERT_GE(fd, 0);
    idle.push_back(fd);
  }
  const Probe probe = ProbeCheckpoint(port);
  EXPECT_EQ(probe.answer.status, 200);
  PrintFigure("300 idle connections", probe.ms);
  int closed = 0;
  for (int fd : idle) {
    closed += ClosedByPeer(fd, std::chrono::seconds(10)) ? 1 : 0;
    ::close(fd);
  }
  EXPECT_EQ(closed, 300) << "idle connections outlived idle_timeout_ms";
}

TEST_F(NodeNetworkAbuse, BeyondTheConnectionCapNewConnectionsGet503WithRetryAfter) {
  auto node = StartNode({"--max-connections", "16", "--retry-after-seconds", "3"});
  const uint16_t port = node->port();
  std::vector<int> held;
  for (int i = 0; i < 16; ++i) {
    const int fd = ConnectLocal(port);
    ASSERT_GE(fd, 0);
    held.push_back(fd);
  }
  // Accepting is asynchronous: give the server a moment to count them.
  HttpAnswer over;
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline && over.status != 503) {
    const int fd = ConnectLocal(port);
    ASSERT_GE(fd, 0);
    over = ReadAnswer(fd, std::chrono::seconds(2));  // answered without a request
    ::close(fd);
  }
  EXPECT_EQ(over.status, 503);
  EXPECT_EQ(over.Header("Retry-After").value_or(""), "3") << over.head;
  for (int fd : held) ::close(fd);
  // Once they are gone, clients are served again.
  Probe probe;
  for (int i = 0; i < 50 && probe.answer.status != 200; ++i) {
    probe = ProbeCheckpoint(port);
    if (probe.answer.status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(probe.answer.status, 200);
}

TEST_F(NodeNetworkAbuse, OversizedHeadersAndBodiesAreRefusedWithoutReadingThem) {
  auto node = StartNode({"--max-header-bytes", "2048", "--max-entry-bytes", "4096"});
  const uint16_t port = node->port();
  {  // A header block over the limit: 431.
    const int fd = ConnectLocal(port);
    ASSERT_TRUE(SendAll(fd, "GET /checkpoint HTTP/1.1\r\nHost: x\r\nX-Big: " +
                                std::string(4096, 'a') + "\r\n\r\n"));
    EXPECT_EQ(ReadAnswer(fd, std::chrono::seconds(5)).status, 431);
    EXPECT_TRUE(ClosedByPeer(fd, std::chrono::seconds(5)));
    ::close(fd);
  }
  {  // A declared body of 1 GiB: 413 from the headers alone, body never sent.
    const int fd = ConnectLocal(port);
    ASSERT_TRUE(SendAll(fd,
                        "POST /add HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                        "Content-Length: 1073741824\r\n\r\n"));
    EXPECT_EQ(ReadAnswer(fd, std::chrono::seconds(5)).status, 413);
    ::close(fd);
  }
  {  // A chunked body that grows past the limit: 413.
    const int fd = ConnectLocal(port);
    std::string req =
        "POST /add HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
        "Transfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 8; ++i) req += "400\r\n" + std::string(1024, 'b') + "\r\n";
    SendAll(fd, req);  // the server may close before all of it is sent
    EXPECT_EQ(ReadAnswer(fd, std::chrono::seconds(5)).status, 413);
    ::close(fd);
  }
  const Probe probe = ProbeCheckpoint(port);
  EXPECT_EQ(probe.answer.status, 200);
  PrintFigure("after oversized requests", probe.ms);
}

TEST_F(NodeNetworkAbuse, ARequestFloodLeavesTheNodeResponsive) {
  auto node = StartNode({"--max-connections", "256"});
  const uint16_t port = node->port();
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> answered{0}, refused{0};
  std::vector<std::thread> flood;
  for (int t = 0; t < 6; ++t) {
    flood.emplace_back([&, t] {
      // Keep-alive connections that pipeline requests as fast as they can.
      while (!stop.load()) {
        const int fd = ConnectLocal(port);
        if (fd < 0) continue;
        const std::string target = t % 2 == 0 ? "/checkpoint" : "/entry/999999";
        for (int i = 0; i < 50 && !stop.load(); ++i) {
          if (!SendAll(fd, RequestBytes("GET", target, {}, /*close=*/false))) break;
          const HttpAnswer a = ReadAnswer(fd, std::chrono::seconds(5));
          if (a.status == 0) break;
          (a.status == 503 ? refused : answered)++;
        }
        ::close(fd);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::vector<double> latencies;
  for (int i = 0; i < 10; ++i) {
    const Probe probe = ProbeCheckpoint(port);
    EXPECT_EQ(probe.answer.status, 200);
    latencies.push_back(probe.ms);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  stop = true;
  for (std::thread& t : flood) t.join();
  std::sort(latencies.begin(), latencies.end());
  std::printf("[ figure ] flood: %llu answered, %llu refused; probe median %.1f ms, max %.1f ms\n",
              static_cast<unsigned long long>(answered.load()),
              static_cast<unsigned long long>(refused.load()), latencies[latencies.size() / 2],
              latencies.back());
  EXPECT_GT(answered.load(), 0u);
}

TEST_F(NodeNetworkAbuse, SequencerOverloadAnswers503WithRetryAfterAtOnce) {
  // A queue of 4 and batches that wait 500 ms: a burst of 40 submissions
  // overflows it; the overflow is refused at once, not after a batch.
  auto node = StartNode({"--max-queued-entries", "4", "--batch-max-delay-ms", "500",
                         "--batch-max-entries", "1024", "--retry-after-seconds", "2"});
  const uint16_t port = node->port();
  EntryMaker maker;
  ASSERT_EQ(Http(port, "POST", "/add", maker.Registration()).status, 200);
  std::mutex mu;
  std::vector<std::pair<int, double>> results;
  std::vector<std::string> retry_after;
  std::vector<std::thread> burst;
  for (int i = 0; i < 40; ++i) {
    burst.emplace_back([&, i] {
      const std::string entry = maker.Grant(static_cast<uint64_t>(i));
      const auto start = Clock::now();
      const HttpAnswer a = Http(port, "POST", "/add", entry);
      const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      std::lock_guard<std::mutex> lock(mu);
      results.emplace_back(a.status, ms);
      if (a.status == 503) retry_after.push_back(a.Header("Retry-After").value_or(""));
    });
  }
  for (std::thread& t : burst) t.join();
  int ok = 0, overload = 0;
  double slowest_ok = 0, slowest_503 = 0;
  for (const auto& [status, ms] : results) {
    if (status == 200) ++ok, slowest_ok = std::max(slowest_ok, ms);
    if (status == 503) ++overload, slowest_503 = std::max(slowest_503, ms);
    EXPECT_TRUE(status == 200 || status == 503) << status;
  }
  std::printf(
      "[ figure ] overload burst of 40: %d accepted (slowest %.1f ms), %d refused with 503 "
      "(slowest %.1f ms)\n",
      ok, slowest_ok, overload, slowest_503);
  EXPECT_GT(overload, 0) << "a queue of 4 took a burst of 40";
  EXPECT_GT(ok, 0);
  for (const std::string& r : retry_after) EXPECT_EQ(r, "2");
  EXPECT_EQ(ProbeCheckpoint(port).answer.status, 200);
}

}  // namespace
}  // namespace ltl::robustness
