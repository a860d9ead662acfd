#!/usr/bin/env bash
# Configures and builds one flavour of daemonlet into build/<flavour>/.
#   scripts/build.sh release   # RelWithDebInfo, the binary operators run
#   scripts/build.sh asan      # Debug with AddressSanitizer + UndefinedBehaviorSanitizer
#   scripts/build.sh fuzz      # clang + libFuzzer targets
# Targets after the flavour build only those (scripts/run.sh: the agent and the
# shim). DAEMONLET_TESTS=OFF configures without the test suite, so a build of the
# agent alone needs only packaging/install-deps.sh's packages; every other build
# configures the tests back in.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
flavour=${1:-release}
shift || true
targets=("$@")
tests=${DAEMONLET_TESTS:-ON}
jobs=${JOBS:-$(nproc)}
dir="$root/build/$flavour"

case "$flavour" in
  release) cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDAEMONLET_TESTS="$tests" >/dev/null ;;
  asan) cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DDAEMONLET_SANITIZE=ON -DDAEMONLET_TESTS="$tests" >/dev/null ;;
  fuzz) CC=clang CXX=clang++ cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=Debug \
          -DDAEMONLET_FUZZ=ON -DDAEMONLET_TESTS=OFF >/dev/null ;;
  *) echo "build.sh: unknown flavour '$flavour' (release|asan|fuzz)" >&2; exit 2 ;;
esac
if [ "${#targets[@]}" -gt 0 ]; then
  cmake --build "$dir" -j"$jobs" --target "${targets[@]}"
elif [ "$flavour" = fuzz ]; then
  # Only the fuzz targets (test/fuzz): the rest is covered by the other two flavours.
  cmake --build "$dir" -j"$jobs" --target fuzzers
else
  cmake --build "$dir" -j"$jobs"
fi
