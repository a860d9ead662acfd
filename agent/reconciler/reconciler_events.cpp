// The kubelet's events that no status snapshot shows (status/pod_event.h):
// each failed probe attempt (Unhealthy, as prober.runProbe records it), failed
// hooks (reconciler_hooks.cpp calls recordEvent) and image pulls (Pulling,
// Pulled, as the image manager records them).
#include <cstdio>

#include "agent/reconciler/reconciler.h"
#include "runtime/container_reasons.h"

namespace daemonlet::reconciler {
namespace {

// "Liveness": the kubelet names the probe capitalised in its events.
const char* probeEventName(ProbeKind kind) {
  switch (kind) {
    case ProbeKind::kStartup:
      return "Startup";
    case ProbeKind::kLiveness:
      return "Liveness";
    case ProbeKind::kReadiness:
      return "Readiness";
  }
  return "Unknown";
}

// "1.234s", as Go prints a duration of that size.
std::string pullSecondsText(std::chrono::nanoseconds spent) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3fs", std::chrono::duration<double>(spent).count());
  return text;
}

}  // namespace

void Reconciler::recordEvent(const PodState& pod, const ContainerSlot& slot, const char* type,
                             const char* reason, std::string message) {
  if (!podEventSink_) return;
  podEventSink_({pod.ref.uid, pod.ref.namespace_, pod.ref.name, slot.name, slot.init, type, reason,
                 std::move(message)});
}

void Reconciler::onProbeAttemptFailed(const ProbeKey& key, ProbeKind kind, const std::string& message) {
  PodState* pod = findPod(key.podUid);
  ContainerSlot* slot = pod ? pod->findContainer(key.container, key.init) : nullptr;
  if (!slot || slot->state != decision::ContainerState::Running) return;
  recordEvent(*pod, *slot, "Warning", "Unhealthy",
              std::string(probeEventName(kind)) + " probe failed: " + message);
}

void Reconciler::notePulling(PodState& pod, ContainerSlot& slot, const runtime::ContainerStatus& status) {
  if (slot.pullingSince) return;  // said once per pull
  slot.pullingSince = clock_.now();
  recordEvent(pod, slot, "Normal", runtime::reasons::kPulling, status.message);
}

void Reconciler::notePulled(const PodState& pod, ContainerSlot& slot,
                            const runtime::ContainerStatus& started) {
  // Host processes have no image; a CRI start names the image it ran.
  if (started.image.empty()) return;
  if (slot.pullingSince) {
    std::string spent = pullSecondsText(clock_.now() - *slot.pullingSince);
    slot.pullingSince.reset();
    recordEvent(pod, slot, "Normal", "Pulled",
                "Successfully pulled image \"" + started.image + "\" in " + spent + " (" + spent +
                    " including waiting)");
    return;
  }
  recordEvent(pod, slot, "Normal", "Pulled",
              "Container image \"" + started.image + "\" already present on machine");
}

}  // namespace daemonlet::reconciler
