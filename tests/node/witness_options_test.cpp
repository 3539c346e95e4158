// The network options of `ltl-node serve` (node/options.h): roles,
// repeatable witness/peer lists as flags and config lines, URL=VKEY, and the
// rules between options (CheckNetworkOptions).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ledger/keys.h"
#include "node/options.h"

namespace ltl::node {
namespace {

std::string Vkey(std::string_view name, ledger::KeyType type, uint8_t seed) {
  return ledger::SigningKey::FromSeed(name, Bytes(32, seed), type).value().verifier().ToString();
}

const std::string kLog = Vkey("log.example", ledger::KeyType::kEd25519, 1);
const std::string kW1 = Vkey("w1.example", ledger::KeyType::kCosignatureV1, 2);
const std::string kW2 = Vkey("w2.example", ledger::KeyType::kCosignatureV1, 3);

Result<ServeOptions> Parse(std::vector<std::string> args) {
  args.insert(args.begin(), {"--data", "d"});
  std::vector<std::string_view> views(args.begin(), args.end());
  return ParseServeArgs(views);
}

TEST(NetworkOptionsTest, DefaultIsAPlainLog) {
  auto o = Parse({});
  ASSERT_TRUE(o.has_value()) << o.error();
  EXPECT_TRUE(o->network.log);
  EXPECT_FALSE(o->network.witness);
  EXPECT_FALSE(o->network.mirror);
  EXPECT_TRUE(o->network.witnesses.empty());
  EXPECT_EQ(o->network.quorum, std::nullopt);
}

TEST(NetworkOptionsTest, RepeatedWitnessFlagsAddUpAndSplitOnTheFirstEquals) {
  ASSERT_TRUE(ledger::InitCrypto().ok());
  auto o = Parse({"--witness", "http://127.0.0.1:1=" + kW1, "--witness",
                  "http://127.0.0.1:2/pre=" + kW2, "--quorum", "2", "--cosign-interval-ms", "150"});
  ASSERT_TRUE(o.has_value()) << o.error();
  ASSERT_EQ(o->network.witnesses.size(), 2u);
  EXPECT_EQ(o->network.witnesses[1].url, "http://127.0.0.1:2/pre");
  EXPECT_EQ(o->network.witnesses[1].key.ToString(), kW2);
  EXPECT_EQ(o->network.quorum, 2u);
  EXPECT_EQ(o->network.cosign_interval, std::chrono::milliseconds(150));
}

TEST(NetworkOptionsTest, ConfigLinesMayRepeatForListsOnly) {
  ServeOptions o;
  ASSERT_TRUE(
      ApplyConfigText(
          "role = witness\nwitness_log = " + kLog + "\npeer = http://a\n" + "peer = http://b\n", o)
          .ok());
  EXPECT_TRUE(o.network.witness);
  EXPECT_FALSE(o.network.log);
  EXPECT_EQ(o.network.peers, (std::vector<std::string>{"http://a", "http://b"}));
  ServeOptions twice;
  EXPECT_FALSE(ApplyConfigText("quorum = 1\nquorum = 2\n", twice).ok());
}

TEST(NetworkOptionsTest, RolesCombineButLogAndMirrorExcludeEachOther) {
  ServeOptions o;
  EXPECT_TRUE(SetServeOption("role", "log,witness", o).ok());
  EXPECT_TRUE(o.network.log && o.network.witness && !o.network.mirror);
  EXPECT_TRUE(SetServeOption("role", "mirror,witness", o).ok());
  for (std::string_view bad : {"log,mirror", "log,log", "", "log,", "auditor", "Log"}) {
    EXPECT_FALSE(SetServeOption("role", bad, o).ok()) << bad;
  }
}

TEST(NetworkOptionsTest, EachRoleNeedsItsOptionsAndOnlyThose) {
  ASSERT_TRUE(ledger::InitCrypto().ok());
  const std::vector<std::vector<std::string>> bad = {
      {"--role", "witness"},                               // no --witness-log
      {"--witness-log", kLog},                             // not a witness
      {"--role", "mirror", "--upstream", "http://u"},      // no --upstream-key
      {"--upstream", "http://u", "--upstream-key", kLog},  // not a mirror
      {"--role", "witness", "--witness-log", kLog, "--witness", "http://w=" + kW1},
      {"--witness", "http://w=" + kW1, "--quorum", "2"},                 // quorum > witnesses
      {"--witness", "http://w=" + kW1, "--quorum", "0"},                 // uncosigned publication
      {"--witness", "http://w=" + kW1, "--witness", "http://v=" + kW1},  // twice
      {"--witness", "https://w=" + kW1},                                 // plain http only
      {"--witness", kW1},                                                // no URL=
      {"--witness", "http://w=" + kLog},                                 // a note key
      {"--role", "witness", "--witness-log", kW1},                       // a cosignature key
      {"--peer", "ftp://p"},
  };
  for (const auto& args : bad) {
    auto o = Parse(args);
    EXPECT_FALSE(o.has_value()) << args[0] << " " << args[1];
    if (!o) {
      EXPECT_EQ(o.error().code(), StatusCode::kInvalidArgument);
    }
  }
  EXPECT_TRUE(
      Parse({"--role", "mirror", "--upstream", "http://u", "--upstream-key", kLog}).has_value());
  EXPECT_TRUE(
      Parse({"--role", "witness", "--witness-log", kLog, "--peer", "http://p"}).has_value());
}

}  // namespace
}  // namespace ltl::node
