#include "ledger/store/tile_cache.h"

#include "proofs/tiles.h"

namespace ltl::store {

namespace detail {

using proofs::Hash;

namespace {

constexpr int kTopHeight = proofs::kTileHeight;  // a full tile's root: its parent node

}  // namespace

TileSummary TileSummary::Build(std::span<const Hash> hashes,
                               std::vector<std::vector<Hash>>* all_levels) {
  std::vector<std::vector<Hash>> levels;
  levels.reserve(kTopHeight + 1);
  levels.emplace_back(hashes.begin(), hashes.end());
  for (int h = 1; h <= kTopHeight; ++h) {
    const std::vector<Hash>& below = levels.back();
    std::vector<Hash> level(below.size() / 2);
    for (size_t i = 0; i < level.size(); ++i) {
      level[i] = proofs::HashChildren(below[2 * i], below[2 * i + 1]);
    }
    levels.push_back(std::move(level));
  }
  TileSummary summary;
  summary.width_ = static_cast<uint16_t>(hashes.size());
  for (int h = kSummaryHeight; h <= kTopHeight; ++h) {
    summary.nodes_.insert(summary.nodes_.end(), levels[h].begin(), levels[h].end());
  }
  if (all_levels != nullptr) *all_levels = std::move(levels);
  return summary;
}

std::optional<Hash> TileSummary::Node(int height, uint64_t index) const {
  if (height < kSummaryHeight || height > kTopHeight) return std::nullopt;
  size_t offset = 0;
  for (int h = kSummaryHeight; h < height; ++h) offset += width_ >> h;
  if (index >= static_cast<uint64_t>(width_ >> height)) return std::nullopt;
  return nodes_[offset + index];
}

}  // namespace detail

std::shared_ptr<const detail::TileSummary> TileCache::Summary(uint8_t level, uint64_t index,
                                                              uint16_t min_width) {
  auto summary = summaries_.Get(level, index);
  if (summary == nullptr || summary->width() < min_width) return nullptr;
  return summary;
}

void TileCache::PutSummary(uint8_t level, uint64_t index,
                           std::shared_ptr<const detail::TileSummary> summary) {
  // Two readers can race to build the same tile at different tree sizes;
  // keep the wider (both are correct prefixes).
  if (auto held = summaries_.Get(level, index); held && held->width() >= summary->width()) return;
  summaries_.Put(level, index, std::move(summary));
}

std::shared_ptr<const Bytes> TileCache::FullTile(uint8_t level, uint64_t index) {
  return full_tiles_.Get(level, index);
}

void TileCache::PutFullTile(uint8_t level, uint64_t index, std::shared_ptr<const Bytes> body) {
  full_tiles_.Put(level, index, std::move(body));
}

}  // namespace ltl::store
