// The reader's memory of tiles it has already checked.
//
// Only tile levels are stored (every 8th tree level, per tlog-tiles), so a
// proof node at tree level 8L + k is rebuilt from the 2^k hashes under it in
// its level-L tile, and every full tile served is checked against its parent
// node: without memory, a proof or a tile costs up to 255 SHA-256 compressions
// per tile level it touches (docs/performance.md). Two facts make a cache
// safe: a tile's first w hashes never change once the tree has them (the log
// only appends), and the cache only ever holds values that were checked
// against the tree when they were read.
//
// Two bounded tables evicting (approximately) the least recently used, one
// lock each (LruTable below):
//   - summaries: per tile (level, index), the nodes at heights
//     kSummaryHeight..8 over the first `width` hashes (at most 63 hashes,
//     ~2 KiB). A proof node at height >= kSummaryHeight is a lookup; the ones
//     below are rebuilt from one aligned group of 2^kSummaryHeight = 8 stored
//     hashes (4 SHA-256 per tile level). So proofs cost O(1) hashing per tile
//     level whatever the log's size, while a 10M-entry log's 39,216 tiles
//     take ~84 MiB.
//   - full tiles: the 8 KiB body of recently served full tiles, so that a
//     hot tile is served from memory without a read transaction or a check.
//
// Thread-safety: all methods are thread-safe. Returned pointers are immutable
// snapshots and stay valid after eviction.
#ifndef LTL_LEDGER_STORE_TILE_CACHE_H_
#define LTL_LEDGER_STORE_TILE_CACHE_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/encoding.h"
#include "proofs/hash.h"

namespace ltl::store {

struct TileCacheLimits {
  // Tile summaries kept (~2.1 KiB each with bookkeeping). The default covers
  // the level-0 tiles of a 12M-entry log (~100 MiB at most).
  size_t summaries = 49152;
  // Full tile bodies kept (8 KiB each; 32 MiB at most by default).
  size_t full_tiles = 4096;
};

namespace detail {

// Nodes below this height are rebuilt from stored hashes when asked for.
inline constexpr int kSummaryHeight = 3;

// The nodes at heights kSummaryHeight..8 of one tile's first `width` hashes:
// at height h, the floor(width / 2^h) complete nodes.
class TileSummary {
 public:
  // All levels of the tile over `hashes` (1..256 of them; 255 hashes at most
  // are computed). `all_levels`, if given, receives every height 0..8
  // (levels[h] has floor(width / 2^h) nodes) for the caller's checks.
  static TileSummary Build(std::span<const proofs::Hash> hashes,
                           std::vector<std::vector<proofs::Hash>>* all_levels = nullptr);

  uint16_t width() const { return width_; }
  // The node at `height` (kSummaryHeight..8) and position `index` within the
  // tile, or nullopt when it is not complete within width().
  std::optional<proofs::Hash> Node(int height, uint64_t index) const;

 private:
  uint16_t width_ = 0;
  // Heights kSummaryHeight..8, level by level.
  std::vector<proofs::Hash> nodes_;
};

// A bounded map from (tile level, tile index) to an immutable value, evicting
// by CLOCK (second chance), an approximation of least-recently-used: a hit
// only sets the entry's reference bit, so hits take the lock shared and never
// wait for each other. Every proof looks up the same few upper-level tiles;
// with an exact LRU list each hit was a write under one exclusive lock, and
// the HTTP threads queued on it (futex waits and wake-ups, docs/performance.md).
// An insert takes the lock exclusively; when full, the hand sweeps from where
// it stopped, clearing reference bits, and evicts the first entry whose bit
// was already clear: one not used since the hand last passed it. New entries
// start with the bit clear, so a burst of one-time tiles cannot push out the
// entries that are used again.
template <typename V>
class LruTable {
 public:
  explicit LruTable(size_t capacity) : capacity_(capacity) {}

  std::shared_ptr<const V> Get(uint8_t level, uint64_t index) {
    std::shared_lock lock(mu_);
    auto it = map_.find(Key{level, index});
    if (it == map_.end()) return nullptr;
    Slot& slot = slots_[it->second];
    slot.referenced.store(true, std::memory_order_relaxed);
    return slot.value;
  }

  void Put(uint8_t level, uint64_t index, std::shared_ptr<const V> value) {
    if (capacity_ == 0) return;
    std::unique_lock lock(mu_);
    const Key key{level, index};
    if (auto it = map_.find(key); it != map_.end()) {
      Slot& slot = slots_[it->second];
      slot.value = std::move(value);
      slot.referenced.store(true, std::memory_order_relaxed);
      return;
    }
    if (slots_.size() < capacity_) {
      map_.emplace(key, slots_.size());
      slots_.emplace_back(key, std::move(value));
      return;
    }
    for (;;) {
      Slot& slot = slots_[hand_];
      const size_t at = hand_;
      hand_ = (hand_ + 1) % slots_.size();
      if (slot.referenced.exchange(false, std::memory_order_relaxed)) continue;
      map_.erase(slot.key);
      map_.emplace(key, at);
      slot.key = key;
      slot.value = std::move(value);
      return;
    }
  }

  size_t size() const {
    std::shared_lock lock(mu_);
    return map_.size();
  }

 private:
  struct Key {
    uint8_t level;
    uint64_t index;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const { return std::hash<uint64_t>()(k.index * 64 + k.level); }
  };
  struct Slot {
    Slot(Key k, std::shared_ptr<const V> v) : key(k), value(std::move(v)) {}
    Key key;
    std::shared_ptr<const V> value;
    std::atomic<bool> referenced{false};  // set by hits under the shared lock
  };

  const size_t capacity_;
  mutable std::shared_mutex mu_;
  // A deque grows without moving its elements (Slot holds an atomic) and
  // without reserving the full capacity up front.
  std::deque<Slot> slots_;
  std::unordered_map<Key, size_t, KeyHash> map_;  // key -> position in slots_
  size_t hand_ = 0;
};

}  // namespace detail

class TileCache {
 public:
  explicit TileCache(TileCacheLimits limits = {})
      : summaries_(limits.summaries), full_tiles_(limits.full_tiles) {}

  // A checked summary of tile (level, index) covering at least `min_width`
  // hashes, or nullptr.
  std::shared_ptr<const detail::TileSummary> Summary(uint8_t level, uint64_t index,
                                                     uint16_t min_width);
  // REQUIRES: `summary` was built from hashes checked against the tree.
  // A narrower summary never replaces a wider one.
  void PutSummary(uint8_t level, uint64_t index,
                  std::shared_ptr<const detail::TileSummary> summary);

  // The checked 8 KiB body of full tile (level, index), or nullptr.
  std::shared_ptr<const Bytes> FullTile(uint8_t level, uint64_t index);
  // REQUIRES: `body` is a full tile checked against its parent node.
  void PutFullTile(uint8_t level, uint64_t index, std::shared_ptr<const Bytes> body);

  size_t summary_count() const { return summaries_.size(); }
  size_t full_tile_count() const { return full_tiles_.size(); }

 private:
  detail::LruTable<detail::TileSummary> summaries_;
  detail::LruTable<Bytes> full_tiles_;
};

}  // namespace ltl::store

#endif  // LTL_LEDGER_STORE_TILE_CACHE_H_
