// Lifecycle hooks (postStart, preStop) the way the kubelet's kuberuntime runs
// them around a container's start and stop (startContainer, killContainer,
// executePreStopHook); HookRunner (agent/lifecycle/) runs the handlers.
#include <algorithm>

#include "agent/base/log.h"
#include "agent/model/object_key.h"
#include "agent/reconciler/container_transitions.h"
#include "agent/reconciler/reconciler.h"
#include "agent/reconciler/start_request.h"

namespace daemonlet::reconciler {
namespace {

// The kubelet never stops a container with less than this after a preStop
// hook used up the grace period (minimumGracePeriodInSeconds).
constexpr std::chrono::milliseconds kMinimumGraceAfterPreStop = std::chrono::seconds(2);

}  // namespace

lifecycle::HookTarget Reconciler::hookTarget(const PodState& pod, const ContainerSlot& slot,
                                             runtime::Runtime& runtime) const {
  lifecycle::HookTarget target;
  target.pod = model::objectKey(pod.ref.namespace_, pod.ref.name);
  target.host = runtime.podIP(pod.ref.uid);
  // The runtime outlives the hook runs: shutdown() cancels them first.
  target.exec = [&runtime, id = slot.containerId](const std::vector<std::string>& command,
                                                  std::chrono::milliseconds timeout,
                                                  runtime::ExecCallback done) {
    return runtime.exec(id, command, timeout, std::move(done));
  };
  return target;
}

void Reconciler::runPostStart(PodState& pod, ContainerSlot& slot, const model::Container& container,
                              runtime::Runtime& runtime, std::chrono::seconds grace) {
  const ContainerKey key = ContainerKey::of(pod, slot);
  markPostStartRunning(slot);
  auto done = [this, alive = alive_, key, id = slot.containerId, container, &runtime,
               grace](lifecycle::HookOutcome outcome) {
    if (!*alive) return;
    hookRuns_.erase(key);
    PodState* pod = findPod(key.podUid);
    ContainerSlot* slot = pod ? pod->findContainer(key.name, key.init) : nullptr;
    if (!slot || slot->containerId != id || !slot->postStartRunning) return;  // it exited meanwhile
    if (outcome.success) {
      markPostStartDone(*slot, container);
      startProbes(*pod, *slot, container);
      schedulePass();
      return;
    }
    // The kubelet records a FailedPostStartHook event and kills the container;
    // its restart policy and back-off bring it back.
    base::logWarning("postStart hook failed, killing the container", {{"event", "FailedPostStartHook"},
                                                                      {"pod", pod->ref.name},
                                                                      {"container", slot->name},
                                                                      {"detail", outcome.message}});
    // The event says no more than the kubelet's (a hook's output can hold secrets); the log has the detail.
    recordEvent(*pod, *slot, "Warning", "FailedPostStartHook", "PostStartHook failed");
    markPostStartFailed(*slot, outcome.message);
    stopContainer(*pod, *slot, runtime, grace);
    publish();
  };
  hookRuns_[key] =
      hookRunner_.run(lifecycle::HookKind::kPostStart, *container.lifecycle->postStart, container,
                      hookTarget(pod, slot, runtime), lifecycle::kNoHookLimit, std::move(done));
}

void Reconciler::stopContainer(PodState& pod, ContainerSlot& slot, runtime::Runtime& runtime,
                               std::chrono::seconds grace) {
  const ContainerKey key = ContainerKey::of(pod, slot);
  if (slot.postStartRunning) {
    // Stopped during its postStart hook: the hook's outcome no longer matters.
    cancelHook(key);
    slot.postStartRunning = false;
  }
  if (slot.preStopStarted) {
    // Its hook is still running (the stop follows it), or it ran and the
    // runtime's stop was issued: asking again is harmless.
    if (!hookRuns_.count(key)) terminate(runtime, slot.containerId, grace);
    return;
  }
  const model::Container* spec = containerSpec(pod, slot);
  if (!spec || !spec->lifecycle || !spec->lifecycle->preStop)
    return terminate(runtime, slot.containerId, grace);

  slot.preStopStarted = true;
  const auto began = clock_.now();
  auto done = [this, alive = alive_, key, id = slot.containerId, &runtime, grace,
               began](lifecycle::HookOutcome outcome) {
    if (!*alive) return;
    hookRuns_.erase(key);
    PodState* pod = findPod(key.podUid);
    if (!outcome.success) {
      // Recorded, then the termination goes on, as the kubelet's FailedPreStopHook.
      base::logWarning("preStop hook failed", {{"event", "FailedPreStopHook"},
                                               {"pod", pod ? pod->ref.name : key.podUid},
                                               {"container", key.name},
                                               {"detail", outcome.message}});
    }
    ContainerSlot* slot = pod ? pod->findContainer(key.name, key.init) : nullptr;
    if (!outcome.success && slot) recordEvent(*pod, *slot, "Warning", "FailedPreStopHook", "PreStopHook failed");
    if (slot && slot->containerId == id && slot->state == decision::ContainerState::Running) {
      auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now() - began);
      // A deletion may have shortened the pod's grace period while the hook ran.
      const std::chrono::milliseconds budget =
          std::min<std::chrono::milliseconds>(grace, terminationGrace(*pod));
      terminate(runtime, id, std::max(budget - spent, kMinimumGraceAfterPreStop));
    }
    // The pod's own stop (stopPod: leftovers, the cgroup) waited for the hook.
    schedulePass();
  };
  hookRuns_[key] = hookRunner_.run(lifecycle::HookKind::kPreStop, *spec->lifecycle->preStop, *spec,
                                   hookTarget(pod, slot, runtime), grace, std::move(done));
}

void Reconciler::terminate(runtime::Runtime& runtime, const std::string& containerId,
                           std::chrono::milliseconds grace) {
  auto stopping = runtime.stop(containerId, grace, [this, alive = alive_](const runtime::ContainerStatus&) {
    if (*alive) schedulePass();
  });
  if (!stopping) {
    base::logWarning("cannot stop container",
                     {{"container", containerId}, {"error", stopping.error().describe()}});
  }
}

void Reconciler::cancelHook(const ContainerKey& key) {
  auto it = hookRuns_.find(key);
  if (it == hookRuns_.end()) return;
  it->second->cancel();
  hookRuns_.erase(it);
}

bool Reconciler::hookRunning(const std::string& podUid) const {
  return std::any_of(hookRuns_.begin(), hookRuns_.end(),
                     [&](const auto& run) { return run.first.podUid == podUid; });
}

}  // namespace daemonlet::reconciler
