#include "agent/kubeapi/kube_api.h"

#include <httplib.h>

#include <algorithm>
#include <chrono>

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
      history_(firstVersion(clock), options_.historyEvents),
      events_(clock, "", options_.maxEvents),
      streams_(options_.maxStreams) {}

KubeApi::~KubeApi() = default;

void KubeApi::refresh() {
  std::lock_guard lock(refreshMutex_);
  auto snapshot = store_.latest();
  if (observed_ && observed_->sequence == snapshot->sequence && observed_->generatedAt == snapshot->generatedAt) {
    // Events the reconciler recorded since (a failed probe attempt) show without a new snapshot.
    if (events_.changes() != eventsSeen_) {
      eventsSeen_ = events_.changes();
      history_.replace("events", events_.objects());
    }
    return;
  }
  events_.setNodeName(snapshot->node.name);
  recordPodTransitions(observed_.get(), *snapshot, events_);
  eventsSeen_ = events_.changes();
  observed_ = snapshot;
  history_.replace("pods", podObjects(*snapshot));
  history_.replace("daemonsets", daemonSetObjects(*snapshot, firstSeen_));
  history_.replace("nodes", nodeObjects(*snapshot, firstSeen_));
  history_.replace("namespaces", namespaceObjects(*snapshot, firstSeen_));
  history_.replace("events", events_.objects());
}

}  // namespace daemonlet::kubeapi
