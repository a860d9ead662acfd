#!/usr/bin/env bash
# Counts the agent's threads (/proc/PID/task) after it settles: at idle with the
# bundled examples, and following the fake Kubernetes API server (DaemonSets and
# its Node) while sending upward reports to it. bench/README.md "Threads".
#   bench/count_threads.sh BUILD_DIR
set -euo pipefail
build=$(cd "${1:?build dir}" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
pids=()
stopShims() {  # the daemons outlive the agent by design; end them and their shim
  local shim child
  for shim in $(pgrep -f -- "--listen $work/" || true); do
    for child in $(ps -o pid= --ppid "$shim"); do kill "$child" 2>/dev/null || true; done
    kill "$shim" 2>/dev/null || true
  done
}
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  stopShims
  rm -rf "$work"
}
trap cleanup EXIT

count() {  # settled count: the same for three readings a second apart
  local pid=$1 last=-1 now
  for _ in $(seq 30); do
    sleep 1
    now=$(ls /proc/"$pid"/task | wc -l)
    if [ "$now" = "$last" ]; then sleep 1; [ "$(ls /proc/"$pid"/task | wc -l)" = "$now" ] && { echo "$now"; return; }; fi
    last=$now
  done
  echo "$now"
}

agent() {  # name, extra args...; sets $pid
  local name=$1; shift
  mkdir -p "$work/$name"
  "$build/agent/daemonlet" run --manifest-dir "$root/examples/host" --state-dir "$work/$name/state" \
    --log-dir "$work/$name/logs" --run-dir "$work/$name/run" --listen 127.0.0.1:0 \
    "$@" >"$work/$name/agent.log" 2>&1 &
  pid=$!
  pids+=("$pid")
}

agent idle
echo "idle: $(count "$pid") threads"
kill -TERM "$pid"; wait "$pid" || true
stopShims

"$build/test/support/fake_kube_apiserver/fake-kube-apiserver" --port-file "$work/port" >"$work/fake.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
url="http://127.0.0.1:$(cat "$work/port")"
printf 'apiVersion: daemonlet.io/v1alpha1\nkind: AgentConfiguration\nendpoint:\n  kubernetes:\n    followNode: true\n' >"$work/config.yaml"
agent kube --config "$work/config.yaml" --endpoint "$url" --endpoint-mode kubernetes \
  --report-url "$url/reports/{node}"
echo "kube endpoint + node + reports: $(count "$pid") threads"
grep -c "upward report not accepted" "$work/kube/agent.log" >/dev/null || { echo "no report was tried:"; cat "$work/kube/agent.log"; }
kill -TERM "$pid"; wait "$pid" || true
