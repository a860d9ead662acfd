// Turns the reconciler's state into an immutable StatusSnapshot for the local
// API, metrics and reporters.
#include "agent/reconciler/reconciler.h"

#include <map>
#include <vector>

#include "agent/model/object_key.h"
#include "agent/reconciler/start_request.h"
#include "runtime/container_reasons.h"

namespace daemonlet::reconciler {
namespace {

using decision::ContainerState;

std::optional<base::WallTime> steadyToWall(const base::Clock& clock, decision::TimePoint t) {
  return clock.wallNow() - std::chrono::duration_cast<std::chrono::system_clock::duration>(clock.now() - t);
}

status::ContainerView containerView(const base::Clock& clock, const PodState& pod, const ContainerSlot& slot,
                                    const decision::Plan& plan) {
  status::ContainerView view;
  view.name = slot.name;
  view.init = slot.init;
  // The image as the runtime names it once it ran one, else as the spec does.
  view.image = slot.image;
  if (view.image.empty() && pod.daemonSet) {
    const auto& spec = pod.daemonSet->spec.template_.spec;
    for (const auto& c : slot.init ? spec.initContainers : spec.containers) {
      if (c.name == slot.name) view.image = c.image;
    }
  }
  view.imageId = slot.imageId;
  view.containerId = slot.containerId;
  view.ready = slot.ready;
  view.started = slot.started;
  view.restartCount = slot.restartCount();
  view.logPath = slot.logPath;
  view.lastExitCode = slot.exitCode;
  view.lastExitReason = slot.exitReason;
  view.lastStartedAt = slot.state == ContainerState::Running ? slot.lastStartedAtWall : slot.startedAtWall;
  view.lastFinishedAt = slot.finishedAtWall;
  for (const auto& backoff : plan.backoffs) {
    if (backoff.podUid == pod.ref.uid && backoff.container == slot.name) view.backoffUntil = steadyToWall(clock, backoff.until);
  }
  switch (slot.state) {
    case ContainerState::Running:
      if (slot.postStartRunning) {
        // Not Running until its postStart hook has finished, as the kubelet shows it.
        view.state = "waiting";
        view.reason = runtime::reasons::kContainerCreating;
        break;
      }
      view.state = "running";
      view.startedAt = slot.startedAtWall;
      break;
    case ContainerState::Waiting:
      view.state = "waiting";
      view.reason = slot.waitingReason.empty() ? (slot.init ? runtime::reasons::kPodInitializing : runtime::reasons::kContainerCreating) : slot.waitingReason;
      view.message = slot.waitingMessage;
      break;
    case ContainerState::Exited:
      if (slot.init && !slot.sidecar && slot.exitCode == 0) {
        view.state = "terminated";
        view.reason = runtime::reasons::kCompleted;
        view.startedAt = slot.startedAtWall;
        view.finishedAt = slot.finishedAtWall;
      } else {
        view.state = "waiting";
        // A container the spec cannot make keeps saying why during the back-off,
        // as the kubelet's CreateContainerConfigError does (it never ran).
        const bool configError = slot.waitingReason == runtime::reasons::kCreateContainerConfigError;
        view.reason = view.backoffUntil && !configError
                          ? runtime::reasons::kCrashLoopBackOff
                          : (slot.waitingReason.empty() ? "Restarting" : slot.waitingReason);
        view.message = slot.waitingMessage.empty() && view.backoffUntil
                           ? "back-off restarting failed container " + slot.name
                           : slot.waitingMessage;
      }
      break;
  }
  return view;
}

// `runtimeName`: the runtime that runs the pod, or the one it asks for and
// waits for ("cri" while none is available); `podIP`: empty until known.
status::PodView podView(const base::Clock& clock, const PodState& pod, const decision::Plan& plan,
                        const std::string& runtimeName, std::string podIP) {
  status::PodView view;
  view.uid = pod.ref.uid;
  view.name = pod.ref.name;
  view.namespace_ = pod.ref.namespace_;
  view.daemonSetName = pod.ref.daemonSetName;
  view.daemonSetUid = pod.ref.daemonSetUid;
  view.revision = pod.ref.revision;
  if (pod.daemonSet) view.labels = pod.daemonSet->spec.template_.metadata.labels;
  view.labels["controller-revision-hash"] = pod.ref.revision;
  view.ready = pod.ready;
  view.readySince = pod.ready ? pod.readySinceWall : std::nullopt;
  std::chrono::seconds minReady{pod.daemonSet ? pod.daemonSet->spec.minReadySeconds : 0};
  view.available = pod.ready && clock.now() >= pod.readySince + minReady;
  view.terminating = pod.stopRequested;
  if (pod.deletionRequestedAt) {
    // As rest.BeforeDelete sets them: when the grace period ends, and the grace.
    const std::chrono::seconds grace = deletionGracePeriod(pod);
    view.deletionTimestamp = *pod.deletionRequestedAt + grace;
    view.deletionGracePeriodSeconds = grace.count();
  }
  view.startTime = pod.createdAtWall;
  view.runtime = runtimeName;
  view.podIP = std::move(podIP);
  bool mainStarted = false;
  bool initDone = true;
  for (const auto& slot : pod.containers) mainStarted = mainStarted || slot.starts > 0;
  for (const auto& slot : pod.initContainers) {
    bool done = slot.sidecar ? slot.started : (slot.state == ContainerState::Exited && slot.exitCode == 0);
    initDone = initDone && (done || mainStarted);
  }
  view.initialized = initDone;
  // Restart policy Always: once its containers have started a pod stays Running
  // through restarts; before that it is Pending.
  view.phase = mainStarted ? "Running" : "Pending";
  view.containers.reserve(pod.initContainers.size() + pod.containers.size());
  for (const auto& slot : pod.initContainers) view.containers.push_back(containerView(clock, pod, slot, plan));
  for (const auto& slot : pod.containers) view.containers.push_back(containerView(clock, pod, slot, plan));
  return view;
}

}  // namespace

void Reconciler::publish() {
  auto snapshot = std::make_shared<status::StatusSnapshot>();
  snapshot->sequence = ++sequence_;
  snapshot->generatedAt = clock_.wallNow();
  snapshot->agentVersion = options_.agentVersion;
  snapshot->synced = firstPassDone_;
  snapshot->node = {node_.metadata.name, node_.metadata.labels, node_.taints, options_.hostIP};
  snapshot->sourceErrors = sourceErrors_;
  snapshot->sourceNotices = sourceNotices_;
  snapshot->stateErrors = stateErrors_;
  snapshot->sourcesComplete = sourcesComplete_;
  snapshot->endpoint = endpointView_;
  snapshot->counters = counters_;

  // Sized once: the snapshot lives until the next publish, and growth by
  // doubling left up to half of each vector's capacity unused.
  snapshot->pods.reserve(pods_.size());
  snapshot->daemonSets.reserve(daemonSets_.size());
  for (const auto& [uid, pod] : pods_) {
    std::string runtimeName = pod.runtimeName;
    if (runtimeName.empty() && pod.daemonSet) runtimeName = runtimes_.forPod(pod.daemonSet->spec.template_.spec).name;
    // A pod has an IP once its runtime has made it (the sandbox, for CRI pods).
    const runtime::Runtime* runtime = pod.runtimeName.empty() ? nullptr : runtimes_.byName(pod.runtimeName);
    snapshot->pods.push_back(podView(clock_, pod, lastPlan_, runtimeName, runtime ? runtime->podIP(uid) : ""));
  }
  // Pods by DaemonSet key, found once: a loop over every pod per DaemonSet made
  // each publish quadratic, and a cold start publishes once per started pod.
  std::map<std::string, std::vector<const status::PodView*>> podsByDaemonSet;
  for (const auto& pod : snapshot->pods) podsByDaemonSet[model::objectKey(pod.namespace_, pod.daemonSetName)].push_back(&pod);

  for (const auto& [key, entry] : daemonSets_) {
    const model::DaemonSet& ds = *entry.sourced.daemonSet;
    status::DaemonSetView view;
    view.namespace_ = ds.metadata.namespace_;
    view.name = ds.metadata.name;
    view.uid = ds.metadata.uid;
    view.object = entry.sourced.daemonSet;
    view.origin = entry.sourced.origin;
    view.revision = entry.sourced.revision;
    view.generation = ds.metadata.generation;
    view.updateStrategy = ds.spec.updateStrategy.type;
    view.shouldRun = entry.placement.shouldRun;
    view.shouldContinueRunning = entry.placement.shouldContinueRunning;
    view.reasons = entry.placement.reasons;
    if (auto waiting = lastPlan_.waiting.find(key); waiting != lastPlan_.waiting.end()) {
      view.reasons.insert(view.reasons.end(), waiting->second.begin(), waiting->second.end());
    }
    int current = 0, updated = 0, ready = 0;
    if (auto own = podsByDaemonSet.find(key); own != podsByDaemonSet.end()) {
      for (const status::PodView* pod : own->second) {
        view.podUids.push_back(pod->uid);
        ++current;
        updated += pod->revision == view.revision ? 1 : 0;
        ready += pod->ready ? 1 : 0;
      }
    }
    if (!entry.placement.shouldRun && !entry.placement.shouldContinueRunning) {
      view.state = current > 0 ? "Stopping" : "NotScheduled";
    } else if (!entry.placement.shouldRun && current == 0) {
      view.state = "NotScheduled";
    } else if (entry.evictAt) {
      view.state = "Evicting";
    } else if (current > updated || current > 1) {
      view.state = "Updating";
    } else if (ready > 0 && updated == current) {
      view.state = "Running";
    } else {
      view.state = "Progressing";
    }
    snapshot->daemonSets.push_back(std::move(view));
  }
  store_.publish(std::move(snapshot));
  if (onPublish_) onPublish_();
}

}  // namespace daemonlet::reconciler
