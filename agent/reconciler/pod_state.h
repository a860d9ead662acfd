#pragma once
// The reconciler's memory of each daemon pod on this node. Owned and changed only
// by the Reconciler on its io_context thread; persisted (pod_state_store.h) so a
// restarted agent keeps restart counts, backoff and the spec of an older revision.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "agent/base/clock.h"
#include "agent/decision/backoff.h"
#include "agent/decision/plan_types.h"
#include "agent/model/types.h"
#include "agent/sources/source_snapshot.h"
#include "runtime/runtime.h"

namespace daemonlet::reconciler {

struct ContainerSlot {
  std::string name;
  bool init = false;
  bool sidecar = false;  // init container with restartPolicy Always
  decision::ContainerState state = decision::ContainerState::Waiting;
  std::string containerId;  // of the current or last instance
  int pid = 0;
  int starts = 0;           // instances started so far; restartCount = starts - 1
  std::optional<decision::BackoffEntry> backoff;
  decision::TimePoint finishedAt{};
  std::optional<base::WallTime> startedAtWall;
  std::optional<base::WallTime> finishedAtWall;
  std::optional<int> exitCode;  // of the last exit
  std::string exitReason;       // of the last exit
  std::string exitMessage;
  std::optional<base::WallTime> lastStartedAtWall;  // of the instance before the current one
  std::string waitingReason;   // why it is not running: CrashLoopBackOff, CreateContainerConfigError, ...
  std::string waitingMessage;
  // A start the runtime left waiting (ImagePullBackOff, RuntimeUnavailable) is
  // tried again from this time on, not by every pass.
  std::optional<decision::TimePoint> retryAt;
  // As the runtime names the running or last image; empty for host processes.
  std::string image;
  std::string imageId;
  std::string logPath;
  bool started = false;  // running and its startup probe (if any) has passed
  bool ready = false;    // running and its readiness probe (if any) passes
  // Lifecycle hooks of the running instance; not persisted (a restarted agent
  // adopts the container as Running and runs a pending preStop again):
  // its postStart hook has not finished: it counts as running for the plan,
  // is shown ContainerCreating and is never started nor ready;
  bool postStartRunning = false;
  // its preStop hook was started (a hook runs once per instance);
  bool preStopStarted = false;
  // why the agent killed it (FailedPostStartHook): its exit shows this reason
  // and message instead of the runtime's.
  std::string killReason;
  std::string killMessage;
  // When the runtime said its start pulls the image (Pulling), for the Pulled
  // event's duration; not persisted.
  std::optional<decision::TimePoint> pullingSince;

  int restartCount() const { return starts > 0 ? starts - 1 : 0; }
};

struct PodState {
  runtime::PodRef ref;
  std::string daemonSetKey;  // namespace/name
  // The DaemonSet as it was for this pod's revision: its template is the pod's spec.
  // Empty (no containers) for a pod rebuilt from the runtime alone whose
  // revision is no longer desired; such a pod is never restarted, only stopped.
  sources::SharedDaemonSet daemonSet;
  // The runtime that runs it (Runtime::name()), once known: chosen at its first
  // start or found by adoption. Empty: taken from the spec (RuntimeSet).
  // Persisted: a restarted agent holds the pod until that runtime has listed
  // what it runs (reconciler.h).
  std::string runtimeName;
  decision::TimePoint createdAt{};
  base::WallTime createdAtWall{};
  bool deletionRequested = false;
  // A deletion through the local API: when it was asked and the grace period
  // it gave (DeleteOptions.gracePeriodSeconds), which overrides the spec's
  // (terminationGrace). Persisted so a restarted agent keeps both.
  std::optional<base::WallTime> deletionRequestedAt;
  std::optional<std::chrono::seconds> deletionGrace;
  bool stopRequested = false;
  std::vector<ContainerSlot> initContainers;
  std::vector<ContainerSlot> containers;
  bool ready = false;
  decision::TimePoint readySince{};
  std::optional<base::WallTime> readySinceWall;

  ContainerSlot* findContainer(const std::string& name, bool init);
};

// Fills the slots from the pod's spec (init containers, then containers).
void initialiseSlots(PodState& pod);

// "fluentd-elasticsearch-x7k2p": the DaemonSet name and five characters of the
// uid from Kubernetes' safe alphabet, as a generated pod name looks.
std::string podNameFor(const std::string& daemonSetName, const std::string& uid);

// A random RFC 4122 version 4 uuid.
std::string newUid();

}  // namespace daemonlet::reconciler
