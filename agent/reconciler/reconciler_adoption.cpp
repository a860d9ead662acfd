// Adoption: a restarted agent rebuilds its pods from its state files and from
// what the runtime reports, without starting, stopping or restarting anything
// that runs as it should.
#include <algorithm>
#include <set>

#include "agent/base/log.h"
#include "agent/model/object_key.h"
#include "agent/model/pod_rules.h"
#include "agent/reconciler/reconciler.h"
#include "agent/reconciler/start_request.h"

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
    pods_.emplace(uid, std::move(pod));
  }

  std::vector<std::pair<runtime::Runtime*, runtime::ContainerStatus>> listed;  // with the runtime listing it
  for (runtime::Runtime* owner : runtimes_.all()) {
    auto some = owner->list();
    if (!some) {
      base::logError("cannot list the runtime's containers",
                     {{"runtime", owner->name()}, {"error", some.error().describe()}});
      return;
    }
    for (auto& status : *some) listed.emplace_back(owner, std::move(status));
  }
  int adopted = 0;
  std::set<ContainerKey> runningInListing;  // slots given a running instance
  for (const auto& [owner, status] : listed) {
    if (status.pod.uid.empty()) {
      // Alive but unidentifiable: it can be neither adopted nor left beside a
      // new copy. Stop it; the plan starts a proper pod if one belongs here.
      base::logWarning("stopping an unidentified daemon process", {{"container", status.containerId}});
      (void)owner->stop(status.containerId, std::chrono::seconds(model::kDefaultTerminationGracePeriodSeconds),
                        [](const runtime::ContainerStatus&) {});
      continue;
    }
    auto [it, created] = pods_.try_emplace(status.pod.uid);
    PodState& pod = it->second;
    pod.runtimeName = owner->name();
    if (created) {
      // Its state file was lost: rebuild the pod from the runtime's stamp. Its
      // spec is attached once a source supplies the same revision.
      pod.ref = status.pod;
      pod.daemonSetKey = model::objectKey(status.pod.namespace_, status.pod.daemonSetName);
      pod.createdAtWall = status.startedAt;
      pod.createdAt = clock_.now() - std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                         clock_.wallNow() - status.startedAt);
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
    runningInListing.insert(slotKey);
    // Probes start over for an adopted instance; until they say otherwise it
    // keeps the standing it had (it was running under the previous agent).
    slot->started = true;
    if (!recorded) slot->ready = true;
    ++adopted;
  }
  // Slots that the state file says ran but the runtime no longer has: their
  // exit went unseen, so they count as exited now (and restart with backoff).
  for (auto& [uid, pod] : pods_) {
    for (auto* slots : {&pod.initContainers, &pod.containers}) {
      for (auto& slot : *slots) {
        if (slot.state == ContainerState::Exited && !slot.finishedAtWall) {
          slot.finishedAt = clock_.now();
          slot.finishedAtWall = clock_.wallNow();
          slot.exitReason = slot.exitReason.empty() ? "ContainerStatusUnknown" : slot.exitReason;
        }
      }
    }
  }
  for (auto& [uid, pod] : pods_) resumeProbes(pod);
  // A stop the previous agent began (SIGTERM sent, SIGKILL pending) died with
  // it, and the plan only waits for stopping pods: begin it again, with a full
  // grace period (e2e test StopInProgressAndEditWhileDownAreFinishedByTheNextAgent).
  for (auto& [uid, pod] : pods_) {
    if (pod.stopRequested) (void)stopPod(decision::StopPod{uid, decision::StopReason::Replaced});
  }
  base::logInfo("adopted running containers", {{"containers", std::to_string(adopted)},
                                               {"pods", std::to_string(pods_.size())}});
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
