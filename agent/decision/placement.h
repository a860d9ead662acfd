#pragma once
// Placement: does a DaemonSet run on this node? A pure function with the exact
// semantics of Kubernetes' DaemonSet controller (NodeShouldRunDaemonPod):
// template nodeName, nodeSelector, required node affinity, taints against the
// pod's tolerations plus the tolerations every daemon pod gets automatically.
#include <string>
#include <vector>

#include "agent/model/types.h"

namespace daemonlet::decision {

struct PlacementDecision {
  bool shouldRun = false;              // a new daemon pod may start here
  bool shouldContinueRunning = false;  // a running daemon pod may stay
  // Sentences for an operator, naming the rule, key and value that decided; the
  // deciding reasons come first.
  std::vector<std::string> reasons;
};

// The tolerations the DaemonSet controller adds to every daemon pod
// (AddOrUpdateDaemonPodTolerations), given the pod spec (hostNetwork matters).
std::vector<model::Toleration> automaticDaemonTolerations(const model::PodSpec& spec);

PlacementDecision decidePlacement(const model::Node& node, const model::DaemonSet& daemonSet);

}  // namespace daemonlet::decision
