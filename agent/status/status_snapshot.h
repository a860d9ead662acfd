#pragma once
// StatusSnapshot: an immutable picture of the agent after one reconcile pass. The
// reconciler builds a new one each pass and publishes it through SnapshotStore;
// the local HTTP API, the metrics endpoint and the upward reporter only
// read snapshots, so they never touch the reconciler's state.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "agent/model/types.h"
#include "agent/sources/endpoint_view.h"
#include "agent/sources/source_snapshot.h"

namespace daemonlet::status {

using WallTime = std::chrono::system_clock::time_point;

struct ContainerView {
  std::string name;
  bool init = false;
  std::string image;
  std::string imageId;         // the runtime's digest of the image; empty for host processes
  std::string containerId;     // "host://<pid>" for host processes, "containerd://<id>" for CRI
  std::string state;           // "waiting", "running", "terminated"
  std::string reason;          // waiting/terminated reason (CrashLoopBackOff, Completed, Error, ...)
  std::string message;
  bool ready = false;
  bool started = false;
  int restartCount = 0;
  std::optional<WallTime> startedAt;
  std::optional<WallTime> finishedAt;     // current state terminated
  std::optional<int> lastExitCode;        // from the last termination
  std::string lastExitReason;
  std::optional<WallTime> lastStartedAt;
  std::optional<WallTime> lastFinishedAt;
  std::optional<WallTime> backoffUntil;   // next start not before this
  std::string logPath;
};

struct PodView {
  std::string uid;
  std::string name;
  std::string namespace_;
  std::string daemonSetName;
  std::string daemonSetUid;
  std::string revision;
  model::StringMap labels;
  std::string phase;  // Pending, Running, Succeeded, Failed, Unknown
  bool ready = false;
  std::optional<WallTime> readySince;
  bool available = false;  // ready for at least minReadySeconds
  bool initialized = false;
  bool terminating = false;
  // Set once a deletion was asked (the local API): metadata.deletionTimestamp
  // (when the grace period ends, as the API server's is) and
  // deletionGracePeriodSeconds (0: removed from the Kubernetes API at once).
  std::optional<WallTime> deletionTimestamp;
  std::optional<std::int64_t> deletionGracePeriodSeconds;
  std::optional<WallTime> startTime;
  std::string runtime;  // "host" or "cri"
  std::string podIP;    // empty until the runtime has made the pod; the host IP for host pods
  std::vector<ContainerView> containers;  // init containers first
};

struct DaemonSetView {
  std::string namespace_;
  std::string name;
  std::string uid;
  std::string origin;
  std::string revision;
  std::int64_t generation = 0;
  std::string updateStrategy;
  bool shouldRun = false;
  bool shouldContinueRunning = false;
  std::vector<std::string> reasons;
  std::string state;  // one word for tables: Running, Progressing, NotScheduled, Evicting, Updating
  std::vector<std::string> podUids;
  // The object as sourced (for the Kubernetes API's DaemonSet); never null when
  // published by the reconciler.
  std::shared_ptr<const model::DaemonSet> object;
};

struct NodeView {
  std::string name;
  model::StringMap labels;
  std::vector<model::Taint> taints;
  std::string hostIP;
};

// The central endpoint (sources/endpoint_view.h; absent without one).
using EndpointView = sources::EndpointView;

// Counters and histograms that only grow; the reconciler carries them from one
// snapshot to the next.
struct Counters {
  std::uint64_t containerRestarts = 0;
  std::uint64_t reconcilePasses = 0;
  std::uint64_t sourceErrors = 0;
  std::map<std::string, std::uint64_t> decisions;  // "run", "keep", "skip" -> count (placement verdicts)
  // Reconcile duration histogram (seconds); bucket upper bounds in kReconcileBuckets.
  std::vector<std::uint64_t> reconcileBucketCounts;
  double reconcileSecondsSum = 0;
};
inline const std::vector<double> kReconcileBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                      0.5,    1,     2.5};

struct StatusSnapshot {
  std::uint64_t sequence = 0;
  WallTime generatedAt{};
  std::string agentVersion;
  bool synced = false;  // the first full reconcile has finished
  NodeView node;
  std::vector<DaemonSetView> daemonSets;
  std::vector<PodView> pods;
  std::vector<sources::SourceError> sourceErrors;
  std::vector<sources::SourceError> sourceNotices;  // e.g. endpoint DaemonSets overridden locally
  // Pod state files the agent could not use at start (origin: the file); a bad
  // one is moved aside, and the message says where.
  std::vector<sources::SourceError> stateErrors;
  // False while a configured source has not settled: pods of DaemonSets not in
  // the set are left alone (SourceSnapshot::complete).
  bool sourcesComplete = true;
  std::optional<EndpointView> endpoint;
  Counters counters;
};

// Holds the latest snapshot. publish() from the reconciler thread, latest() from
// any thread; a reader keeps its shared_ptr as long as it likes.
class SnapshotStore {
 public:
  void publish(std::shared_ptr<const StatusSnapshot> snapshot) {
    std::lock_guard lock(mutex_);
    latest_ = std::move(snapshot);
  }
  std::shared_ptr<const StatusSnapshot> latest() const {
    std::lock_guard lock(mutex_);
    return latest_;
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const StatusSnapshot> latest_ = std::make_shared<StatusSnapshot>();
};

}  // namespace daemonlet::status
