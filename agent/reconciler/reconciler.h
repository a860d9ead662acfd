#pragma once
// Reconciler: the only code that changes the agent's state. Everything runs on
// one io_context thread: source snapshots, node changes, container exits, API
// deletions and timers all arrive as posted calls, and each pass is
//   observe (pods_) -> decide (placement, plan: pure) -> act (runtime) -> publish.
//
// Startup never removes anything: the reconciler adopts what the runtime reports
// and waits for the first source snapshot before its first pass, so a slow source
// cannot make a restarted agent stop daemons it simply has not read yet.
// Likewise, a pod whose runtime has not answered one list() since the agent
// started (containerd down at agent start) is held: none of its containers is
// started, stopped or forgotten, since the runtime may still run them. The
// list is retried with back-off; its answer adopts them and releases the pod.
// Listing is asynchronous (Runtime::list): the loop never waits on a runtime,
// and a slow one holds only its own pods, except that the first pass waits
// for every runtime's first answer or failure.
// Likewise, while the source set is incomplete (SourceSnapshot::complete false: a
// configured endpoint has produced neither a cached nor a live set yet), pods of
// DaemonSets not in the set are left out of the plan: not stopped, not forgotten.
// Stopping the reconciler (agent shutdown) leaves every daemon running.
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "agent/base/clock.h"
#include "agent/base/log_throttle.h"
#include "agent/base/retry_backoff.h"
#include "agent/decision/backoff.h"
#include "agent/decision/eviction.h"
#include "agent/decision/placement.h"
#include "agent/decision/plan_types.h"
#include "agent/lifecycle/hook_runner.h"
#include "agent/loop/timer_queue.h"
#include "agent/prober/prober.h"
#include "agent/reconciler/container_env.h"
#include "agent/reconciler/container_key.h"
#include "agent/reconciler/pod_state.h"
#include "agent/reconciler/pod_state_store.h"
#include "agent/sources/source_snapshot.h"
#include "agent/status/http_api.h"
#include "agent/status/pod_event.h"
#include "agent/status/status_snapshot.h"
#include "runtime/runtime.h"
#include "runtime/runtime_set.h"

namespace daemonlet::reconciler {

using prober::ProbeKey;
using prober::ProbeKind;
using prober::Prober;
using prober::ProbeTarget;

struct ReconcilerOptions {
  decision::BackoffPolicy backoff;
  std::filesystem::path stateDir;  // pod state lives in <stateDir>/pods
  std::string agentVersion;
  std::string hostIP;
  std::chrono::seconds resyncPeriod{60};
  // When a start the runtime left waiting is tried again if the runtime names
  // no time (ContainerStatus::retryAfter): the kubelet's pod resync cadence.
  std::chrono::milliseconds waitingRetry{std::chrono::seconds(10)};
  // For the Burstable oom_score_adj; 0: read from /proc/meminfo at construction.
  std::int64_t nodeMemoryBytes = 0;
};

class Reconciler {
 public:
  // Runs on the timer queue's io_context and reads time from its clock.
  // `runtimes` name each pod's runtime (runtimeClassName); they outlive the reconciler.
  Reconciler(loop::TimerQueue& timers, const runtime::RuntimeSet& runtimes, status::SnapshotStore& store,
             ReconcilerOptions options);
  ~Reconciler();
  Reconciler(const Reconciler&) = delete;
  Reconciler& operator=(const Reconciler&) = delete;

  // Loads pods from the state directory and asks every runtime for its
  // containers (adopted as each answers). The first pass runs once a source
  // snapshot has arrived and every runtime has answered (or failed) once.
  void start(model::Node node);
  // Cancels timers and probes; leaves every daemon running.
  void shutdown();

  void setNode(model::Node node);
  void setSourceSnapshot(sources::SourceSnapshot snapshot);
  // The endpoint's health for the status; republishes at once (no pass).
  void setEndpointView(status::EndpointView view);
  // DELETE of a pod through the local API: the pod stops (with the request's
  // grace period, if it gives one) and, if its DaemonSet still belongs here, a
  // pod of the current revision replaces it. A repeated deletion keeps the
  // first one's time and grace period (the runtime's stop already runs).
  status::DeleteResult deletePod(const std::string& namespace_, const std::string& name,
                                 const status::DeleteRequest& request = {});

  // Called once, after the first full pass (readiness, sd_notify READY=1).
  void onFirstPass(std::function<void()> callback) { onFirstPass_ = std::move(callback); }
  // Called on the loop thread after every publish (the upward reporter's cue);
  // must not block.
  void onPublish(std::function<void()> callback) { onPublish_ = std::move(callback); }
  // Events no snapshot shows (status/pod_event.h): failed probe attempts,
  // failed hooks, image pulls. Set before start().
  void onPodEvent(status::PodEventSink sink) { podEventSink_ = std::move(sink); }

 private:
  struct DaemonSetEntry {
    sources::SourcedDaemonSet sourced;
    decision::PlacementDecision placement;
    decision::NoExecuteTolerance tolerance;
    // The nodeVersion_ placement and tolerance were decided for: both depend
    // only on the node and this DaemonSet, and deciding them again in every
    // pass cost most of a pass (a restart's pass included).
    std::uint64_t decidedFor = 0;
    std::optional<decision::TimePoint> evictAt;
  };

  // reconciler.cpp: the pass and the actions
  void schedulePass();
  void passAfterStart();
  void runPass();
  std::vector<decision::DesiredDaemonSet> buildDesired();
  std::vector<decision::ObservedPod> observe();
  bool apply(const decision::Action& action);
  bool startPod(const decision::StartPod& action);
  // True when nothing of the pod is left running (plan again to delete it).
  bool stopPod(const decision::StopPod& action);
  // True when the pod is gone; false when the runtime could not remove it yet
  // (retried with back-off, see removeRetries_).
  bool deletePodState(const decision::DeletePodState& action);
  // The earliest retry of a removal, a pod state write or a waiting start, for
  // the wake timer.
  std::optional<decision::TimePoint> nextRetry() const;
  void retryUnsaved();
  void startContainer(const decision::StartContainer& action);
  void onContainerStarted(const ContainerKey& key, const model::Container& container, runtime::Runtime& runtime,
                          std::chrono::seconds grace, base::Result<runtime::ContainerStatus> started);
  bool startInFlight(const PodState& pod, const ContainerSlot& slot) const;
  // pod.daemonSet must be set; `runtime` runs the pod (its pod IP).
  PodEnvContext envContext(const PodState& pod, const runtime::Runtime& runtime) const;
  void startProbes(const PodState& pod, const ContainerSlot& slot, const model::Container& container);
  // reconciler_events.cpp: the kubelet's events no snapshot shows
  void recordEvent(const PodState& pod, const ContainerSlot& slot, const char* type, const char* reason,
                   std::string message);
  void onProbeAttemptFailed(const ProbeKey& key, ProbeKind kind, const std::string& message);
  void notePulling(PodState& pod, ContainerSlot& slot, const runtime::ContainerStatus& status);
  void notePulled(const PodState& pod, ContainerSlot& slot, const runtime::ContainerStatus& started);
  // The pod's runtime (runtimeName, else its spec's runtimeClassName); null
  // when that runtime is not configured here.
  runtime::Runtime* runtimeOf(const PodState& pod) const;
  // Lists every adopted runtime again (every resyncPeriod, when no start is
  // in flight; a runtime whose previous listing has not answered is skipped):
  // an exit whose event was lost is taken as its answer finds it.
  void relist();
  void onRelisted(const std::string& runtimeName, const base::Result<std::vector<runtime::ContainerStatus>>& listed);
  void onContainerEvent(const runtime::ContainerStatus& status);
  void failStart(PodState& pod, ContainerSlot& slot, const std::string& reason, const std::string& message);
  void onContainerExit(const runtime::ContainerStatus& status);
  void onProbeResult(const ProbeKey& key, ProbeKind kind, bool success);
  void armWakeTimer(std::optional<decision::TimePoint> wakeAt);
  void noteTaints();  // after every change of node_: new taints, and placement decided again
  void save(const PodState& pod);
  // An exit's new standing is written after the pass that reacts to it, so a
  // restart's start request does not wait for the file (reconciler.cpp).
  void saveAfterPass(const PodState& pod);
  void flushSavesAfterPass();
  PodState* findPod(const std::string& uid);

  // reconciler_hooks.cpp: lifecycle hooks, as the kubelet runs them
  // Runs the postStart hook of the instance just started; the container is
  // not Running (nor probed) until it succeeds, and is killed when it fails.
  void runPostStart(PodState& pod, ContainerSlot& slot, const model::Container& container, runtime::Runtime& runtime,
                    std::chrono::seconds grace);
  // Stops a running container: its preStop hook first (once per instance,
  // within `grace`), then the runtime's stop with what is left of the grace
  // period (at least the kubelet's 2 s). Every stop of a tracked container
  // goes through here.
  void stopContainer(PodState& pod, ContainerSlot& slot, runtime::Runtime& runtime, std::chrono::seconds grace);
  // The runtime's stop (SIGTERM, SIGKILL after `grace`); a pass follows the exit.
  void terminate(runtime::Runtime& runtime, const std::string& containerId, std::chrono::milliseconds grace);
  lifecycle::HookTarget hookTarget(const PodState& pod, const ContainerSlot& slot, runtime::Runtime& runtime) const;
  void cancelHook(const ContainerKey& key);
  bool hookRunning(const std::string& podUid) const;

  // reconciler_adoption.cpp
  // Loads the pod states and lists every runtime (adoptFrom).
  void adopt();
  // Lists `runtime` (unless its listing is in flight); its first successful
  // answer adopts its containers and releases its pods. A failure is retried
  // by adoptionTimer_.
  void adoptFrom(runtime::Runtime& runtime);
  void onAdoptionListing(runtime::Runtime& runtime, base::Result<std::vector<runtime::ContainerStatus>> listed);
  bool allRuntimesAdopted() const;
  void adoptListing(runtime::Runtime& owner, const std::vector<runtime::ContainerStatus>& listed);
  void retryAdoption();
  // What the previous agent's pods need once their runtime has been listed:
  // exits it did not see, their probes, the stops it had begun.
  void settleAdoptedPods();
  // True while the pod's runtime (by name, else by its spec; any runtime when
  // neither is known) has not answered a list() since the agent started.
  bool awaitingAdoption(const PodState& pod) const;
  // Holds a start of a pod awaiting adoption, saying why.
  void holdStart(PodState& pod, ContainerSlot& slot);
  void attachSpecs();
  void resumeProbes(PodState& pod);

  // reconciler_status.cpp
  void publish();

  boost::asio::io_context& io_;
  const runtime::RuntimeSet& runtimes_;
  status::SnapshotStore& store_;
  const base::Clock& clock_;
  ReconcilerOptions options_;
  PodStateStore podStore_;
  Prober prober_;
  lifecycle::HookRunner hookRunner_;
  std::map<ContainerKey, std::shared_ptr<lifecycle::HookRun>> hookRuns_;  // postStart or preStop in flight

  model::Node node_;
  std::uint64_t nodeVersion_ = 1;  // changes with node_ (DaemonSetEntry::decidedFor)
  decision::TaintsSeen noExecuteSince_;
  std::set<std::string> savesAfterPass_;  // pod uids (saveAfterPass)
  std::map<std::string, DaemonSetEntry> daemonSets_;           // by namespace/name
  std::vector<sources::SourceError> sourceErrors_;
  std::vector<sources::SourceError> sourceNotices_;
  std::vector<sources::SourceError> stateErrors_;  // pod state files quarantined or unreadable at start
  // SourceSnapshot::complete of the set in force: while false, pods of DaemonSets
  // not in the set are neither stopped nor forgotten.
  bool sourcesComplete_ = true;
  std::optional<status::EndpointView> endpointView_;
  std::map<std::string, PodState> pods_;  // by uid
  std::set<ContainerKey> startsInFlight_;  // containers whose start has not completed
  decision::Plan lastPlan_;
  status::Counters counters_;
  std::map<std::string, std::string> lastDecision_;  // key -> "run"/"keep"/"skip"

  bool sourcesSeen_ = false;
  bool firstPassDone_ = false;
  bool passPending_ = false;
  bool stopped_ = false;
  decision::TimePoint nextRelist_{};  // relist()
  // Runtimes (by name) whose list() has answered since the agent started.
  std::set<std::string> adoptedRuntimes_;
  // Runtimes whose first list() has not answered yet (success or failure):
  // no pass runs before (onAdoptionListing says why).
  std::set<std::string> firstListingsAwaited_;
  // Runtimes whose list() answer is awaited: never two listings of one at once.
  std::set<std::string> listingsInFlight_;
  // The last list() error of each runtime not adopted yet, for held pods' status.
  std::map<std::string, std::string> adoptionErrors_;
  // Pods loaded or rebuilt at start whose settleAdoptedPods() is still due.
  std::set<std::string> unsettled_;
  base::RetryBackoff adoptionRetry_{{std::chrono::milliseconds(250), std::chrono::seconds(5)}};
  loop::Timer adoptionTimer_;
  std::uint64_t sequence_ = 0;
  std::function<void()> onFirstPass_;
  std::function<void()> onPublish_;
  status::PodEventSink podEventSink_;
  loop::Timer wakeTimer_;  // the plan's next deadline, a retry, or the resync
  // While a burst of starts completes one by one, the passes their
  // completions ask for are gathered (see passAfterStart).
  loop::Timer startBurstTimer_;
  // Pods the runtime refused to remove (something of them still runs): the
  // next attempt waits for its back-off instead of following at once (issue 9
  // H1: a pod whose detached processes survived was retried in a busy loop).
  std::map<std::string, base::RetryBackoff> removeRetries_;  // by pod uid
  // Pods whose state could not be written (EMFILE, ENOSPC): written again
  // after this back-off, by the pass the wake timer brings (issue 9 M10).
  std::set<std::string> unsaved_;
  base::RetryBackoff saveRetry_;
  base::LogThrottle logThrottle_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace daemonlet::reconciler
