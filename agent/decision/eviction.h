#pragma once
// NoExecute eviction timing, as Kubernetes' taint manager computes it for a pod
// that tolerates every NoExecute taint on its node: for each NoExecute taint the
// first toleration that tolerates it is "used"; the pod may stay for the smallest
// tolerationSeconds among the used tolerations (<= 0 means evict now), forever
// when none of them sets tolerationSeconds. Untolerated NoExecute taints are
// placement's business (shouldContinueRunning false: evict at once).
#include <chrono>
#include <optional>

#include "agent/model/types.h"

namespace daemonlet::decision {

struct NoExecuteTolerance {
  bool allTolerated = true;  // false: some NoExecute taint is not tolerated at all
  // How long pods may stay after the taint appeared; nullopt: forever.
  std::optional<std::chrono::seconds> limit;
};

// Uses the daemon pod's effective tolerations (template + automatic ones).
NoExecuteTolerance noExecuteTolerance(const model::Node& node, const model::DaemonSet& daemonSet);

}  // namespace daemonlet::decision
