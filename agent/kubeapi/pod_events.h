#pragma once
// The events the kubelet would have recorded, read from what changed between
// two snapshots: a pod placed here (Scheduled), a container started (Created,
// Started), a crash loop's back-off (BackOff), an image that does not pull
// (Failed, BackOff), a pod stopped (Killing). The reconciler reports what no
// snapshot shows (status/pod_event.h) through recordPodEvent. A transition that happens and
// undoes itself between two snapshots leaves no event.
#include "agent/kubeapi/event_recorder.h"
#include "agent/status/pod_event.h"
#include "agent/status/status_snapshot.h"

namespace daemonlet::kubeapi {

// `before` is null for the first snapshot seen (nothing is reported for it:
// an agent restart does not replay what already happened).
// An event the reconciler recorded (Unhealthy, FailedPostStartHook, Pulled...),
// about the container it names.
void recordPodEvent(const status::PodEvent& event, EventRecorder& recorder);

void recordPodTransitions(const status::StatusSnapshot* before, const status::StatusSnapshot& after,
                          EventRecorder& recorder);

}  // namespace daemonlet::kubeapi
