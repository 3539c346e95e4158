// The fuzz targets: one function per parser or verifier that meets hostile
// bytes. Each takes arbitrary input, must never crash, hang, leak or trip a
// sanitizer, and checks the properties named in its file (canonical round
// trips, verification agreeing with a reference). A broken property calls
// Violation(), which aborts so that libFuzzer keeps the input.
//
// The same functions run in two harnesses:
//   - fuzz/fuzzer_main.cpp: one libFuzzer binary per target (clang only,
//     -DLTL_FUZZ=ON; scripts/fuzz.sh runs them long);
//   - tests/robustness/fuzz_replay_test.cpp: every file of
//     fuzz/corpus/<name>/ and fuzz/regressions/<name>/ replayed in the normal
//     and the sanitizer test builds, so a crash once found stays fixed.
// Thread-safety: each target may be called from one thread at a time.
#ifndef LTL_FUZZ_TARGETS_H_
#define LTL_FUZZ_TARGETS_H_

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <span>
#include <string_view>

namespace ltl::fuzz {

using FuzzFn = int (*)(const uint8_t* data, size_t size);

struct FuzzTarget {
  std::string_view name;  // also the folder name under fuzz/corpus/ and fuzz/regressions/
  FuzzFn run;
};
// For test names and messages (GoogleTest finds it by argument-dependent lookup).
inline void PrintTo(const FuzzTarget& target, std::ostream* os) { *os << target.name; }

// Every target, in a fixed order.
std::span<const FuzzTarget> AllTargets();

// Reports a broken property on stderr and aborts.
[[noreturn]] void Violation(std::string_view target, std::string_view what);

int FuzzSignedNote(const uint8_t* data, size_t size);   // ledger/note.h
int FuzzEntry(const uint8_t* data, size_t size);        // ledger/entry.h
int FuzzCheckpoint(const uint8_t* data, size_t size);   // ledger/checkpoint.h
int FuzzCosignature(const uint8_t* data, size_t size);  // ledger/cosignature.h, keys
int FuzzTilePath(const uint8_t* data, size_t size);     // proofs/tiles.h paths, bundles
int FuzzProof(const uint8_t* data, size_t size);        // proofs/ verification
int FuzzReceiptJson(const uint8_t* data, size_t size);  // client/receipt.h
int FuzzHttpRequest(const uint8_t* data, size_t size);  // node::HandleRequest

}  // namespace ltl::fuzz

#endif  // LTL_FUZZ_TARGETS_H_
