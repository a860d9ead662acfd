#include "agent/reconciler/reconciler.h"

#include <unistd.h>

#include <algorithm>

#include <boost/asio/post.hpp>

#include "agent/base/log.h"
#include "agent/decision/eviction.h"
#include "agent/decision/plan.h"
#include "agent/decision/plan_inputs.h"
#include "agent/decision/taints.h"
#include "agent/model/object_key.h"
#include "agent/reconciler/container_env.h"
#include "agent/reconciler/container_transitions.h"
#include "agent/reconciler/node_memory.h"
#include "agent/reconciler/start_request.h"
#include "agent/sources/manifest_set.h"
#include "runtime/container_reasons.h"

namespace daemonlet::reconciler {

using decision::ContainerState;

Reconciler::Reconciler(loop::TimerQueue& timers, const runtime::RuntimeSet& runtimes, status::SnapshotStore& store,
                       ReconcilerOptions options)
    : io_(timers.io()),
      runtimes_(runtimes),
      store_(store),
      clock_(timers.clock()),
      options_(std::move(options)),
      podStore_(options_.stateDir / "pods", clock_),
      prober_(io_, [this](const ProbeKey& key, ProbeKind kind, bool ok) { onProbeResult(key, kind, ok); }),
      hookRunner_(io_),
      adoptionTimer_(timers),
      wakeTimer_(timers),
      startBurstTimer_(timers) {
  prober_.onFailedAttempt([this](const ProbeKey& key, ProbeKind kind, const std::string& message) {
    onProbeAttemptFailed(key, kind, message);
  });
  counters_.reconcileBucketCounts.assign(status::kReconcileBuckets.size(), 0);
  if (options_.nodeMemoryBytes <= 0) options_.nodeMemoryBytes = readNodeMemoryBytes();
}

Reconciler::~Reconciler() {
  *alive_ = false;
  shutdown();
}

void Reconciler::start(model::Node node) {
  node_ = std::move(node);
  noteTaints();
  for (runtime::Runtime* runtime : runtimes_.all()) {
    runtime->setEventHandler([this](const runtime::ContainerStatus& status) { onContainerEvent(status); });
  }
  adopt();
  nextRelist_ = clock_.now() + options_.resyncPeriod;
  publish();
}

void Reconciler::shutdown() {
  if (stopped_) return;
  flushSavesAfterPass();
  stopped_ = true;
  adoptionTimer_.cancel();
  wakeTimer_.cancel();
  startBurstTimer_.cancel();
  prober_.stopAll();
  // A hook in flight is dropped: its container runs on, and a stop it
  // preceded is the next agent's to do (the pod stays marked stopping).
  for (auto& [key, run] : hookRuns_) run->cancel();
  hookRuns_.clear();
  for (runtime::Runtime* runtime : runtimes_.all()) runtime->setEventHandler({});
}

void Reconciler::setNode(model::Node node) {
  node_ = std::move(node);
  noteTaints();
  schedulePass();
}

void Reconciler::setSourceSnapshot(sources::SourceSnapshot snapshot) {
  std::map<std::string, DaemonSetEntry> next;
  for (auto& sourced : snapshot.daemonSets) {
    std::string key = model::daemonSetKey(*sourced.daemonSet);
    next[key].sourced = std::move(sourced);
  }
  daemonSets_ = std::move(next);
  counters_.sourceErrors += snapshot.errors.size() > sourceErrors_.size()
                                ? snapshot.errors.size() - sourceErrors_.size()
                                : 0;
  sourceErrors_ = std::move(snapshot.errors);
  sourceNotices_ = std::move(snapshot.notices);
  if (sourcesComplete_ != snapshot.complete) {
    base::logInfo(snapshot.complete ? "all sources settled; DaemonSets no longer defined will be removed"
                                    : "a source has not settled yet; pods of DaemonSets not seen are left running");
  }
  sourcesComplete_ = snapshot.complete;
  sourcesSeen_ = true;
  schedulePass();
}

void Reconciler::setEndpointView(status::EndpointView view) {
  endpointView_ = std::move(view);
  if (!stopped_) publish();
}

status::DeleteResult Reconciler::deletePod(const std::string& namespace_, const std::string& name,
                                           const status::DeleteRequest& request) {
  for (auto& [uid, pod] : pods_) {
    if (pod.ref.namespace_ != namespace_ || pod.ref.name != name) continue;
    if (!request.uid.empty() && request.uid != pod.ref.uid) return {status::DeleteOutcome::kConflict};
    if (!pod.deletionRequestedAt) {
      pod.deletionRequestedAt = clock_.wallNow();
      pod.deletionGrace = request.gracePeriod;
    } else if (request.gracePeriod && *request.gracePeriod < deletionGracePeriod(pod)) {
      // rest.BeforeDelete: a pod already being deleted may only have its grace
      // period shortened, and the kubelet then kills sooner. A pod already
      // stopping is stopped again (passes do not repeat a stop); the runtimes
      // keep the earlier of the two SIGKILL deadlines (Runtime::stop).
      pod.deletionGrace = request.gracePeriod;
      if (pod.stopRequested) {
        save(pod);
        (void)stopPod(decision::StopPod{uid, decision::StopReason::OperatorDeleted});
      }
    }
    pod.deletionRequested = true;
    save(pod);
    const std::chrono::seconds grace = deletionGracePeriod(pod);
    base::logInfo("pod deletion requested through the local API",
                  {{"pod", model::objectKey(namespace_, name)}, {"grace_seconds", std::to_string(grace.count())}});
    schedulePass();
    return {status::DeleteOutcome::kDeleted, *pod.deletionRequestedAt, grace};
  }
  return {status::DeleteOutcome::kNotFound};
}

void Reconciler::noteTaints() {
  ++nodeVersion_;
  noExecuteSince_ = decision::noExecuteTaintsSeen(node_, noExecuteSince_, clock_.now());
}

void Reconciler::schedulePass() {
  if (passPending_ || stopped_) return;
  passPending_ = true;
  boost::asio::post(io_, [this, alive = alive_] {
    if (*alive) runPass();
  });
}

// A completed start needs a pass (a surge update may go on, the status should
// show the container), but one pass per completion makes a cold start of n
// daemons cost n full passes. While other starts are still in flight the pass
// waits up to kStartBurstPassDelay and serves every completion until then; the
// last completion of a burst passes at once. Restarts are not delayed: the
// start itself was issued by the pass before.
void Reconciler::passAfterStart() {
  constexpr auto kStartBurstPassDelay = std::chrono::milliseconds(20);
  if (startsInFlight_.empty()) return schedulePass();
  if (startBurstTimer_.armed()) return;
  startBurstTimer_.armAfter(kStartBurstPassDelay, [this] { schedulePass(); });
}

std::vector<decision::DesiredDaemonSet> Reconciler::buildDesired() {
  std::vector<decision::DesiredDaemonSet> desired;
  for (auto& [key, entry] : daemonSets_) {
    const model::DaemonSet& ds = *entry.sourced.daemonSet;
    if (entry.decidedFor != nodeVersion_) {
      entry.placement = decision::decidePlacement(node_, ds);
      entry.tolerance = decision::noExecuteTolerance(node_, ds);
      entry.decidedFor = nodeVersion_;
    }
    entry.evictAt = decision::evictionDeadline(entry.placement.shouldContinueRunning, entry.tolerance, noExecuteSince_);
    std::string verdict = entry.placement.shouldRun ? "run" : (entry.placement.shouldContinueRunning ? "keep" : "skip");
    if (lastDecision_[key] != verdict) {
      ++counters_.decisions[verdict];
      if (!lastDecision_[key].empty()) {
        base::logInfo("placement changed", {{"daemonset", key}, {"decision", verdict}});
      }
      lastDecision_[key] = verdict;
    }
    desired.push_back(decision::desiredDaemonSet(ds, entry.sourced.revision, entry.placement, entry.evictAt));
  }
  for (auto it = lastDecision_.begin(); it != lastDecision_.end();) {
    it = daemonSets_.count(it->first) ? std::next(it) : lastDecision_.erase(it);
  }
  return desired;
}

std::vector<decision::ObservedPod> Reconciler::observe() {
  std::vector<decision::ObservedPod> observed;
  for (auto& [uid, pod] : pods_) {
    updateReadiness(pod, clock_.now(), clock_.wallNow());
    decision::ObservedPod o;
    o.uid = uid;
    o.daemonSetKey = pod.daemonSetKey;
    o.revision = pod.ref.revision;
    o.createdAt = pod.createdAt;
    o.ready = pod.ready;
    o.readySince = pod.readySince;
    o.deletionRequested = pod.deletionRequested;
    o.stopRequested = pod.stopRequested;
    // `&pod = pod`: clang 14 cannot capture a structured binding by name.
    auto toObserved = [this, &pod = pod](const ContainerSlot& slot) {
      decision::ObservedContainer c;
      c.name = slot.name;
      c.sidecar = slot.sidecar;
      c.state = startInFlight(pod, slot) ? ContainerState::Running : slot.state;
      c.started = slot.started;
      c.exitCode = slot.exitCode;
      c.finishedAt = slot.finishedAt;
      c.restartCount = slot.restartCount();
      c.backoff = slot.backoff;
      return c;
    };
    for (const auto& slot : pod.initContainers) o.initContainers.push_back(toObserved(slot));
    for (const auto& slot : pod.containers) o.containers.push_back(toObserved(slot));
    observed.push_back(std::move(o));
  }
  return observed;
}

void Reconciler::runPass() {
  passPending_ = false;
  if (stopped_) return;
  if (!sourcesSeen_ || !firstListingsAwaited_.empty()) {
    flushSavesAfterPass();
    publish();
    return;
  }
  auto began = std::chrono::steady_clock::now();
  if (clock_.now() >= nextRelist_ && startsInFlight_.empty()) relist();
  attachSpecs();
  std::vector<decision::DesiredDaemonSet> desired = buildDesired();
  std::vector<decision::ObservedPod> observed = observe();
  if (!sourcesComplete_) {
    // An unsettled source may define DaemonSets we do not see yet (a reboot that
    // lost the endpoint cache): their pods stay as they are, unplanned, until
    // every source has answered. An explicit API deletion still applies.
    std::erase_if(observed, [this](const decision::ObservedPod& pod) {
      return !pod.deletionRequested && !daemonSets_.count(pod.daemonSetKey);
    });
  }
  lastPlan_ = decision::planPods(desired, observed, options_.backoff, clock_.now());
  bool again = false;
  for (const auto& action : lastPlan_.actions) again = apply(action) || again;
  retryUnsaved();
  // A pod that just became Ready can unblock a surge update or count towards
  // minReadySeconds: plan again with the new standing.
  for (auto& [uid, pod] : pods_) {
    bool wasReady = pod.ready;
    updateReadiness(pod, clock_.now(), clock_.wallNow());
    again = again || (pod.ready && !wasReady);
  }
  std::optional<decision::TimePoint> wakeAt = lastPlan_.wakeAt;
  if (auto retry = nextRetry(); retry && (!wakeAt || *retry < *wakeAt)) wakeAt = retry;
  armWakeTimer(wakeAt);

  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  ++counters_.reconcilePasses;
  counters_.reconcileSecondsSum += seconds;
  for (std::size_t i = 0; i < status::kReconcileBuckets.size(); ++i) {
    if (seconds <= status::kReconcileBuckets[i]) {
      ++counters_.reconcileBucketCounts[i];
      break;
    }
  }
  bool first = !firstPassDone_;
  firstPassDone_ = true;
  publish();
  if (first && onFirstPass_) onFirstPass_();
  // Pods just created or forgotten change what the plan sees: plan again at once
  // so their containers start in this same burst. The writes this pass deferred
  // wait for that pass, which requests the starts first (saveAfterPass).
  if (again) return schedulePass();
  flushSavesAfterPass();
}

void Reconciler::armWakeTimer(std::optional<decision::TimePoint> wakeAt) {
  decision::TimePoint next = clock_.now() + options_.resyncPeriod;
  if (wakeAt && *wakeAt < next) next = *wakeAt;
  wakeTimer_.armAt(next, [this] { schedulePass(); });
}

bool Reconciler::apply(const decision::Action& action) {
  if (const auto* a = std::get_if<decision::StartPod>(&action)) return startPod(*a);
  if (const auto* a = std::get_if<decision::StopPod>(&action)) {
    // A pod with nothing running (e.g. waiting in restart backoff) gets no exit
    // callback to trigger the next pass, so plan again at once: that pass
    // deletes its state. Without this it lingered until the resync (e2e test
    // RemovingAManifestDuringBackoffCancelsTheRestart).
    return stopPod(*a);
  }
  if (const auto* a = std::get_if<decision::DeletePodState>(&action)) return deletePodState(*a);
  if (const auto* a = std::get_if<decision::StartContainer>(&action)) startContainer(*a);
  return false;
}

bool Reconciler::startPod(const decision::StartPod& action) {
  auto entry = daemonSets_.find(action.daemonSetKey);
  if (entry == daemonSets_.end()) return false;
  const model::DaemonSet& ds = *entry->second.sourced.daemonSet;
  PodState pod;
  pod.ref.uid = newUid();
  pod.ref.namespace_ = ds.metadata.namespace_;
  pod.ref.name = podNameFor(ds.metadata.name, pod.ref.uid);
  pod.ref.daemonSetName = ds.metadata.name;
  pod.ref.daemonSetUid = ds.metadata.uid;
  pod.ref.revision = action.revision;
  pod.daemonSetKey = action.daemonSetKey;
  pod.daemonSet = entry->second.sourced.daemonSet;
  pod.createdAt = clock_.now();
  pod.createdAtWall = clock_.wallNow();
  initialiseSlots(pod);
  saveAfterPass(pod);
  base::logInfo("starting pod", {{"pod", model::objectKey(pod.ref.namespace_, pod.ref.name)}, {"revision", pod.ref.revision}});
  pods_.emplace(pod.ref.uid, std::move(pod));
  return true;
}

bool Reconciler::stopPod(const decision::StopPod& action) {
  PodState* pod = findPod(action.podUid);
  if (!pod) return false;
  if (awaitingAdoption(*pod)) {
    // Its runtime has not listed what runs: stopped once it has (settleAdoptedPods).
    if (!pod->stopRequested) {
      base::logInfo("pod to stop once its runtime answers", {{"pod", model::objectKey(pod->ref.namespace_, pod->ref.name)},
                                                             {"reason", decision::toString(action.reason)}});
      pod->stopRequested = true;
      save(*pod);
    }
    return false;
  }
  if (!pod->stopRequested) {
    base::logInfo("stopping pod", {{"pod", model::objectKey(pod->ref.namespace_, pod->ref.name)},
                                   {"reason", decision::toString(action.reason)}});
  }
  pod->stopRequested = true;
  save(*pod);
  const std::chrono::seconds grace = terminationGrace(*pod);
  runtime::Runtime* runtime = runtimeOf(*pod);
  bool anyRunning = false;
  for (auto* slots : {&pod->initContainers, &pod->containers}) {
    for (auto& slot : *slots) {
      prober_.stop({pod->ref.uid, slot.name, slot.init});
      if (startInFlight(*pod, slot)) {
        anyRunning = true;  // stopped once its start completes (onContainerStarted)
        continue;
      }
      if (slot.state != ContainerState::Running || runtime == nullptr) continue;
      anyRunning = true;
      stopContainer(*pod, slot, *runtime, grace);
    }
  }
  // Stopping a pod ends all of it: instances the slots do not name (found at
  // adoption) and processes that left the group but not the pod's cgroup. Their
  // exits reach onContainerExit, which schedules the pass that removes the pod.
  // Not while a preStop hook runs: its container gets no signal before the
  // hook ends (the hook's end plans again).
  if (hookRunning(pod->ref.uid)) return false;
  if (runtime != nullptr && runtime->stopPod(pod->ref.uid, grace) > 0) anyRunning = true;
  return !anyRunning;
}

bool Reconciler::deletePodState(const decision::DeletePodState& action) {
  PodState* pod = findPod(action.podUid);
  if (!pod) return false;
  // What its runtime still runs is not known yet: the adoption plans again.
  if (awaitingAdoption(*pod)) return false;
  auto retry = removeRetries_.find(action.podUid);
  if (retry != removeRetries_.end() && !retry->second.ready(clock_.now())) return false;  // the wake timer comes back
  // Runtime records go first: a crash between the two steps leaves a pod file
  // without processes, which adoption treats as exited, never a live orphan.
  // A pod without a configured runtime never had anything in one.
  runtime::Runtime* runtime = runtimeOf(*pod);
  base::Status removed = runtime != nullptr ? runtime->removePod(action.podUid) : base::Status(base::Ok{});
  const std::string throttleKey = "remove:" + action.podUid;
  if (!removed) {
    if (retry == removeRetries_.end()) {
      // Seeded by the uid, so many stuck pods do not retry in lock step.
      retry = removeRetries_.emplace(action.podUid, base::RetryBackoff({}, std::hash<std::string>{}(action.podUid)))
                  .first;
    }
    auto delay = retry->second.failed(clock_.now());
    // Whatever still runs (a second instance, processes left in its cgroup) is
    // stopped; the next attempt follows the back-off, not at once.
    int stopping = runtime->stopPod(action.podUid, terminationGrace(*pod));
    auto verdict = logThrottle_.allow(throttleKey, clock_.now());
    if (verdict.log) {
      base::logWarning("cannot remove pod from the runtime yet",
                       {{"pod", pod->ref.name},
                        {"error", removed.error().describe()},
                        {"stopping", std::to_string(stopping)},
                        {"retry_in", std::to_string(delay.count()) + "ms"},
                        {"suppressed", base::suppressedNote(verdict.suppressed)}});
    }
    return false;
  }
  if (retry != removeRetries_.end()) {
    std::uint64_t held = logThrottle_.clear(throttleKey);
    base::logInfo("pod removed after retries", {{"pod", pod->ref.name},
                                                {"failed_attempts", std::to_string(retry->second.failures())},
                                                {"suppressed", base::suppressedNote(held)}});
    removeRetries_.erase(retry);
  }
  (void)podStore_.erase(action.podUid);
  unsaved_.erase(action.podUid);
  base::logInfo("pod gone", {{"pod", model::objectKey(pod->ref.namespace_, pod->ref.name)}});
  pods_.erase(action.podUid);
  return true;
}

std::optional<decision::TimePoint> Reconciler::nextRetry() const {
  std::optional<decision::TimePoint> next;
  const auto consider = [&next](decision::TimePoint at) {
    if (!next || at < *next) next = at;
  };
  if (!unsaved_.empty()) consider(saveRetry_.nextAttempt());
  for (const auto& [uid, backoff] : removeRetries_) consider(backoff.nextAttempt());
  for (const auto& [uid, pod] : pods_) {
    if (pod.stopRequested) continue;
    for (const auto* slots : {&pod.initContainers, &pod.containers}) {
      for (const auto& slot : *slots) {
        // One already due was retried by this pass (or its pod no longer
        // starts it): only a future one needs the timer.
        if (slot.state == ContainerState::Waiting && slot.retryAt && *slot.retryAt > clock_.now()) {
          consider(*slot.retryAt);
        }
      }
    }
  }
  return next;
}

void Reconciler::failStart(PodState& pod, ContainerSlot& slot, const std::string& reason, const std::string& message) {
  markStartFailed(slot, reason, message, clock_.now(), clock_.wallNow());
  base::logWarning("container failed to start", {{"pod", pod.ref.name}, {"container", slot.name},
                                                  {"reason", reason}, {"detail", message}});
}

void Reconciler::startContainer(const decision::StartContainer& action) {
  PodState* pod = findPod(action.podUid);
  if (!pod) return;
  ContainerSlot* slot = pod->findContainer(action.container, action.init);
  if (!slot || startInFlight(*pod, *slot)) return;
  // The runtime may still run the instance the pod had: a start now could be
  // a second copy beside it.
  if (awaitingAdoption(*pod)) return holdStart(*pod, *slot);
  if (!pod->daemonSet) {
    // Rebuilt from the runtime without its spec: it cannot be restarted, only replaced.
    pod->deletionRequested = true;
    save(*pod);
    schedulePass();
    return;
  }
  const model::Container* container = containerSpec(*pod, *slot);
  if (!container) return;

  // A start the runtime left waiting is tried again when it said, not by every pass.
  if (slot->retryAt && clock_.now() < *slot->retryAt) return;

  runtime::RuntimeSet::Choice choice = runtimes_.forPod(pod->daemonSet->spec.template_.spec);
  runtime::Runtime* runtime = pod->runtimeName.empty() ? choice.runtime : runtimeOf(*pod);
  if (runtime == nullptr) {
    // Never run as a host process instead: it waits, saying why.
    if (slot->waitingReason != runtime::reasons::kRuntimeUnavailable) {
      base::logWarning("pod not started: its runtime is not available",
                       {{"pod", pod->ref.name}, {"runtime", choice.name}, {"detail", choice.message}});
    }
    markWaiting(*slot, runtime::reasons::kRuntimeUnavailable, choice.message);
    return;
  }
  pod->runtimeName = runtime->name();
  NodeFacts node{envContext(*pod, *runtime), options_.nodeMemoryBytes, ::geteuid() == 0};
  auto request = containerStartRequest(*pod, *slot, node);
  if (!request) {
    failStart(*pod, *slot, runtime::reasons::kCreateContainerConfigError, request.error().describe());
    if (action.backoffAfterStart) slot->backoff = action.backoffAfterStart;
    save(*pod);
    return;
  }

  if (action.backoffAfterStart) slot->backoff = action.backoffAfterStart;
  // The start completes later (ProcessRuntime reads the shim's report on the
  // loop), so a burst of starts overlaps instead of running one after another.
  // Until then the slot counts as running for the plan (no second start, no
  // deletion of its pod) and shows ContainerCreating, as the kubelet's does.
  const ContainerKey key = ContainerKey::of(*pod, *slot);
  startsInFlight_.insert(key);
  markCreating(*slot);
  runtime->start(*request, [this, alive = alive_, key, container = *container, runtime,
                             grace = request->terminationGracePeriod](base::Result<runtime::ContainerStatus> started) {
    if (!*alive) return;
    onContainerStarted(key, container, *runtime, grace, std::move(started));
  });
}

void Reconciler::onContainerStarted(const ContainerKey& key, const model::Container& container,
                                    runtime::Runtime& runtime, std::chrono::seconds grace,
                                    base::Result<runtime::ContainerStatus> started) {
  startsInFlight_.erase(key);
  if (stopped_) return;  // shutting down: a started container runs on and is adopted next time
  PodState* pod = findPod(key.podUid);
  ContainerSlot* slot = pod ? pod->findContainer(key.name, key.init) : nullptr;
  if (!slot) {
    // Cannot happen while the slot counts as running; never leave a process nobody tracks.
    if (started && started->state == runtime::ContainerState::kRunning) {
      (void)runtime.stop(started->containerId, grace, [](const runtime::ContainerStatus&) {});
    }
    return;
  }
  if (!started) {
    failStart(*pod, *slot, runtime::reasons::kStartError, started.error().describe());
    save(*pod);
    schedulePass();  // plans the backoff wait
    return;
  }
  if (started->state == runtime::ContainerState::kWaiting) {
    // Not started, not a crash (a pull failed, the runtime is unreachable):
    // tried again at its retry time, which the pass puts on the wake timer.
    if (slot->waitingReason != started->reason) {
      base::logWarning("container waiting", {{"pod", pod->ref.name}, {"container", slot->name},
                                             {"reason", started->reason}, {"detail", started->message}});
    }
    slot->pullingSince.reset();  // the pull failed (ErrImagePull has its own event) or never ran
    markStartWaiting(*slot, *started, clock_.now(), options_.waitingRetry);
    save(*pod);
    schedulePass();
    return;
  }
  notePulled(*pod, *slot, *started);
  if (markStarted(*slot, *started, container)) ++counters_.containerRestarts;
  save(*pod);
  base::logInfo("container started", {{"pod", pod->ref.name}, {"container", slot->name},
                                      {"id", slot->containerId}, {"restartCount", std::to_string(slot->restartCount())}});
  if (pod->stopRequested) {
    // Stopped while it was starting: stop it now that it has an id.
    stopContainer(*pod, *slot, runtime, grace);
    schedulePass();
    return;
  }
  // With a postStart hook, it is Running and probed only once the hook succeeded.
  if (container.lifecycle && container.lifecycle->postStart) runPostStart(*pod, *slot, container, runtime, grace);
  else startProbes(*pod, *slot, container);
  passAfterStart();
}

bool Reconciler::startInFlight(const PodState& pod, const ContainerSlot& slot) const {
  return startsInFlight_.count(ContainerKey::of(pod, slot)) > 0;
}

PodEnvContext Reconciler::envContext(const PodState& pod, const runtime::Runtime& runtime) const {
  const model::PodSpec& spec = pod.daemonSet->spec.template_.spec;
  PodEnvContext context;
  context.podName = pod.ref.name;
  context.podNamespace = pod.ref.namespace_;
  context.podUid = pod.ref.uid;
  context.nodeName = node_.metadata.name;
  context.hostIP = options_.hostIP;
  context.podIP = runtime.podIP(pod.ref.uid);
  context.serviceAccountName = spec.serviceAccountName;
  context.labels = pod.daemonSet->spec.template_.metadata.labels;
  context.annotations = pod.daemonSet->spec.template_.metadata.annotations;
  context.nodeCpuMillis = static_cast<std::int64_t>(sysconf(_SC_NPROCESSORS_ONLN)) * 1000;
  context.nodeMemoryBytes = static_cast<std::int64_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE);
  return context;
}

void Reconciler::startProbes(const PodState& pod, const ContainerSlot& slot, const model::Container& container) {
  if (!container.startupProbe && !container.livenessProbe && !container.readinessProbe) return;
  runtime::Runtime* runtime = runtimeOf(pod);
  if (runtime == nullptr) return;
  ProbeTarget target;
  target.host = runtime->podIP(pod.ref.uid);
  // Exec probes run in the container, through its runtime; the runtime
  // outlives the prober's attempts (shutdown() stops them first).
  target.exec = [runtime, id = slot.containerId](const std::vector<std::string>& command,
                                                 prober::ProbeTimeout timeout, runtime::ExecCallback done) {
    return runtime->exec(id, command, timeout, std::move(done));
  };
  prober_.start({pod.ref.uid, slot.name, slot.init}, container, target);
}

runtime::Runtime* Reconciler::runtimeOf(const PodState& pod) const {
  if (!pod.runtimeName.empty()) return runtimes_.byName(pod.runtimeName);
  if (!pod.daemonSet) return nullptr;
  return runtimes_.forPod(pod.daemonSet->spec.template_.spec).runtime;
}

void Reconciler::onContainerEvent(const runtime::ContainerStatus& status) {
  if (status.state != runtime::ContainerState::kWaiting) return onContainerExit(status);
  // A start in progress says what it waits for (Pulling).
  PodState* pod = findPod(status.pod.uid);
  ContainerSlot* slot = pod ? pod->findContainer(status.containerName, status.init) : nullptr;
  if (!slot || !startInFlight(*pod, *slot)) return;
  if (status.reason == runtime::reasons::kPulling) notePulling(*pod, *slot, status);
  slot->waitingReason = status.reason;
  slot->waitingMessage = status.message;
  publish();
}

void Reconciler::relist() {
  nextRelist_ = clock_.now() + options_.resyncPeriod;
  for (runtime::Runtime* runtime : runtimes_.all()) {
    const std::string name = runtime->name();
    if (!adoptedRuntimes_.count(name)) continue;  // adoptFrom() lists it until it answers
    if (!listingsInFlight_.insert(name).second) {
      // The previous relist has not answered for a whole resync period: one
      // listing at a time, so a slow runtime is not asked again and again.
      auto verdict = logThrottle_.allow("relist:" + name, clock_.now());
      if (verdict.log) {
        base::logWarning("the runtime has not answered the previous relist; skipping this one",
                         {{"runtime", name}, {"suppressed", base::suppressedNote(verdict.suppressed)}});
      }
      continue;
    }
    runtime->list([this, alive = alive_, name](base::Result<std::vector<runtime::ContainerStatus>> listed) {
      if (!*alive) return;
      listingsInFlight_.erase(name);
      if (stopped_) return;
      onRelisted(name, listed);
    });
  }
}

void Reconciler::onRelisted(const std::string& runtimeName,
                            const base::Result<std::vector<runtime::ContainerStatus>>& listed) {
  logThrottle_.clear("relist:" + runtimeName);
  if (!listed) {
    base::logWarning("cannot relist the runtime's containers; trying again at the next resync",
                     {{"runtime", runtimeName}, {"error", listed.error().describe()}});
    return;
  }
  // The answer reflects the runtime's state now; the slots may have moved on
  // since the request (an exit reported, a restart begun): only an exit of the
  // very instance a slot still holds as running is one whose event was lost.
  for (const auto& status : *listed) {
    if (status.state != runtime::ContainerState::kExited) continue;
    PodState* pod = findPod(status.pod.uid);
    ContainerSlot* slot = pod ? pod->findContainer(status.containerName, status.init) : nullptr;
    if (!slot || slot->state != ContainerState::Running || slot->containerId != status.containerId) continue;
    base::logWarning("container exit found by relist (its event was lost)",
                     {{"pod", pod->ref.name}, {"container", slot->name}});
    onContainerExit(status);
  }
}

void Reconciler::onContainerExit(const runtime::ContainerStatus& status) {
  PodState* pod = findPod(status.pod.uid);
  if (!pod) return;
  ContainerSlot* slot = pod->findContainer(status.containerName, status.init);
  if (!slot || slot->containerId != status.containerId) {
    // A leftover instance the pod was waiting for (stopPodLeftovers): plan again.
    if (pod->stopRequested || pod->deletionRequested) schedulePass();
    return;
  }
  prober_.stop({pod->ref.uid, slot->name, slot->init});
  cancelHook(ContainerKey::of(*pod, *slot));  // a hook for an instance that is gone
  markExited(*slot, status, clock_.now(), clock_.wallNow());
  saveAfterPass(*pod);
  base::logInfo("container exited", {{"pod", pod->ref.name}, {"container", slot->name},
                                     {"exitCode", status.exitCode ? std::to_string(*status.exitCode) : "unknown"},
                                     {"reason", status.reason}});
  schedulePass();
}

void Reconciler::onProbeResult(const ProbeKey& key, ProbeKind kind, bool success) {
  PodState* pod = findPod(key.podUid);
  if (!pod) return;
  ContainerSlot* slot = pod->findContainer(key.container, key.init);
  if (!slot || slot->state != ContainerState::Running) return;
  bool wasReady = slot->ready;
  switch (kind) {
    case ProbeKind::kStartup:
    case ProbeKind::kLiveness:
      if (kind == ProbeKind::kStartup && success) {
        markStartupPassed(*slot, containerSpec(*pod, *slot));
        break;
      }
      if (!success) {
        // Liveness (or startup) failed: the kubelet kills the container and the
        // restart policy brings it back with backoff.
        base::logInfo("probe failed, restarting container",
                      {{"pod", pod->ref.name}, {"container", slot->name}, {"probe", probeKindName(kind)}});
        if (runtime::Runtime* runtime = runtimeOf(*pod)) stopContainer(*pod, *slot, *runtime, terminationGrace(*pod));
      }
      break;
    case ProbeKind::kReadiness:
      markReadiness(*slot, success);
      break;
  }
  if (slot->ready != wasReady) save(*pod);  // readiness is persisted for adoption
  schedulePass();
}

// A restart with no backoff is planned by the pass that onContainerExit
// schedules; writing the exited standing before that pass put a file create and
// rename between the exit and the new start. Losing it to an agent crash in
// between costs nothing: the runtime keeps the exit record, and adoption reads it.
// A new pod is written likewise once the pass after the one that made it has
// requested its containers' starts (a cold start of n daemons wrote n files
// before the first start request). A crash before that loses a pod nothing runs
// for yet, or one the runtime already runs: adoption rebuilds it from the
// runtime's stamp and attachSpecs() gives it its spec back (same revision).
void Reconciler::saveAfterPass(const PodState& pod) { savesAfterPass_.insert(pod.ref.uid); }

void Reconciler::flushSavesAfterPass() {
  std::set<std::string> uids = std::move(savesAfterPass_);
  savesAfterPass_.clear();
  for (const auto& uid : uids) {
    if (const PodState* pod = findPod(uid)) save(*pod);
  }
}

void Reconciler::save(const PodState& pod) {
  auto saved = podStore_.save(pod);
  if (saved) {
    unsaved_.erase(pod.ref.uid);
    if (unsaved_.empty()) saveRetry_.succeeded();
    if (std::uint64_t held = logThrottle_.clear("save"); held > 0 || saveRetry_.failures() > 0) {
      base::logInfo("pod state written again", {{"suppressed", base::suppressedNote(held)}});
    }
    return;
  }
  unsaved_.insert(pod.ref.uid);
  auto delay = saveRetry_.failed(clock_.now());
  auto verdict = logThrottle_.allow("save", clock_.now());
  if (verdict.log) {
    base::logWarning("cannot persist pod state", {{"pod", pod.ref.name},
                                                  {"error", saved.error().describe()},
                                                  {"retry_in", std::to_string(delay.count()) + "ms"},
                                                  {"suppressed", base::suppressedNote(verdict.suppressed)}});
  }
}

void Reconciler::retryUnsaved() {
  if (unsaved_.empty() || !saveRetry_.ready(clock_.now())) return;
  std::set<std::string> uids = unsaved_;
  for (const auto& uid : uids) {
    if (const PodState* pod = findPod(uid)) {
      save(*pod);
    } else {
      unsaved_.erase(uid);
    }
  }
}

PodState* Reconciler::findPod(const std::string& uid) {
  auto it = pods_.find(uid);
  return it == pods_.end() ? nullptr : &it->second;
}

}  // namespace daemonlet::reconciler
