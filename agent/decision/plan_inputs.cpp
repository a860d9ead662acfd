#include "agent/decision/plan_inputs.h"

#include <algorithm>
#include <utility>

#include "agent/decision/plan_update_strategy.h"
#include "agent/model/object_key.h"

namespace daemonlet::decision {
DesiredDaemonSet desiredDaemonSet(const model::DaemonSet& daemonSet, std::string revision,
                                  const PlacementDecision& placement, std::optional<TimePoint> evictAt) {
  DesiredDaemonSet desired;
  desired.key = model::daemonSetKey(daemonSet);
  desired.revision = std::move(revision);
  desired.shouldRun = placement.shouldRun;
  desired.shouldContinueRunning = placement.shouldContinueRunning;
  desired.evictAt = evictAt;
  desired.updateStrategy = resolveUpdateStrategy(daemonSet.spec.updateStrategy);
  desired.minReadySeconds = std::chrono::seconds(std::max(daemonSet.spec.minReadySeconds, 0));
  return desired;
}

}  // namespace daemonlet::decision
