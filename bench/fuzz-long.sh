#!/usr/bin/env bash
# Long fuzzing: runs every libFuzzer target of test/fuzz (or those named) for an
# hour each, N at a time, starting from the committed seeds. New corpus entries go
# to <out>/corpus/<target>/, crashes (and timeouts, leaks, OOMs) to
# <out>/crashes/<target>/; the committed seeds are only read, unless --merge adds
# the new entries that widen coverage to test/fuzz/corpus/<target>/.
#
#   bench/fuzz-long.sh [--seconds N] [--jobs N] [--only "config watch"] [--out DIR] [--merge]
#
# Builds the fuzz flavour (scripts/build.sh fuzz, clang) when build/fuzz has no
# fuzzers. Exit status 1 when any target crashed. See test/fuzz/README.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=$root/build/fuzz
seconds=3600
jobs=$(nproc)
only=""
out=$root/build/fuzz-long
merge=0
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift ;;
    --jobs) jobs=$2; shift ;;
    --only) only=$2; shift ;;
    --out) out=$2; shift ;;
    --merge) merge=1 ;;
    *) echo "usage: bench/fuzz-long.sh [--seconds N] [--jobs N] [--only \"targets\"] [--out DIR] [--merge]" >&2
       exit 2 ;;
  esac
  shift
done

targets=$only
if [ -z "$targets" ]; then
  targets=$(cd "$root/test/fuzz/corpus" && ls -d -- */ | tr -d /)
fi
fuzzer_dir=$build_dir/test/fuzz
if ! ls "$fuzzer_dir"/*_fuzzer >/dev/null 2>&1; then
  "$root/scripts/build.sh" fuzz
fi

# One target: fuzz from the seeds into its own corpus dir, keep what crashed.
run_target() {
  local target=$1
  local fuzzer=$fuzzer_dir/${target}_fuzzer
  [ -x "$fuzzer" ] || { echo "fuzz-long: no fuzzer $fuzzer" >&2; return 1; }
  mkdir -p "$out/corpus/$target" "$out/crashes/$target"
  # -fork: a crash is recorded and fuzzing goes on for the rest of the hour.
  "$fuzzer" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 -timeout=10 \
    -artifact_prefix="$out/crashes/$target/" \
    "$out/corpus/$target" "$root/test/fuzz/corpus/$target" >"$out/$target.log" 2>&1 || true
  echo "$target: $(ls "$out/corpus/$target" | wc -l) corpus entries, $(ls "$out/crashes/$target" | wc -l) crashes"
}

mkdir -p "$out"
echo "fuzz-long: $seconds s per target, $jobs at a time, output in $out"
running=0
for target in $targets; do
  run_target "$target" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait

if [ "$merge" = 1 ]; then
  for target in $targets; do
    # Adds to the committed seeds only the inputs that bring new coverage.
    "$fuzzer_dir/${target}_fuzzer" -merge=1 -rss_limit_mb=2048 \
      "$root/test/fuzz/corpus/$target" "$out/corpus/$target" >>"$out/$target.log" 2>&1
  done
fi
crashes=$(find "$out/crashes" -type f | wc -l)
echo "fuzz-long: $crashes crash files under $out/crashes"
[ "$crashes" -eq 0 ]
