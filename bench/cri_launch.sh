#!/usr/bin/env bash
# The reference clients of bench/cri_bench.sh, each running N containers of the
# stamp image against the benchmark's private containerd (or podman's own private
# storage) and staying alive as the "supervisor" process the measuring tool holds:
#
#   cri_launch.sh ctr    SOCKET IMAGE STAMPS N CGROUP_PARENT
#       containerd's own client: per container a loop of `ctr run` (foreground;
#       a new container id per run), so a killed container is run again as soon as
#       ctr returns. containerd itself restarts nothing.
#   cri_launch.sh podman PODMAN_DIR IMAGE STAMPS N CGROUP_PARENT
#       `podman run -d --restart=always` per container (started at once), then
#       sleeps; conmon and `podman container cleanup` restart a killed container.
#       Podman's default rlimits (nofile and nproc raised to 1048576) need
#       CAP_SYS_RESOURCE, which root lacks on these machines; containerd's default,
#       nofile 1024, is given instead.
#
# Every container: host network and PID namespace, STAMPS bind-mounted at the same
# path, command `/stamp_daemon STAMPS/<name>`, its cgroup under CGROUP_PARENT
# (cgroupfs path), as the CRI clients' pods.
set -euo pipefail
client=$1 where=$2 image=$3 stamps=$4 n=$5 cgroup_parent=$6

case "$client" in
  ctr)
    for ((i = 0; i < n; i++)); do
      name=$(printf c%03d "$i")
      (
        for ((run = 0; ; run++)); do
          /usr/bin/ctr -a "$where" -n ctr-bench run --net-host --with-ns "pid:/proc/$$/ns/pid" --cgroup "$cgroup_parent/$name-$run" \
            --mount "type=bind,src=$stamps,dst=$stamps,options=rbind:rw" \
            "$image" "$name-$run" /stamp_daemon "$stamps/$name" </dev/null >/dev/null 2>&1 || true
        done
      ) &
    done
    wait ;;
  podman)
    for ((i = 0; i < n; i++)); do
      name=$(printf p%03d "$i")
      podman --root "$where/root" --runroot "$where/run" --tmpdir "$where/tmp" --cgroup-manager cgroupfs \
        --events-backend file --runtime runc run -d --restart=always --name "$name" --cgroup-parent "$cgroup_parent" \
        --network host --pid host --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 -v "$stamps:$stamps" \
        --entrypoint /stamp_daemon "$image" "$stamps/$name" >/dev/null &
    done
    wait
    exec sleep infinity ;;
  *) echo "usage: cri_launch.sh ctr|podman SOCKET_OR_DIR IMAGE STAMPS N CGROUP_PARENT" >&2; exit 2 ;;
esac
