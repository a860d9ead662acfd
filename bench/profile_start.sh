#!/usr/bin/env bash
# Where a cold start goes, in figures that do not depend on the machine's load:
# the agent started as bench/run.sh starts it (state on /var/tmp, N manifests in
# place), under `strace -c -f` (syscall counts of the agent and its shim host)
# or `valgrind --tool=callgrind` (instructions of the agent alone), stopped with
# SIGTERM once all N daemons stamped. See bench/README.md, "Profiling a cold start".
#
#   bench/profile_start.sh [--build-dir DIR] [--base /var/tmp] N strace|trace|perftrace|callgrind|time
#
# callgrind leaves callgrind.out.<pid> in the current directory
# (`callgrind_annotate --inclusive=yes FILE | head -60`).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/daemonlet_setup.sh"
build_dir=${BUILD_DIR:-$root/build/release}
base=/var/tmp
while [ $# -gt 2 ]; do
  case "$1" in
    --build-dir) build_dir=$(cd "$2" && pwd); shift 2 ;;
    --base) base=$2; shift 2 ;;
    *) break ;;
  esac
done
[ $# -eq 2 ] || { echo "usage: bench/profile_start.sh [--build-dir DIR] [--base DIR] N strace|trace|perftrace|callgrind|time" >&2; exit 2; }
n=$1 mode=$2
tool=$build_dir/bench/supervisor_bench
stamp=$build_dir/bench/stamp_daemon
dir=$(mktemp -d "$base/daemonlet-profile.XXXXXX")
cleanup() {
  local pid=0
  [ -s "$dir/pid" ] && pid=$(cat "$dir/pid")
  timeout 30 "$tool" cleanup --root "$pid" --stamps "$dir/stamps" --daemon-exe "$stamp" --scope "$dir" >/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
mkdir "$dir/stamps"
write_daemonlet_setup "$dir" "$n" "$stamp" "$build_dir/agent/daemonlet"
find "$dir" -exec touch -h -d '-1 minute' {} +
case "$mode" in
  strace) wrap=(/usr/bin/strace -f -c -o "$dir/strace.txt") ;;
  # Every call with its time, kept as ./strace.n<N> (what waits for what).
  trace) wrap=(/usr/bin/strace -f -ttt -T -o "$PWD/strace.n$n") ;;
  # The same with far less overhead per call (tracepoints, not ptrace): where the
  # wall time waits, kept as ./perftrace.n<N>.
  perftrace) wrap=(/usr/bin/perf trace -f -T -o "$PWD/perftrace.n$n" --) ;;
  callgrind) wrap=(/usr/bin/valgrind --tool=callgrind --trace-children=no "--callgrind-out-file=$PWD/callgrind.out.n$n") ;;
  time) wrap=() ;;
  *) echo "unknown mode $mode" >&2; exit 2 ;;
esac
timeout 300 "$tool" start --stamps "$dir/stamps" --count "$n" --timeout-s 240 --pidfile "$dir/pid" \
  --log "$dir/agent.log" -- "${wrap[@]}" "${daemonlet_argv[@]}"
cp "$dir/agent.log" "$PWD/agent.n$n.log" 2>/dev/null || true
# Files the start left behind (what it wrote).
echo "files under state/run/logs: $(find "$dir/state" "$dir/run" "$dir/logs" -type f | wc -l)"
# SIGTERM to the wrapper's child (the agent) lets strace/valgrind write their report.
pid=$(cat "$dir/pid")
agent=$pid
if [ "$mode" = strace ] || [ "$mode" = trace ] || [ "$mode" = perftrace ]; then agent=$(pgrep -P "$pid" -f "$dir/config.yaml" | head -n1); fi
kill -TERM "$agent" 2>/dev/null || true
for _ in $(seq 1 600); do kill -0 "$agent" 2>/dev/null || break; sleep 0.1; done
# strace ends when its last tracee does: the shim host and the daemons go too.
if [ "$mode" = strace ] || [ "$mode" = trace ] || [ "$mode" = perftrace ]; then
  for victim in $(pgrep -f "$dir" || true); do [ "$victim" = "$pid" ] || kill -KILL "$victim" 2>/dev/null || true; done
fi
for _ in $(seq 1 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if [ "$mode" = strace ]; then cat "$dir/strace.txt"; fi
