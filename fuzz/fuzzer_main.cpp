// One libFuzzer binary per target: LTL_FUZZ_TARGET names the function
// (fuzz/CMakeLists.txt sets it per executable).
#include "fuzz/targets.h"
#include "ledger/keys.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // libsodium once, before any input (signature checks need it).
  if (!ltl::ledger::InitCrypto().ok()) return 1;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return ltl::fuzz::LTL_FUZZ_TARGET(data, size);
}
