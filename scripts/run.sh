#!/usr/bin/env bash
# The README's run command: installs dependencies, builds the release binary and
# runs it on the embedded default.
#
# Until `daemonlet run` lands (issue 3) the embedded default is an explain of the
# bundled seed example (fluentd-elasticsearch) against the bundled control-plane
# node, printed as text.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash packaging/install-deps.sh
scripts/build.sh release
echo "daemonlet run is not built yet; explaining the bundled example instead:"
exec build/release/agent/daemonlet explain -o text \
  --node examples/nodes/control-plane.yaml examples/daemonsets/fluentd-elasticsearch.yaml
