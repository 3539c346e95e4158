#include <cstdio>
#include <cstdlib>

#include "fuzz/targets.h"

namespace ltl::fuzz {

std::span<const FuzzTarget> AllTargets() {
  static constexpr FuzzTarget kTargets[] = {
      {"signed_note", FuzzSignedNote},   {"entry", FuzzEntry},
      {"checkpoint", FuzzCheckpoint},    {"cosignature", FuzzCosignature},
      {"tile_path", FuzzTilePath},       {"proof", FuzzProof},
      {"receipt_json", FuzzReceiptJson}, {"http_request", FuzzHttpRequest},
  };
  return kTargets;
}

void Violation(std::string_view target, std::string_view what) {
  std::fprintf(stderr, "fuzz target %.*s: property violated: %.*s\n",
               static_cast<int>(target.size()), target.data(), static_cast<int>(what.size()),
               what.data());
  std::abort();
}

}  // namespace ltl::fuzz
