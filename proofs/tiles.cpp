#include "proofs/tiles.h"

#include <algorithm>
#include <cstring>

namespace ltl::proofs {
namespace {

constexpr std::string_view kTilePrefix = "tile/";
constexpr std::string_view kEntriesLevel = "entries";
constexpr std::string_view kPartialMarker = ".p/";

// "000".."999" (exactly three ASCII digits) as a number, or -1.
int ParseGroup(std::string_view g) {
  if (g.size() != 3) return -1;
  int v = 0;
  for (char c : g) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

void AppendGroup(std::string& out, uint64_t group) {
  out.push_back(static_cast<char>('0' + group / 100));
  out.push_back(static_cast<char>('0' + group / 10 % 10));
  out.push_back(static_cast<char>('0' + group % 10));
}

}  // namespace

std::string EncodeTileIndex(uint64_t n) {
  // Groups from the most significant: 2^64 - 1 has 20 digits, 7 groups.
  uint64_t groups[7];
  int count = 0;
  do {
    groups[count++] = n % 1000;
    n /= 1000;
  } while (n != 0);
  std::string out;
  out.reserve(4 * count);
  for (int i = count - 1; i > 0; --i) {
    out.push_back('x');
    AppendGroup(out, groups[i]);
    out.push_back('/');
  }
  AppendGroup(out, groups[0]);
  return out;
}

Result<uint64_t> ParseTileIndex(std::string_view s) {
  const Status bad =
      Status::InvalidArgument("tile index: not canonical: \"" + std::string(s) + "\"");
  uint64_t value = 0;
  bool first = true;
  while (true) {
    const size_t slash = s.find('/');
    const bool last = slash == std::string_view::npos;
    std::string_view element = s.substr(0, slash);
    if (!last) {
      // All but the last element are "x" + 3 digits.
      if (element.empty() || element.front() != 'x') return bad;
      element.remove_prefix(1);
    }
    const int group = ParseGroup(element);
    if (group < 0) return bad;
    // A leading x000 group would give the same number a second spelling.
    if (first && !last && group == 0) return bad;
    if (value > (UINT64_MAX - static_cast<uint64_t>(group)) / 1000) return bad;  // overflow
    value = value * 1000 + static_cast<uint64_t>(group);
    if (last) return value;
    s.remove_prefix(slash + 1);
    first = false;
  }
}

std::string FormatTilePath(const TilePath& path) {
  std::string out(kTilePrefix);
  if (path.kind == TilePath::Kind::kEntryBundle) {
    out.append(kEntriesLevel);
  } else {
    out.append(FormatDecimalU64(path.level));
  }
  out.push_back('/');
  out.append(EncodeTileIndex(path.index));
  if (path.width < kTileWidth) {
    out.append(kPartialMarker);
    out.append(FormatDecimalU64(path.width));
  }
  return out;
}

Result<TilePath> ParseTilePath(std::string_view path) {
  const Status bad =
      Status::InvalidArgument("tile path: not canonical: \"" + std::string(path) + "\"");
  if (!path.starts_with(kTilePrefix)) return bad;
  path.remove_prefix(kTilePrefix.size());

  TilePath out;
  const size_t slash = path.find('/');
  if (slash == std::string_view::npos) return bad;
  const std::string_view level = path.substr(0, slash);
  if (level == kEntriesLevel) {
    out.kind = TilePath::Kind::kEntryBundle;
  } else {
    // ParseDecimalU64 is canonical: no sign, no leading zeros.
    Result<uint64_t> l = ParseDecimalU64(level);
    if (!l.has_value() || *l > kMaxTileLevel) return bad;
    out.level = static_cast<uint8_t>(*l);
  }
  path.remove_prefix(slash + 1);

  std::string_view index = path;
  const size_t marker = path.find(kPartialMarker);
  if (marker != std::string_view::npos) {
    index = path.substr(0, marker);
    Result<uint64_t> w = ParseDecimalU64(path.substr(marker + kPartialMarker.size()));
    // A full tile has no ".p/" suffix, so 256 is as wrong as 0 here.
    if (!w.has_value() || *w == 0 || *w >= kTileWidth) return bad;
    out.width = static_cast<uint16_t>(*w);
  }
  Result<uint64_t> n = ParseTileIndex(index);
  if (!n.has_value()) return bad;
  out.index = *n;
  return out;
}

uint64_t TileLevelHashCount(uint64_t size, int level) {
  // Levels 8..63 are legal in paths but hold nothing in a uint64 tree; the
  // check also keeps the shift defined.
  if (level < 0 || level >= 8) return 0;
  return size >> (kTileHeight * level);
}

uint64_t FullTileCount(uint64_t size, int level) { return TileLevelHashCount(size, level + 1); }

uint16_t PartialTileWidth(uint64_t size, int level) {
  return static_cast<uint16_t>(TileLevelHashCount(size, level) % kTileWidth);
}

Result<TileId> TileAtTreeSize(int level, uint64_t index, uint64_t size) {
  const uint64_t hashes = TileLevelHashCount(size, level);
  const uint64_t tiles = hashes / kTileWidth + (hashes % kTileWidth != 0 ? 1 : 0);
  if (index >= tiles) {
    return Status::OutOfRange("tile " + FormatDecimalU64(index) + " at level " +
                              FormatDecimalU64(static_cast<uint64_t>(level)) +
                              " does not exist at tree size " + FormatDecimalU64(size));
  }
  const uint64_t width = std::min<uint64_t>(kTileWidth, hashes - index * kTileWidth);
  return TileId{static_cast<uint8_t>(level), index, static_cast<uint16_t>(width)};
}

std::vector<TileId> TilesForTreeSize(uint64_t size, int level) {
  return TilesChangedByGrowth(0, size, level);
}

std::vector<TileId> TilesChangedByGrowth(uint64_t old_size, uint64_t new_size, int level) {
  std::vector<TileId> out;
  const uint64_t old_hashes = TileLevelHashCount(old_size, level);
  const uint64_t new_hashes = TileLevelHashCount(new_size, level);
  if (new_hashes <= old_hashes) return out;
  // From the tile that receives hash old_hashes (old partial, or a new tile)
  // to the tile holding the last hash.
  const uint64_t first = old_hashes / kTileWidth;
  const uint64_t last = (new_hashes - 1) / kTileWidth;
  out.reserve(last - first + 1);
  for (uint64_t i = first;; ++i) {
    const uint64_t width = std::min<uint64_t>(kTileWidth, new_hashes - i * kTileWidth);
    out.push_back(TileId{static_cast<uint8_t>(level), i, static_cast<uint16_t>(width)});
    if (i == last) break;
  }
  return out;
}

NodeInTile LocateNode(NodeId node) {
  const int k = node.level % kTileHeight;
  // The node's first descendant at tree level 8L; no overflow, as the node
  // lies inside a uint64 tree.
  const uint64_t first = node.index << k;
  return NodeInTile{static_cast<uint8_t>(node.level / kTileHeight), first / kTileWidth,
                    static_cast<uint16_t>(first % kTileWidth), static_cast<uint16_t>(1u << k)};
}

Result<TileId> TileForNode(NodeId node, uint64_t size) {
  // Perfect iff (index + 1) << level <= size, written so it cannot overflow.
  if (node.level > 63 || node.index >= (size >> node.level)) {
    return Status::OutOfRange("node " + NodeIdToString(node) +
                              " is not a perfect node of the tree of size " +
                              FormatDecimalU64(size));
  }
  const NodeInTile at = LocateNode(node);
  return TileAtTreeSize(at.tile_level, at.tile_index, size);
}

Result<Hash> HashFromTile(NodeId node, const TileId& tile, std::span<const Hash> tile_hashes) {
  if (node.level > 63) return Status::InvalidArgument("node level above 63");
  const NodeInTile at = LocateNode(node);
  if (tile.level != at.tile_level || tile.index != at.tile_index) {
    return Status::InvalidArgument("tile " + FormatTilePath(tile) + " does not hold node " +
                                   NodeIdToString(node));
  }
  if (tile.width == 0 || tile.width > kTileWidth || tile_hashes.size() != tile.width) {
    return Status::InvalidArgument("tile " + FormatTilePath(tile) + ": got " +
                                   FormatDecimalU64(tile_hashes.size()) + " hashes");
  }
  if (at.first + at.count > tile.width) {
    return Status::OutOfRange("partial tile " + FormatTilePath(tile) + " is too narrow for node " +
                              NodeIdToString(node));
  }
  // Hash the 2^k hashes pairwise, level by level, in place.
  Hash level[kTileWidth / 2];
  std::copy_n(tile_hashes.begin() + at.first, at.count, level);
  for (size_t n = at.count; n > 1; n /= 2) {
    for (size_t i = 0; i < n / 2; ++i) level[i] = HashChildren(level[2 * i], level[2 * i + 1]);
  }
  return level[0];
}

Bytes EncodeTileHashes(std::span<const Hash> hashes) {
  Bytes out(hashes.size() * kHashSize);
  for (size_t i = 0; i < hashes.size(); ++i) {
    std::memcpy(out.data() + i * kHashSize, hashes[i].data(), kHashSize);
  }
  return out;
}

Result<std::vector<Hash>> ParseTileHashes(ByteSpan bytes, uint16_t width) {
  if (width == 0 || width > kTileWidth) {
    return Status::InvalidArgument("tile width " + FormatDecimalU64(width) + " is not 1..256");
  }
  if (bytes.size() != size_t{width} * kHashSize) {
    return Status::InvalidArgument("tile of width " + FormatDecimalU64(width) + " must be " +
                                   FormatDecimalU64(size_t{width} * kHashSize) + " bytes, got " +
                                   FormatDecimalU64(bytes.size()));
  }
  std::vector<Hash> out(width);
  for (size_t i = 0; i < width; ++i) {
    std::memcpy(out[i].data(), bytes.data() + i * kHashSize, kHashSize);
  }
  return out;
}

Result<Bytes> EncodeEntryBundle(std::span<const std::string_view> entries) {
  if (entries.empty() || entries.size() > kTileWidth) {
    return Status::InvalidArgument("entry bundle: " + FormatDecimalU64(entries.size()) +
                                   " entries, want 1..256");
  }
  size_t total = 0;
  for (std::string_view e : entries) {
    if (e.size() > kMaxEntrySize) {
      return Status::InvalidArgument("entry bundle: entry of " + FormatDecimalU64(e.size()) +
                                     " bytes exceeds 65535");
    }
    total += 2 + e.size();
  }
  Bytes out(total);
  uint8_t* p = out.data();
  for (std::string_view e : entries) {
    PutBigEndian16(p, static_cast<uint16_t>(e.size()));
    if (!e.empty()) std::memcpy(p + 2, e.data(), e.size());
    p += 2 + e.size();
  }
  return out;
}

Result<std::vector<std::string>> ParseEntryBundle(ByteSpan bytes) {
  if (bytes.empty()) return Status::InvalidArgument("entry bundle: empty");
  std::vector<std::string> out;
  while (!bytes.empty()) {
    if (out.size() == kTileWidth) {
      return Status::InvalidArgument("entry bundle: more than 256 entries");
    }
    if (bytes.size() < 2) return Status::InvalidArgument("entry bundle: truncated length");
    const size_t length = GetBigEndian16(bytes.data());
    bytes = bytes.subspan(2);
    if (bytes.size() < length) {
      return Status::InvalidArgument("entry bundle: entry " + FormatDecimalU64(out.size()) +
                                     " truncated");
    }
    out.emplace_back(AsChars(bytes.first(length)));
    bytes = bytes.subspan(length);
  }
  return out;
}

}  // namespace ltl::proofs
