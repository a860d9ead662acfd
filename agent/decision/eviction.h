#pragma once
// NoExecute eviction timing, as Kubernetes' taint manager computes it for a pod
// that tolerates every NoExecute taint on its node: for each NoExecute taint the
// first toleration that tolerates it is "used"; the pod may stay for the smallest
// tolerationSeconds among the used tolerations (<= 0 means evict now), forever
// when none of them sets tolerationSeconds. Untolerated NoExecute taints are
// placement's business (shouldContinueRunning false: evict at once).
#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "agent/decision/backoff.h"
#include "agent/model/types.h"

namespace daemonlet::decision {

struct NoExecuteTolerance {
  bool allTolerated = true;  // false: some NoExecute taint is not tolerated at all
  // How long pods may stay after the taint appeared; nullopt: forever.
  std::optional<std::chrono::seconds> limit;
};

// Uses the daemon pod's effective tolerations (template + automatic ones).
NoExecuteTolerance noExecuteTolerance(const model::Node& node, const model::DaemonSet& daemonSet);

// The node's NoExecute taints (by describeTaint) and when each was first seen:
// a taint already in `previous` keeps its time, a new one is seen `now`, one
// gone from the node is forgotten (so it counts afresh if it comes back).
using TaintsSeen = std::map<std::string, TimePoint>;
TaintsSeen noExecuteTaintsSeen(const model::Node& node, const TaintsSeen& previous, TimePoint now);

// When a DaemonSet's pods that may stay (`mayContinueRunning`) must go: the
// tolerated limit counted from the earliest NoExecute taint still on the node.
// nullopt: no deadline (no limit, no NoExecute taint, or not allowed to stay,
// which placement already answers with "evict now").
std::optional<TimePoint> evictionDeadline(bool mayContinueRunning, const NoExecuteTolerance& tolerance,
                                          const TaintsSeen& seen);

}  // namespace daemonlet::decision
