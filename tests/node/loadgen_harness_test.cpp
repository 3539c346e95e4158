// A manual harness, not a test: serves the in-memory FakeBackend so that
// bench/loadgen can measure the HTTP layer alone (no LMDB, no signatures).
// Disabled by default; run it explicitly:
//
//   LTL_SERVE_PORT=18080 LTL_SERVE_SECONDS=60 build/tests/node_tests
//       --gtest_also_run_disabled_tests --gtest_filter='*ServeFakeLogForLoadgen*' &
//   (one command line)
//   build/bin/ltl-loadgen --port 18080 --mode add --duration 10
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "base/encoding.h"
#include "node/server.h"
#include "tests/node/fake_backend.h"

namespace ltl::node {
namespace {

uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* value = std::getenv(name);
  if (value == nullptr) return fallback;
  Result<uint64_t> n = ParseDecimalU64(value);
  return n ? *n : fallback;
}

TEST(LoadgenHarness, DISABLED_ServeFakeLogForLoadgen) {
  testing::FakeBackend backend;
  for (int i = 0; i < 1000; ++i) backend.AddEntry("preloaded entry " + std::to_string(i) + "\n");
  ServerOptions options;
  options.port = static_cast<uint16_t>(EnvOr("LTL_SERVE_PORT", 18080));
  options.log = [](std::string_view) {};
  Result<std::unique_ptr<Server>> server = Server::Start(options, backend);
  ASSERT_TRUE(server.has_value()) << server.error();
  std::printf("serving the fake log on 127.0.0.1:%u\n", (*server)->port());
  std::fflush(stdout);
  std::this_thread::sleep_for(std::chrono::seconds(EnvOr("LTL_SERVE_SECONDS", 60)));
  (*server)->Stop();
  EXPECT_TRUE((*server)->Wait().ok());
}

}  // namespace
}  // namespace ltl::node
