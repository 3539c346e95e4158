// TileReader, ProofBuilder and VerifyTreeTiles against an in-memory log.
#include "client/tile_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <span>
#include <string>
#include <vector>

#include "fake_log.h"
#include "proofs/consistency.h"
#include "proofs/inclusion.h"

namespace ltl::client {
namespace {

using proofs::Hash;
using testing::FakeLog;

// --- A naive RFC 6962 reference (RFC 6962 section 2.1), test-only -----------

uint64_t SplitPoint(uint64_t n) {  // largest power of two < n
  uint64_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

Hash RefRoot(std::span<const Hash> leaves) {
  if (leaves.empty()) return proofs::EmptyRoot();
  if (leaves.size() == 1) return leaves[0];
  const uint64_t k = SplitPoint(leaves.size());
  return proofs::HashChildren(RefRoot(leaves.first(k)), RefRoot(leaves.subspan(k)));
}

std::vector<Hash> RefPath(uint64_t m, std::span<const Hash> leaves) {
  if (leaves.size() <= 1) return {};
  const uint64_t k = SplitPoint(leaves.size());
  std::vector<Hash> path;
  if (m < k) {
    path = RefPath(m, leaves.first(k));
    path.push_back(RefRoot(leaves.subspan(k)));
  } else {
    path = RefPath(m - k, leaves.subspan(k));
    path.push_back(RefRoot(leaves.first(k)));
  }
  return path;
}

std::vector<Hash> RefSubProof(uint64_t m, std::span<const Hash> leaves, bool whole) {
  if (m == leaves.size()) return whole ? std::vector<Hash>{} : std::vector<Hash>{RefRoot(leaves)};
  const uint64_t k = SplitPoint(leaves.size());
  std::vector<Hash> proof;
  if (m <= k) {
    proof = RefSubProof(m, leaves.first(k), whole);
    proof.push_back(RefRoot(leaves.subspan(k)));
  } else {
    proof = RefSubProof(m - k, leaves.subspan(k), false);
    proof.push_back(RefRoot(leaves.first(k)));
  }
  return proof;
}

std::vector<Hash> LeafHashes(const FakeLog& log) {
  std::vector<Hash> out;
  for (const std::string& e : log.entries()) out.push_back(proofs::HashLeaf(e));
  return out;
}

FakeLog RawLog(uint64_t n) {
  FakeLog log;
  for (uint64_t i = 0; i < n; ++i) log.Append("entry " + std::to_string(i));
  return log;
}

// --- Proofs built from tiles match the reference ------------------------------

TEST(ProofBuilder, InclusionProofsMatchReferenceAcrossTileBoundaries) {
  FakeLog log = RawLog(520);
  const std::vector<Hash> leaves = LeafHashes(log);
  TileReader reader(log);
  std::vector<uint64_t> sizes;
  for (uint64_t s = 1; s <= 40; ++s) sizes.push_back(s);
  for (uint64_t s : {255, 256, 257, 300, 511, 512, 513, 520}) sizes.push_back(s);
  for (uint64_t size : sizes) {
    ProofBuilder builder(reader, size);
    const std::span<const Hash> tree(leaves.data(), size);
    const Hash root = RefRoot(tree);
    for (uint64_t index = 0; index < size; index += (size > 64 ? 7 : 1)) {
      auto proof = builder.InclusionProof(index);
      ASSERT_TRUE(proof.has_value()) << proof.error();
      EXPECT_EQ(*proof, RefPath(index, tree)) << "index " << index << " size " << size;
      EXPECT_TRUE(proofs::VerifyInclusion(index, size, leaves[index], *proof, root).ok());
    }
  }
}

TEST(ProofBuilder, ConsistencyProofsMatchReferenceAcrossTileBoundaries) {
  FakeLog log = RawLog(520);
  const std::vector<Hash> leaves = LeafHashes(log);
  TileReader reader(log);
  std::vector<std::pair<uint64_t, uint64_t>> pairs;
  for (uint64_t a = 1; a <= 24; ++a) {
    for (uint64_t b = a; b <= 24; ++b) pairs.emplace_back(a, b);
  }
  for (auto [a, b] : std::vector<std::pair<uint64_t, uint64_t>>{
           {1, 520}, {255, 256}, {256, 257}, {100, 300}, {256, 512}, {257, 513}, {300, 520}}) {
    pairs.emplace_back(a, b);
  }
  for (auto [a, b] : pairs) {
    ProofBuilder builder(reader, b);
    auto proof = builder.ConsistencyProof(a, b);
    ASSERT_TRUE(proof.has_value()) << proof.error();
    const std::span<const Hash> tree(leaves.data(), b);
    EXPECT_EQ(*proof, RefSubProof(a, tree, true)) << a << " -> " << b;
    EXPECT_TRUE(
        proofs::VerifyConsistency(a, b, *proof, RefRoot(tree.first(a)), RefRoot(tree)).ok());
  }
}

TEST(ProofBuilder, RefusesSizesBeyondItsTree) {
  FakeLog log = RawLog(10);
  TileReader reader(log);
  ProofBuilder builder(reader, 10);
  EXPECT_EQ(builder.InclusionProof(10).error().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(builder.ConsistencyProof(3, 11).error().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(builder.ConsistencyProof(0, 5).error().code(), StatusCode::kInvalidArgument);
}

// --- Partial tiles ---------------------------------------------------------------

TEST(TileReader, ReadsThePartialWidthTheTreeSizeImplies) {
  FakeLog log = RawLog(300);
  TileReader reader(log);
  auto tile = reader.ReadTile(0, 1, 300);
  ASSERT_TRUE(tile.has_value()) << tile.error();
  EXPECT_EQ(tile->size(), 44u);
  EXPECT_EQ(log.requests.back(), "/tile/0/001.p/44");
}

TEST(TileReader, FallsBackToTheFullTileWhenThePartialIsPruned) {
  FakeLog log = RawLog(600);
  log.partials_404 = true;
  TileReader reader(log);
  // At size 300 tile 0/001 is partial (44 hashes); the log has the full one.
  auto tile = reader.ReadTile(0, 1, 300);
  ASSERT_TRUE(tile.has_value()) << tile.error();
  ASSERT_EQ(tile->size(), 44u);
  EXPECT_EQ((*tile)[43], proofs::HashLeaf(log.entries()[256 + 43]));
  EXPECT_EQ(log.requests, (std::vector<std::string>{"/tile/0/001.p/44", "/tile/0/001"}));
  auto bundle = reader.ReadEntryBundle(1, 300);
  ASSERT_TRUE(bundle.has_value()) << bundle.error();
  EXPECT_EQ(bundle->size(), 44u);
}

TEST(TileReader, MissingTileIsNotFound) {
  FakeLog log = RawLog(300);
  log.partials_404 = true;  // and no full tile 0/001 exists yet
  TileReader reader(log);
  auto tile = reader.ReadTile(0, 1, 300);
  ASSERT_FALSE(tile.has_value());
  EXPECT_EQ(tile.error().code(), StatusCode::kNotFound);
  EXPECT_EQ(FailTileRead(tile.error()).outcome, VerifyOutcome::kLogError);
}

TEST(TileReader, CachesTilesAndServesNarrowerWidthsFromWiderCopies) {
  FakeLog log = RawLog(300);
  TileReader reader(log);
  ASSERT_TRUE(reader.ReadTile(0, 1, 300).has_value());
  const uint64_t before = reader.requests();
  auto narrower = reader.ReadTile(0, 1, 290);
  ASSERT_TRUE(narrower.has_value());
  EXPECT_EQ(narrower->size(), 34u);
  EXPECT_EQ(reader.requests(), before);
}

// --- Faults --------------------------------------------------------------------------

TEST(TileReader, TruncatedTileIsAMalformedAnswer) {
  FakeLog log = RawLog(300);
  log.rewrite = [](std::string_view path, HttpResponse& r) {
    if (path == "/tile/0/000") r.body.resize(r.body.size() - 1);
  };
  TileReader reader(log);
  auto tile = reader.ReadTile(0, 0, 300);
  ASSERT_FALSE(tile.has_value());
  EXPECT_EQ(tile.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(FailTileRead(tile.error()).outcome, VerifyOutcome::kLogError);
}

TEST(TileReader, TamperedBundleEntryDoesNotMatchTheTile) {
  FakeLog log = RawLog(300);
  log.rewrite = [](std::string_view path, HttpResponse& r) {
    if (path == "/tile/entries/001.p/44") r.body[5] ^= 0x01;
  };
  TileReader reader(log);
  auto bundle = reader.ReadEntryBundle(1, 300);
  ASSERT_FALSE(bundle.has_value());
  EXPECT_EQ(bundle.error().code(), StatusCode::kDataLoss);
  EXPECT_EQ(FailTileRead(bundle.error()).outcome, VerifyOutcome::kProofFailure);
}

TEST(TileReader, BundleWithWrongEntryCountIsMalformed) {
  FakeLog log = RawLog(10);
  log.rewrite = [&](std::string_view path, HttpResponse& r) {
    if (path == "/tile/entries/000.p/10") {
      std::vector<std::string_view> nine(log.entries().begin(), log.entries().begin() + 9);
      r.body = std::string(AsChars(proofs::EncodeEntryBundle(nine).value()));
    }
  };
  TileReader reader(log);
  auto bundle = reader.ReadEntryBundle(0, 10);
  ASSERT_FALSE(bundle.has_value());
  EXPECT_EQ(bundle.error().code(), StatusCode::kInvalidArgument);
}

TEST(ProofBuilder, TamperedTileHashGivesAProofThatDoesNotVerify) {
  FakeLog log = RawLog(300);
  log.rewrite = [](std::string_view path, HttpResponse& r) {
    if (path == "/tile/0/001.p/44") r.body[0] ^= 0x80;  // leaf 256's hash
  };
  const Hash root = log.RootAt(300);
  TileReader reader(log);
  ProofBuilder builder(reader, 300);
  auto proof = builder.InclusionProof(3);  // needs the subtree over leaves 256..299
  ASSERT_TRUE(proof.has_value());
  Status verified =
      proofs::VerifyInclusion(3, 300, proofs::HashLeaf(log.entries()[3]), *proof, root);
  EXPECT_TRUE(proofs::IsRootMismatch(verified)) << verified;
}

TEST(TileReader, TransportErrorIsNetwork) {
  FakeLog log = RawLog(10);
  log.queued.push_back(Status::Unavailable("connection refused"));
  TileReader reader(log);
  auto tile = reader.ReadTile(0, 0, 10);
  ASSERT_FALSE(tile.has_value());
  EXPECT_EQ(FailTileRead(tile.error()).outcome, VerifyOutcome::kNetwork);
}

// --- Full replay ----------------------------------------------------------------------

TEST(VerifyTreeTiles, ReplaysATreeWithThreeTileLevels) {
  // 65,536 + 300 leaves: full and partial tiles on levels 0 and 1, a level-2 tile.
  FakeLog log = RawLog(65836);
  TileReader reader(log);
  uint64_t seen = 0;
  Status replayed = VerifyTreeTiles(reader, log.size(), log.RootAt(log.size()),
                                    [&](uint64_t index, std::string_view entry) {
                                      EXPECT_EQ(index, seen);
                                      EXPECT_EQ(entry, log.entries()[index]);
                                      ++seen;
                                      return Status::Ok();
                                    });
  EXPECT_TRUE(replayed.ok()) << replayed;
  EXPECT_EQ(seen, log.size());
  // Every tile above level 0 was compared with the recomputed nodes.
  for (const char* upper : {"/tile/1/000", "/tile/1/001.p/1", "/tile/2/000.p/1"}) {
    EXPECT_NE(std::find(log.requests.begin(), log.requests.end(), upper), log.requests.end())
        << upper;
  }
}

TEST(VerifyTreeTiles, DetectsAnUpperTileThatDisagreesWithTheTilesBelow) {
  FakeLog log = RawLog(600);
  log.rewrite = [](std::string_view path, HttpResponse& r) {
    if (path == "/tile/1/000.p/2") r.body[40] ^= 0x01;
  };
  TileReader reader(log);
  Status replayed = VerifyTreeTiles(reader, 600, log.RootAt(600));
  EXPECT_EQ(replayed.code(), StatusCode::kDataLoss) << replayed;
  EXPECT_NE(replayed.message().find("tile/1/000.p/2"), std::string::npos) << replayed;
}

TEST(VerifyTreeTiles, DetectsAWrongRoot) {
  FakeLog log = RawLog(40);
  TileReader reader(log);
  Status replayed = VerifyTreeTiles(reader, 40, log.RootAt(39));
  EXPECT_EQ(replayed.code(), StatusCode::kDataLoss);
}

TEST(VerifyTreeTiles, DetectsATamperedEntry) {
  FakeLog log = RawLog(40);
  log.rewrite = [](std::string_view path, HttpResponse& r) {
    if (path == "/tile/entries/000.p/40") r.body.back() ^= 0x01;
  };
  TileReader reader(log);
  Status replayed = VerifyTreeTiles(reader, 40, log.RootAt(40));
  EXPECT_EQ(replayed.code(), StatusCode::kDataLoss);
}

TEST(VerifyTreeTiles, StopsWhenTheVisitorFails) {
  FakeLog log = RawLog(40);
  TileReader reader(log);
  Status replayed =
      VerifyTreeTiles(reader, 40, log.RootAt(40), [](uint64_t index, std::string_view) {
        return index == 5 ? Status::Internal("stop") : Status::Ok();
      });
  EXPECT_EQ(replayed, Status::Internal("stop"));
}

TEST(VerifyTreeTiles, EmptyTreeHasTheEmptyRoot) {
  FakeLog log;
  TileReader reader(log);
  EXPECT_TRUE(VerifyTreeTiles(reader, 0, proofs::EmptyRoot()).ok());
  EXPECT_TRUE(log.requests.empty());
}

}  // namespace
}  // namespace ltl::client
