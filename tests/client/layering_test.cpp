// The client's build rules, checked on its sources (STYLE.md habit 15): the
// verifying client never touches LMDB, and Boost, zlib and rapidjson stay
// inside its .cpp files and internal *_detail.h headers, so nothing that
// includes a public client header inherits them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "tests/testing/testing.h"

namespace ltl::client {
namespace {

// The #include targets of `file`.
std::vector<std::string> Includes(const std::filesystem::path& file) {
  static const std::regex kInclude(R"(^\s*#\s*include\s*[<"]([^>"]+)[>"])");
  std::vector<std::string> out;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_search(line, m, kInclude)) out.push_back(m[1]);
  }
  return out;
}

std::vector<std::filesystem::path> ClientSources() {
  std::vector<std::filesystem::path> out;
  for (const auto& e :
       std::filesystem::recursive_directory_iterator(ltl::testing::SourceDir() / "client")) {
    const auto ext = e.path().extension();
    if (ext == ".h" || ext == ".cpp") out.push_back(e.path());
  }
  return out;
}

TEST(ClientLayering, NoClientSourceIncludesLmdb) {
  const auto sources = ClientSources();
  ASSERT_FALSE(sources.empty());
  for (const auto& file : sources) {
    for (const std::string& inc : Includes(file)) {
      EXPECT_EQ(inc.find("lmdb"), std::string::npos) << file << " includes " << inc;
      EXPECT_NE(inc.substr(0, 13), "ledger/store/") << file << " includes " << inc;
      EXPECT_NE(inc.substr(0, 5), "node/") << file << " includes " << inc;
    }
  }
}

TEST(ClientLayering, PublicHeadersIncludeNoBoostZlibOrRapidjson) {
  for (const auto& file : ClientSources()) {
    const std::string name = file.filename().string();
    const bool internal = name.size() > 9 && name.substr(name.size() - 9) == "_detail.h";
    if (file.extension() != ".h" || internal) continue;
    for (const std::string& inc : Includes(file)) {
      EXPECT_NE(inc.substr(0, 6), "boost/") << file << " includes " << inc;
      EXPECT_NE(inc.substr(0, 10), "rapidjson/") << file << " includes " << inc;
      EXPECT_NE(inc, "zlib.h") << file << " includes " << inc;
      EXPECT_EQ(inc.find("_detail.h"), std::string::npos) << file << " includes " << inc;
    }
  }
}

}  // namespace
}  // namespace ltl::client
