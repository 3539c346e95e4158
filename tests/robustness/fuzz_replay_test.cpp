// Replays every fuzz seed and every kept crash input through its fuzz target
// (fuzz/targets.h) in the ordinary test builds, so that the properties the
// fuzzers check hold on the corpus under g++ and under ASan/UBSan, and a
// crash once found and fixed stays fixed even where clang is absent.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "fuzz/targets.h"
#include "ledger/keys.h"
#include "tests/testing/testing.h"

namespace ltl::fuzz {
namespace {

std::vector<std::filesystem::path> InputsOf(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  if (!std::filesystem::is_directory(dir)) return out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.is_regular_file()) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class FuzzReplay : public ::testing::TestWithParam<FuzzTarget> {};

TEST_P(FuzzReplay, EverySeedAndRegressionInputPassesTheTargetsProperties) {
  ASSERT_TRUE(ledger::InitCrypto().ok());
  const FuzzTarget target = GetParam();
  const std::filesystem::path root = ltl::testing::SourceDir() / "fuzz";
  const auto seeds = InputsOf(root / "corpus" / target.name);
  // Every target ships a seed corpus; an empty one would make this test vacuous.
  ASSERT_FALSE(seeds.empty()) << "no seeds in fuzz/corpus/" << target.name;
  auto inputs = seeds;
  for (auto& p : InputsOf(root / "regressions" / target.name)) inputs.push_back(p);
  for (const auto& path : inputs) {
    SCOPED_TRACE(path.string());
    const std::string bytes = ltl::testing::ReadFileOrDie(path);
    // A broken property aborts (Violation), failing the whole binary loudly.
    EXPECT_EQ(target.run(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), 0);
  }
}

INSTANTIATE_TEST_SUITE_P(AllTargets, FuzzReplay,
                         ::testing::ValuesIn(AllTargets().begin(), AllTargets().end()),
                         [](const ::testing::TestParamInfo<FuzzTarget>& info) {
                           return std::string(info.param.name);
                         });

}  // namespace
}  // namespace ltl::fuzz
