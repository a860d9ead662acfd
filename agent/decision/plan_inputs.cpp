#include "agent/decision/plan_inputs.h"

#include <algorithm>
#include <utility>

#include "agent/decision/plan_update_strategy.h"
#include "agent/model/object_key.h"
#include "agent/model/pod_rules.h"

namespace daemonlet::decision {
namespace {

ObservedContainer waitingContainer(const model::Container& container, bool init) {
  ObservedContainer observed;
  observed.name = container.name;
  observed.sidecar = model::isSidecar(container, init);
  return observed;
}

}  // namespace

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

ObservedPod newPodState(std::string uid, const DesiredDaemonSet& desired, const model::PodSpec& spec,
                        TimePoint createdAt) {
  ObservedPod pod;
  pod.uid = std::move(uid);
  pod.daemonSetKey = desired.key;
  pod.revision = desired.revision;
  pod.createdAt = createdAt;
  for (const model::Container& c : spec.initContainers)
    pod.initContainers.push_back(waitingContainer(c, true));
  for (const model::Container& c : spec.containers) pod.containers.push_back(waitingContainer(c, false));
  return pod;
}

}  // namespace daemonlet::decision
