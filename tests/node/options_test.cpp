// ltl-node serve configuration: defaults, the config file grammar, flags.
#include "node/options.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "tests/testing/testing.h"

namespace ltl::node {
namespace {

Result<ServeOptions> Parse(std::vector<std::string_view> args) { return ParseServeArgs(args); }

TEST(ServeOptionsTest, DocumentedDefaultsAreTheDefaults) {
  // Applying every documented default to a default ServeOptions changes
  // nothing: the table (and so docs/operations.md) does not lie.
  ServeOptions defaults;
  ServeOptions applied;
  for (const OptionInfo& o : ServeOptionTable()) {
    if (o.name == "data") continue;  // required, no default
    Status s = SetServeOption(o.name, o.default_value, applied);
    ASSERT_TRUE(s.ok()) << o.name << ": " << s;
  }
  const ServerOptions& a = applied.server;
  const ServerOptions& d = defaults.server;
  EXPECT_EQ(a.host, d.host);
  EXPECT_EQ(a.port, d.port);
  EXPECT_EQ(a.threads, d.threads);
  EXPECT_EQ(a.max_connections, d.max_connections);
  EXPECT_EQ(a.max_header_bytes, d.max_header_bytes);
  EXPECT_EQ(a.max_pipelined_requests, d.max_pipelined_requests);
  EXPECT_EQ(a.read_timeout, d.read_timeout);
  EXPECT_EQ(a.idle_timeout, d.idle_timeout);
  EXPECT_EQ(a.write_timeout, d.write_timeout);
  EXPECT_EQ(a.shutdown_grace, d.shutdown_grace);
  EXPECT_EQ(a.handlers.max_entry_bytes, d.handlers.max_entry_bytes);
  EXPECT_EQ(a.handlers.retry_after_seconds, d.handlers.retry_after_seconds);
  EXPECT_EQ(a.handlers.checkpoint_max_age_seconds, d.handlers.checkpoint_max_age_seconds);
  EXPECT_EQ(a.handlers.lookup_default_limit, d.handlers.lookup_default_limit);
  EXPECT_EQ(a.handlers.lookup_max_limit, d.handlers.lookup_max_limit);
  EXPECT_EQ(applied.log.tile_cache.summaries, defaults.log.tile_cache.summaries);
  EXPECT_EQ(applied.log.tile_cache.full_tiles, defaults.log.tile_cache.full_tiles);
  EXPECT_EQ(applied.map_resident_budget_bytes, defaults.map_resident_budget_bytes);
}

TEST(ServeOptionsTest, EveryOptionIsDocumentedInOperationsMd) {
  std::string doc = ltl::testing::ReadFileOrDie(ltl::testing::SourceDir() / "docs/operations.md");
  for (const OptionInfo& o : ServeOptionTable()) {
    std::string row = "| `" + std::string(o.name) + "` | `" + std::string(o.default_value) + "` |";
    EXPECT_NE(doc.find(row), std::string::npos) << "docs/operations.md lacks the row " << row;
  }
}

TEST(ServeOptionsTest, FlagsSetOptions) {
  Result<ServeOptions> o = Parse({"--data", "/srv/ltl", "--listen", "[::1]:0", "--max-connections",
                                  "64", "--read-timeout-ms", "250"});
  ASSERT_TRUE(o.has_value()) << o.error();
  EXPECT_EQ(o->data_dir, "/srv/ltl");
  EXPECT_EQ(o->server.host, "::1");
  EXPECT_EQ(o->server.port, 0);
  EXPECT_EQ(o->server.max_connections, 64u);
  EXPECT_EQ(o->server.read_timeout, std::chrono::milliseconds(250));

  Result<ServeOptions> caches =
      Parse({"--data", "/srv/ltl", "--tile-cache-summaries", "0", "--tile-cache-full-tiles", "17"});
  ASSERT_TRUE(caches.has_value()) << caches.error();
  EXPECT_EQ(caches->log.tile_cache.summaries, 0u);
  EXPECT_EQ(caches->log.tile_cache.full_tiles, 17u);

  Result<ServeOptions> budget = Parse({"--data", "d", "--map-resident-budget-mib", "64"});
  ASSERT_TRUE(budget.has_value()) << budget.error();
  EXPECT_EQ(budget->map_resident_budget_bytes, uint64_t{64} << 20);
  Result<ServeOptions> never = Parse({"--data", "d", "--map-resident-budget-mib", "0"});
  ASSERT_TRUE(never.has_value()) << never.error();
  EXPECT_EQ(never->map_resident_budget_bytes, 0u);
  EXPECT_FALSE(Parse({"--data", "d", "--map-resident-budget-mib", "-1"}).has_value());
  EXPECT_FALSE(Parse({"--data", "d", "--map-resident-budget-mib", "99999999999"}).has_value());
}

TEST(ServeOptionsTest, AccessLogOffStopsRequestLinesAndStderrKeepsThem) {
  Result<ServeOptions> off = Parse({"--data", "d", "--access-log", "off"});
  ASSERT_TRUE(off.has_value()) << off.error();
  EXPECT_FALSE(off->server.log_requests);
  Result<ServeOptions> on = Parse({"--data", "d", "--access-log", "stderr"});
  ASSERT_TRUE(on.has_value()) << on.error();
  EXPECT_TRUE(on->server.log_requests);
  EXPECT_TRUE(ServeOptions{}.server.log_requests);
}

TEST(ServeOptionsTest, FlagsOverrideTheConfigFileWhereverItIsGiven) {
  ltl::testing::TempDir dir;
  std::filesystem::path config = dir.path() / "node.conf";
  std::ofstream(config) << "# a comment\n\ndata = /from/config\n  max_connections=8  \n"
                           "listen = 0.0.0.0:9000\n";
  Result<ServeOptions> o = Parse({"--max-connections", "99", "--config", config.string()});
  ASSERT_TRUE(o.has_value()) << o.error();
  EXPECT_EQ(o->data_dir, "/from/config");
  EXPECT_EQ(o->server.max_connections, 99u);
  EXPECT_EQ(o->server.host, "0.0.0.0");
  EXPECT_EQ(o->server.port, 9000);
}

TEST(ServeOptionsTest, MissingConfigFileIsNotFound) {
  Result<ServeOptions> o = Parse({"--config", "/nonexistent/ltl.conf", "--data", "d"});
  ASSERT_FALSE(o.has_value());
  EXPECT_EQ(o.error().code(), StatusCode::kNotFound);
}

TEST(ServeOptionsTest, DataIsRequired) {
  Result<ServeOptions> o = Parse({"--listen", "127.0.0.1:1"});
  ASSERT_FALSE(o.has_value());
  EXPECT_NE(o.error().message().find("--data"), std::string::npos);
}

TEST(ServeOptionsTest, BadFlagsAreUsageErrors) {
  std::vector<std::vector<std::string_view>> bad = {
      {"--data"},                                     // no value
      {"--data", "a", "--data", "b"},                 // twice
      {"--data", "a", "--bogus", "1"},                // unknown
      {"--data", "a", "--max_connections", "1"},      // config spelling as a flag
      {"--data", "a", "stray"},                       // not a flag
      {"--data", "a", "--max-connections", "0"},      // out of range
      {"--data", "a", "--max-connections", "010"},    // leading zero
      {"--data", "a", "--max-entry-bytes", "65536"},  // beyond the uint16 bundle prefix
      {"--data", "a", "--access-log", "file"},
  };
  for (const auto& args : bad) {
    Result<ServeOptions> o = Parse(args);
    EXPECT_FALSE(o.has_value()) << args.back();
    if (!o) {
      EXPECT_EQ(o.error().code(), StatusCode::kInvalidArgument);
    }
  }
}

TEST(ConfigTextTest, RejectsMalformedLinesWithTheirNumber) {
  struct Case {
    std::string text;
    std::string want;
  };
  for (const Case& c : std::vector<Case>{
           {"threads = 2\nbogus = 1\n", "config line 2: unknown option 'bogus'"},
           {"threads 2\n", "config line 1: want 'key = value'"},
           {"threads =\n", "config line 1: missing value for 'threads'"},
           {" = 2\n", "config line 1: missing key"},
           {"threads = 2\nthreads = 3\n", "config line 2: 'threads' set twice"},
           {"threads = 2\r\n", "config line 1: carriage return"},
           {"threads = two\n",
            "config line 1: threads: want a decimal integer in [0, 1024], got 'two'"},
       }) {
    ServeOptions o;
    Status s = ApplyConfigText(c.text, o);
    EXPECT_EQ(s.message(), c.want) << c.text;
  }
}

TEST(ListenAddressTest, ParsesHostAndPort) {
  std::string host;
  uint16_t port = 1;
  ASSERT_TRUE(ParseListenAddress("localhost:0", host, port).ok());
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 0);
  ASSERT_TRUE(ParseListenAddress("[::]:65535", host, port).ok());
  EXPECT_EQ(host, "::");
  EXPECT_EQ(port, 65535);
  for (std::string_view bad : {"127.0.0.1", ":80", "127.0.0.1:", "127.0.0.1:65536", "::1:80",
                               "[127.0.0.1]:80", "127.0.0.1:080"}) {
    EXPECT_FALSE(ParseListenAddress(bad, host, port).ok()) << bad;
  }
}

}  // namespace
}  // namespace ltl::node
