#include "proofs/tiles.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "proofs/compact_range.h"
#include "proofs/consistency.h"
#include "proofs/inclusion.h"
#include "tests/proofs/reference.h"

namespace ltl::proofs {
namespace {

// --- Paths -----------------------------------------------------------------

TEST(TileIndexTest, EncodesInThreeDigitGroups) {
  EXPECT_EQ(EncodeTileIndex(0), "000");
  EXPECT_EQ(EncodeTileIndex(1), "001");
  EXPECT_EQ(EncodeTileIndex(999), "999");
  EXPECT_EQ(EncodeTileIndex(1000), "x001/000");
  EXPECT_EQ(EncodeTileIndex(1234067), "x001/x234/067");
  EXPECT_EQ(EncodeTileIndex(UINT64_MAX), "x018/x446/x744/x073/x709/x551/615");
}

TEST(TileIndexTest, RoundTripsManyValues) {
  std::vector<uint64_t> values = {0, 1, 999, 1000, 1001, 1234067, UINT64_MAX, UINT64_MAX - 1};
  for (uint64_t p = 1; p <= 1000000000000000000ull; p *= 10) {
    values.insert(values.end(), {p - 1, p, p + 1});
  }
  for (int b = 0; b < 64; ++b) {
    const uint64_t p = uint64_t{1} << b;
    values.insert(values.end(), {p - 1, p, p + 1});
  }
  uint64_t x = 88172645463325252ull;  // xorshift: many irregular values
  for (int i = 0; i < 2000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    values.push_back(x >> (i % 64));
  }
  for (uint64_t v : values) {
    Result<uint64_t> back = ParseTileIndex(EncodeTileIndex(v));
    ASSERT_TRUE(back.has_value()) << v << ": " << back.error();
    ASSERT_EQ(*back, v);
  }
}

TEST(TileIndexTest, RejectsNonCanonicalSpellings) {
  for (const char* bad : {"",
                          "1",
                          "01",
                          "0000",
                          "1000",
                          "x000/001",
                          "x000/x001/000",
                          "x001",
                          "x001/",
                          "/001",
                          "001/002",
                          "x1/000",
                          "x01/000",
                          "xx001/000",
                          "x001/x000",
                          "X001/000",
                          "x001/00a",
                          "+01",
                          " 001",
                          "001 ",
                          "x018/x446/x744/x073/x709/x551/616",
                          "x001/x000/x000/x000/x000/x000/x000/000"}) {
    EXPECT_FALSE(ParseTileIndex(bad).has_value()) << '"' << bad << '"';
  }
}

TEST(TilePathTest, FormatsHashTilesAndEntryBundles) {
  EXPECT_EQ(FormatTilePath(TileId{0, 0, 256}), "tile/0/000");
  EXPECT_EQ(FormatTilePath(TileId{1, 1234067, 17}), "tile/1/x001/x234/067.p/17");
  EXPECT_EQ(FormatTilePath(TileId{63, 1, 255}), "tile/63/001.p/255");
  EXPECT_EQ(FormatTilePath(TilePath::ForEntryBundle(5, 112)), "tile/entries/005.p/112");
  EXPECT_EQ(FormatTilePath(TilePath::ForEntryBundle(1000)), "tile/entries/x001/000");
}

TEST(TilePathTest, RoundTripsEveryKindLevelIndexAndWidth) {
  for (TilePath::Kind kind : {TilePath::Kind::kHashTile, TilePath::Kind::kEntryBundle}) {
    for (uint8_t level : {0, 1, 7, 10, 63}) {
      if (kind == TilePath::Kind::kEntryBundle && level != 0) continue;
      for (uint64_t index : {uint64_t{0}, uint64_t{1}, uint64_t{999}, uint64_t{1000},
                             uint64_t{1234067}, UINT64_MAX}) {
        for (uint16_t width : {1, 2, 17, 255, 256}) {
          const TilePath path{kind, level, index, width};
          const std::string text = FormatTilePath(path);
          Result<TilePath> back = ParseTilePath(text);
          ASSERT_TRUE(back.has_value()) << text << ": " << back.error();
          ASSERT_EQ(*back, path) << text;
        }
      }
    }
  }
}

TEST(TilePathTest, RejectsMalformedPaths) {
  for (const char* bad : {
           "",
           "tile/0/000.p/0",      // width 0
           "tile/0/000.p/256",    // a full tile has no .p suffix
           "tile/0/000.p/300",    //
           "tile/0/000.p/012",    // leading zero in W
           "tile/0/000.p/00",     //
           "tile/0/000.p/",       // missing W
           "tile/0/000.p/1x",     //
           "tile/0/000.p/+1",     //
           "tile/0/000.p/1.p/1",  // twice
           "tile/00/000",         // leading zero in L
           "tile/01/000",         //
           "tile/64/000",         // L > 63
           "tile/-1/000",         //
           "tile/+1/000",         //
           "tile/0/x000/001",     // non-canonical N
           "tile/0/1",            //
           "tile/0/x001",         //
           "tile/0/.p/1",         // missing N
           "/tile/0/000",         // leading slash
           "tile/0/000/",         // trailing slash
           "tile/0/000.p/17/",    //
           "tile/0//000",         //
           "tile//000",           // missing L
           "tile/entries",        //
           "tile/entries/",       //
           "tile/Entries/000",    //
           "tile/entry/000",      //
           "tiles/0/000",         //
           "tile/0/000?x=1",      //
           "tile/0/000.P/1",      //
       }) {
    EXPECT_FALSE(ParseTilePath(bad).has_value()) << '"' << bad << '"';
  }
}

// --- Geometry --------------------------------------------------------------

TEST(TileGeometryTest, SpecExampleTreeOf70000) {
  const uint64_t s = 70000;
  EXPECT_EQ(FullTileCount(s, 0), 273u);
  EXPECT_EQ(PartialTileWidth(s, 0), 112);
  EXPECT_EQ(FullTileCount(s, 1), 1u);
  EXPECT_EQ(PartialTileWidth(s, 1), 17);
  EXPECT_EQ(FullTileCount(s, 2), 0u);
  EXPECT_EQ(PartialTileWidth(s, 2), 1);
  EXPECT_EQ(PartialTileWidth(s, 3), 0);

  const std::vector<TileId> level0 = TilesForTreeSize(s, 0);
  ASSERT_EQ(level0.size(), 274u);
  EXPECT_EQ(level0[272], (TileId{0, 272, 256}));
  EXPECT_EQ(level0.back(), (TileId{0, 273, 112}));
  EXPECT_EQ(TilesForTreeSize(s, 1), (std::vector<TileId>{{1, 0, 256}, {1, 1, 17}}));
  EXPECT_EQ(TilesForTreeSize(s, 2), (std::vector<TileId>{{2, 0, 1}}));
  EXPECT_TRUE(TilesForTreeSize(s, 3).empty());
}

TEST(TileGeometryTest, SpecExampleTreeOf256) {
  EXPECT_EQ(TilesForTreeSize(256, 0), (std::vector<TileId>{{0, 0, 256}}));
  EXPECT_EQ(TilesForTreeSize(256, 1), (std::vector<TileId>{{1, 0, 1}}));
  EXPECT_TRUE(TilesForTreeSize(256, 2).empty());
}

TEST(TileGeometryTest, LargestTreeNeedsNoShiftBeyond63Bits) {
  EXPECT_EQ(PartialTileWidth(UINT64_MAX, 7), 255);
  EXPECT_EQ(FullTileCount(UINT64_MAX, 7), 0u);
  EXPECT_EQ(FullTileCount(UINT64_MAX, 6), 255u);
  for (int level = 8; level <= kMaxTileLevel; ++level) {
    EXPECT_EQ(TileLevelHashCount(UINT64_MAX, level), 0u) << level;
    EXPECT_EQ(PartialTileWidth(UINT64_MAX, level), 0) << level;
  }
}

TEST(TileGeometryTest, TileAtTreeSizeGivesTheWidthThenOrOutOfRange) {
  EXPECT_EQ(TileAtTreeSize(0, 273, 70000).value(), (TileId{0, 273, 112}));
  EXPECT_EQ(TileAtTreeSize(0, 5, 70000).value(), (TileId{0, 5, 256}));
  EXPECT_EQ(TileAtTreeSize(1, 1, 70000).value(), (TileId{1, 1, 17}));
  EXPECT_EQ(TileAtTreeSize(0, 274, 70000).error().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(TileAtTreeSize(3, 0, 70000).error().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(TileAtTreeSize(0, 0, 0).error().code(), StatusCode::kOutOfRange);
}

TEST(TileGeometryTest, GrowthListsExactlyTheTilesWhoseContentChanged) {
  const std::vector<uint64_t> sizes = {0,    1,     255,   256,   257,   511,  512,
                                       1000, 65535, 65536, 65537, 65792, 70000};
  for (uint64_t s1 : sizes) {
    for (uint64_t s2 : sizes) {
      if (s2 < s1) continue;
      for (int level = 0; level <= 2; ++level) {
        std::map<uint64_t, uint16_t> before;
        for (const TileId& t : TilesForTreeSize(s1, level)) before[t.index] = t.width;
        std::vector<TileId> want;
        for (const TileId& t : TilesForTreeSize(s2, level)) {
          auto it = before.find(t.index);
          if (it == before.end() || it->second != t.width) want.push_back(t);
        }
        EXPECT_EQ(TilesChangedByGrowth(s1, s2, level), want)
            << s1 << " -> " << s2 << " level " << level;
      }
    }
  }
}

TEST(TileGeometryTest, LocateNodeFindsTheTileAndPositions) {
  EXPECT_EQ(LocateNode({0, 300}), (NodeInTile{0, 1, 44, 1}));
  EXPECT_EQ(LocateNode({8, 3}), (NodeInTile{1, 0, 3, 1}));
  EXPECT_EQ(LocateNode({3, 5}), (NodeInTile{0, 0, 40, 8}));
  EXPECT_EQ(LocateNode({10, 70}), (NodeInTile{1, 1, 24, 4}));
  EXPECT_EQ(LocateNode({7, 1}), (NodeInTile{0, 0, 128, 128}));
  EXPECT_EQ(LocateNode({63, 1}), (NodeInTile{7, 0, 128, 128}));
}

TEST(TileGeometryTest, TileForNodeRefusesNodesThatAreNotYetPerfect) {
  EXPECT_EQ(TileForNode({0, 70000}, 70000).error().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(TileForNode({1, 34999}, 69999).error().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(TileForNode({1, 34999}, 70000).value(), (TileId{0, 273, 112}));
  EXPECT_EQ(TileForNode({16, 1}, 70000).error().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(TileForNode({16, 0}, 70000).value(), (TileId{2, 0, 1}));
}

// --- Nodes from tiles, end to end --------------------------------------------

// A log of 70,000 leaves stored as tiles: every hash at tree levels 0, 8 and
// 16, as a store would persist them from the CompactRange visitor.
class TiledLog : public ::testing::Test {
 protected:
  static constexpr uint64_t kSize = 70000;
  // The tree sizes whose roots the proof tests use.
  static inline const std::set<uint64_t> kRootSizes = {1,     2,     255,   256,   257,  4097,
                                                       65535, 65536, 65537, 69999, kSize};

  static void SetUpTestSuite() {
    state_ = new State;
    CompactRange range;
    for (uint64_t i = 0; i < kSize; ++i) {
      range.Append(HashLeaf("entry " + std::to_string(i)), [](NodeId id, const Hash& h) {
        if (id.level <= 16) state_->nodes[Key(id)] = h;
        if (id.level % kTileHeight == 0 && id.level <= 16) {
          auto& level = state_->level_hashes[id.level / kTileHeight];
          ASSERT_EQ(level.size(), id.index);  // appended in order
          level.push_back(h);
        }
      });
      if (kRootSizes.contains(range.end()))
        state_->roots[range.end()] = range.GetRootHash().value();
    }
  }
  static void TearDownTestSuite() {
    delete state_;
    state_ = nullptr;
  }

  static uint64_t Key(NodeId id) { return (uint64_t{id.level} << 56) | id.index; }

  // The tile's hashes as a log would serve it: a prefix of the full tile.
  static std::vector<Hash> Fetch(const TileId& tile) {
    const auto& level = state_->level_hashes[tile.level];
    const auto first = level.begin() + static_cast<ptrdiff_t>(tile.index * kTileWidth);
    return std::vector<Hash>(first, first + tile.width);
  }

  // A node's hash at tree size `size`, read through tiles only.
  static Result<Hash> NodeFromTiles(NodeId id, uint64_t size) {
    LTL_ASSIGN_OR_RETURN(TileId tile, TileForNode(id, size));
    return HashFromTile(id, tile, Fetch(tile));
  }

  struct State {
    std::unordered_map<uint64_t, Hash> nodes;  // every perfect node up to level 16
    std::vector<Hash> level_hashes[3];         // tree levels 0, 8, 16
    std::unordered_map<uint64_t, Hash> roots;  // by tree size
  };
  static State* state_;
};
TiledLog::State* TiledLog::state_ = nullptr;

TEST_F(TiledLog, EveryNodeUpToLevel16IsRebuiltFromItsTile) {
  int checked = 0;
  for (const auto& [key, hash] : state_->nodes) {
    const NodeId id{static_cast<uint8_t>(key >> 56), key & ((uint64_t{1} << 56) - 1)};
    // Every node stored in a level-1 or level-2 tile or rebuilt from one; a
    // stride of those below (rebuilding all would cost ~400k hashes).
    if (id.level < kTileHeight && id.index % 13 != 0) continue;
    Result<Hash> h = NodeFromTiles(id, kSize);
    ASSERT_TRUE(h.has_value()) << id << ": " << h.error();
    ASSERT_EQ(*h, hash) << id;
    ++checked;
  }
  EXPECT_GT(checked, 10000);
}

TEST_F(TiledLog, InclusionProofsBuiltFromTilesVerify) {
  for (uint64_t size : {uint64_t{1}, uint64_t{256}, uint64_t{257}, uint64_t{65536}, uint64_t{65537},
                        uint64_t{69999}, kSize}) {
    for (uint64_t index : {uint64_t{0}, size / 3, size / 2, size - 1}) {
      Result<ProofNodes> nodes = InclusionNodes(index, size);
      ASSERT_TRUE(nodes.has_value());
      std::vector<Hash> fetched;
      for (const NodeId& id : nodes->ids) {
        Result<Hash> h = NodeFromTiles(id, size);
        ASSERT_TRUE(h.has_value()) << id << " at size " << size << ": " << h.error();
        fetched.push_back(*h);
      }
      Result<std::vector<Hash>> proof = Rehash(fetched, *nodes);
      ASSERT_TRUE(proof.has_value());
      const Hash leaf = state_->level_hashes[0][index];
      EXPECT_EQ(VerifyInclusion(index, size, leaf, *proof, state_->roots.at(size)), Status::Ok())
          << index << " in " << size;
    }
  }
}

TEST_F(TiledLog, ConsistencyProofsBuiltFromTilesVerify) {
  const std::vector<uint64_t> sizes = {1, 2, 255, 256, 257, 4097, 65535, 65536, 65537, kSize};
  for (uint64_t size1 : sizes) {
    for (uint64_t size2 : sizes) {
      if (size2 < size1) continue;
      Result<ProofNodes> nodes = ConsistencyNodes(size1, size2);
      ASSERT_TRUE(nodes.has_value());
      std::vector<Hash> fetched;
      for (const NodeId& id : nodes->ids) {
        Result<Hash> h = NodeFromTiles(id, size2);
        ASSERT_TRUE(h.has_value()) << id << " at size " << size2 << ": " << h.error();
        fetched.push_back(*h);
      }
      Result<std::vector<Hash>> proof = Rehash(fetched, *nodes);
      ASSERT_TRUE(proof.has_value());
      EXPECT_EQ(
          VerifyConsistency(size1, size2, *proof, state_->roots.at(size1), state_->roots.at(size2)),
          Status::Ok())
          << size1 << " -> " << size2;
    }
  }
}

TEST_F(TiledLog, HashFromTileChecksTheTileItIsGiven) {
  const NodeId node{3, 5};  // hashes 40..47 of tile/0/000
  const TileId tile{0, 0, 256};
  const std::vector<Hash> hashes = Fetch(tile);
  EXPECT_EQ(HashFromTile(node, TileId{0, 1, 256}, Fetch(TileId{0, 1, 256})).error().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(HashFromTile(node, TileId{1, 0, 256}, Fetch(TileId{1, 0, 256})).error().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(HashFromTile(node, tile, std::span(hashes).first(255)).error().code(),
            StatusCode::kInvalidArgument);
  // A partial tile of width 47 lacks hash 47.
  EXPECT_EQ(HashFromTile(node, TileId{0, 0, 47}, std::span(hashes).first(47)).error().code(),
            StatusCode::kOutOfRange);
  EXPECT_TRUE(HashFromTile(node, TileId{0, 0, 48}, std::span(hashes).first(48)).has_value());
}

// --- Bytes -----------------------------------------------------------------

TEST(TileBytesTest, TileHashesRoundTripAtExactLength) {
  std::vector<Hash> hashes = testing::MakeLeafHashes(17);
  const Bytes bytes = EncodeTileHashes(hashes);
  ASSERT_EQ(bytes.size(), 17u * 32);
  Result<std::vector<Hash>> back = ParseTileHashes(bytes, 17);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, hashes);
}

TEST(TileBytesTest, TileHashesRejectWrongLengthOrWidth) {
  const Bytes bytes = EncodeTileHashes(testing::MakeLeafHashes(17));
  EXPECT_FALSE(ParseTileHashes(bytes, 16).has_value());
  EXPECT_FALSE(ParseTileHashes(bytes, 18).has_value());
  EXPECT_FALSE(ParseTileHashes(ByteSpan(bytes).first(bytes.size() - 1), 17).has_value());
  Bytes longer = bytes;
  longer.push_back(0);
  EXPECT_FALSE(ParseTileHashes(longer, 17).has_value());
  EXPECT_FALSE(ParseTileHashes({}, 0).has_value());
  EXPECT_FALSE(ParseTileHashes(Bytes(257 * 32), 257).has_value());
}

TEST(EntryBundleTest, RoundTripsEmptyLargestAndManyEntries) {
  const std::string largest(kMaxEntrySize, 'z');
  std::vector<std::string> entries = {"", "a", largest, std::string("\0\x01\xff", 3)};
  while (entries.size() < kTileWidth) entries.push_back("entry " + std::to_string(entries.size()));
  const std::vector<std::string_view> views(entries.begin(), entries.end());
  Result<Bytes> bytes = EncodeEntryBundle(views);
  ASSERT_TRUE(bytes.has_value()) << bytes.error();
  Result<std::vector<std::string>> back = ParseEntryBundle(*bytes);
  ASSERT_TRUE(back.has_value()) << back.error();
  EXPECT_EQ(*back, entries);
}

TEST(EntryBundleTest, FramingIsBigEndianLengthThenBytes) {
  const std::vector<std::string_view> entries = {"hi", ""};
  EXPECT_EQ(EncodeEntryBundle(entries).value(), (Bytes{0x00, 0x02, 'h', 'i', 0x00, 0x00}));
}

TEST(EntryBundleTest, EncodeRejectsOversizedEntriesAndBadCounts) {
  const std::string too_big(kMaxEntrySize + 1, 'z');
  const std::vector<std::string_view> oversized = {"ok", too_big};
  EXPECT_EQ(EncodeEntryBundle(oversized).error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(EncodeEntryBundle({}).error().code(), StatusCode::kInvalidArgument);
  const std::vector<std::string_view> too_many(kTileWidth + 1, "x");
  EXPECT_EQ(EncodeEntryBundle(too_many).error().code(), StatusCode::kInvalidArgument);
}

TEST(EntryBundleTest, ParseRejectsTruncationTrailingBytesAndTooManyEntries) {
  const Bytes good = {0x00, 0x02, 'h', 'i', 0x00, 0x01, '!'};
  ASSERT_TRUE(ParseEntryBundle(good).has_value());
  EXPECT_FALSE(ParseEntryBundle({}).has_value()) << "empty bundle";
  for (size_t cut = 1; cut < good.size(); ++cut) {
    if (cut == 4) continue;  // {0,2,'h','i'} is itself a valid one-entry bundle
    EXPECT_FALSE(ParseEntryBundle(ByteSpan(good).first(cut)).has_value()) << "cut at " << cut;
  }
  Bytes trailing = good;
  trailing.push_back(0x00);
  EXPECT_FALSE(ParseEntryBundle(trailing).has_value()) << "one trailing byte";
  const Bytes claims_more = {0x00, 0x05, 'a', 'b'};
  EXPECT_FALSE(ParseEntryBundle(claims_more).has_value());
  Bytes too_many;
  for (uint64_t i = 0; i <= kTileWidth; ++i) too_many.insert(too_many.end(), {0x00, 0x00});
  EXPECT_FALSE(ParseEntryBundle(too_many).has_value());
  EXPECT_TRUE(ParseEntryBundle(ByteSpan(too_many).first(2 * kTileWidth)).has_value());
}

}  // namespace
}  // namespace ltl::proofs
