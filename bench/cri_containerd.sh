# Sourced by bench/cri_bench.sh: a private containerd for the CRI benchmark and
# the image its containers run. The settings are the ones
# ../shared/notes/containerd-cri.md found necessary on these machines (private
# root, state, socket, runc root and opt dir; restrict_oom_score_adj; an empty CNI
# dir, so only host-network pods), as the C++ test fixture
# (test/integration/cri/support/containerd_fixture.cpp) writes them. The system's
# containerd, if any, is never touched: everything lives under $cri_dir and the
# daemon is stopped by its own PID.

cri_image=localhost/daemonlet-bench/stamp:1
cri_containerd_pid=""
# Every client puts its containers' cgroups below this one (cgroupfs path), so the
# teardown removes exactly those: /<name of $cri_dir>.
cri_cgroup=""

# cri_dir must be set (an empty directory). Writes its config and starts containerd;
# returns once `ctr version` answers.
cri_start_containerd() {
  local cri="[plugins.\"io.containerd.grpc.v1.cri\""
  cri_cgroup=/$(basename "$cri_dir")
  mkdir -p "$cri_dir/cni" "$cri_dir/run"
  cat >"$cri_dir/config.toml" <<EOF
version = 2
root = "$cri_dir/root"
state = "$cri_dir/state"
[grpc]
  address = "$cri_dir/run/containerd.sock"
[ttrpc]
  address = "$cri_dir/run/containerd.sock.ttrpc"
[debug]
  address = "$cri_dir/run/debug.sock"
[plugins."io.containerd.internal.v1.opt"]
  path = "$cri_dir/opt"
$cri]
  sandbox_image = "$cri_image"
  restrict_oom_score_adj = true
  disable_apparmor = true
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
$cri.cni]
  conf_dir = "$cri_dir/cni"
  bin_dir = "/usr/lib/cni"
$cri.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
$cri.containerd.runtimes.runc.options]
  Root = "$cri_dir/runc"
  SystemdCgroup = false
EOF
  setsid /usr/bin/containerd --config "$cri_dir/config.toml" >"$cri_dir/containerd.log" 2>&1 </dev/null &
  cri_containerd_pid=$!
  local i
  for ((i = 0; i < 300; i++)); do
    if ! kill -0 "$cri_containerd_pid" 2>/dev/null; then
      echo "cri_bench: containerd exited at start: $(tail -n 5 "$cri_dir/containerd.log")" >&2
      return 1
    fi
    cri_ctr k8s.io version >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "cri_bench: containerd did not answer in 30 s" >&2
  return 1
}

cri_socket() { echo "$cri_dir/run/containerd.sock"; }
cri_endpoint() { echo "unix://$cri_dir/run/containerd.sock"; }
cri_ctr() { local ns=$1; shift; /usr/bin/ctr -a "$(cri_socket)" -n "$ns" "$@"; }

# An OCI archive holding only the static stamp_daemon at /stamp_daemon, whose
# default command is `/stamp_daemon /dev/null`: it serves as the pods' sandbox
# ("pause") image too, since it stamps nowhere and then sleeps.
cri_build_image() {
  local stamp=$1 archive=$2 work
  work=$(mktemp -d "$cri_dir/image.XXXXXX")
  mkdir -p "$work/rootfs"/{dev,proc,sys,etc,tmp} "$work/layout/blobs/sha256"
  cp "$stamp" "$work/rootfs/stamp_daemon"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work/rootfs" -cf "$work/layer.tar" .
  blob() { # file media-type -> descriptor JSON
    local sum size
    sum=$(sha256sum "$1" | cut -d' ' -f1)
    size=$(stat -c %s "$1")
    cp "$1" "$work/layout/blobs/sha256/$sum"
    printf '{"mediaType":"%s","digest":"sha256:%s","size":%s}' "$2" "$sum" "$size"
  }
  local layer layer_sum config manifest
  layer=$(blob "$work/layer.tar" application/vnd.oci.image.layer.v1.tar)
  layer_sum=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
  printf '{"architecture":"amd64","os":"linux","config":{"Entrypoint":["/stamp_daemon","/dev/null"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$layer_sum" >"$work/config.json"
  config=$(blob "$work/config.json" application/vnd.oci.image.config.v1+json)
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":%s,"layers":[%s]}' \
    "$config" "$layer" >"$work/manifest.json"
  manifest=$(blob "$work/manifest.json" application/vnd.oci.image.manifest.v1+json)
  printf '{"schemaVersion":2,"manifests":[%s,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
    "${manifest%\}}" "$cri_image" "${cri_image##*:}" >"$work/layout/index.json"
  printf '{"imageLayoutVersion":"1.0.0"}' >"$work/layout/oci-layout"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work/layout" -cf "$archive" oci-layout index.json blobs
  rm -rf "$work"
}

# Stops containerd by its PID, then whatever it left: shims and containers (the
# processes working in or for $cri_dir: `supervisor_bench cleanup`, path in
# $tool), mounts under $cri_dir. Pods should be removed through their clients first.
cri_stop_containerd() {
  [ -n "$cri_containerd_pid" ] || return 0
  kill -TERM "$cri_containerd_pid" 2>/dev/null || true
  local i
  for ((i = 0; i < 50; i++)); do kill -0 "$cri_containerd_pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$cri_containerd_pid" 2>/dev/null || true
  timeout 30 "$tool" cleanup --root 0 --scope "$cri_dir" --daemon-exe /stamp_daemon >/dev/null ||
    echo "cri_bench: some processes of $cri_dir are left" >&2
  local mnt
  for mnt in $(grep -o " $cri_dir/[^ ]*" /proc/mounts | sort -r || true); do umount -l "$mnt" 2>/dev/null || true; done
  local hierarchy
  for hierarchy in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
    if [ -d "$hierarchy${cri_cgroup#/}" ]; then find "$hierarchy${cri_cgroup#/}" -depth -type d -exec rmdir {} + 2>/dev/null || true; fi
  done
  cri_containerd_pid=""
}
