#include "agent/decision/plan_inputs.h"

#include <algorithm>
#include <utility>

#include "agent/decision/plan_update_strategy.h"

namespace daemonlet::decision {
std::string daemonSetKey(const model::ObjectMeta& metadata) {
  return metadata.namespace_ + "/" + metadata.name;
}

DesiredDaemonSet desiredDaemonSet(const model::DaemonSet& daemonSet, std::string revision,
                                  const PlacementDecision& placement, std::optional<TimePoint> evictAt) {
  DesiredDaemonSet desired;
  desired.key = daemonSetKey(daemonSet.metadata);
  desired.revision = std::move(revision);
  desired.shouldRun = placement.shouldRun;
  desired.shouldContinueRunning = placement.shouldContinueRunning;
  desired.evictAt = evictAt;
  desired.updateStrategy = resolveUpdateStrategy(daemonSet.spec.updateStrategy);
  desired.minReadySeconds = std::chrono::seconds(std::max(daemonSet.spec.minReadySeconds, 0));
  return desired;
}

}  // namespace daemonlet::decision
