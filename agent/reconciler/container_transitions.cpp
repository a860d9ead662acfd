#include "agent/reconciler/container_transitions.h"
#include "runtime/container_reasons.h"

namespace daemonlet::reconciler {

using decision::ContainerState;

void markCreating(ContainerSlot& slot) {
  slot.waitingReason = runtime::reasons::kContainerCreating;
  slot.waitingMessage.clear();
}

void markWaiting(ContainerSlot& slot, const std::string& reason, const std::string& message) {
  slot.state = decision::ContainerState::Waiting;
  slot.waitingReason = reason;
  slot.waitingMessage = message;
}

void markStartWaiting(ContainerSlot& slot, const runtime::ContainerStatus& waiting, base::TimePoint now,
                      std::chrono::milliseconds defaultRetry) {
  markWaiting(slot, waiting.reason, waiting.message);
  slot.retryAt = now + waiting.retryAfter.value_or(defaultRetry);
}

bool markStarted(ContainerSlot& slot, const runtime::ContainerStatus& started, const model::Container& spec) {
  const bool restart = slot.starts > 0;
  slot.lastStartedAtWall = slot.startedAtWall;
  ++slot.starts;
  slot.state = ContainerState::Running;
  slot.containerId = started.containerId;
  slot.pid = started.pid;
  slot.startedAtWall = started.startedAt;
  slot.logPath = started.logPath;
  slot.image = started.image;
  slot.imageId = started.imageId;
  slot.retryAt.reset();
  slot.waitingReason.clear();
  slot.waitingMessage.clear();
  slot.postStartRunning = false;
  slot.preStopStarted = false;
  slot.killReason.clear();
  slot.killMessage.clear();
  slot.started = !spec.startupProbe;
  slot.ready = !spec.readinessProbe && slot.started;
  return restart;
}

void markPostStartRunning(ContainerSlot& slot) {
  slot.postStartRunning = true;
  slot.started = false;
  slot.ready = false;
}

void markPostStartDone(ContainerSlot& slot, const model::Container& spec) {
  slot.postStartRunning = false;
  slot.started = !spec.startupProbe;
  slot.ready = !spec.readinessProbe && slot.started;
}

void markPostStartFailed(ContainerSlot& slot, const std::string& message) {
  slot.postStartRunning = false;
  slot.killReason = "FailedPostStartHook";
  slot.killMessage = message;
  slot.waitingReason = "PostStartHookError";
  slot.waitingMessage = message;
}

void markStartFailed(ContainerSlot& slot, const std::string& reason, const std::string& message,
                     base::TimePoint now, base::WallTime wallNow) {
  slot.state = ContainerState::Exited;
  slot.exitCode = 128;
  slot.exitReason = reason;
  slot.exitMessage = message;
  slot.waitingReason = reason;
  slot.waitingMessage = message;
  slot.retryAt.reset();
  slot.finishedAt = now;
  slot.finishedAtWall = wallNow;
  ++slot.starts;
}

void markExited(ContainerSlot& slot, const runtime::ContainerStatus& exited, base::TimePoint now,
                base::WallTime wallNow) {
  slot.state = ContainerState::Exited;
  slot.exitCode = exited.exitCode;
  slot.exitReason = slot.killReason.empty() ? exited.reason : slot.killReason;
  slot.exitMessage = slot.killReason.empty() ? exited.message : slot.killMessage;
  slot.killReason.clear();
  slot.killMessage.clear();
  slot.postStartRunning = false;
  slot.finishedAt = now;
  slot.finishedAtWall = exited.finishedAt.value_or(wallNow);
  slot.started = false;
  slot.ready = false;
}

void markStartupPassed(ContainerSlot& slot, const model::Container* spec) {
  slot.started = true;
  if (spec && !spec->readinessProbe) slot.ready = true;
}

void markReadiness(ContainerSlot& slot, bool success) { slot.ready = success && slot.started; }

void updateReadiness(PodState& pod, base::TimePoint now, base::WallTime wallNow) {
  bool ready = !pod.containers.empty() && !pod.stopRequested;
  for (const auto& slot : pod.containers)
    ready = ready && slot.state == ContainerState::Running && slot.ready;
  for (const auto& slot : pod.initContainers) {
    if (slot.sidecar) ready = ready && slot.state == ContainerState::Running && slot.ready;
  }
  if (ready && !pod.ready) {
    pod.readySince = now;
    pod.readySinceWall = wallNow;
  }
  pod.ready = ready;
}

}  // namespace daemonlet::reconciler
