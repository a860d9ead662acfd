#pragma once
// What the CRI runtime is told by the agent. Plain data without gRPC types: the
// agent fills it (agent/cli), and the plugin module (runtime/cri/plugin) makes the
// runtime from it, so the agent itself never includes or links gRPC.
#include <chrono>
#include <cstdint>
#include <string>

namespace daemonlet::runtime::cri {

struct CriRuntimeOptions {
  // The CRI socket, "unix:///run/containerd/containerd.sock" by default (config
  // cri.endpoint, --cri-endpoint).
  std::string endpoint = "unix:///run/containerd/containerd.sock";
  // Ownership: written on every sandbox and container (labels::kAgent); only
  // objects carrying it are listed, stopped or removed by this agent.
  std::string agentId;
  std::string nodeName;
  std::string hostIP;
  // Container logs: <logDir>/<namespace>_<pod>_<uid>/<container>/<restartCount>.log,
  // rotated at maxLogBytes keeping maxLogFiles files (config containerLogs).
  std::string logDir;
  std::int64_t maxLogBytes = 10 * 1024 * 1024;
  int maxLogFiles = 5;
  // The agent's state directory: emptyDir volumes live under it
  // (<stateDir>/pods/<uid>/volumes/...).
  std::string stateDir;
  // The cgroup parent of pod sandboxes (cgroupfs driver), e.g. "/daemonlet".
  std::string cgroupParent;
  // Node-wide registry credentials, a Docker config.json; empty or missing: none.
  std::string registryCredentialsFile;
  // Per-call deadline of quick CRI calls; pulls, starts and stops get their own.
  std::chrono::milliseconds callTimeout{10000};
  // How often this agent's sandboxes no pod needs are removed (sandbox_gc.h):
  // the kubelet's container GC period, a minute; first a period after the
  // first successful list. Also the age below which a READY sandbox of a pod
  // the runtime does not track is left alone. Tests shorten it.
  std::chrono::milliseconds sandboxGcPeriod{60000};
};

}  // namespace daemonlet::runtime::cri
