// Fixed keys for the fuzz targets: deterministic, so that the signed seeds of
// fuzz/corpus/ (written by fuzz/seeds.cpp) keep verifying. Test keys only.
#ifndef LTL_FUZZ_TARGETS_FUZZ_KEYS_H_
#define LTL_FUZZ_TARGETS_FUZZ_KEYS_H_

#include <string>
#include <string_view>

#include "ledger/keys.h"

namespace ltl::fuzz {

inline constexpr std::string_view kFuzzLogOrigin = "fuzz.ltl.example/log";
inline constexpr std::string_view kFuzzWitnessName = "witness.ltl.example";

inline ledger::SigningKey FuzzKey(std::string_view name, uint8_t fill, ledger::KeyType type) {
  const Bytes seed(ledger::kEd25519SeedSize, fill);
  auto key = ledger::SigningKey::FromSeed(name, seed, type);
  if (!key) __builtin_trap();  // fixed inputs: cannot fail
  return std::move(*key);
}

// The log key (Ed25519, name == origin) and one witness (cosignature/v1).
inline const ledger::SigningKey& FuzzLogKey() {
  static const ledger::SigningKey key = FuzzKey(kFuzzLogOrigin, 0x4c, ledger::KeyType::kEd25519);
  return key;
}
inline const ledger::SigningKey& FuzzWitnessKey() {
  static const ledger::SigningKey key =
      FuzzKey(kFuzzWitnessName, 0x57, ledger::KeyType::kCosignatureV1);
  return key;
}

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

}  // namespace ltl::fuzz

#endif  // LTL_FUZZ_TARGETS_FUZZ_KEYS_H_
