# Sourced by bench/run.sh and bench/profile_start.sh: the agent's configuration
# and n host-process DaemonSets of bench/stamp_daemon, as the benchmark runs them.
#
#   write_daemonlet_setup DIR N STAMP_EXE DAEMONLET_EXE
# writes DIR/config.yaml and DIR/manifests/d000.yaml..., and sets the global
# array `daemonlet_argv` to the agent's command line.
write_daemonlet_setup() {
  local dir=$1 n=$2 stamp=$3 daemonlet=$4 i name
  mkdir -p "$dir/manifests"
  printf 'apiVersion: daemonlet.io/v1alpha1\nkind: AgentConfiguration\nrestartBackoff:\n  initial: 0s\n  max: 0s\n  resetAfter: 10m\n  multiplier: 1\n' \
    >"$dir/config.yaml"
  for ((i = 0; i < n; i++)); do
    name=$(printf d%03d "$i")
    cat >"$dir/manifests/$name.yaml" <<EOF
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: $name
  namespace: default
spec:
  selector:
    matchLabels: {app: $name}
  template:
    metadata:
      labels: {app: $name}
    spec:
      runtimeClassName: host
      terminationGracePeriodSeconds: 1
      containers:
      - name: stamp
        image: host
        command: ["$stamp", "$dir/stamps/$name"]
EOF
  done
  daemonlet_argv=("$daemonlet" run --config "$dir/config.yaml" --node-name n1 --manifest-dir "$dir/manifests"
    --state-dir "$dir/state" --log-dir "$dir/logs" --run-dir "$dir/run" --listen 127.0.0.1:0 --cgroup-root=)
}
