#!/bin/sh
# LTL quick start: installs what is missing from Debian bookworm, builds, and
#   node  runs a log node on the embedded default (LMDB in ./ltl-data) on 127.0.0.1:8080;
#   test  builds the normal and the sanitizer (ASan+UBSan) configuration and runs every
#         test in both through ctest, then builds the libFuzzer targets with clang and
#         runs each for a bounded time.
# Runs as root or through sudo (only when not root). Safe to re-run.
set -eu
cd "$(dirname "$0")/.."

mode="${1:-}"
case "$mode" in
  node|test) ;;
  *) echo "usage: sh scripts/quickstart.sh node|test" >&2; exit 2 ;;
esac

PACKAGES="g++ make cmake pkg-config libsodium-dev liblmdb-dev libboost1.81-dev libcereal-dev \
libgtest-dev libgmock-dev libbenchmark-dev zlib1g-dev libssl-dev"
# The test mode also runs the libFuzzer targets (fuzz/), which need clang.
if [ "$mode" = test ]; then PACKAGES="$PACKAGES clang-14 libclang-rt-14-dev"; fi

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
if [ -n "$missing" ]; then
  echo "quickstart: installing$missing"
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
fi

jobs="$(nproc 2>/dev/null || echo 2)"

build() {  # build <dir> [cmake args...]
  dir="$1"; shift
  cmake -S . -B "$dir" "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
}

if [ "$mode" = node ]; then
  # The binaries a node operator uses; the test mode builds the rest in the
  # same folder and configuration.
  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build -j "$jobs" --target ltl-node ltl ltl-monitor
  data="${LTL_DATA:-ltl-data}"
  listen="${LTL_LISTEN:-127.0.0.1:8080}"
  if [ ! -f "$data/log.key" ]; then
    build/bin/ltl-node init --data "$data" --origin "${LTL_ORIGIN:-ltl.localhost/log}"
  fi
  exec build/bin/ltl-node serve --data "$data" --listen "$listen"
fi

# test: both configurations (and the fuzzers); every ctest run must pass
# (set -e stops at the first failing one), then one closing line counts them.
total=0
run_ctest() {  # run_ctest <build dir> [ctest args...]
  dir="$1"; shift
  (cd "$dir" && ctest --output-on-failure -j "$jobs" "$@")
  n=$(cd "$dir" && ctest -N "$@" | sed -n 's/^Total Tests: *//p')
  total=$((total + ${n:-0}))
}
build build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLTL_BUILD_BENCH=ON
run_ctest build
build build-asan -DCMAKE_BUILD_TYPE=Debug -DLTL_SANITIZE=ON -DLTL_BUILD_BENCH=OFF
run_ctest build-asan
# Fuzzing: a third, clang-only configuration that builds just the fuzz
# targets (and the libraries they reach), then runs each for 10 s
# (docs/threat-model.md; scripts/fuzz.sh runs them long).
CXX=clang++-14 cmake -S . -B build-fuzz -DLTL_FUZZ=ON -DLTL_BUILD_BENCH=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j "$jobs" --target ltl_fuzzers
run_ctest build-fuzz -L fuzz
echo "quickstart: $total passed, 0 failed"
