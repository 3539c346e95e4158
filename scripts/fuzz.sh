#!/bin/sh
# Runs the libFuzzer targets of fuzz/ long (docs/threat-model.md, "Hostile
# input"); CI runs each for 10 s only.
#
#   sh scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# SECONDS_PER_TARGET defaults to 600; TARGET names (signed_note entry
# checkpoint cosignature tile_path proof receipt_json http_request) default to
# all, run one after the other. Builds them with clang (Debian: clang-14,
# libclang-rt-14-dev) in build-fuzz/. New corpus inputs collect in
# build-fuzz/fuzz-work/<target>/; a crash is written to
# build-fuzz/crashes/<target>-crash-<sha1> and stops the script (exit 1).
# To keep a crash as a regression test: fix it, then copy the file to
# fuzz/regressions/<target>/ (tests/robustness replays that folder in every
# test build).
set -eu
cd "$(dirname "$0")/.."
seconds="${1:-600}"
[ $# -gt 0 ] && shift
targets="${*:-signed_note entry checkpoint cosignature tile_path proof receipt_json http_request}"
jobs="$(nproc 2>/dev/null || echo 2)"
CXX="${CXX:-clang++-14}" cmake -S . -B build-fuzz -DLTL_FUZZ=ON -DLTL_BUILD_BENCH=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j "$jobs" --target ltl_fuzzers
mkdir -p build-fuzz/crashes
for t in $targets; do
  work="build-fuzz/fuzz-work/$t"
  mkdir -p "$work"
  inputs="fuzz/corpus/$t"
  [ -d "fuzz/regressions/$t" ] && inputs="$inputs fuzz/regressions/$t"
  echo "fuzz: $t for $seconds s"
  # shellcheck disable=SC2086
  "build-fuzz/bin/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="build-fuzz/crashes/$t-" "$work" $inputs
done
echo "fuzz: no crash in $targets ($seconds s each)"
