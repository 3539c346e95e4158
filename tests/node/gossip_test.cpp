// Gossip (node/gossip.h): consistent views raise nothing; two signed
// checkpoints that cannot both be true raise one alarm with both notes;
// unsigned claims and unprovable differences raise none.
#include "node/gossip.h"

#include <gtest/gtest.h>

#include <mutex>

#include "base/encoding.h"
#include "ledger/checkpoint.h"
#include "proofs/tiles.h"
#include "tests/proofs/reference.h"
#include "tests/testing/testing.h"

namespace ltl::node {
namespace {

using proofs::testing::ReferenceTree;

constexpr std::string_view kOrigin = "example.com/gossiped";

std::vector<proofs::Hash> Leaves(std::string_view prefix, size_t n) {
  std::vector<proofs::Hash> out;
  for (size_t i = 0; i < n; ++i)
    out.push_back(proofs::HashLeaf(std::string(prefix) + std::to_string(i)));
  return out;
}

// A peer: a signed checkpoint at /gossip/checkpoint and, optionally, the
// hash tiles of its tree.
class Peer final : public client::Fetcher {
 public:
  Peer(std::vector<proofs::Hash> leaves, uint64_t size, const ledger::SigningKey& key,
       bool serves_tiles)
      : tree_(std::move(leaves)), size_(size), serves_tiles_(serves_tiles) {
    checkpoint_ =
        ledger::SignCheckpoint({std::string(kOrigin), size, tree_.Root(size), {}}, key).value();
  }
  const std::string& checkpoint() const { return checkpoint_; }

  Result<client::HttpResponse> Get(std::string_view path) override {
    if (path.starts_with("/gossip/checkpoint?origin=")) return Ok(checkpoint_);
    auto tile = proofs::ParseTilePath(path.substr(1));
    if (!serves_tiles_ || !tile || tile->kind != proofs::TilePath::Kind::kHashTile) {
      return client::HttpResponse{404, "", std::nullopt, ""};
    }
    std::vector<proofs::Hash> hashes;
    for (uint64_t i = 0; i < tile->width; ++i) {
      const proofs::NodeId id{static_cast<uint8_t>(8 * tile->level), tile->index * 256 + i};
      if (id.CoverageEnd() > size_) return client::HttpResponse{404, "", std::nullopt, ""};
      hashes.push_back(tree_.NodeHash(id));
    }
    return Ok(std::string(AsChars(proofs::EncodeTileHashes(hashes))));
  }
  Result<client::HttpResponse> Post(std::string_view, std::string_view, std::string_view) override {
    return Status::InvalidArgument("-");
  }

 private:
  static client::HttpResponse Ok(std::string body) {
    return client::HttpResponse{200, "", std::nullopt, std::move(body)};
  }
  ReferenceTree tree_;
  uint64_t size_;
  bool serves_tiles_;
  std::string checkpoint_;
};

class GossipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ledger::InitCrypto().ok());
    store_ = store::WitnessStore::Open(dir_.path()).value();
  }

  // Gossip whose own view is `mine` (a witness: no tree) with these peers.
  std::unique_ptr<Gossip> Start(std::optional<std::string> mine, std::vector<Peer*> peers) {
    peers_ = std::move(peers);
    GossipOptions o;
    for (size_t i = 0; i < peers_.size(); ++i) o.peers.push_back("http://p" + std::to_string(i));
    o.logs = {log_key_.verifier()};
    o.background = false;
    o.log = [](std::string_view) {};
    o.own_view = [mine](std::string_view) { return mine; };
    o.connect = [this](const std::string& url,
                       std::chrono::milliseconds) -> Result<std::unique_ptr<client::Fetcher>> {
      struct Borrowed final : client::Fetcher {
        explicit Borrowed(client::Fetcher& f) : f(f) {}
        Result<client::HttpResponse> Get(std::string_view p) override { return f.Get(p); }
        Result<client::HttpResponse> Post(std::string_view a, std::string_view b,
                                          std::string_view c) override {
          return f.Post(a, b, c);
        }
        client::Fetcher& f;
      };
      return std::unique_ptr<client::Fetcher>(
          new Borrowed(*peers_[static_cast<size_t>(url.back() - '0')]));
    };
    return Gossip::Start(*store_, std::move(o)).value();
  }

  std::string Alarms() { return AlarmsJson(*store_).value(); }

  ltl::testing::TempDir dir_;
  std::unique_ptr<store::WitnessStore> store_;
  ledger::SigningKey log_key_ =
      ledger::SigningKey::FromSeed(kOrigin, Bytes(32, 4), ledger::KeyType::kEd25519).value();
  std::vector<Peer*> peers_;
};

TEST_F(GossipTest, ConsistentViewsRaiseNothing) {
  Peer mine(Leaves("a", 50), 20, log_key_, true);
  Peer ahead(Leaves("a", 50), 50, log_key_, true);
  Peer same(Leaves("a", 50), 20, log_key_, false);
  auto g = Start(mine.checkpoint(), {&ahead, &same});
  EXPECT_EQ(g->RunRound().value(), 0u);
  EXPECT_EQ(Alarms(), "{\"alarms\": []}\n");
}

TEST_F(GossipTest, ALargerForkRaisesOneAlarmWithBothCheckpoints) {
  Peer mine(Leaves("a", 50), 20, log_key_, false);
  Peer fork(Leaves("b", 50), 30, log_key_, true);  // serves its tiles: the proof fails
  auto g = Start(mine.checkpoint(), {&fork});
  EXPECT_EQ(g->RunRound().value(), 1u);
  EXPECT_EQ(g->RunRound().value(), 0u) << "the same pair alarms once";
  const std::string alarms = Alarms();
  auto escaped = [](const std::string& s) {
    std::string out;
    for (char c : s) out += c == '\n' ? std::string("\\n") : std::string(1, c);
    return out;
  };
  EXPECT_NE(alarms.find("\"kind\":\"gossip_alarm\""), std::string::npos) << alarms;
  EXPECT_NE(alarms.find(escaped(mine.checkpoint())), std::string::npos);
  EXPECT_NE(alarms.find(escaped(fork.checkpoint())), std::string::npos);
  std::string metrics;
  g->AppendMetrics(metrics);
  EXPECT_NE(metrics.find("ltl_gossip_alarms_total 1"), std::string::npos);
}

TEST_F(GossipTest, EqualSizesWithOtherRootsNeedNoTiles) {
  Peer a(Leaves("a", 10), 10, log_key_, false);
  Peer b(Leaves("b", 10), 10, log_key_, false);
  auto g = Start(std::nullopt, {&a, &b});  // no own view: peers compared
  EXPECT_EQ(g->RunRound().value(), 1u);
}

TEST_F(GossipTest, UnprovableDifferencesAndUnsignedClaimsRaiseNothing) {
  Peer mine(Leaves("a", 50), 20, log_key_, false);
  Peer witness_like(Leaves("b", 50), 30, log_key_, false);  // no tiles anywhere
  ledger::SigningKey impostor =
      ledger::SigningKey::FromSeed(kOrigin, Bytes(32, 5), ledger::KeyType::kEd25519).value();
  Peer unsigned_claim(Leaves("c", 50), 20, impostor, true);
  auto g = Start(mine.checkpoint(), {&witness_like, &unsigned_claim});
  EXPECT_EQ(g->RunRound().value(), 0u);
  std::string metrics;
  g->AppendMetrics(metrics);
  EXPECT_NE(metrics.find("ltl_gossip_unresolved_total 1"), std::string::npos) << metrics;
}

}  // namespace
}  // namespace ltl::node
