#pragma once
// How a container's slot (and its pod's readiness) changes when the runtime or
// a probe reports: pure functions over PodState / ContainerSlot, `now` passed
// in. The reconciler decides when they apply (a report for a slot it still
// tracks) and what follows (save, plan again, stop the container); these say
// only what the slot becomes.
#include "agent/base/clock.h"
#include "agent/model/types.h"
#include "agent/reconciler/pod_state.h"
#include "runtime/runtime.h"

namespace daemonlet::reconciler {

// A start was issued and has not completed: the slot shows ContainerCreating,
// as the kubelet's does.
void markCreating(ContainerSlot& slot);

// Not running and not exited: the runtime is pulling, a pull failed, or the
// pod has no runtime. Shown as waiting with the reason; never an exit, so no
// crash and no restart is counted.
void markWaiting(ContainerSlot& slot, const std::string& reason, const std::string& message);

// The runtime did not start it and left nothing running (a pull failed, the
// runtime is unreachable): waiting with the runtime's reason, tried again at
// `now` + its retryAfter, or + `defaultRetry` when it names none. No restart counted.
void markStartWaiting(ContainerSlot& slot, const runtime::ContainerStatus& waiting, base::TimePoint now,
                      std::chrono::milliseconds defaultRetry);

// The runtime reports the container running. `spec` is its container in the
// pod's spec: without a startup probe it is started at once, and without a
// readiness probe started means ready. Returns true when an earlier instance had
// started (a restart, for the counters).
bool markStarted(ContainerSlot& slot, const runtime::ContainerStatus& started, const model::Container& spec);

// The postStart hook of the instance just started runs: not started, not
// ready (markStarted decided those from the probes; markPostStartDone redoes it).
void markPostStartRunning(ContainerSlot& slot);
// The hook succeeded: started and ready as markStarted would have made it.
void markPostStartDone(ContainerSlot& slot, const model::Container& spec);
// The hook failed: the container is being killed. Until it runs again it
// waits with the kubelet's PostStartHookError and the hook's message; its
// exit shows reason FailedPostStartHook.
void markPostStartFailed(ContainerSlot& slot, const std::string& message);

// A start that failed (the runtime refused it, or its spec cannot be honoured)
// counts as an exit with code 128, so the restart back-off applies to it.
void markStartFailed(ContainerSlot& slot, const std::string& reason, const std::string& message,
                     base::TimePoint now, base::WallTime wallNow);

// The container exited. finishedAt is `now` (monotonic, for the back-off); the
// wall time shown is the runtime's when it has one.
void markExited(ContainerSlot& slot, const runtime::ContainerStatus& exited, base::TimePoint now,
                base::WallTime wallNow);

// The startup probe passed: started, and ready when `spec` has no readiness
// probe (`spec` null: the pod's spec no longer names it; readiness unchanged).
void markStartupPassed(ContainerSlot& slot, const model::Container* spec);

// A readiness probe result: ready only once started.
void markReadiness(ContainerSlot& slot, bool success);

// A pod is ready when it is not stopping, has containers, and each container
// and each sidecar runs and is ready. readySince is set when it becomes ready.
void updateReadiness(PodState& pod, base::TimePoint now, base::WallTime wallNow);

}  // namespace daemonlet::reconciler
