#pragma once
// An event the reconciler records about a pod's container the way the kubelet
// records it, for what no snapshot shows: a failed probe attempt (Unhealthy),
// a failed lifecycle hook (FailedPostStartHook, FailedPreStopHook), an image
// pull (Pulling, Pulled). The Kubernetes API (agent/kubeapi/pod_events.h)
// turns them into core/v1 Events beside those it reads from snapshots.
#include <functional>
#include <string>

namespace daemonlet::status {

struct PodEvent {
  std::string podUid;
  std::string namespace_;
  std::string podName;
  std::string container;
  bool init = false;
  std::string type;  // "Normal" or "Warning"
  std::string reason;
  std::string message;
};

// Called on the reconciler's thread; must not block.
using PodEventSink = std::function<void(const PodEvent&)>;

}  // namespace daemonlet::status
