// tile_path: tlog-tiles resource paths and entry bundles.
// Properties:
//   - ParseTilePath accepts only FormatTilePath's output: a parsed path
//     formats back to exactly the input (no second spelling of a tile);
//   - the same for ParseTileIndex / EncodeTileIndex;
//   - a parsed entry bundle encodes back to exactly the input bytes.
#include <vector>

#include "fuzz/targets.h"
#include "fuzz/targets/fuzz_keys.h"
#include "proofs/tiles.h"

namespace ltl::fuzz {

int FuzzTilePath(const uint8_t* data, size_t size) {
  constexpr std::string_view kName = "tile_path";
  const std::string_view input = AsText(data, size);
  if (Result<proofs::TilePath> path = proofs::ParseTilePath(input)) {
    if (path->width < 1 || path->width > proofs::kTileWidth ||
        path->level > proofs::kMaxTileLevel) {
      Violation(kName, "parsed a tile outside the spec's bounds");
    }
    if (proofs::FormatTilePath(*path) != input) Violation(kName, "FormatTilePath(parse(x)) != x");
  }
  if (Result<uint64_t> index = proofs::ParseTileIndex(input)) {
    if (proofs::EncodeTileIndex(*index) != input) {
      Violation(kName, "EncodeTileIndex(parse(x)) != x");
    }
  }
  if (Result<std::vector<std::string>> entries = proofs::ParseEntryBundle(AsBytes(input))) {
    std::vector<std::string_view> views(entries->begin(), entries->end());
    Result<Bytes> again = proofs::EncodeEntryBundle(views);
    if (!again || std::string_view(AsChars(*again)) != input) {
      Violation(kName, "EncodeEntryBundle(parse(x)) != x");
    }
  }
  return 0;
}

}  // namespace ltl::fuzz
