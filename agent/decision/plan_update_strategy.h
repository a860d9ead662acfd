#pragma once
// spec.updateStrategy resolved for a single node, the way the DaemonSet
// controller resolves it for a cluster (pkg/controller/daemon/util SurgeCount /
// UnavailableCount) with the number of nodes to schedule being 1:
//   - integers are taken as they are; percentages are scaled to 1 node and
//     rounded UP (both maxSurge and maxUnavailable), so any non-zero percentage
//     means 1 and "0%" means 0;
//   - maxSurge is only honoured for RollingUpdate;
//   - when both resolve to 0 the controller falls back to maxUnavailable 1.
// Malformed values (validation rejects them earlier) count as 0.
#include "agent/decision/plan_types.h"
#include "agent/model/types.h"

namespace daemonlet::decision {

UpdateStrategy resolveUpdateStrategy(const model::DaemonSetUpdateStrategy& strategy);

// One rolling-update budget (maxSurge or maxUnavailable) scaled to `nodes`.
int scaledBudget(const model::IntOrString& value, int nodes);

}  // namespace daemonlet::decision
