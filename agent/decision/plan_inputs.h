#pragma once
// Building the plan's inputs from the model, so the reconciler does not repeat
// these rules: the desired entry of a DaemonSet on this node.
#include <optional>
#include <string>

#include "agent/decision/placement.h"
#include "agent/decision/plan_types.h"
#include "agent/model/types.h"

namespace daemonlet::decision {

// `revision` is the template hash (model/revision_hash.h); `evictAt` see
// DesiredDaemonSet and eviction.h.
DesiredDaemonSet desiredDaemonSet(const model::DaemonSet& daemonSet, std::string revision,
                                  const PlacementDecision& placement, std::optional<TimePoint> evictAt);

}  // namespace daemonlet::decision
