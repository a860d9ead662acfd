#pragma once
// The plan: desired daemon sets × observed pods × now → actions. A pure function
// (no clock, no I/O, no logging); the reconciler applies the actions, records
// what happened as new observations and plans again. Planning twice on the same
// input gives the same plan, so a pass that could not act is simply repeated.
//
// Rules, per DaemonSet (types in plan_types.h, containers in plan_containers.h):
//   Pods
//   - A pod the operator deleted is stopped (OperatorDeleted). Pods whose stop
//     finished (stopRequested, nothing running) have their state deleted.
//   - shouldContinueRunning false → every pod stops (PlacementChanged).
//   - evictAt reached → every pod stops (NoExecuteEviction) and none starts;
//     before it the plan wakes up at evictAt.
//   - shouldRun and no pod of the desired revision → start one; shouldRun false
//     but shouldContinueRunning → existing pods stay (NoSchedule), none starts.
//   - At most one pod per revision, and at most one of older revisions: of
//     several, the oldest ready one (else the oldest) stays and the others stop
//     (Duplicate). Never two pods of one DaemonSet and one revision.
//   - Without surge, a new pod starts only once every stopping pod of the
//     DaemonSet is gone (no overlap, e.g. on host ports); with surge, only once
//     every stopping pod of the same revision is gone.
//   Updates (a pod runs an older revision)
//   - RollingUpdate, maxSurge 0: stop the old pod (Replaced), start the new one
//     once the old one is gone.
//   - RollingUpdate, maxSurge > 0: start the new pod beside the old one; stop
//     the old one once the new one is available (Ready for minReadySeconds), or
//     at once if the old one is not Ready (as the DaemonSet controller does).
//   - OnDelete: keep the old pod until the operator deletes it; the new
//     revision starts after that. If both revisions run, the older pod stays.
//   - While shouldRun is false the update is held (the old pod keeps running):
//     stopping it could not be followed by a start. The DaemonSet controller
//     would stop it anyway; a node agent that cannot reschedule elsewhere must not.
//   Removed DaemonSets (pods whose key is not desired) are stopped
//   (DaemonSetRemoved) and their state deleted once they are gone.
//
// Availability: a pod is available at readySince + minReadySeconds (inclusive,
// so waking up exactly then makes progress; Kubernetes compares strictly).
#include <vector>

#include "agent/decision/backoff.h"
#include "agent/decision/plan_types.h"

namespace daemonlet::decision {

Plan planPods(const std::vector<DesiredDaemonSet>& desired, const std::vector<ObservedPod>& observed,
              const BackoffPolicy& backoff, TimePoint now);

// True when the pod has been Ready for minReadySeconds at `now`.
bool podAvailable(const ObservedPod& pod, std::chrono::seconds minReadySeconds, TimePoint now);

}  // namespace daemonlet::decision
