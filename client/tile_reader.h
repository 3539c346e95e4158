// Reading a log through its tiles (C2SP tlog-tiles v0.1.0) and building
// proofs from them, after transparency-dev/tessera's client.ProofBuilder.
//
// The client prefers tiles over the log's proof endpoints: tiles are static
// and cacheable, and a proof built from them depends on nothing but the
// signed root it is checked against. Nothing a TileReader returns is trusted
// by itself; callers verify it against a signed checkpoint (verify.h).
//
//   TileReader       fetches hash tiles and entry bundles at a tree size:
//                    the partial width the size implies (tlog-tiles), falling
//                    back to the first W hashes of the full tile when the
//                    partial one 404s (a log may delete partials once the
//                    full tile exists). Caches hash tiles (immutable).
//   ProofBuilder     inclusion and consistency proofs for one tree size:
//                    proofs::InclusionNodes / ConsistencyNodes name the
//                    perfect nodes, the reader supplies their hashes (nodes
//                    on a tile's internal levels are rebuilt from the tile),
//                    proofs::Rehash folds the ephemeral node.
//   VerifyTreeTiles  full replay for monitors: streams every entry, checks
//                    bundles against level-0 tiles and every higher tile
//                    against the level below, and the whole against the root.
//
// Errors, shared by everything here:
//   Unavailable     the log could not be reached (transport, 5xx);
//   OutOfRange      the caller asked beyond the tree size (no such tile,
//                   index >= size, larger > tree size);
//   NotFound        the log does not serve a tile or bundle it must serve;
//   InvalidArgument the log's answer is malformed (tile not W*32 bytes,
//                   truncated bundle, wrong number of entries) or another
//                   non-200 answer (see HttpAnswerToStatus);
//   DataLoss        the log's data contradicts itself or a signed root:
//                   bundle entries that do not hash to the level-0 tile, a
//                   tile that differs from the level below, a replayed root
//                   that differs from the checkpoint's.
// FailTileRead() turns these into verification outcomes.
//
// Thread-safety: a TileReader is not thread-safe (its cache is unguarded);
// use one per thread. ProofBuilder borrows a reader and shares its rule.
#ifndef LTL_CLIENT_TILE_READER_H_
#define LTL_CLIENT_TILE_READER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "client/fetcher.h"
#include "client/outcome.h"
#include "proofs/hash.h"
#include "proofs/node_id.h"
#include "proofs/proof.h"
#include "proofs/tiles.h"

namespace ltl::client {

struct TileReaderOptions {
  // Hash tiles kept in memory (8 KiB each at most). When full the cache is
  // emptied: proofs touch about two tiles per level, so a simple bound is
  // enough.
  size_t max_cached_tiles = 1024;
};

class TileReader {
 public:
  // REQUIRES: `fetcher` outlives the reader.
  explicit TileReader(Fetcher& fetcher, TileReaderOptions options = {})
      : fetcher_(fetcher), options_(options) {}

  // The hashes of tile `index` at `level` as it is at tree size `size`
  // (width = proofs::TileAtTreeSize). Errors: see the file comment.
  Result<std::vector<proofs::Hash>> ReadTile(uint8_t level, uint64_t index, uint64_t size);

  // The hash of the perfect node `node` of the tree of `size`.
  // Errors: OutOfRange if `node` is not perfect at `size`; else as ReadTile.
  Result<proofs::Hash> ReadNode(proofs::NodeId node, uint64_t size);

  // The entries of bundle `index` at tree size `size`, each checked against
  // the level-0 tile: HashLeaf(entries[i]) == tile hash i, so the entries are
  // as trustworthy as the tile (which a proof then ties to a root).
  // Errors: as ReadTile; DataLoss on a mismatch.
  Result<std::vector<std::string>> ReadEntryBundle(uint64_t index, uint64_t size);

  // Uncached fetch of one tile at an explicit width (with the full-tile
  // fallback for a partial width). Errors: as ReadTile.
  Result<std::vector<proofs::Hash>> FetchTile(const proofs::TileId& tile);
  // Uncached, unchecked fetch of one bundle of `width` entries (with the
  // full-bundle fallback). Errors: as ReadTile.
  Result<std::vector<std::string>> FetchEntryBundle(uint64_t index, uint16_t width);

  // Number of GET requests made so far (for tests and benchmarks).
  uint64_t requests() const { return requests_; }

 private:
  Result<std::string> FetchWithFallback(const proofs::TilePath& path);

  Fetcher& fetcher_;
  TileReaderOptions options_;
  // (level, index) -> the widest copy of that tile seen; a partial tile is a
  // prefix of the full one, so any narrower width is served from it.
  std::map<std::pair<uint8_t, uint64_t>, std::vector<proofs::Hash>> cache_;
  uint64_t requests_ = 0;
};

// Builds proofs for the tree of `tree_size` leaves from tiles.
class ProofBuilder {
 public:
  // REQUIRES: `reader` outlives the builder.
  ProofBuilder(TileReader& reader, uint64_t tree_size) : reader_(reader), tree_size_(tree_size) {}

  uint64_t tree_size() const { return tree_size_; }

  // Inclusion proof of leaf `index` in the tree of tree_size().
  // Errors: OutOfRange if index >= tree_size(); else as TileReader.
  Result<std::vector<proofs::Hash>> InclusionProof(uint64_t index);

  // Consistency proof from `smaller` to `larger` (<= tree_size()); empty when
  // smaller == larger. Errors: InvalidArgument if smaller == 0 or smaller >
  // larger; OutOfRange if larger > tree_size(); else as TileReader.
  Result<std::vector<proofs::Hash>> ConsistencyProof(uint64_t smaller, uint64_t larger);

 private:
  Result<std::vector<proofs::Hash>> FetchAndRehash(const proofs::ProofNodes& nodes);

  TileReader& reader_;
  uint64_t tree_size_;
};

// Called with each entry, in index order, during VerifyTreeTiles. A non-OK
// status stops the replay and is returned as is.
using EntryVisitor = std::function<Status(uint64_t index, std::string_view entry)>;

// Replays the whole tree of `size` leaves: reads every entry bundle and
// level-0 tile (checking entries against leaf hashes), folds the leaf hashes
// into the root, checks every hash tile of level >= 1 against the nodes
// computed from the level below, and finally the root against `root`.
// Entries reach `visit` as they are read, BEFORE the root is checked: treat
// what the visitor learns as provisional until this returns OK.
// Memory is O(levels * 256 hashes); nothing is cached.
// Errors: as TileReader; DataLoss for any mismatch (message names the tile).
Status VerifyTreeTiles(TileReader& reader, uint64_t size, const proofs::Hash& root,
                       const EntryVisitor& visit = {});

// The verification outcome a TileReader/ProofBuilder/VerifyTreeTiles error
// stands for: Unavailable -> kNetwork; OutOfRange -> kUsage; DataLoss ->
// kProofFailure; anything else (NotFound, malformed answers) -> kLogError.
// REQUIRES: !status.ok().
VerifyFailure FailTileRead(Status status);

}  // namespace ltl::client

#endif  // LTL_CLIENT_TILE_READER_H_
