#!/usr/bin/env bash
# Endpoint benchmark: change-to-running latency (HTTP poll and Kubernetes watch),
# the cost of an unchanged poll, and one nginx serving many agents' conditional
# polls (wrk). See bench/README.md, "Endpoint". Needs nginx and wrk
# (packaging/install-test-deps.sh). Prints figures; asserts nothing.
#
#   bench/endpoint_bench.sh [--build-dir DIR] [--quick]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-$root/build/release}
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build_dir=$(cd "$2" && pwd); shift ;;
    --quick) extra=(--rounds 5 --wrk-seconds 5 --connections 100) ;;
    *) echo "usage: bench/endpoint_bench.sh [--build-dir DIR] [--quick]" >&2; exit 2 ;;
  esac
  shift
done
test -f "$build_dir/CMakeCache.txt" || cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build_dir" --target daemonlet stamp_daemon endpoint_bench -j"${JOBS:-2}" >/dev/null
# Watch mode needs the Kubernetes API fake from test/support (skipped when absent).
cmake --build "$build_dir" --target fake-kube-apiserver -j"${JOBS:-2}" >/dev/null 2>&1 || true
fake=$(find "$build_dir" -name fake-kube-apiserver -type f -perm -u+x 2>/dev/null | head -n 1)
echo "endpoint benchmark on $(hostname), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
exec "$build_dir/bench/endpoint_bench" --daemonlet "$build_dir/agent/daemonlet" \
  --stamp-daemon "$build_dir/bench/stamp_daemon" ${fake:+--fake-kube-apiserver "$fake"} "${extra[@]}"
