#!/usr/bin/env bash
# Configures and builds one flavour of daemonlet into build/<flavour>/.
#   scripts/build.sh release   # RelWithDebInfo, the binary operators run
#   scripts/build.sh asan      # Debug with AddressSanitizer + UndefinedBehaviorSanitizer
#   scripts/build.sh fuzz      # clang + libFuzzer targets
# Targets after the flavour build only those (scripts/run.sh: the agent and the
# shim). DAEMONLET_TESTS=OFF configures without the test suite, so a build of the
# agent alone needs only packaging/install-deps.sh's packages; every other build
# configures the tests back in. Release and asan precompile the heavy third-party
# headers (cmake/precompiled_headers.cmake); DAEMONLET_PCH=OFF builds without.
# They are also unity builds (several .cpp files of a target compiled as one
# translation unit, so the same templates are not instantiated again per file:
# the four reconciler test files under asan took 61 s of CPU apart, 23 s as one) with
# minimal debug info (-g1: function names and line tables, what stack traces and
# sanitizer reports need); DAEMONLET_UNITY=OFF builds file by file. Everyday
# builds (cmake without this script) stay file by file, so a missing #include
# or a clash of two files' local names still shows there first.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
flavour=${1:-release}
shift || true
targets=("$@")
tests=${DAEMONLET_TESTS:-ON}
pch=${DAEMONLET_PCH:-ON}
unity=${DAEMONLET_UNITY:-ON}
jobs=${JOBS:-$(nproc)}
dir="$root/build/$flavour"

case "$flavour" in
  release) cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDAEMONLET_TESTS="$tests" \
             -DDAEMONLET_PCH="$pch" -DCMAKE_UNITY_BUILD="$unity" \
             "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" \
             >/dev/null ;;
  asan) cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DDAEMONLET_SANITIZE=ON -DDAEMONLET_TESTS="$tests" \
        -DDAEMONLET_PCH="$pch" -DCMAKE_UNITY_BUILD="$unity" -DCMAKE_CXX_FLAGS_DEBUG=-g1 -DCMAKE_C_FLAGS_DEBUG=-g1 \
        >/dev/null ;;
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
