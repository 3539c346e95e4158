// Tiles: the Merkle tree cut into static resources, as C2SP tlog-tiles
// (v0.1.0; c2sp.org/tlog-tiles) serves it, with tiles of height 8.
//
// Geometry. A tile at tile level L holds up to 256 consecutive hashes of tree
// level 8L: tile N at level L holds the nodes [8L, N*256 + i], i = 0..255.
// Level-0 tiles hold leaf hashes; each hash in a level-1 tile is the root of a
// full level-0 tile, and so on. The 7 tree levels between two tile levels are
// not stored: a node at tree level 8L + k (0 <= k < 8) is rebuilt from the
// 2^k hashes under it in one level-L tile (HashFromTile):
/*
   tree level 8   . . . . . . . . . [8 0] . . . . . . . .   = tile/1/000, position 0
                                  /       \
   levels 1..7     (not stored; rebuilt by hashing tile hashes)
                /                                   \
   tree level 0 [0 0] [0 1] ...................... [0 255]    = tile/0/000 (full)
*/
// At tree size s, tile level L has floor(s / 256^L) hashes: floor(s /
// 256^(L+1)) full tiles then, if floor(s / 256^L) mod 256 != 0, one partial
// tile of that width. E.g. s = 70,000: level 0 has 273 full tiles and a
// partial of width 112; level 1 one full tile and a partial of width 17;
// level 2 a partial of width 1. A partial tile holds the first W hashes of the
// full tile it will become, so one stored full tile answers for every
// partial width.
//
// Paths (no leading slash; the HTTP layer prepends its prefix):
//   tile/<L>/<N>[.p/<W>]      hash tile, L in 0..63, W in 1..255
//   tile/entries/<N>[.p/<W>]  entry bundle: the entries of level-0 tile N
// <N> is written in 3-digit groups, all but the last prefixed with 'x':
// 1234067 -> "x001/x234/067", 5 -> "005". Every value has exactly one
// spelling; ParseTilePath accepts only that one (no leading zeros in L or W,
// no leading x000 groups, no ".p/256", no trailing slash).
//
// Entry bundles: each entry as a big-endian uint16 length followed by its
// bytes, concatenated; 1..256 entries of at most 65,535 bytes each.
//
// Thread-safety: all functions are pure.
#ifndef LTL_PROOFS_TILES_H_
#define LTL_PROOFS_TILES_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/encoding.h"
#include "base/result.h"
#include "proofs/hash.h"
#include "proofs/node_id.h"

namespace ltl::proofs {

inline constexpr int kTileHeight = 8;
inline constexpr uint64_t kTileWidth = uint64_t{1} << kTileHeight;  // 256 hashes
inline constexpr int kMaxTileLevel = 63;                            // the spec's bound on <L>
inline constexpr size_t kMaxEntrySize = 65535;                      // uint16 length prefix

// One hash tile: level L, index N, and width W (1..256; 256 = full).
struct TileId {
  uint8_t level = 0;
  uint64_t index = 0;
  uint16_t width = kTileWidth;

  bool partial() const { return width < kTileWidth; }
  friend bool operator==(const TileId&, const TileId&) = default;
};

// A parsed resource path: a hash tile or an entry bundle.
struct TilePath {
  enum class Kind : uint8_t { kHashTile, kEntryBundle };
  Kind kind = Kind::kHashTile;
  uint8_t level = 0;  // always 0 for entry bundles
  uint64_t index = 0;
  uint16_t width = kTileWidth;  // 1..256; 256 = full

  static TilePath ForTile(const TileId& tile) {
    return TilePath{Kind::kHashTile, tile.level, tile.index, tile.width};
  }
  static TilePath ForEntryBundle(uint64_t index, uint16_t width = kTileWidth) {
    return TilePath{Kind::kEntryBundle, 0, index, width};
  }
  // REQUIRES: kind == kHashTile.
  TileId tile() const { return TileId{level, index, width}; }
  friend bool operator==(const TilePath&, const TilePath&) = default;
};

// --- Paths -----------------------------------------------------------------

// <N> in 3-digit groups: 0 -> "000", 1000 -> "x001/000".
std::string EncodeTileIndex(uint64_t n);
// The inverse; accepts only EncodeTileIndex's output. Errors: InvalidArgument.
Result<uint64_t> ParseTileIndex(std::string_view s);

// "tile/<L>/<N>[.p/<W>]" or "tile/entries/<N>[.p/<W>]".
// REQUIRES: level <= 63 and 1 <= width <= 256.
std::string FormatTilePath(const TilePath& path);
inline std::string FormatTilePath(const TileId& tile) {
  return FormatTilePath(TilePath::ForTile(tile));
}

// Strict inverse of FormatTilePath. Errors: InvalidArgument for anything
// FormatTilePath would not produce.
Result<TilePath> ParseTilePath(std::string_view path);

// --- Geometry at a tree size ----------------------------------------------

// floor(size / 256^level): the number of hashes at tile level `level`.
// REQUIRES: 0 <= level <= 63 (here and below).
uint64_t TileLevelHashCount(uint64_t size, int level);
// floor(size / 256^(level+1)): full tiles at `level`.
uint64_t FullTileCount(uint64_t size, int level);
// floor(size / 256^level) mod 256: the width of the partial tile at `level`,
// 0 when there is none.
uint16_t PartialTileWidth(uint64_t size, int level);

// Tile `index` at `level` as it exists at tree size `size` (with its width
// then). Errors: OutOfRange if that tile has no hash yet at this size.
Result<TileId> TileAtTreeSize(int level, uint64_t index, uint64_t size);

// Every tile at `level` at tree size `size`: the full ones, then the partial
// one if any. Size is FullTileCount + 1: meant for tests, tools and small
// trees, not for walking a large log.
std::vector<TileId> TilesForTreeSize(uint64_t size, int level);

// The tiles at `level` whose content differs between tree sizes `old_size`
// and `new_size` (with their widths at new_size): what a log must write, or a
// mirror fetch, when the tree grows. Empty when nothing changed at `level`.
// REQUIRES: old_size <= new_size.
std::vector<TileId> TilesChangedByGrowth(uint64_t old_size, uint64_t new_size, int level);

// --- Nodes inside tiles ----------------------------------------------------

// Where the hashes that make up a node are: tile level `tile_level`, tile
// `tile_index`, positions [first, first + count). count = 2^(node.level % 8);
// count == 1 means the node is stored in the tile as is.
struct NodeInTile {
  uint8_t tile_level = 0;
  uint64_t tile_index = 0;
  uint16_t first = 0;
  uint16_t count = 1;

  friend bool operator==(const NodeInTile&, const NodeInTile&) = default;
};
// REQUIRES: node.level <= 63 and node.index < 2^(64 - node.level).
NodeInTile LocateNode(NodeId node);

// The tile, with its width at tree size `size`, from which the perfect node
// `node` can be read or rebuilt. Errors: OutOfRange if `node` is not a
// perfect node of the tree of `size` (its leaves are not all present).
Result<TileId> TileForNode(NodeId node, uint64_t size);

// The hash of `node` from the hashes of `tile` (tile_hashes.size() ==
// tile.width): the hash at its position, or the root over its 2^k hashes.
// Errors: InvalidArgument if `tile` is not the tile that holds `node`, or
// tile_hashes.size() != tile.width; OutOfRange if `tile` is a partial tile
// too narrow to hold all of the node's hashes.
Result<Hash> HashFromTile(NodeId node, const TileId& tile, std::span<const Hash> tile_hashes);

// --- Tile and bundle bytes -------------------------------------------------

// The hashes concatenated (a tile's body). REQUIRES: 1..256 hashes.
Bytes EncodeTileHashes(std::span<const Hash> hashes);
// Exactly width * 32 bytes into `width` hashes. Errors: InvalidArgument if
// width is not 1..256 or the byte count is not width * 32.
Result<std::vector<Hash>> ParseTileHashes(ByteSpan bytes, uint16_t width);

// Errors: InvalidArgument if there are 0 or more than 256 entries, or an
// entry is longer than kMaxEntrySize bytes.
Result<Bytes> EncodeEntryBundle(std::span<const std::string_view> entries);
// Errors: InvalidArgument if the bytes are empty, a length prefix or entry is
// truncated, or there are more than 256 entries.
Result<std::vector<std::string>> ParseEntryBundle(ByteSpan bytes);

}  // namespace ltl::proofs

#endif  // LTL_PROOFS_TILES_H_
