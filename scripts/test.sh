#!/usr/bin/env bash
# The README's test command: installs what the tests need, builds the release,
# sanitizer (ASan+UBSan) and fuzz flavours, and runs the whole suite on each.
# Ends with one summary line: "total: N passed, M failed".
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash packaging/install-test-deps.sh || exit 1

passed=0
failed=0
status=0
# Runs ctest in one build dir and adds its counts to the totals.
run_suite() {
  local flavour=$1
  local log="build/$flavour/ctest.log"
  echo "=== tests: $flavour ==="
  ctest --test-dir "build/$flavour" --output-on-failure --timeout 600 -j"${JOBS:-2}" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local line
  line=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -n1)
  if [ -z "$line" ]; then
    echo "test.sh: no ctest summary for $flavour" >&2
    status=1
    return
  fi
  local nfail ntotal
  nfail=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$line")
  ntotal=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/' <<<"$line")
  passed=$((passed + ntotal - nfail))
  failed=$((failed + nfail))
  [ "$rc" -eq 0 ] || status=1
}

for flavour in release asan fuzz; do
  if ! scripts/build.sh "$flavour"; then
    echo "test.sh: build of $flavour failed" >&2
    status=1
    failed=$((failed + 1))
    continue
  fi
done

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for flavour in release asan fuzz; do
  [ -d "build/$flavour" ] && run_suite "$flavour"
done

echo "total: $passed passed, $failed failed"
exit $status
