#include "agent/decision/plan.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "agent/decision/plan_containers.h"

namespace daemonlet::decision {
namespace {

using PodList = std::vector<const ObservedPod*>;

// What planning one DaemonSet produces, before it joins the Plan in a fixed order.
struct DaemonSetPlan {
  std::vector<DeletePodState> deletions;
  std::vector<StopPod> stops;
  std::optional<StartPod> start;
  PodList keep;  // pods that stay this pass: their containers are looked after
  std::vector<std::string> waiting;
  std::optional<TimePoint> wakeAt;

  void stop(const ObservedPod& pod, StopReason reason) { stops.push_back(StopPod{pod.uid, reason}); }
  void wait(std::string reason) { waiting.push_back(std::move(reason)); }
  void wake(TimePoint t) {
    if (!wakeAt || t < *wakeAt) wakeAt = t;
  }
};

// A DaemonSet's pods sorted out by where they are in their life.
struct PodGroups {
  PodList stopping;  // a stop is in progress (or was decided in this pass)
  PodList active;    // running or starting, not asked to stop
};

bool anyRunning(const ObservedPod& pod) {
  const auto running = [](const ObservedContainer& c) { return c.state == ContainerState::Running; };
  return std::any_of(pod.initContainers.begin(), pod.initContainers.end(), running) ||
         std::any_of(pod.containers.begin(), pod.containers.end(), running);
}

bool olderFirst(const ObservedPod* a, const ObservedPod* b) {
  if (a->createdAt != b->createdAt) return a->createdAt < b->createdAt;
  return a->uid < b->uid;
}

std::string secondsFromNow(TimePoint t, TimePoint now) {
  const auto left = std::chrono::ceil<std::chrono::seconds>(t - now);
  return "in " + std::to_string(std::max<std::int64_t>(left.count(), 0)) + "s";
}

PodGroups sortOut(const PodList& pods, DaemonSetPlan& out) {
  PodGroups groups;
  for (const ObservedPod* pod : pods) {
    if (pod->stopRequested && !anyRunning(*pod)) {
      out.deletions.push_back(DeletePodState{pod->uid});
    } else if (pod->stopRequested) {
      groups.stopping.push_back(pod);
    } else if (pod->deletionRequested) {
      out.stop(*pod, StopReason::OperatorDeleted);
      groups.stopping.push_back(pod);
    } else {
      groups.active.push_back(pod);
    }
  }
  return groups;
}

void stopAll(const PodList& pods, StopReason reason, DaemonSetPlan& out) {
  for (const ObservedPod* pod : pods) out.stop(*pod, reason);
}

// Keeps the oldest ready pod of `pods` (oldest first), or the oldest if none is
// ready, and stops the rest as duplicates.
const ObservedPod* keepOne(const PodList& pods, DaemonSetPlan& out) {
  if (pods.empty()) return nullptr;
  const auto ready = std::find_if(pods.begin(), pods.end(), [](const ObservedPod* p) { return p->ready; });
  const ObservedPod* kept = ready != pods.end() ? *ready : pods.front();
  for (const ObservedPod* pod : pods) {
    if (pod != kept) out.stop(*pod, StopReason::Duplicate);
  }
  return kept;
}

// A stopping pod a new pod of the desired revision must wait for, if any.
// Without surge nothing overlaps; with surge only another revision may (never
// two pods of one revision, not even while one of them terminates).
const ObservedPod* startBlocker(const DesiredDaemonSet& ds, const PodList& stopping) {
  const auto blocker = std::find_if(stopping.begin(), stopping.end(), [&](const ObservedPod* pod) {
    return !ds.updateStrategy.surges() || pod->revision == ds.revision;
  });
  return blocker != stopping.end() ? *blocker : nullptr;
}

// Starts a pod of the desired revision unless a stopping pod is in the way.
void startCurrent(const DesiredDaemonSet& ds, const PodList& stopping, DaemonSetPlan& out) {
  if (const ObservedPod* blocker = startBlocker(ds, stopping)) {
    out.wait("waiting for pod " + blocker->uid + " to stop before starting revision " + ds.revision);
    return;
  }
  out.start = StartPod{ds.key, ds.revision};
}

// No pod of an older revision: make sure one of the desired revision runs.
void ensureCurrent(const DesiredDaemonSet& ds, const ObservedPod* current, const PodList& stopping,
                   DaemonSetPlan& out) {
  if (current) {
    out.keep.push_back(current);
    return;
  }
  if (!ds.shouldRun) return;  // NoSchedule & co: nothing may start; nothing to wait for either
  startCurrent(ds, stopping, out);
}

void holdUpdate(const DesiredDaemonSet& ds, const ObservedPod& old, DaemonSetPlan& out) {
  out.keep.push_back(&old);
  out.wait("update to revision " + ds.revision + " held: pod " + old.uid +
           " keeps running because new pods may not start on this node");
}

void rollWithoutSurge(const DesiredDaemonSet& ds, const ObservedPod* current, const ObservedPod& old,
                      DaemonSetPlan& out) {
  if (current) {
    out.keep.push_back(current);
    out.stop(old, StopReason::Replaced);
    return;
  }
  if (!ds.shouldRun) return holdUpdate(ds, old, out);
  out.stop(old, StopReason::Replaced);
  out.wait("stopping pod " + old.uid + " (revision " + old.revision + ") before starting revision " +
           ds.revision);
}

void rollWithSurge(const DesiredDaemonSet& ds, const ObservedPod* current, const ObservedPod& old,
                   const PodList& stopping, TimePoint now, DaemonSetPlan& out) {
  if (!current) {
    if (!ds.shouldRun) return holdUpdate(ds, old, out);
    out.keep.push_back(&old);
    startCurrent(ds, stopping, out);
    if (out.start) out.wait("surge: starting revision " + ds.revision + " beside pod " + old.uid);
    return;
  }
  out.keep.push_back(current);
  // The controller replaces an old pod that is not Ready at once: it serves nothing.
  if (!old.ready || podAvailable(*current, ds.minReadySeconds, now)) {
    out.stop(old, StopReason::Replaced);
    return;
  }
  out.keep.push_back(&old);
  if (current->ready) {
    const TimePoint availableAt = current->readySince + ds.minReadySeconds;
    out.wake(availableAt);
    out.wait("new pod " + current->uid + " is ready and becomes available " +
             secondsFromNow(availableAt, now) + " (minReadySeconds); then pod " + old.uid + " stops");
    return;
  }
  out.wait("waiting for new pod " + current->uid + " to become ready before stopping pod " + old.uid);
}

void holdForOnDelete(const DesiredDaemonSet& ds, const ObservedPod* current, const ObservedPod& old,
                     DaemonSetPlan& out) {
  // Both revisions running (adoption, or a strategy change mid-surge): like the
  // DaemonSet controller without surge, the older pod stays.
  if (current && olderFirst(current, &old)) {
    out.keep.push_back(current);
    out.stop(old, StopReason::Duplicate);
    return;
  }
  if (current) out.stop(*current, StopReason::Duplicate);
  out.keep.push_back(&old);
  out.wait("OnDelete: pod " + old.uid + " runs revision " + old.revision + ", desired " + ds.revision +
           "; delete the pod to update it");
}

void planDesired(const DesiredDaemonSet& ds, const PodList& pods, TimePoint now, DaemonSetPlan& out) {
  const PodGroups groups = sortOut(pods, out);
  if (!ds.shouldContinueRunning) {
    stopAll(groups.active, StopReason::PlacementChanged, out);
    return;
  }
  if (ds.evictAt && now >= *ds.evictAt) {
    stopAll(groups.active, StopReason::NoExecuteEviction, out);
    out.wait("evicted by a NoExecute taint: its tolerationSeconds ran out");
    return;
  }
  if (ds.evictAt) {
    out.wake(*ds.evictAt);
    out.wait("a NoExecute taint evicts this DaemonSet's pods " + secondsFromNow(*ds.evictAt, now) +
             " (tolerationSeconds)");
  }
  PodList currentPods;
  PodList oldPods;
  for (const ObservedPod* pod : groups.active)
    (pod->revision == ds.revision ? currentPods : oldPods).push_back(pod);
  const ObservedPod* current = keepOne(currentPods, out);
  const ObservedPod* old = keepOne(oldPods, out);
  if (!old) return ensureCurrent(ds, current, groups.stopping, out);
  if (ds.updateStrategy.type == UpdateStrategyType::OnDelete) return holdForOnDelete(ds, current, *old, out);
  if (ds.updateStrategy.surges()) return rollWithSurge(ds, current, *old, groups.stopping, now, out);
  rollWithoutSurge(ds, current, *old, out);
}

void planRemoved(const PodList& pods, DaemonSetPlan& out) {
  const PodGroups groups = sortOut(pods, out);
  stopAll(groups.active, StopReason::DaemonSetRemoved, out);
}

void wakeNoLaterThan(std::optional<TimePoint>& wakeAt, const std::optional<TimePoint>& t) {
  if (t && (!wakeAt || *t < *wakeAt)) wakeAt = t;
}

void appendTo(Plan& plan, const std::string& key, DaemonSetPlan& ds, const BackoffPolicy& backoff,
              TimePoint now) {
  for (DeletePodState& a : ds.deletions) plan.actions.emplace_back(std::move(a));
  for (StopPod& a : ds.stops) plan.actions.emplace_back(std::move(a));
  if (ds.start) plan.actions.emplace_back(std::move(*ds.start));
  std::sort(ds.keep.begin(), ds.keep.end(), olderFirst);
  for (const ObservedPod* pod : ds.keep) {
    ContainerPlan containers = planContainers(*pod, backoff, now);
    for (StartContainer& a : containers.starts) plan.actions.emplace_back(std::move(a));
    for (ContainerBackoff& b : containers.backoffs) {
      ds.wait("container " + b.container + " of pod " + b.podUid + " is in CrashLoopBackOff: back-off " +
              std::to_string(std::chrono::ceil<std::chrono::seconds>(b.delay).count()) + "s, restarts " +
              secondsFromNow(b.until, now));
      plan.backoffs.push_back(std::move(b));
    }
    wakeNoLaterThan(ds.wakeAt, containers.wakeAt);
  }
  wakeNoLaterThan(plan.wakeAt, ds.wakeAt);
  if (!ds.waiting.empty()) plan.waiting[key] = std::move(ds.waiting);
}

}  // namespace

bool podAvailable(const ObservedPod& pod, std::chrono::seconds minReadySeconds, TimePoint now) {
  return pod.ready && pod.readySince + minReadySeconds <= now;
}

Plan planPods(const std::vector<DesiredDaemonSet>& desired, const std::vector<ObservedPod>& observed,
              const BackoffPolicy& backoff, TimePoint now) {
  struct Entry {
    const DesiredDaemonSet* desired = nullptr;
    PodList pods;
  };
  std::map<std::string, Entry> byKey;  // sorted by key: a stable order for actions
  for (const DesiredDaemonSet& ds : desired) {
    Entry& entry = byKey[ds.key];
    if (!entry.desired) entry.desired = &ds;  // keys are unique by contract; the first wins
  }
  for (const ObservedPod& pod : observed) byKey[pod.daemonSetKey].pods.push_back(&pod);

  Plan plan;
  for (auto& [key, entry] : byKey) {
    std::sort(entry.pods.begin(), entry.pods.end(), olderFirst);
    DaemonSetPlan ds;
    if (entry.desired) {
      planDesired(*entry.desired, entry.pods, now, ds);
    } else {
      planRemoved(entry.pods, ds);
    }
    appendTo(plan, key, ds, backoff, now);
  }
  return plan;
}

const char* toString(StopReason reason) {
  switch (reason) {
    case StopReason::DaemonSetRemoved:
      return "DaemonSetRemoved";
    case StopReason::PlacementChanged:
      return "PlacementChanged";
    case StopReason::NoExecuteEviction:
      return "NoExecuteEviction";
    case StopReason::Replaced:
      return "Replaced";
    case StopReason::OperatorDeleted:
      return "OperatorDeleted";
    case StopReason::Duplicate:
      return "Duplicate";
  }
  return "Unknown";
}

}  // namespace daemonlet::decision
