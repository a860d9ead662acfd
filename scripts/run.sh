#!/usr/bin/env bash
# The README's run command: installs the agent's dependencies, builds only what
# it runs (the release agent and its shim, not the test suite) and runs the agent
# on the embedded default: the bundled host-process examples (examples/host/),
# the host runtime, the local status API on 127.0.0.1:10290.
# State, logs and the API token go to demo directories so a packaged agent on the
# same machine is left alone. Ctrl-C stops the agent; the daemons keep running
# (as they would under systemd) until the next start adopts them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash packaging/install-deps.sh
DAEMONLET_TESTS=OFF scripts/build.sh release daemonlet daemonlet-shim

bin="$root/build/release/agent/daemonlet"
cat <<TXT

daemonlet is starting with the bundled examples ($root/examples/host).
In another terminal:
  $bin status                 # node, DaemonSets, decisions, source errors
  $bin get pods -o wide       # daemon pods, restarts, container ids
  curl -s 127.0.0.1:10290/api/v1/pods      # the core/v1 PodList
  ls /var/log/daemonlet-demo/pods/         # container logs (CRI format)

TXT
exec "$bin" run \
  --manifest-dir "$root/examples/host" \
  --state-dir /var/lib/daemonlet-demo \
  --log-dir /var/log/daemonlet-demo/pods \
  --run-dir /run/daemonlet-demo \
  --listen 127.0.0.1:10290
