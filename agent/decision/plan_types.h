#pragma once
// The plan's vocabulary: what the reconciler tells the plan (desired daemon sets
// and observed pods) and what the plan answers (actions, a wake-up time and
// reasons for status). Plain values only, so the decision library needs neither
// the runtime nor the model's object graph; the reconciler fills them in.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "agent/decision/backoff.h"

namespace daemonlet::decision {

// ---------------------------------------------------------------- desired ---

enum class UpdateStrategyType { RollingUpdate, OnDelete };

// spec.updateStrategy resolved for the one node this agent runs on
// (resolveUpdateStrategy in plan_update_strategy.h does it).
struct UpdateStrategy {
  UpdateStrategyType type = UpdateStrategyType::RollingUpdate;
  int maxSurge = 0;        // > 0: start the new pod before stopping the old one
  int maxUnavailable = 1;  // on one node always >= 1 when maxSurge is 0

  bool surges() const { return type == UpdateStrategyType::RollingUpdate && maxSurge > 0; }
  bool operator==(const UpdateStrategy&) const = default;
};

// One DaemonSet the sources want, with the placement decision for this node.
struct DesiredDaemonSet {
  std::string key;                     // "namespace/name"
  std::string revision;                // template hash (model/revision_hash.h)
  bool shouldRun = false;              // a new pod may start here
  bool shouldContinueRunning = false;  // a running pod may stay (NoSchedule keeps it)
  // Set while NoExecute taints are tolerated only for a while (eviction.h
  // noExecuteTolerance().limit): when the reconciler first saw the taints plus
  // that limit. Before it nothing changes (the plan wakes up at it); from it on,
  // the pods stop and no new ones start until the reconciler clears it (taints
  // gone or tolerated for ever). A NoExecute taint tolerated without
  // tolerationSeconds leaves this empty; an untolerated one makes
  // shouldContinueRunning false (immediate eviction).
  std::optional<TimePoint> evictAt;
  UpdateStrategy updateStrategy;
  std::chrono::seconds minReadySeconds{0};
};

// ---------------------------------------------------------------- observed ---

enum class ContainerState {
  Waiting,  // created with the pod but never started
  Running,
  Exited,
};

struct ObservedContainer {
  std::string name;
  // An init container with restartPolicy Always (a sidecar): started in init
  // order, then kept running beside the main containers instead of being
  // waited for to complete.
  bool sidecar = false;
  ContainerState state = ContainerState::Waiting;
  // Running and its startup probe (if any) has succeeded. Gates the init
  // containers after a sidecar, as the kubelet's `started` does.
  bool started = false;
  std::optional<int> exitCode;  // of the last exit, when Exited
  TimePoint finishedAt{};       // of the last exit, when Exited
  int restartCount = 0;
  std::optional<BackoffEntry> backoff;  // see backoff.h
};

struct ObservedPod {
  std::string uid;
  std::string daemonSetKey;
  std::string revision;
  TimePoint createdAt{};   // orders duplicates: the oldest is kept
  bool ready = false;      // the pod's Ready condition
  TimePoint readySince{};  // when Ready last became true (meaningful when ready)
  // The operator asked for deletion (DELETE on the local API): stop it; OnDelete
  // updates and manual restarts go this way.
  bool deletionRequested = false;
  // The reconciler has issued a stop (for any reason). While any container still
  // runs the pod is terminating; once none does, it is gone and its state can go.
  bool stopRequested = false;
  // The pod spec's containers in spec order, with their observed state.
  std::vector<ObservedContainer> initContainers;
  std::vector<ObservedContainer> containers;
};

// ----------------------------------------------------------------- actions ---

enum class StopReason {
  DaemonSetRemoved,   // no source wants the DaemonSet any more
  PlacementChanged,   // shouldContinueRunning became false (labels, untolerated NoExecute)
  NoExecuteEviction,  // evictAt has come (tolerationSeconds ran out)
  Replaced,           // rolling update: a newer revision takes over
  OperatorDeleted,    // DELETE through the local API
  Duplicate,          // a second pod of the same DaemonSet (e.g. after adoption)
};
const char* toString(StopReason reason);

// Create a pod of `revision` for the DaemonSet: a new uid and pod state with all
// containers Waiting. The containers themselves start through StartContainer in
// the next pass (the reconciler plans again right after acting).
struct StartPod {
  std::string daemonSetKey;
  std::string revision;
  bool operator==(const StartPod&) const = default;
};

// Stop every container of the pod (SIGTERM, grace period, SIGKILL); the
// reconciler then marks it stopRequested.
struct StopPod {
  std::string podUid;
  StopReason reason = StopReason::Replaced;
  bool operator==(const StopPod&) const = default;
};

// Start (or restart) one container of a pod.
struct StartContainer {
  std::string podUid;
  std::string container;
  bool init = false;  // one of the pod's initContainers (sidecars included)
  // The backoff entry to store with this start; empty on a first start (the
  // entry, if any, stays as it was).
  std::optional<BackoffEntry> backoffAfterStart;
  bool operator==(const StartContainer&) const = default;
};

// The pod is gone (stopped, nothing running): forget its state on disk and in memory.
struct DeletePodState {
  std::string podUid;
  bool operator==(const DeletePodState&) const = default;
};

using Action = std::variant<StartPod, StopPod, StartContainer, DeletePodState>;

// A container held back by its restart backoff (status: CrashLoopBackOff).
struct ContainerBackoff {
  std::string podUid;
  std::string container;
  TimePoint until{};
  Duration delay{};
  bool operator==(const ContainerBackoff&) const = default;
};

struct Plan {
  // In a fixed order: daemon sets by key (desired and removed ones merged),
  // and within one: state deletions, pod stops, pod start, container starts
  // (pods by creation time, containers in spec order).
  std::vector<Action> actions;
  // The earliest time something will become due without any new event (a
  // backoff ends, minReadySeconds pass, an eviction deadline comes). Empty:
  // nothing is time-driven; plan again on the next event.
  std::optional<TimePoint> wakeAt;
  // Why a DaemonSet is not (yet) where it should be, per key, for status.
  std::map<std::string, std::vector<std::string>> waiting;
  std::vector<ContainerBackoff> backoffs;
};

}  // namespace daemonlet::decision
