#include "agent/decision/plan_containers.h"

#include <algorithm>

namespace daemonlet::decision {
namespace {

bool everStarted(const ObservedContainer& c) {
  return c.state != ContainerState::Waiting || c.restartCount > 0;
}

bool initialisationOver(const ObservedPod& pod) {
  return std::any_of(pod.containers.begin(), pod.containers.end(), everStarted);
}

bool completed(const ObservedContainer& c) { return c.state == ContainerState::Exited && c.exitCode == 0; }

void wakeNoLaterThan(std::optional<TimePoint>& wakeAt, TimePoint t) {
  if (!wakeAt || t < *wakeAt) wakeAt = t;
}

// Starts a container that is not running: at once when it never ran, else as
// its backoff allows.
void keepRunning(const ObservedPod& pod, const ObservedContainer& c, bool init, const BackoffPolicy& policy,
                 TimePoint now, ContainerPlan& plan) {
  switch (c.state) {
    case ContainerState::Running:
      return;
    case ContainerState::Waiting:
      plan.starts.push_back(StartContainer{pod.uid, c.name, init, std::nullopt});
      return;
    case ContainerState::Exited: {
      const RestartDecision decision = decideRestart(policy, c.backoff, c.finishedAt, now);
      if (decision.startNow) {
        plan.starts.push_back(StartContainer{pod.uid, c.name, init, decision.entryAfterStart});
      } else {
        plan.backoffs.push_back(ContainerBackoff{pod.uid, c.name, decision.notBefore, decision.delay});
        wakeNoLaterThan(plan.wakeAt, decision.notBefore);
      }
      return;
    }
  }
}

// Walks the init containers; true when the main containers may run.
bool planInitContainers(const ObservedPod& pod, const BackoffPolicy& policy, TimePoint now,
                        ContainerPlan& plan) {
  const bool over = initialisationOver(pod);
  for (const ObservedContainer& c : pod.initContainers) {
    if (c.sidecar) {
      keepRunning(pod, c, /*init=*/true, policy, now, plan);
      if (!over && !c.started) return false;  // the next one waits for this sidecar
      continue;
    }
    if (over || completed(c)) continue;
    keepRunning(pod, c, /*init=*/true, policy, now, plan);
    return false;  // running, just started or backing off: the rest waits
  }
  return true;
}

}  // namespace

ContainerPlan planContainers(const ObservedPod& pod, const BackoffPolicy& policy, TimePoint now) {
  ContainerPlan plan;
  if (!planInitContainers(pod, policy, now, plan)) return plan;
  for (const ObservedContainer& c : pod.containers) keepRunning(pod, c, /*init=*/false, policy, now, plan);
  return plan;
}

}  // namespace daemonlet::decision
