#!/bin/sh
# Crash torture of the real ltl-node, the long version of the CI test
# (docs/threat-model.md, "No acknowledged entry is lost, no fork is signed"):
# kill -9 the node at random moments under concurrent HTTP load, KILLS times
# (default 100), restarting it each time and checking every acknowledged
# receipt and every checkpoint handed out against the tree that survived,
# with fsck after every kill.
#
#   sh scripts/torture.sh [KILLS] [SEED]
#
# Builds the RelWithDebInfo configuration in build/ (robustness_tests, ltl,
# ltl-node) if needed. Exit code 0 when every round passed; the last line
# printed is the summary ("[ torture ] N kills, ...").
set -eu
cd "$(dirname "$0")/.."
kills="${1:-100}"
jobs="$(nproc 2>/dev/null || echo 2)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$jobs" --target robustness_tests
export LTL_TORTURE_KILLS="$kills"
export LTL_TORTURE_SECONDS="${LTL_TORTURE_SECONDS:-3600}"
if [ -n "${2:-}" ]; then export LTL_TORTURE_SEED="$2"; fi
start=$(date +%s)
build/tests/robustness_tests \
  --gtest_filter='NodeCrashTorture.*' --gtest_brief=0 --gtest_color=no
echo "torture: $kills kills passed in $(( $(date +%s) - start )) s"
