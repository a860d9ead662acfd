#pragma once
// The container half of the plan: which containers of one kept pod start now and
// which wait for their restart backoff. Restart policy is Always (the only one a
// DaemonSet allows), so every exit of a main container or sidecar restarts it,
// exit code 0 included.
//
// Order, as the kubelet runs a pod:
//   - Init containers run one at a time in spec order. A regular one must exit 0
//     before the next starts; if it fails it is restarted with backoff.
//   - A sidecar (init container with restartPolicy Always) is started in its
//     place in that order and the next init container waits only until it has
//     `started` (running, startup probe passed) — not for it to complete. It then
//     keeps running beside the main containers and is restarted like them.
//   - Main containers start together once every regular init container has
//     completed and every sidecar has started.
//   - Once any main container has ever started, initialisation is over for good:
//     regular init containers are not run again (also after adoption, where
//     their old exit status may be unknown).
#include <optional>
#include <vector>

#include "agent/decision/backoff.h"
#include "agent/decision/plan_types.h"

namespace daemonlet::decision {

struct ContainerPlan {
  std::vector<StartContainer> starts;      // in spec order, init containers first
  std::vector<ContainerBackoff> backoffs;  // held back by backoff
  std::optional<TimePoint> wakeAt;         // earliest end of those backoffs
};

ContainerPlan planContainers(const ObservedPod& pod, const BackoffPolicy& policy, TimePoint now);

}  // namespace daemonlet::decision
