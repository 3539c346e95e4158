#include "client/tile_reader.h"

#include <algorithm>
#include <array>
#include <optional>

#include "proofs/compact_range.h"
#include "proofs/consistency.h"
#include "proofs/inclusion.h"
#include "proofs/proof.h"

namespace ltl::client {
namespace {

using proofs::Hash;
using proofs::kTileHeight;
using proofs::kTileWidth;
using proofs::NodeId;
using proofs::TileId;
using proofs::TilePath;

std::string PathOf(const TilePath& path) { return "/" + proofs::FormatTilePath(path); }

}  // namespace

Result<std::string> TileReader::FetchWithFallback(const TilePath& path) {
  ++requests_;
  const std::string url = PathOf(path);
  LTL_ASSIGN_OR_RETURN(HttpResponse response, fetcher_.Get(url));
  if (response.status == 200) return std::move(response.body);
  if (response.status != 404 || path.width == kTileWidth) {
    return HttpAnswerToStatus(response, "GET " + url);
  }
  // tlog-tiles: once the full tile exists a log may delete the partial ones;
  // the partial tile is the full tile's prefix.
  TilePath full = path;
  full.width = kTileWidth;
  ++requests_;
  const std::string full_url = PathOf(full);
  LTL_ASSIGN_OR_RETURN(HttpResponse full_response, fetcher_.Get(full_url));
  if (full_response.status != 200) {
    return HttpAnswerToStatus(full_response, "GET " + url + " (404) and " + full_url);
  }
  return std::move(full_response.body);
}

Result<std::vector<Hash>> TileReader::FetchTile(const TileId& tile) {
  LTL_ASSIGN_OR_RETURN(std::string body, FetchWithFallback(TilePath::ForTile(tile)));
  // A full tile answering for a partial one: keep its first `width` hashes.
  const size_t want = size_t{tile.width} * proofs::kHashSize;
  if (tile.partial() && body.size() == kTileWidth * proofs::kHashSize) body.resize(want);
  auto hashes = proofs::ParseTileHashes(AsBytes(body), tile.width);
  if (!hashes.has_value()) {
    return Status::InvalidArgument(PathOf(TilePath::ForTile(tile)) + ": " +
                                   hashes.error().message());
  }
  return hashes;
}

Result<std::vector<Hash>> TileReader::ReadTile(uint8_t level, uint64_t index, uint64_t size) {
  LTL_ASSIGN_OR_RETURN(TileId tile, proofs::TileAtTreeSize(level, index, size));
  if (auto it = cache_.find({level, index});
      it != cache_.end() && it->second.size() >= tile.width) {
    return std::vector<Hash>(it->second.begin(), it->second.begin() + tile.width);
  }
  LTL_ASSIGN_OR_RETURN(std::vector<Hash> hashes, FetchTile(tile));
  if (cache_.size() >= options_.max_cached_tiles) cache_.clear();
  if (options_.max_cached_tiles > 0) cache_[{level, index}] = hashes;
  return hashes;
}

Result<Hash> TileReader::ReadNode(NodeId node, uint64_t size) {
  LTL_ASSIGN_OR_RETURN(TileId tile, proofs::TileForNode(node, size));
  LTL_ASSIGN_OR_RETURN(std::vector<Hash> hashes, ReadTile(tile.level, tile.index, size));
  return proofs::HashFromTile(node, tile, hashes);
}

Result<std::vector<std::string>> TileReader::FetchEntryBundle(uint64_t index, uint16_t width) {
  const TilePath path = TilePath::ForEntryBundle(index, width);
  LTL_ASSIGN_OR_RETURN(std::string body, FetchWithFallback(path));
  auto entries = proofs::ParseEntryBundle(AsBytes(body));
  if (!entries.has_value()) {
    return Status::InvalidArgument(PathOf(path) + ": " + entries.error().message());
  }
  // A full bundle answering for a partial one: keep its first `width` entries.
  if (width < kTileWidth && entries->size() == kTileWidth) entries->resize(width);
  if (entries->size() != width) {
    return Status::InvalidArgument(PathOf(path) + ": holds " + std::to_string(entries->size()) +
                                   " entries, expected " + std::to_string(width));
  }
  return entries;
}

Result<std::vector<std::string>> TileReader::ReadEntryBundle(uint64_t index, uint64_t size) {
  LTL_ASSIGN_OR_RETURN(TileId tile, proofs::TileAtTreeSize(0, index, size));
  LTL_ASSIGN_OR_RETURN(std::vector<Hash> leaf_hashes, ReadTile(0, index, size));
  LTL_ASSIGN_OR_RETURN(std::vector<std::string> entries, FetchEntryBundle(index, tile.width));
  for (size_t i = 0; i < entries.size(); ++i) {
    if (proofs::HashLeaf(entries[i]) != leaf_hashes[i]) {
      return Status::DataLoss(PathOf(TilePath::ForEntryBundle(index, tile.width)) + ": entry " +
                              std::to_string(index * kTileWidth + i) +
                              " does not hash to the level-0 tile's leaf hash");
    }
  }
  return entries;
}

Result<std::vector<Hash>> ProofBuilder::FetchAndRehash(const proofs::ProofNodes& nodes) {
  std::vector<Hash> fetched;
  fetched.reserve(nodes.ids.size());
  for (const NodeId& id : nodes.ids) {
    LTL_ASSIGN_OR_RETURN(Hash h, reader_.ReadNode(id, tree_size_));
    fetched.push_back(h);
  }
  return proofs::Rehash(fetched, nodes);
}

Result<std::vector<Hash>> ProofBuilder::InclusionProof(uint64_t index) {
  LTL_ASSIGN_OR_RETURN(proofs::ProofNodes nodes, proofs::InclusionNodes(index, tree_size_));
  return FetchAndRehash(nodes);
}

Result<std::vector<Hash>> ProofBuilder::ConsistencyProof(uint64_t smaller, uint64_t larger) {
  if (larger > tree_size_) {
    return Status::OutOfRange("consistency proof to size " + std::to_string(larger) +
                              " beyond the builder's tree size " + std::to_string(tree_size_));
  }
  LTL_ASSIGN_OR_RETURN(proofs::ProofNodes nodes, proofs::ConsistencyNodes(smaller, larger));
  return FetchAndRehash(nodes);
}

namespace {

// Collects, per tile level >= 1, the node hashes the replay computes, and
// compares each tile with the log's copy once all its hashes are known.
class UpperTileChecker {
 public:
  UpperTileChecker(TileReader& reader, uint64_t size) : reader_(reader), size_(size) {}

  // A node the compact range completed. Only nodes on tile levels matter.
  Status Add(NodeId node, const Hash& hash) {
    if (node.level == 0 || node.level % kTileHeight != 0) return Status::Ok();
    const int level = node.level / kTileHeight;
    Pending& pending = pending_[level];
    pending.hashes.push_back(hash);
    if (pending.hashes.size() == kTileWidth) {
      LTL_RETURN_IF_ERROR(Compare(
          TileId{static_cast<uint8_t>(level), pending.index, static_cast<uint16_t>(kTileWidth)},
          pending.hashes));
      pending.hashes.clear();
      ++pending.index;
    }
    return Status::Ok();
  }

  // The partial tiles left at the end.
  Status Finish() {
    for (int level = 1; level <= proofs::kMaxTileLevel; ++level) {
      const uint16_t width = proofs::PartialTileWidth(size_, level);
      if (width == 0) continue;
      const Pending& pending = pending_[level];
      if (pending.hashes.size() != width) {
        return Status::Internal("replay: partial tile width mismatch at level " +
                                std::to_string(level));
      }
      LTL_RETURN_IF_ERROR(
          Compare(TileId{static_cast<uint8_t>(level), pending.index, width}, pending.hashes));
    }
    return Status::Ok();
  }

 private:
  struct Pending {
    uint64_t index = 0;
    std::vector<Hash> hashes;
  };

  Status Compare(const TileId& tile, const std::vector<Hash>& computed) {
    LTL_ASSIGN_OR_RETURN(std::vector<Hash> served, reader_.FetchTile(tile));
    for (size_t i = 0; i < computed.size(); ++i) {
      if (served[i] != computed[i]) {
        return Status::DataLoss("/" + proofs::FormatTilePath(tile) + ": hash " + std::to_string(i) +
                                " differs from the tiles below it");
      }
    }
    return Status::Ok();
  }

  TileReader& reader_;
  uint64_t size_;
  std::array<Pending, proofs::kMaxTileLevel + 1> pending_;
};

}  // namespace

Status VerifyTreeTiles(TileReader& reader, uint64_t size, const Hash& root,
                       const EntryVisitor& visit) {
  proofs::CompactRange range;
  UpperTileChecker upper(reader, size);
  Status upper_status;
  const proofs::CompactRange::Visitor on_node = [&](NodeId node, const Hash& hash) {
    if (upper_status.ok()) upper_status = upper.Add(node, hash);
  };
  const uint64_t bundles = proofs::TileLevelHashCount(size, 0) / kTileWidth +
                           (proofs::PartialTileWidth(size, 0) != 0 ? 1 : 0);
  for (uint64_t b = 0; b < bundles; ++b) {
    LTL_ASSIGN_OR_RETURN(TileId tile, proofs::TileAtTreeSize(0, b, size));
    LTL_ASSIGN_OR_RETURN(std::vector<Hash> leaf_hashes, reader.FetchTile(tile));
    LTL_ASSIGN_OR_RETURN(std::vector<std::string> entries, reader.FetchEntryBundle(b, tile.width));
    for (size_t i = 0; i < entries.size(); ++i) {
      const uint64_t index = b * kTileWidth + i;
      if (proofs::HashLeaf(entries[i]) != leaf_hashes[i]) {
        return Status::DataLoss("entry " + std::to_string(index) +
                                " does not hash to its level-0 tile's leaf hash");
      }
      range.Append(leaf_hashes[i], on_node);
      LTL_RETURN_IF_ERROR(upper_status);
      if (visit) LTL_RETURN_IF_ERROR(visit(index, entries[i]));
    }
  }
  LTL_RETURN_IF_ERROR(upper.Finish());
  LTL_ASSIGN_OR_RETURN(Hash computed, range.GetRootHash());
  if (computed != root) {
    return Status::DataLoss("replayed root " + proofs::HashToHex(computed) +
                            " differs from the checkpoint's root " + proofs::HashToHex(root));
  }
  return Status::Ok();
}

VerifyFailure FailTileRead(Status status) {
  switch (status.code()) {
    case StatusCode::kUnavailable:
      return Fail(VerifyOutcome::kNetwork, std::move(status));
    case StatusCode::kOutOfRange:
      return Fail(VerifyOutcome::kUsage, std::move(status));
    case StatusCode::kDataLoss:
      return Fail(VerifyOutcome::kProofFailure, std::move(status));
    default:
      return Fail(VerifyOutcome::kLogError, std::move(status));
  }
}

}  // namespace ltl::client
