#pragma once
// Building the plan's inputs from the model: the desired entry of a DaemonSet on
// this node (the reconciler's), and the container list a new pod starts with
// (only tests use it: the reconciler still sets up its own slots and keys).
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

// A pod as StartPod creates it: uid, key, revision, creation time, and every
// container of `spec` Waiting, init containers with restartPolicy Always marked
// as sidecars.
ObservedPod newPodState(std::string uid, const DesiredDaemonSet& desired, const model::PodSpec& spec,
                        TimePoint createdAt);

}  // namespace daemonlet::decision
