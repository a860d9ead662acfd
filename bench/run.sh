#!/usr/bin/env bash
# Supervisor benchmark: daemonlet against the classic supervisors from Debian
# (daemontools, runit, s6, supervisord), each running N copies of
# bench/stamp_daemon on this machine. See bench/README.md for what each figure is.
#
#   bench/run.sh [--quick] [--build-dir DIR] [--only "daemonlet runit ..."] [--keep-going]
#
# --quick: fewer daemons and repetitions (about 2 minutes instead of about 8).
# Needs root for apt-get when a supervisor package is missing, and to read other
# processes' smaps_rollup. Every supervisor it starts, with all its daemons, is
# killed before the next one starts (and on exit or Ctrl-C); temp dirs are removed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/daemonlet_setup.sh
. "$root/bench/daemonlet_setup.sh"

quick=0
build_dir=${BUILD_DIR:-$root/build/release}
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --build-dir) build_dir=$(cd "$2" && pwd); shift ;;
    --only) only=$2; shift ;;
    *) echo "usage: bench/run.sh [--quick] [--build-dir DIR] [--only \"SUPERVISOR ...\"]" >&2; exit 2 ;;
  esac
  shift
done

if [ "$quick" = 1 ]; then
  sizes=(1 20 50); restart_size=20; kills=20; reps=1; idle_s=3; settle_s=2
else
  sizes=(1 50 200); restart_size=50; kills=50; reps=3; idle_s=10; settle_s=3
fi
all_supervisors=(daemonlet daemonlet-tmpfs daemontools runit s6 supervisord)
supervisors=(${only:-${all_supervisors[@]}})

daemonlet=$build_dir/agent/daemonlet
stamp=$build_dir/bench/stamp_daemon
tool=$build_dir/bench/supervisor_bench
# daemonlet-shim too: the agent runs the static shim beside it when there is
# one, as the packages install it, and its own binary as the shim otherwise.
if [ ! -x "$daemonlet" ] || [ ! -x "$daemonlet-shim" ] || [ ! -x "$stamp" ] || [ ! -x "$tool" ]; then
  echo "run.sh: building daemonlet, daemonlet-shim, stamp_daemon and supervisor_bench in $build_dir" >&2
  test -f "$build_dir/CMakeCache.txt" || cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build_dir" --target daemonlet daemonlet-shim stamp_daemon supervisor_bench -j"${JOBS:-2}" >/dev/null
fi

# --- supervisor packages ----------------------------------------------------
declare -A package_of=([daemontools]=daemontools [runit]=runit [s6]=s6 [supervisord]=supervisor)
declare -A binary_of=([daemontools]=svscan [runit]=runsvdir [s6]=s6-svscan [supervisord]=supervisord)
missing=()
for sup in "${supervisors[@]}"; do
  pkg=${package_of[$sup]:-}
  if [ -n "$pkg" ] && ! command -v "${binary_of[$sup]}" >/dev/null; then missing+=("$pkg"); fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "run.sh: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
      { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } ||
      echo "run.sh: could not install ${missing[*]}; those supervisors are skipped" >&2
  else
    echo "run.sh: not root, cannot install ${missing[*]}; those supervisors are skipped" >&2
  fi
fi

# --- one supervisor, one size -----------------------------------------------
current_dir=""   # the run in progress, for the exit trap
cleanup_current() {
  [ -n "$current_dir" ] || return 0
  local pid=0
  if [ -s "$current_dir/pid" ]; then pid=$(cat "$current_dir/pid"); fi
  timeout 30 "$tool" cleanup --root "$pid" --stamps "$current_dir/stamps" --daemon-exe "$stamp" \
    --scope "$current_dir" >/dev/null || echo "run.sh: cleanup of $current_dir incomplete" >&2
  rm -rf "$current_dir"
  current_dir=""
}
trap cleanup_current EXIT
trap 'exit 130' INT TERM

# Service directories whose `run` is the stamp daemon itself (no shell).
make_service_dirs() {
  local dir=$1 n=$2 i
  mkdir -p "$dir/service"
  for ((i = 0; i < n; i++)); do
    mkdir "$dir/service/$(printf d%03d "$i")"
    ln -s "$stamp" "$dir/service/$(printf d%03d "$i")/run"
  done
}

# Sets the global array `sup_argv` to the supervisor's argv, after writing its
# configuration for n daemons under dir.
setup_supervisor() {
  local sup=$1 dir=$2 n=$3 i name
  case "$sup" in
    daemontools) make_service_dirs "$dir" "$n"; sup_argv=(/usr/bin/svscan "$dir/service") ;;
    runit) make_service_dirs "$dir" "$n"; sup_argv=(/usr/bin/runsvdir "$dir/service") ;;
    s6) make_service_dirs "$dir" "$n"; sup_argv=(/usr/bin/s6-svscan "$dir/service") ;;
    supervisord)
      {
        printf '[supervisord]\nnodaemon=true\nuser=root\nlogfile=%s/supervisord.log\npidfile=%s/supervisord.pid\nchildlogdir=%s\n' \
          "$dir" "$dir" "$dir"
        for ((i = 0; i < n; i++)); do
          name=$(printf d%03d "$i")
          printf '[program:%s]\ncommand=%s %s/stamps/%s\nautorestart=true\nstartsecs=0\nstartretries=1000000\n' \
            "$name" "$stamp" "$dir" "$name"
          printf 'stdout_logfile=NONE\nstderr_logfile=NONE\n'
        done
      } >"$dir/supervisord.conf"
      sup_argv=(/usr/bin/supervisord -n -c "$dir/supervisord.conf") ;;
    daemonlet | daemonlet-tmpfs)
      write_daemonlet_setup "$dir" "$n" "$stamp" "$daemonlet"
      sup_argv=("${daemonlet_argv[@]}") ;;
    *) echo "run.sh: unknown supervisor $sup" >&2; return 1 ;;
  esac
  # As at boot, the configuration is older than the supervisor: runsvdir, for
  # one, holds off for a second after its directory changed.
  find "$dir" -exec touch -h -d '-1 minute' {} +
}

# key=value words of the tool's last output line, stored as result[sup|size|key].
declare -A result
record() {
  local sup=$1 n=$2 line=$3 word
  for word in $line; do result["$sup|$n|${word%%=*}"]=${word#*=}; done
}

# daemonlet and daemonlet-shim processes that are not this run's.
other_daemonlets() {
  local dir=$1 count=0 pid exe
  for pid in $(pgrep daemonlet || true); do
    exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || continue
    case "${exe##*/}" in daemonlet | daemonlet-shim) ;; *) continue ;; esac
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$dir" && continue
    count=$((count + 1))
  done
  echo "$count"
}

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

# Sum of restartCount in the agent's PodList, to check the agent saw every kill.
daemonlet_restart_count() {
  local dir=$1 address
  address=$(cat "$dir/run/listen-address" 2>/dev/null) || { echo "?"; return; }
  curl -sf "http://$address/api/v1/pods" |
    python3 -c 'import json,sys; print(sum(c.get("restartCount",0) for p in json.load(sys.stdin)["items"] for c in p["status"].get("containerStatuses",[])))' \
      2>/dev/null || echo "?"
}

run_size() {
  local sup=$1 n=$2 rep out base colds=()
  base=/var/tmp
  if [ "$sup" = daemonlet-tmpfs ]; then base=/dev/shm; fi
  for ((rep = 1; rep <= reps; rep++)); do
    current_dir=$(mktemp -d "$base/daemonlet-bench.XXXXXX")
    mkdir "$current_dir/stamps"
    setup_supervisor "$sup" "$current_dir" "$n"
    out=$(STAMP_DIR=$current_dir/stamps timeout 90 "$tool" start --stamps "$current_dir/stamps" --count "$n" \
      --timeout-s 60 --pidfile "$current_dir/pid" --log "$current_dir/supervisor.log" -- "${sup_argv[@]}") || {
      echo "  $sup n=$n: cold start failed: $out (log: $(tail -n 3 "$current_dir/supervisor.log" 2>/dev/null | tr '\n' ' '))" >&2
      cleanup_current
      return 1
    }
    colds+=("$(sed -E 's/.*coldstart_s=([0-9.]+).*/\1/' <<<"$out")")
    if [ "$rep" -lt "$reps" ]; then cleanup_current; fi
  done
  result["$sup|$n|coldstart_s"]=$(median "${colds[@]}")
  echo "  $sup n=$n: cold start ${colds[*]} s" >&2
  if [ "$n" -gt 1 ]; then
    sleep "$settle_s"
    # PSS divides shared pages among the processes that map them: another
    # agent on the machine would make ours look smaller than on a real node.
    if [[ "$sup" == daemonlet* ]]; then result["$sup|$n|others"]=$(other_daemonlets "$current_dir"); fi
    out=$(timeout 120 "$tool" usage --root "$(cat "$current_dir/pid")" --stamps "$current_dir/stamps" \
      --daemon-exe "$stamp" --seconds "$idle_s")
    record "$sup" "$n" "$out"
    echo "  $sup n=$n: $out" >&2
  fi
  if [ "$n" = "$restart_size" ]; then
    out=$(timeout 600 "$tool" restart --stamps "$current_dir/stamps" --daemon-exe "$stamp" --kills "$kills" \
      --gap-ms $((2000 / n + 20)) --timeout-ms 5000) || true
    record "$sup" "$n" "$out"
    echo "  $sup n=$n: $out" >&2
    if [[ "$sup" == daemonlet* ]]; then
      sleep 1
      result["$sup|$n|api_restarts"]=$(daemonlet_restart_count "$current_dir")
      echo "  $sup n=$n: restartCount total in /api/v1/pods: ${result["$sup|$n|api_restarts"]}" >&2
    fi
  fi
  cleanup_current
}

started=$(date +%s)
echo "supervisor benchmark on $(hostname), $(nproc) CPUs, $(uname -r); sizes ${sizes[*]}, $kills kills at n=$restart_size" >&2
floor_before=$("$tool" forkexec --times 300)
echo "machine's fork+exec floor: $floor_before; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
ran=()
for sup in "${supervisors[@]}"; do
  case "$sup" in daemonlet*) ;; *) command -v "${binary_of[$sup]:-none}" >/dev/null || { echo "skip $sup (not installed)" >&2; continue; } ;; esac
  echo "== $sup" >&2
  ran+=("$sup")
  for n in "${sizes[@]}"; do run_size "$sup" "$n" || break; done
done

# --- report -------------------------------------------------------------------
get() { echo "${result["$1|$2|$3"]:--}"; }
small=${sizes[1]}
large=${sizes[2]}
rows=(
  "restart median ms (n=$restart_size)|$restart_size|restart_median_ms"
  "restart p95 ms (n=$restart_size)|$restart_size|restart_p95_ms"
  "restart max ms (n=$restart_size)|$restart_size|restart_max_ms"
  "restarts failed (n=$restart_size)|$restart_size|failed"
  "cold start s (n=${sizes[0]})|${sizes[0]}|coldstart_s"
  "cold start s (n=$small)|$small|coldstart_s"
  "cold start s (n=$large)|$large|coldstart_s"
  "processes counted (n=$large)|$large|procs"
  "RSS MiB (n=$small)|$small|rss_mib"
  "PSS MiB (n=$small)|$small|pss_mib"
  "RSS MiB (n=$large)|$large|rss_mib"
  "PSS MiB (n=$large)|$large|pss_mib"
  "CPU to start ms (n=$small)|$small|start_cpu_ms"
  "CPU to start ms (n=$large)|$large|start_cpu_ms"
  "other daemonlets (n=$large)|$large|others"
  "idle CPU ms/s (n=$small)|$small|cpu_ms_per_s"
  "idle CPU ms/s (n=$large)|$large|cpu_ms_per_s"
  "idle wakeups/s (n=$small)|$small|wakeups_per_s"
  "idle wakeups/s (n=$large)|$large|wakeups_per_s"
)
echo
printf '%-28s' "metric"; for sup in "${ran[@]}"; do printf '%16s' "$sup"; done; echo
for row in "${rows[@]}"; do
  IFS='|' read -r label n key <<<"$row"
  printf '%-28s' "$label"
  for sup in "${ran[@]}"; do printf '%16s' "$(get "$sup" "$n" "$key")"; done
  echo
done

# Targets from the issue, as ratios within this run (smaller is better).
fastest() { # key n supervisors... -> "value name" of the smallest figure among them
  local key=$1 n=$2 best="" name="" v sup; shift 2
  for sup in "$@"; do
    v=$(get "$sup" "$n" "$key"); [ "$v" = - ] && continue
    if [ -z "$best" ] || awk -v a="$v" -v b="$best" 'BEGIN {exit !(a < b)}'; then best=$v; name=$sup; fi
  done
  echo "$best $name"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == "-" || b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'; }
classics=(); for sup in "${ran[@]}"; do [[ "$sup" == daemonlet* ]] || classics+=("$sup"); done
verdict() { awk -v r="$1" -v b="$2" 'BEGIN { if (r == "n/a") print "n/a"; else if (r + 0 <= b + 0) print "met"; else print "NOT met" }'; }
# One target: label, key, n, bound, the agent's column, reference supervisors.
target() {
  local label=$1 key=$2 n=$3 bound=$4 sup=$5 best name r; shift 5
  read -r best name <<<"$(fastest "$key" "$n" "$@")"
  r=$(ratio "$(get "$sup" "$n" "$key")" "$best")
  printf '  %-44s %-28s %6s (bound %.2f)  %s\n' "$label" "vs $name ${best:-?}" "$r" "$bound" "$(verdict "$r" "$bound")"
}
floor_after=$("$tool" forkexec --times 300)
echo
echo "machine's fork+exec floor: before $floor_before, after $floor_after"
for sup in daemonlet daemonlet-tmpfs; do
  [[ " ${ran[*]} " == *" $sup "* ]] || continue
  echo
  echo "targets for $sup (ratio to the best classic supervisor of this run; met when <= the bound):"
  target "cold start n=${sizes[0]}" coldstart_s "${sizes[0]}" 1.00 "$sup" "${classics[@]}"
  target "cold start n=$large" coldstart_s "$large" 0.50 "$sup" "${classics[@]}"
  target "CPU to start n=$large" start_cpu_ms "$large" 0.20 "$sup" "${classics[@]}"
  target "restart median (n=$restart_size)" restart_median_ms "$restart_size" 0.80 "$sup" "${classics[@]}"
  target "restart p95 (n=$restart_size)" restart_p95_ms "$restart_size" 1.00 "$sup" "${classics[@]}"
  target "PSS n=$large vs smaller of runit/s6" pss_mib "$large" 0.35 "$sup" runit s6
  others=$(get "$sup" "$large" others)
  if [ "$others" = 0 ]; then
    echo "  (no other daemonlet or daemonlet-shim process ran while its memory was sampled)"
  else
    echo "  (WARNING: $others other daemonlet processes ran while its memory was sampled: they share its pages, so its PSS reads low; RSS does not depend on them)"
  fi
  wake_small=$(get "$sup" "$small" wakeups_per_s)
  wake_large=$(get "$sup" "$large" wakeups_per_s)
  echo "  idle wakeups/s n=$large vs n=$small (no timer per daemon: about 1, or none at all): $wake_large vs $wake_small"
done
echo "(daemonlet-tmpfs: the same agent with its state, log and run dirs on tmpfs, where fsync costs nothing; the"
echo " peers' service directories stay on /var/tmp, so read the daemonlet row for the like-for-like ratios)"
echo "total time: $(($(date +%s) - started)) s"
