// Adoption: a restarted agent rebuilds its pods from its state files and from
// what the runtime reports, without starting, stopping or restarting anything
// that runs as it should.
#include <algorithm>
#include <set>

#include "agent/base/log.h"
#include "agent/model/object_key.h"
#include "agent/model/pod_rules.h"
#include "agent/reconciler/container_transitions.h"
#include "agent/reconciler/reconciler.h"
#include "agent/reconciler/start_request.h"
#include "runtime/container_reasons.h"

namespace daemonlet::reconciler {

using decision::ContainerState;

void Reconciler::adopt() {
  PodStateStore::Loaded loaded = podStore_.loadAll();
  for (const auto& error : loaded.errors) {
    base::logWarning("ignoring unusable pod state; the runtime's records decide what runs",
                     {{"file", error.origin}, {"error", error.message}});
  }
  stateErrors_ = std::move(loaded.errors);
  for (auto& pod : loaded.pods) {
    std::string uid = pod.ref.uid;
    unsettled_.insert(uid);
    pods_.emplace(uid, std::move(pod));
  }
  // One runtime down or slow (containerd not answering) must not keep the
  // others' containers from being adopted: each is listed, and adopted, on its
  // own, as its answer comes in.
  for (runtime::Runtime* runtime : runtimes_.all()) firstListingsAwaited_.insert(runtime->name());
  for (runtime::Runtime* runtime : runtimes_.all()) adoptFrom(*runtime);
  // Pods of a runtime that is not configured here have nothing to wait for.
  settleAdoptedPods();
}

void Reconciler::adoptFrom(runtime::Runtime& runtime) {
  const std::string name = runtime.name();
  if (!listingsInFlight_.insert(name).second) return;  // its answer is still awaited
  // The runtime outlives the reconciler (constructor); the answer may not.
  runtime.list([this, alive = alive_, &runtime, name](base::Result<std::vector<runtime::ContainerStatus>> listed) {
    if (!*alive) return;
    listingsInFlight_.erase(name);
    if (stopped_) return;
    onAdoptionListing(runtime, std::move(listed));
  });
}

void Reconciler::onAdoptionListing(runtime::Runtime& runtime,
                                   base::Result<std::vector<runtime::ContainerStatus>> listed) {
  // The first answers of all runtimes (or failures) precede the first pass, as
  // when listing was synchronous: a pass before them would make new pods for
  // DaemonSets whose pods the runtime runs but whose state files were lost.
  const bool lastFirstAnswer = firstListingsAwaited_.erase(runtime.name()) > 0 && firstListingsAwaited_.empty();
  if (!listed) {
    const bool first = !adoptionErrors_.count(runtime.name());
    adoptionErrors_[runtime.name()] = listed.error().describe();
    auto delay = adoptionRetry_.failed(clock_.now());
    auto verdict = logThrottle_.allow("adopt:" + runtime.name(), clock_.now());
    if (verdict.log) {
      base::logWarning(first ? "cannot list the runtime's containers; its pods wait until it answers"
                             : "the runtime still does not list its containers; its pods wait",
                       {{"runtime", runtime.name()},
                        {"error", listed.error().describe()},
                        {"retry_in", std::to_string(delay.count()) + "ms"},
                        {"suppressed", base::suppressedNote(verdict.suppressed)}});
    }
    if (!adoptionTimer_.armed()) adoptionTimer_.armAfter(delay, [this] { retryAdoption(); });
    if (lastFirstAnswer) schedulePass();
    return;
  }
  const bool waited = adoptionErrors_.erase(runtime.name()) > 0;
  logThrottle_.clear("adopt:" + runtime.name());
  if (adoptionErrors_.empty()) adoptionRetry_.succeeded();
  adoptedRuntimes_.insert(runtime.name());
  adoptListing(runtime, *listed);
  if (waited) base::logInfo("the runtime answers; its containers are adopted", {{"runtime", runtime.name()}});
  settleAdoptedPods();
  if (waited || lastFirstAnswer) schedulePass();
}

void Reconciler::retryAdoption() {
  if (stopped_) return;
  for (runtime::Runtime* runtime : runtimes_.all()) {
    if (!adoptedRuntimes_.count(runtime->name())) adoptFrom(*runtime);
  }
}

bool Reconciler::allRuntimesAdopted() const {
  for (runtime::Runtime* runtime : runtimes_.all()) {
    if (!adoptedRuntimes_.count(runtime->name())) return false;
  }
  return true;
}

bool Reconciler::awaitingAdoption(const PodState& pod) const {
  std::string name = pod.runtimeName;
  if (name.empty() && pod.daemonSet) name = runtimes_.forPod(pod.daemonSet->spec.template_.spec).name;
  if (name.empty()) return !allRuntimesAdopted();
  // A runtime that is not configured has nothing of the pod to adopt.
  return runtimes_.byName(name) != nullptr && !adoptedRuntimes_.count(name);
}

void Reconciler::holdStart(PodState& pod, ContainerSlot& slot) {
  std::string name = pod.runtimeName;
  if (name.empty() && pod.daemonSet) name = runtimes_.forPod(pod.daemonSet->spec.template_.spec).name;
  auto error = adoptionErrors_.find(name);
  const std::string message = "waiting for the " + name +
                              " runtime to list its containers, which may still run this pod" +
                              (error != adoptionErrors_.end() ? ": " + error->second : std::string());
  if (slot.waitingReason != runtime::reasons::kRuntimeUnavailable) {
    base::logWarning("container start held until its runtime answers",
                     {{"pod", pod.ref.name}, {"container", slot.name}, {"runtime", name}});
  }
  markWaiting(slot, runtime::reasons::kRuntimeUnavailable, message);
}

void Reconciler::adoptListing(runtime::Runtime& owner, const std::vector<runtime::ContainerStatus>& listed) {
  int adopted = 0;
  std::set<ContainerKey> runningInListing;  // slots given a running instance
  for (const auto& status : listed) {
    if (status.pod.uid.empty()) {
      // Alive but unidentifiable: it can be neither adopted nor left beside a
      // new copy. Stop it; the plan starts a proper pod if one belongs here.
      base::logWarning("stopping an unidentified daemon process", {{"container", status.containerId}});
      (void)owner.stop(status.containerId, std::chrono::seconds(model::kDefaultTerminationGracePeriodSeconds),
                       [](const runtime::ContainerStatus&) {});
      continue;
    }
    auto [it, created] = pods_.try_emplace(status.pod.uid);
    PodState& pod = it->second;
    pod.runtimeName = owner.name();
    if (created) {
      // Its state file was lost: rebuild the pod from the runtime's stamp. Its
      // spec is attached once a source supplies the same revision.
      pod.ref = status.pod;
      pod.daemonSetKey = model::objectKey(status.pod.namespace_, status.pod.daemonSetName);
      pod.createdAtWall = status.startedAt;
      pod.createdAt = clock_.now() - std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                         clock_.wallNow() - status.startedAt);
      unsettled_.insert(status.pod.uid);
      base::logWarning("pod state missing; rebuilt from the runtime", {{"pod", pod.ref.name}});
    }
    ContainerSlot* slot = pod.findContainer(status.containerName, status.init);
    const ContainerKey slotKey = ContainerKey::of(status);
    if (slot != nullptr && status.state == runtime::ContainerState::kExited && runningInListing.count(slotKey) != 0) {
      // An older instance listed after the running one: it must not hide it,
      // or a second copy is started beside it (list() orders by restart count,
      // this keeps the rule where it matters).
      continue;
    }
    // A slot from the state file carries the readiness it had (persisted).
    bool recorded = !created && slot != nullptr && slot->containerId == status.containerId;
    if (!slot) {
      auto& slots = status.init ? pod.initContainers : pod.containers;
      slots.push_back(ContainerSlot{});
      slot = &slots.back();
      slot->name = status.containerName;
      slot->init = status.init;
    }
    slot->starts = std::max(slot->starts, status.restartCount + 1);
    slot->containerId = status.containerId;
    slot->pid = status.pid;
    slot->startedAtWall = status.startedAt;
    slot->logPath = status.logPath;
    slot->image = status.image;
    slot->imageId = status.imageId;
    if (status.state == runtime::ContainerState::kExited) {
      slot->state = ContainerState::Exited;
      slot->exitCode = status.exitCode;
      slot->exitReason = status.reason;
      slot->finishedAtWall = status.finishedAt;
      slot->finishedAt = status.finishedAt
                             ? clock_.now() - std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                  clock_.wallNow() - *status.finishedAt)
                             : clock_.now();
      continue;
    }
    slot->state = ContainerState::Running;
    // A start held while the runtime did not answer said so; it runs.
    slot->waitingReason.clear();
    slot->waitingMessage.clear();
    runningInListing.insert(slotKey);
    // Probes start over for an adopted instance; until they say otherwise it
    // keeps the standing it had (it was running under the previous agent).
    slot->started = true;
    if (!recorded) slot->ready = true;
    ++adopted;
  }
  base::logInfo("adopted running containers", {{"runtime", owner.name()},
                                               {"containers", std::to_string(adopted)},
                                               {"pods", std::to_string(pods_.size())}});
}

void Reconciler::settleAdoptedPods() {
  for (auto it = unsettled_.begin(); it != unsettled_.end();) {
    PodState* pod = findPod(*it);
    if (pod != nullptr && awaitingAdoption(*pod)) {
      ++it;
      continue;
    }
    it = unsettled_.erase(it);
    if (pod == nullptr) continue;
    // Slots that the state file says ran but the runtime no longer has: their
    // exit went unseen, so they count as exited now (and restart with
    // backoff). A start held meanwhile left such a slot waiting: it is the
    // exited instance again, whose restart the next pass plans.
    for (auto* slots : {&pod->initContainers, &pod->containers}) {
      for (auto& slot : *slots) {
        if (slot.starts == 0 || slot.state == ContainerState::Running) continue;
        slot.state = ContainerState::Exited;
        slot.waitingReason.clear();
        slot.waitingMessage.clear();
        if (!slot.finishedAtWall) {
          slot.finishedAt = clock_.now();
          slot.finishedAtWall = clock_.wallNow();
          slot.exitReason = slot.exitReason.empty() ? runtime::reasons::kContainerStatusUnknown : slot.exitReason;
        }
      }
    }
    resumeProbes(*pod);
    // A stop the previous agent began (SIGTERM sent, SIGKILL pending) died with
    // it, and the plan only waits for stopping pods: begin it again, with a full
    // grace period (e2e test StopInProgressAndEditWhileDownAreFinishedByTheNextAgent).
    if (pod->stopRequested) (void)stopPod(decision::StopPod{pod->ref.uid, decision::StopReason::Replaced});
  }
}

void Reconciler::attachSpecs() {
  for (auto& [uid, pod] : pods_) {
    auto entry = daemonSets_.find(pod.daemonSetKey);
    if (entry == daemonSets_.end() || entry->second.sourced.revision != pod.ref.revision) continue;
    // Same revision hash, so the same template: the pod's spec is known again.
    // A pod whose spec came back from its state file shares the sources' copy
    // instead of keeping its own.
    const bool specWasKnown = pod.daemonSet != nullptr;
    pod.daemonSet = entry->second.sourced.daemonSet;
    if (specWasKnown) continue;
    std::vector<ContainerSlot> initSlots = std::move(pod.initContainers);
    std::vector<ContainerSlot> slots = std::move(pod.containers);
    initialiseSlots(pod);
    for (auto& old : initSlots) {
      if (ContainerSlot* fresh = pod.findContainer(old.name, true)) {
        bool sidecar = fresh->sidecar;
        *fresh = old;
        fresh->sidecar = sidecar;
      }
    }
    for (auto& old : slots) {
      if (ContainerSlot* fresh = pod.findContainer(old.name, false)) *fresh = old;
    }
    // Init containers not seen in the runtime of a pod whose main containers
    // run have completed (their records were pruned).
    resumeProbes(pod);
    save(pod);
  }
}

// Adopted running containers get their probes back: the previous agent's
// probers died with it, so liveness failures of adopted daemons went unnoticed
// and readiness froze. Readiness keeps the persisted standing until the probe
// reports (taking every adopted container as ready let a surge update stop the
// old pod before the new one had ever passed: e2e test
// AgentRestartDuringASurgeKeepsBothPodsAndTheOrder).
void Reconciler::resumeProbes(PodState& pod) {
  if (!pod.daemonSet || pod.stopRequested) return;
  for (auto* slots : {&pod.initContainers, &pod.containers}) {
    for (auto& slot : *slots) {
      if (slot.state != ContainerState::Running) continue;
      const model::Container* container = containerSpec(pod, slot);
      if (!container) continue;
      if (!container->readinessProbe) slot.ready = slot.started;
      startProbes(pod, slot, *container);
    }
  }
}

}  // namespace daemonlet::reconciler
