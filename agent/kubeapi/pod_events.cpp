#include "agent/kubeapi/pod_events.h"
#include "runtime/container_reasons.h"

#include <map>

namespace daemonlet::kubeapi {
namespace {

InvolvedObject podRef(const status::PodView& pod, const std::string& container = {}) {
  InvolvedObject ref{"Pod", "v1", pod.namespace_, pod.name, pod.uid, {}};
  if (!container.empty()) ref.fieldPath = "spec.containers{" + container + "}";
  return ref;
}

const status::ContainerView* containerIn(const status::PodView* pod, const std::string& name) {
  if (!pod) return nullptr;
  for (const auto& c : pod->containers) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

void recordContainer(const status::PodView& pod, const status::ContainerView* was, const status::ContainerView& c,
                     EventRecorder& recorder) {
  auto ref = podRef(pod, c.name);
  bool started = c.state == "running" && !c.containerId.empty() &&
                 (!was || was->containerId != c.containerId || was->state != "running");
  if (started) {
    recorder.record(ref, "Normal", "Created", "Created container " + c.name);
    recorder.record(ref, "Normal", "Started", "Started container " + c.name);
  }
  bool newReason = c.state == "waiting" && (!was || was->reason != c.reason || was->state != "waiting");
  if (!newReason) return;
  if (c.reason == runtime::reasons::kCrashLoopBackOff) {
    recorder.record(ref, "Warning", "BackOff",
                    "Back-off restarting failed container " + c.name + " in pod " + pod.name + "_" + pod.namespace_ +
                        "(" + pod.uid + ")");
  } else if (c.reason == runtime::reasons::kErrImagePull) {
    recorder.record(ref, "Warning", "Failed", "Failed to pull image \"" + c.image + "\": " + c.message);
  } else if (c.reason == runtime::reasons::kImagePullBackOff) {
    recorder.record(ref, "Normal", "BackOff", "Back-off pulling image \"" + c.image + "\"");
  }
}

void recordKilling(const status::PodView& pod, EventRecorder& recorder) {
  for (const auto& c : pod.containers) {
    if (!c.init) recorder.record(podRef(pod, c.name), "Normal", "Killing", "Stopping container " + c.name);
  }
}

}  // namespace

void recordPodEvent(const status::PodEvent& event, EventRecorder& recorder) {
  InvolvedObject ref{"Pod", "v1", event.namespace_, event.podName, event.podUid, {}};
  if (!event.container.empty()) {
    ref.fieldPath = std::string(event.init ? "spec.initContainers{" : "spec.containers{") + event.container + "}";
  }
  recorder.record(ref, event.type, event.reason, event.message);
}

void recordPodTransitions(const status::StatusSnapshot* before, const status::StatusSnapshot& after,
                          EventRecorder& recorder) {
  if (!before) return;
  std::map<std::string, const status::PodView*> previous;
  for (const auto& pod : before->pods) previous[pod.uid] = &pod;
  for (const auto& pod : after.pods) {
    auto found = previous.find(pod.uid);
    const status::PodView* was = found == previous.end() ? nullptr : found->second;
    if (!was) {
      recorder.record(podRef(pod), "Normal", "Scheduled",
                      "Successfully assigned " + pod.namespace_ + "/" + pod.name + " to " + after.node.name +
                          " (DaemonSet " + pod.daemonSetName + " selects this node)");
    } else {
      previous.erase(found);
    }
    for (const auto& c : pod.containers) recordContainer(pod, containerIn(was, c.name), c, recorder);
    if (pod.terminating && (!was || !was->terminating)) recordKilling(pod, recorder);
  }
  for (const auto& [uid, pod] : previous) {
    if (!pod->terminating) recordKilling(*pod, recorder);
  }
}

}  // namespace daemonlet::kubeapi
