#!/usr/bin/env bash
# CRI benchmark: daemonlet's CRI runtime against the same containers run by the
# least a CRI client must do (bench/cri_floor.cpp), by containerd's own client
# (`ctr run`) and by Debian's podman (`podman run --restart=always`), all in one
# run against one private containerd (bench/cri_containerd.sh). See
# bench/README.md, "CRI benchmark", for what each figure is.
#
#   bench/cri_bench.sh [--quick] [--build-dir DIR] [--only "floor ctr podman daemonlet"]
#                      [--daemonlet PATH] [--load-at-start]
#
# --load-at-start: the agent runs with cri.loadAtStart: true (its CRI module
# loaded in the background at start, not at the first CRI pod).
# --daemonlet: the agent binary to measure (daemonlet-cri.so beside it), instead of
# building DIR/agent/daemonlet.
#
# Needs root (containerd, podman). Installs podman with apt-get when it is missing,
# as bench/run.sh installs the supervisors. Never touches a system containerd:
# everything runs under one temp dir in /var/tmp and is removed at exit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

quick=0
build_dir=${BUILD_DIR:-$root/build/release}
only=""
daemonlet=""
load_at_start=false
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --build-dir) build_dir=$(cd "$2" && pwd); shift ;;
    --only) only=$2; shift ;;
    --daemonlet) daemonlet=$(realpath "$2"); shift ;;
    --load-at-start) load_at_start=true ;;
    *) echo "usage: bench/cri_bench.sh [--quick] [--build-dir DIR] [--only \"CLIENT ...\"] [--daemonlet PATH] [--load-at-start]" >&2; exit 2 ;;
  esac
  shift
done
if [ "$(id -u)" -ne 0 ]; then echo "cri_bench: run it as root (containerd, podman)" >&2; exit 1; fi

pods=20
if [ "$quick" = 1 ]; then reps=1; kills=5; new_pods=3; else reps=3; kills=20; new_pods=5; fi
clients=(${only:-floor ctr podman daemonlet})

stamp=$build_dir/bench/stamp_daemon
tool=$build_dir/bench/supervisor_bench
floor=$build_dir/bench/cri_floor
test -f "$build_dir/CMakeCache.txt" || cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build_dir" --target stamp_daemon supervisor_bench cri_floor -j"${JOBS:-2}" >/dev/null
# The agent and its CRI module; without them the daemonlet column stays empty.
if [ -z "$daemonlet" ] && [[ " ${clients[*]} " == *" daemonlet "* ]]; then
  daemonlet=$build_dir/agent/daemonlet
  cmake --build "$build_dir" --target daemonlet daemonlet-cri -j"${JOBS:-2}" >/dev/null 2>&1 ||
    echo "cri_bench: could not build daemonlet with its CRI module" >&2
fi

if [[ " ${clients[*]} " == *" podman "* ]] && ! command -v podman >/dev/null; then
  echo "cri_bench: installing podman" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends podman >/dev/null 2>&1 ||
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends podman >/dev/null; } ||
    echo "cri_bench: could not install podman; its column stays empty" >&2
fi

# --- the private containerd and the image -------------------------------------
cri_dir=$(mktemp -d /var/tmp/daemonlet-cri-bench.XXXXXX)
source "$root/bench/cri_containerd.sh"
podman_dir=$cri_dir/podman
# runc, as containerd uses: podman prefers crun once it is installed (the test
# dependencies install it), and crun 1.8 refuses these hybrid-cgroup machines.
podman_cmd=(podman --root "$podman_dir/root" --runroot "$podman_dir/run" --tmpdir "$podman_dir/tmp"
  --cgroup-manager cgroupfs --events-backend file --runtime runc)

current_client="" current_dir=""  # the run in progress, for the exit trap
teardown_current() {
  [ -n "$current_dir" ] || return 0
  local pid=0 i
  if [ -s "$current_dir/pid" ]; then pid=$(cat "$current_dir/pid"); fi
  case "$current_client" in
    floor)  # removes its own pods on SIGTERM
      kill -TERM "$pid" 2>/dev/null || true
      for ((i = 0; i < 600 && pid > 0; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done ;;
    podman)
      "${podman_cmd[@]}" rm -f -a -t 0 >/dev/null 2>&1 || true ;;
  esac
  timeout 30 "$tool" cleanup --root "$pid" --stamps "$current_dir/stamps" --daemon-exe /stamp_daemon \
    --scope "$current_dir" >/dev/null || echo "cri_bench: cleanup of $current_dir incomplete" >&2
  case "$current_client" in
    daemonlet)  # a stopped agent leaves its containers running, by design
      "$floor" cleanup --endpoint "$(cri_endpoint)" >/dev/null || true ;;
    ctr)
      local id
      for id in $(cri_ctr ctr-bench containers ls -q 2>/dev/null); do
        cri_ctr ctr-bench tasks rm -f "$id" >/dev/null 2>&1 || true
        cri_ctr ctr-bench containers rm "$id" >/dev/null 2>&1 || true
      done ;;
  esac
  rm -rf "$current_dir"
  current_dir=""
}
on_exit() {
  teardown_current
  # Pods first, through their clients: a sandbox's pause process outlives a killed shim.
  if [ -d "$podman_dir" ]; then "${podman_cmd[@]}" rm -f -a -t 0 >/dev/null 2>&1 || true; fi
  if [ -n "$cri_containerd_pid" ]; then timeout 60 "$floor" cleanup --endpoint "$(cri_endpoint)" >/dev/null 2>&1 || true; fi
  cri_stop_containerd
  rm -rf "$cri_dir"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

started=$(date +%s)
echo "CRI benchmark on $(hostname), $(nproc) CPUs, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg);" \
  "containerd $(containerd --version | awk '{print $3}'), runc $(runc --version | awk 'NR==1 {print $3}')" >&2
cri_start_containerd
cri_build_image "$stamp" "$cri_dir/image.tar"
cri_ctr k8s.io images import "$cri_dir/image.tar" >/dev/null
cri_ctr ctr-bench images import "$cri_dir/image.tar" >/dev/null
if command -v podman >/dev/null; then "${podman_cmd[@]}" load -i "$cri_dir/image.tar" >/dev/null 2>&1; fi

# --- one client, n containers ---------------------------------------------------
daemonlet_manifest() { # name dir -> a DaemonSet whose container stamps into dir/stamps/name
  cat <<EOF
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: $1, namespace: bench}
spec:
  selector: {matchLabels: {app: $1}}
  template:
    metadata: {labels: {app: $1}}
    spec:
      hostNetwork: true
      hostPID: true
      terminationGracePeriodSeconds: 1
      containers:
      - name: stamp
        image: $cri_image
        imagePullPolicy: Never
        command: [/stamp_daemon, $2/stamps/$1]
        volumeMounts: [{name: stamps, mountPath: $2/stamps}]
      volumes: [{name: stamps, hostPath: {path: $2/stamps, type: Directory}}]
EOF
}

# Sets `launch_argv` for `n` containers of `client` under dir.
setup_client() {
  local client=$1 dir=$2 n=$3 i
  mkdir -p "$dir/stamps" "$dir/logs"
  case "$client" in
    floor) launch_argv=("$floor" run --endpoint "$(cri_endpoint)" --image "$cri_image" --stamps "$dir/stamps"
      --logs "$dir/logs" --pods "$n" --cgroup-parent "$cri_cgroup/floor") ;;
    ctr | podman) launch_argv=("$root/bench/cri_launch.sh" "$client" "$(cri_socket)" "$cri_image" "$dir/stamps" "$n"
      "$cri_cgroup/$client")
      if [ "$client" = podman ]; then launch_argv[2]=$podman_dir; fi ;;
    daemonlet)
      mkdir -p "$dir/manifests"
      printf 'apiVersion: daemonlet.io/v1alpha1\nkind: AgentConfiguration\nrestartBackoff:\n  initial: 0s\n  max: 0s\n  resetAfter: 10m\n  multiplier: 1\ncri:\n  loadAtStart: %s\n' \
        "$load_at_start" >"$dir/config.yaml"
      for ((i = 0; i < n; i++)); do daemonlet_manifest "$(printf d%03d "$i")" "$dir" >"$dir/manifests/$(printf d%03d "$i").yaml"; done
      launch_argv=("$daemonlet" run --config "$dir/config.yaml" --node-name n1 --manifest-dir "$dir/manifests"
        --state-dir "$dir/state" --log-dir "$dir/logs" --run-dir "$dir/run" --listen 127.0.0.1:0 --cgroup-root="$cri_cgroup/daemonlet"
        --cri-endpoint "$(cri_endpoint)") ;;
  esac
}

# A DaemonSet added to the running agent: the manifest renamed into its directory;
# prints ms from just before the rename to the new container's own stamp.
daemonlet_add_daemonset() {
  local dir=$1 name=$2
  daemonlet_manifest "$name" "$dir" >"$dir/$name.yaml"
  python3 - "$dir" "$name" <<'EOF'
import os, sys, time
d, name = sys.argv[1:3]
now = lambda: time.clock_gettime_ns(time.CLOCK_MONOTONIC)
t0 = now()
os.rename(f"{d}/{name}.yaml", f"{d}/manifests/{name}.yaml")
while now() - t0 < 60e9:
    try:
        words = open(f"{d}/stamps/{name}").readline().split()
        if len(words) == 2:
            print(f"{(int(words[1]) - t0) / 1e6:.1f}")
            sys.exit(0)
    except FileNotFoundError:
        pass
    time.sleep(0.005)
print("timeout")
sys.exit(1)
EOF
}

# PSS of one process alone, MiB.
pss_of() { awk '/^Pss:/ {printf "%.2f", $2 / 1024}' "/proc/$1/smaps_rollup" 2>/dev/null || echo -; }
# The asking process alone, where there is one that stays: the agent, cri_floor.
# (ctr runs one client process per container, podman none once started: their
# cost is in the +monitors rows.)
client_pss() {
  case "$1" in floor | daemonlet) result["$1|$2|client_pss"]=$(pss_of "$(cat "$current_dir/pid")") ;; esac
}

declare -A result
record() { local word; for word in $3; do result["$1|$2|${word%%=*}"]=${word#*=}; done; }
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

# Starts `client` with n containers and leaves it running; the tool's line goes to
# $current_dir/start.out (not printed: the globals set here must survive).
launch() {
  local client=$1 n=$2
  current_client=$client
  current_dir=$(mktemp -d "$cri_dir/$client.XXXXXX")
  setup_client "$client" "$current_dir" "$n"
  timeout 150 "$tool" start --stamps "$current_dir/stamps" --count "$n" --timeout-s 120 \
    --pidfile "$current_dir/pid" --log "$current_dir/client.log" -- "${launch_argv[@]}" >"$current_dir/start.out"
}

run_client() {
  local client=$1 rep out colds=() news=() i
  # One container: first start (spawn -> stamp), repeated; restarts on the last.
  for ((rep = 1; rep <= reps; rep++)); do
    launch "$client" 1 || {
      echo "  $client: start failed: $(cat "$current_dir/start.out"); log: $(tail -n 3 "$current_dir/client.log" | tr '\n' ' ')" >&2
      teardown_current
      return 1
    }
    colds+=("$(sed -E 's/.*coldstart_s=([0-9.]+).*/\1/' "$current_dir/start.out")")
    [ "$rep" -lt "$reps" ] && teardown_current
  done
  result["$client|1|first_ms"]=$(awk -v s="$(median "${colds[@]}")" 'BEGIN {printf "%.1f", s * 1000}')
  echo "  $client: first start ${colds[*]} s" >&2
  sleep 1
  client_pss "$client" 1
  record "$client" 1 "$(timeout 60 "$tool" usage --root "$(cat "$current_dir/pid")" --stamps "$current_dir/stamps" \
    --daemon-exe /stamp_daemon --seconds 2)"
  if [ "$client" = daemonlet ]; then
    for ((i = 1; i <= new_pods; i++)); do news+=("$(daemonlet_add_daemonset "$current_dir" "$(printf n%03d "$i")")"); done
    result["daemonlet|1|new_ds_ms"]=$(median "${news[@]}")
    echo "  daemonlet: new DaemonSet -> running ${news[*]} ms" >&2
  fi
  out=$(timeout 600 "$tool" restart --stamps "$current_dir/stamps" --daemon-exe /stamp_daemon --kills "$kills" \
    --gap-ms 300 --timeout-ms 10000) || true
  record "$client" 1 "$out"
  echo "  $client: $out" >&2
  teardown_current
  # n containers at once: cold start, then memory.
  launch "$client" "$pods" || {
    echo "  $client n=$pods: start failed: $(cat "$current_dir/start.out")" >&2
    teardown_current
    return 1
  }
  out=$(cat "$current_dir/start.out")
  record "$client" "$pods" "$out"
  echo "  $client n=$pods: $out" >&2
  sleep 2
  client_pss "$client" "$pods"
  record "$client" "$pods" "$(timeout 60 "$tool" usage --root "$(cat "$current_dir/pid")" \
    --stamps "$current_dir/stamps" --daemon-exe /stamp_daemon --seconds 2)"
  teardown_current
}

ran=()
for client in "${clients[@]}"; do
  case "$client" in
    podman) command -v podman >/dev/null || { echo "skip podman (not installed)" >&2; continue; } ;;
    daemonlet) [ -x "$daemonlet" ] || { echo "skip daemonlet (not built)" >&2; continue; } ;;
  esac
  echo "== $client" >&2
  ran+=("$client")
  run_client "$client" || true
done
record machine 0 "$("$tool" forkexec --times 200)"

# --- report -------------------------------------------------------------------
get() { echo "${result["$1|$2|$3"]:--}"; }
per_pod_kib() { awk -v a="$(get "$1" "$pods" "$2")" -v b="$(get "$1" 1 "$2")" -v n="$pods" \
  'BEGIN { if (a == "-" || b == "-") print "-"; else printf "%.0f", (a - b) * 1024 / (n - 1) }'; }
for client in "${ran[@]}"; do
  result["$client|0|client_per_pod"]=$(per_pod_kib "$client" client_pss)
  result["$client|0|total_per_pod"]=$(per_pod_kib "$client" pss_mib)
done
rows=(
  "first start ms (n=1)|1|first_ms"
  "new DaemonSet -> running ms|1|new_ds_ms"
  "restart median ms|1|restart_median_ms"
  "restart p95 ms|1|restart_p95_ms"
  "restarts failed|1|failed"
  "cold start s (n=$pods)|$pods|coldstart_s"
  "client PSS MiB (n=1)|1|client_pss"
  "client PSS MiB (n=$pods)|$pods|client_pss"
  "client PSS KiB per pod|0|client_per_pod"
  "+monitors PSS MiB (n=$pods)|$pods|pss_mib"
  "+monitors PSS KiB per pod|0|total_per_pod"
  "processes counted (n=$pods)|$pods|procs"
)
echo
printf '%-30s' metric; for client in "${ran[@]}"; do printf '%12s' "$client"; done; echo
for row in "${rows[@]}"; do
  IFS='|' read -r label n key <<<"$row"
  printf '%-30s' "$label"
  for client in "${ran[@]}"; do printf '%12s' "$(get "$client" "$n" "$key")"; done
  echo
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'; }
echo
echo "ratios (daemonlet / reference; targets: first start and restart <= 1.20 x floor, < 1 x podman):"
for row in "first start|1|first_ms" "new DaemonSet vs floor's first start|1|new_ds_ms" \
  "restart median|1|restart_median_ms" "cold start n=$pods|$pods|coldstart_s"; do
  IFS='|' read -r label n key <<<"$row"
  floor_key=$key; [ "$key" = new_ds_ms ] && floor_key=first_ms
  echo "  $label: $(ratio "$(get daemonlet "$n" "$key")" "$(get floor "$n" "$floor_key")") x floor," \
    "$(ratio "$(get daemonlet "$n" "$key")" "$(get podman "$n" "$floor_key")") x podman"
done
echo "machine's fork+exec floor (fork, exec /bin/true, wait; 200 times): median $(get machine 0 forkexec_median_ms) ms," \
  "p95 $(get machine 0 forkexec_p95_ms) ms"
echo "(client = cri_floor or the agent alone; +monitors = the client's process tree (ctr: the loops and one" \
  "ctr per container; podman: a sleeping parent) and each container's parent: containerd-shim-runc-v2, or conmon)"
echo "total time: $(($(date +%s) - started)) s"
