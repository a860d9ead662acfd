#include "agent/kubeapi/kube_api.h"

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <limits>

#include "agent/kubeapi/discovery.h"
#include "agent/kubeapi/kube_status.h"
#include "agent/kubeapi/pod_events.h"
#include "agent/kubeapi/table_printers.h"
#include "agent/kubeapi/watch_stream.h"

namespace daemonlet::kubeapi {

using model::Json;

namespace {

std::uint64_t firstVersion(const base::Clock& clock) {
  auto sinceEpoch = clock.wallNow().time_since_epoch();
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(sinceEpoch).count());
}

}  // namespace

KubeApi::KubeApi(const status::SnapshotStore& store, const base::Clock& clock, status::PodDeleter deleter,
                 KubeApiOptions options)
    : store_(store),
      clock_(clock),
      deleter_(std::move(deleter)),
      options_(std::move(options)),
      auth_(status::BearerAuth(options_.token), options_.trustedUsers),
      history_(firstVersion(clock), options_.historyEvents, options_.historyBytes),
      events_(clock, "", options_.maxEvents),
      streams_(options_.maxStreams),
      watches_(std::numeric_limits<std::size_t>::max()) {}

KubeApi::~KubeApi() = default;

void KubeApi::recordTransitionsTo(const std::shared_ptr<const status::StatusSnapshot>& snapshot) {
  if (transitionsSeen_ == snapshot) return;
  events_.setNodeName(snapshot->node.name);
  recordPodTransitions(transitionsSeen_.get(), *snapshot, events_);
  // creationTimestamp of DaemonSets, the node and namespaces is when a snapshot
  // first showed them, not when a request first built their objects.
  noteFirstSeen(*snapshot, firstSeen_);
  transitionsSeen_ = snapshot;
}

void KubeApi::rebuildObjectsFrom(const status::StatusSnapshot& snapshot) {
  SnapshotId id{snapshot.sequence, snapshot.generatedAt};
  if (objectsBuilt_ != id) {
    objectsBuilt_ = id;
    history_.replace("pods", podObjects(snapshot));
    history_.replace("daemonsets", daemonSetObjects(snapshot, firstSeen_));
    history_.replace("nodes", nodeObjects(snapshot, firstSeen_));
    history_.replace("namespaces", namespaceObjects(snapshot, firstSeen_));
  }
  // Events the reconciler recorded since (a failed probe attempt) show without a new snapshot.
  if (events_.changes() != eventsSeen_) {
    eventsSeen_ = events_.changes();
    history_.replace("events", events_.objects());
  }
}

void KubeApi::published() {
  std::lock_guard lock(refreshMutex_);
  auto snapshot = store_.latest();
  recordTransitionsTo(snapshot);
  // A watch opened after this check refreshes itself before it reads (serveWatch).
  if (watches_.open() > 0) rebuildObjectsFrom(*snapshot);
}

void KubeApi::refresh() {
  std::lock_guard lock(refreshMutex_);
  auto snapshot = store_.latest();
  recordTransitionsTo(snapshot);
  rebuildObjectsFrom(*snapshot);
}

}  // namespace daemonlet::kubeapi
