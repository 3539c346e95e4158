// The mirror (node/mirror.h) and its store (ledger/store/mirror_store.h):
// a verified copy served with the upstream's exact tiles and bundles and the
// mirror's cosignature; a checkpoint that contradicts the stored tree is
// refused, nothing is written, and the evidence is kept.
#include "node/mirror.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include "ledger/checkpoint.h"
#include "ledger/cosignature.h"
#include "ledger/note.h"
#include "proofs/tiles.h"
#include "tests/proofs/reference.h"
#include "tests/testing/testing.h"

namespace ltl::node {
namespace {

using proofs::testing::ReferenceTree;

constexpr std::string_view kOrigin = "example.com/mirrored";

std::vector<std::string> Entries(std::string_view prefix, size_t n) {
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) out.push_back(std::string(prefix) + std::to_string(i));
  return out;
}

std::vector<proofs::Hash> LeafHashes(const std::vector<std::string>& entries) {
  std::vector<proofs::Hash> out;
  for (const std::string& e : entries) out.push_back(proofs::HashLeaf(e));
  return out;
}

// An upstream log served from memory through the tlog-tiles paths.
class Upstream final : public client::Fetcher {
 public:
  explicit Upstream(const ledger::SigningKey& key) : key_(key) {}
  void Set(std::vector<std::string> entries, uint64_t size) {
    std::lock_guard<std::mutex> lock(mu_);
    entries_ = std::move(entries);
    size_ = size;
  }
  std::string CheckpointAt(uint64_t size) {
    std::lock_guard<std::mutex> lock(mu_);
    ReferenceTree tree(LeafHashes(entries_));
    return ledger::SignCheckpoint({std::string(kOrigin), size, tree.Root(size), {}}, key_).value();
  }
  Result<client::HttpResponse> Get(std::string_view path) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (path == "/checkpoint" && checkpoint_override) return Ok(*checkpoint_override);
    if (path == "/checkpoint") {
      ReferenceTree tree(LeafHashes(entries_));
      return Ok(ledger::SignCheckpoint({std::string(kOrigin), size_, tree.Root(size_), {}}, key_)
                    .value());
    }
    auto tile = proofs::ParseTilePath(path.substr(1));
    if (!tile || tile->kind != proofs::TilePath::Kind::kEntryBundle) {
      return client::HttpResponse{404, "", std::nullopt, ""};
    }
    std::vector<std::string_view> views;
    for (uint64_t i = 0; i < tile->width; ++i) {
      const uint64_t index = tile->index * 256 + i;
      if (index >= size_) return client::HttpResponse{404, "", std::nullopt, ""};
      views.push_back(entries_[index]);
    }
    return Ok(std::string(AsChars(proofs::EncodeEntryBundle(views).value())));
  }
  Result<client::HttpResponse> Post(std::string_view, std::string_view, std::string_view) override {
    return Status::InvalidArgument("-");
  }
  std::optional<std::string> checkpoint_override;

 private:
  static client::HttpResponse Ok(std::string body) {
    return client::HttpResponse{200, "", std::nullopt, std::move(body)};
  }
  const ledger::SigningKey& key_;
  std::mutex mu_;
  std::vector<std::string> entries_;
  uint64_t size_ = 0;
};

class MirrorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ledger::InitCrypto().ok());
    OpenMirror();
  }
  void OpenMirror() {
    mirror_.reset();
    tree_.reset();
    network_.reset();
    tree_ =
        store::MirrorStore::Open(dir_.path() / "mirror", kOrigin, log_key_.verifier().ToString())
            .value();
    network_ = store::WitnessStore::Open(dir_.path() / "network").value();
    MirrorOptions o;
    o.upstream = "http://upstream";
    o.upstream_key = log_key_.verifier();
    o.background = false;
    o.now_unix_seconds = [] { return uint64_t{1'700'000'000}; };
    o.log = [](std::string_view) {};
    o.connect = [this](const std::string&,
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
      return std::unique_ptr<client::Fetcher>(new Borrowed(upstream_));
    };
    mirror_ = Mirror::Start(*tree_, *network_, mirror_key_, std::move(o)).value();
  }

  ltl::testing::TempDir dir_;
  ledger::SigningKey log_key_ =
      ledger::SigningKey::FromSeed(kOrigin, Bytes(32, 1), ledger::KeyType::kEd25519).value();
  ledger::SigningKey mirror_key_ =
      ledger::SigningKey::FromSeed("mirror.example", Bytes(32, 2), ledger::KeyType::kCosignatureV1)
          .value();
  Upstream upstream_{log_key_};
  std::unique_ptr<store::MirrorStore> tree_;
  std::unique_ptr<store::WitnessStore> network_;
  std::unique_ptr<Mirror> mirror_;
};

TEST_F(MirrorTest, CopiesServesTheReferenceTilesAndCosigns) {
  const std::vector<std::string> entries = Entries("entry-", 600);
  ReferenceTree ref(LeafHashes(entries));
  upstream_.Set(entries, 300);
  ASSERT_TRUE(mirror_->RunRound().ok());
  upstream_.Set(entries, 600);
  ASSERT_TRUE(mirror_->RunRound().ok());

  const std::string served = mirror_->Checkpoint().value();
  const std::vector<ledger::VerifierKey> mirror_key = {mirror_key_.verifier()};
  auto opened = ledger::OpenCheckpoint(served, log_key_.verifier(), mirror_key);
  ASSERT_TRUE(opened.has_value()) << opened.error();
  EXPECT_EQ(opened->checkpoint.size, 600u);
  EXPECT_EQ(opened->verified_by.size(), 1u);

  // Tiles at every level and width equal the reference tree's nodes.
  for (int level = 0; level <= 1; ++level) {
    for (const proofs::TileId& t : proofs::TilesForTreeSize(600, level)) {
      std::vector<proofs::Hash> want;
      for (uint64_t i = 0; i < t.width; ++i) {
        want.push_back(ref.NodeHash({static_cast<uint8_t>(8 * level), t.index * 256 + i}));
      }
      EXPECT_EQ(mirror_->Tile(t.level, t.index, t.width).value(), proofs::EncodeTileHashes(want));
    }
  }
  EXPECT_EQ(mirror_->Tile(0, 2, 89).error().code(), StatusCode::kNotFound);  // 600 = 512 + 88
  EXPECT_EQ(mirror_->Tile(0, 1, 256).value().size(), 8192u);
  auto bundle = proofs::ParseEntryBundle(mirror_->EntryBundle(2, 88).value()).value();
  EXPECT_EQ(bundle.front(), entries[512]);
  EXPECT_EQ(mirror_->Entry(599).value(), entries[599]);
  EXPECT_EQ(mirror_->Entry(600).error().code(), StatusCode::kNotFound);
  // Proofs from stored nodes equal the reference.
  EXPECT_EQ(mirror_->InclusionProof(333, 600).value(), ref.InclusionProof(333, 600));
  EXPECT_EQ(mirror_->ConsistencyProof(300, 600).value(), ref.ConsistencyProof(300, 600));
  EXPECT_EQ(mirror_->InclusionProof(3, 601).error().code(), StatusCode::kOutOfRange);
  // Read-only: no entries, no indexes.
  Status submitted;
  mirror_->Submit("x", [&](Result<Receipt> r) { submitted = r.error(); });
  EXPECT_EQ(submitted.code(), StatusCode::kFailedPrecondition);

  // State survives a restart.
  OpenMirror();
  EXPECT_EQ(mirror_->Checkpoint().value(), served);
  EXPECT_EQ(mirror_->InclusionProof(333, 600).value(), ref.InclusionProof(333, 600));
}

TEST_F(MirrorTest, AForkedUpstreamIsRefusedNothingWrittenEvidenceKept) {
  std::vector<std::string> honest = Entries("honest-", 40);
  upstream_.Set(honest, 20);
  ASSERT_TRUE(mirror_->RunRound().ok());
  const std::string before = mirror_->Checkpoint().value();

  // Same key and origin, a history that differs from entry 10 on.
  std::vector<std::string> forked = honest;
  for (size_t i = 10; i < forked.size(); ++i) forked[i] = "forked-" + std::to_string(i);
  upstream_.Set(forked, 30);
  EXPECT_EQ(mirror_->RunRound().code(), StatusCode::kDataLoss);
  EXPECT_EQ(mirror_->Checkpoint().value(), before);
  EXPECT_EQ(tree_->TreeSize().value(), 20u);
  // Equal size, other root; and an older checkpoint that is not a prefix.
  upstream_.Set(forked, 20);
  EXPECT_EQ(mirror_->RunRound().code(), StatusCode::kDataLoss);
  upstream_.Set(forked, 15);
  EXPECT_EQ(mirror_->RunRound().code(), StatusCode::kDataLoss);

  auto evidence = network_->Evidence(0, 10).value();
  ASSERT_EQ(evidence.size(), 3u);
  EXPECT_NE(evidence[0].document.find("\"kind\":\"mirror_refused\""), std::string::npos);
  // The honest upstream again: the mirror moves on.
  upstream_.Set(honest, 40);
  ASSERT_TRUE(mirror_->RunRound().ok());
  EXPECT_EQ(tree_->TreeSize().value(), 40u);
}

TEST_F(MirrorTest, ABadUpstreamSignatureIsRefusedWithoutEvidence) {
  // An impostor's key with the log's name: its claims prove nothing, so
  // they are neither followed nor kept as evidence.
  ledger::SigningKey impostor =
      ledger::SigningKey::FromSeed(kOrigin, Bytes(32, 9), ledger::KeyType::kEd25519).value();
  Upstream fake(impostor);
  fake.Set(Entries("x", 5), 5);
  upstream_.Set(Entries("x", 5), 5);
  upstream_.checkpoint_override = fake.Get("/checkpoint").value().body;
  EXPECT_EQ(mirror_->RunRound().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(tree_->TreeSize().value(), 0u);
  EXPECT_EQ(network_->Evidence(0, 10).value().size(), 0u);
}

TEST(MirrorStoreTest, ExtendChecksTheRootAndRefusesAnotherLogsFolder) {
  ltl::testing::TempDir dir;
  auto store = store::MirrorStore::Open(dir.path(), "o", "key-a").value();
  const std::vector<std::string> entries = Entries("e", 5);
  ReferenceTree ref(LeafHashes(entries));
  EXPECT_EQ(store->Extend(entries, 5, ref.Root(4), "cp").code(), StatusCode::kDataLoss);
  EXPECT_EQ(store->TreeSize().value(), 0u);
  EXPECT_EQ(store->Checkpoint().error().code(), StatusCode::kNotFound);
  EXPECT_EQ(store->Extend(entries, 6, ref.Root(5), "cp").code(), StatusCode::kOutOfRange);
  ASSERT_TRUE(store->Extend(entries, 5, ref.Root(5), "cp5").ok());
  EXPECT_EQ(store->Checkpoint().value(), "cp5");
  store.reset();
  EXPECT_EQ(store::MirrorStore::Open(dir.path(), "o", "key-b").error().code(),
            StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace ltl::node
