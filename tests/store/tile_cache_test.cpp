// The reader's tile cache: summaries hold exactly the nodes proofs/ would
// rebuild, eviction is least-recently-used, a narrower (older) summary never
// replaces a wider one, and readers with no cache, a one-tile cache and the
// default cache serve the same proofs and tiles as the reference tree while
// the log grows (partial tiles widening under them).
#include "ledger/store/tile_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "ledger/store/integrator.h"
#include "ledger/store/log_db.h"
#include "ledger/store/log_reader.h"
#include "proofs/tiles.h"
#include "tests/proofs/reference.h"
#include "tests/store/store_testing.h"
#include "tests/testing/testing.h"

namespace ltl::store {
namespace {

using proofs::Hash;
using proofs::kTileWidth;
using proofs::NodeId;

std::vector<Hash> SomeHashes(size_t n, int salt) {
  std::vector<Hash> out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back(proofs::HashLeaf("h " + std::to_string(salt) + " " + std::to_string(i)));
  }
  return out;
}

TEST(TileSummary, HoldsEveryCompleteNodeFromTheSummaryHeightUpAsProofsRebuildsIt) {
  for (size_t width : {1, 7, 8, 9, 15, 16, 17, 31, 32, 100, 128, 255, 256}) {
    const std::vector<Hash> hashes = SomeHashes(width, static_cast<int>(width));
    const proofs::TileId tile{0, 3, static_cast<uint16_t>(width)};
    std::vector<std::vector<Hash>> levels;
    const detail::TileSummary summary = detail::TileSummary::Build(hashes, &levels);
    EXPECT_EQ(summary.width(), width);
    ASSERT_EQ(levels.size(), 9u);
    for (int height = 0; height <= 8; ++height) {
      const uint64_t complete = width >> height;
      ASSERT_EQ(levels[height].size(), complete) << "width " << width << " height " << height;
      for (uint64_t i = 0; i < complete; ++i) {
        const NodeId node{static_cast<uint8_t>(height), 3 * (kTileWidth >> height) + i};
        // Height 8 is the tile's own root, which the level above stores.
        const Hash want = height < 8 ? proofs::HashFromTile(node, tile, hashes).value()
                                     : proofs::testing::ReferenceTree(hashes).Root(kTileWidth);
        EXPECT_EQ(levels[height][i], want) << "width " << width << " node " << height << "," << i;
        if (height >= detail::kSummaryHeight) {
          EXPECT_EQ(summary.Node(height, i), want);
        }
      }
      if (height >= detail::kSummaryHeight) {
        EXPECT_FALSE(summary.Node(height, complete).has_value()) << "beyond width " << width;
      }
    }
    EXPECT_FALSE(summary.Node(detail::kSummaryHeight - 1, 0).has_value());
    EXPECT_FALSE(summary.Node(9, 0).has_value());
  }
}

TEST(TileCacheLru, EvictsAnEntryNotUsedSinceTheHandPassedAndHoldsNothingAtCapacityZero) {
  detail::LruTable<int> table(2);
  table.Put(0, 1, std::make_shared<const int>(1));
  table.Put(0, 2, std::make_shared<const int>(2));
  ASSERT_NE(table.Get(0, 1), nullptr);  // 1 is now the most recent
  table.Put(1, 2, std::make_shared<const int>(3));
  EXPECT_EQ(table.Get(0, 2), nullptr) << "the least recently used entry must go";
  EXPECT_EQ(*table.Get(0, 1), 1);
  EXPECT_EQ(*table.Get(1, 2), 3) << "level is part of the key";
  EXPECT_EQ(table.size(), 2u);

  detail::LruTable<int> none(0);
  none.Put(0, 1, std::make_shared<const int>(1));
  EXPECT_EQ(none.Get(0, 1), nullptr);
  EXPECT_EQ(none.size(), 0u);
}

TEST(TileCacheLru, EntriesUsedAgainOutliveABurstOfOneTimeInserts) {
  detail::LruTable<int> table(8);
  for (int i = 0; i < 4; ++i) table.Put(0, i, std::make_shared<const int>(i));  // the hot ones
  for (int round = 0; round < 50; ++round) {
    for (int i = 0; i < 4; ++i) ASSERT_NE(table.Get(0, i), nullptr) << "round " << round;
    // Four tiles read once each, say by a replay scanning the log.
    for (int i = 0; i < 4; ++i) table.Put(1, 100 * round + i, std::make_shared<const int>(-1));
  }
  EXPECT_EQ(table.size(), 8u);
}

TEST(TileCacheLru, ConcurrentHitsAndInsertsKeepEveryValueUnderItsOwnKey) {
  detail::LruTable<uint64_t> table(64);
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      uint64_t x = 0x9e3779b97f4a7c15ull * static_cast<uint64_t>(t + 1);
      for (int n = 0; n < 20000; ++n) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        const uint64_t index = x % 200;
        if (auto v = table.Get(2, index)) {
          if (*v != index) ++wrong;
        } else {
          table.Put(2, index, std::make_shared<const uint64_t>(index));
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(table.size(), 64u);
}

TEST(TileCacheSummaries, AnOlderNarrowerSummaryNeverReplacesAWiderOne) {
  TileCache cache;
  const std::vector<Hash> hashes = SomeHashes(200, 1);
  auto wide = std::make_shared<const detail::TileSummary>(detail::TileSummary::Build(hashes));
  auto narrow = std::make_shared<const detail::TileSummary>(
      detail::TileSummary::Build(std::span<const Hash>(hashes).first(40)));
  cache.PutSummary(0, 5, wide);
  cache.PutSummary(0, 5, narrow);
  EXPECT_EQ(cache.Summary(0, 5, 200), wide);
  EXPECT_EQ(cache.Summary(0, 5, 40), wide);
  EXPECT_EQ(cache.Summary(0, 5, 201), nullptr) << "a summary too narrow for the request is a miss";
  EXPECT_EQ(cache.Summary(1, 5, 1), nullptr);
}

using proofs::testing::ReferenceTile;

TEST(TileCacheReaders, NoCacheOneTileAndDefaultServeTheReferenceWhileTheLogGrows) {
  ::ltl::testing::TempDir tmp;
  const auto dir = testing::InitTestLog(tmp.path());
  // Crosses level-0 tile boundaries at odd offsets and fills level-1 tile 0's
  // first hashes, so summaries of partial tiles must widen as the log grows.
  const std::vector<size_t> batches = {3, 250, 20, 600, 1, 4000, 333, 1};
  size_t total = 0;
  for (size_t b : batches) total += b;
  std::vector<std::string> leaves;
  std::vector<Hash> leaf_hashes;
  for (size_t i = 0; i < total; ++i) {
    leaves.push_back(testing::PlainEntry(i));
    leaf_hashes.push_back(proofs::HashLeaf(leaves.back()));
  }
  proofs::testing::ReferenceTree ref(leaf_hashes);

  auto db = detail::LogDb::Open(dir, detail::EnvOptions{}, false).value();
  auto integrator = detail::Integrator::Create(*db, testing::LogKey()).value();
  std::vector<std::unique_ptr<LogReader>> readers;
  readers.push_back(std::make_unique<LogReader>(*db, TileCacheLimits{0, 0}));
  readers.push_back(std::make_unique<LogReader>(*db, TileCacheLimits{1, 1}));
  readers.push_back(std::make_unique<LogReader>(*db));
  size_t next = 0;
  for (size_t b : batches) {
    std::vector<AdmittedEntry> batch;
    for (size_t i = 0; i < b; ++i) batch.push_back(testing::AcceptAll()(leaves[next + i]).value());
    ASSERT_TRUE(integrator->Integrate(batch).has_value());
    next += b;
    const uint64_t n = next;
    for (size_t r = 0; r < readers.size(); ++r) {
      const LogReader& reader = *readers[r];
      for (uint64_t i = 0; i < n; i += 1 + i / 7) {
        for (uint64_t size : {i + 1, (i + n) / 2 + 1, n}) {
          auto proof = reader.InclusionProof(i, size);
          ASSERT_TRUE(proof.has_value()) << "reader " << r << ": " << proof.error();
          ASSERT_EQ(*proof, ref.InclusionProof(i, size))
              << "reader " << r << " inclusion " << i << " in " << size;
        }
      }
      for (uint64_t s = 1; s <= n; s += 1 + s / 5) {
        auto proof = reader.ConsistencyProof(s, n);
        ASSERT_TRUE(proof.has_value()) << "reader " << r << ": " << proof.error();
        ASSERT_EQ(*proof, ref.ConsistencyProof(s, n)) << "reader " << r << " " << s << "->" << n;
      }
      for (int level = 0; level < 2; ++level) {
        for (const proofs::TileId& tile : proofs::TilesForTreeSize(n, level)) {
          // Twice: the second read of a full tile comes from memory.
          for (int pass = 0; pass < 2; ++pass) {
            auto served = reader.Tile(tile.level, tile.index, tile.width);
            ASSERT_TRUE(served.has_value()) << served.error();
            ASSERT_EQ(*served, ReferenceTile(ref, tile))
                << "reader " << r << " " << proofs::FormatTilePath(tile) << " @" << n;
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace ltl::store
