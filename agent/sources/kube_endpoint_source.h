#pragma once
// KubeEndpointSource: follows the DaemonSets of a Kubernetes API server the way
// client-go's Reflector does (API Concepts, "Efficient detection of changes"),
// and optionally this node's Node object.
//
// Protocol, DaemonSets (the list/watch loop itself is KubeReflector's,
// kube_reflector.h, shared with the Node):
//   1. LIST  GET {server}/apis/apps/v1[/namespaces/NS]/daemonsets?labelSelector=..&limit=N
//      following metadata.continue; a 410 on a continue request restarts the
//      list. resourceVersion is left unset: a consistent read.
//   2. WATCH GET ...?watch=1&resourceVersion=<list RV>&allowWatchBookmarks=true
//      &timeoutSeconds=<watchTimeout spread into [T, 2T)>. ADDED/MODIFIED/DELETED
//      update the item map; BOOKMARK only advances the resourceVersion.
//   3. A stream the server ends (timeout, drop) or that stalls -> re-watch from
//      the last resourceVersion seen, no relist. A 410 Gone (HTTP status or
//      ERROR event with a Status code 410) -> relist after a jittered backoff.
//      Transport failures and other HTTP errors -> jittered exponential backoff
//      (backoffInitial .. backoffMax), then re-watch (or relist if no list has
//      succeeded yet). A stream silent for client.stallTimeout counts as
//      dropped; keep that above the server's bookmark spacing (kube-apiserver
//      sends one about every minute) to avoid needless re-watches. A stream
//      that ends within a second without any event is paced by the backoff.
// The seed snapshot (from the last-known-good cache) only serves as the
// "previous" snapshot for last-good retention of rejected items; its
// resourceVersion is never used to start a watch — the source always lists first.
//
// Snapshots: after a LIST, and after watch events that change what should run
// (status-only MODIFIED events do not count): up to `burstSnapshots` changes
// after a quiet spell at once, then at most one snapshot per `debounce` (a
// token bucket: a change that finds none left opens a window that gathers what
// follows), so a change a moment after another is not held for a window meant
// for storms,
// the current items are rendered as a DaemonSetList and run through acceptEndpointBody(body, collectionUrl(), &last);
// onSnapshot gets the result with resourceVersion set and url = collectionUrl().
// Unchanged items keep their revision, so a relist that finds the same items
// gives a snapshot equal to the previous one and the reconciler restarts nothing.
//
// Node (when nodeName is set), with a second KubeReflector: LIST /api/v1/nodes with
// fieldSelector=metadata.name=<node> (the list form of GET /api/v1/nodes/<node>:
// an absent node is an empty list instead of a 404, and the list's
// resourceVersion is always recent enough to watch from), then WATCH with the
// same selector. onNode gets KubeNodeInfo{found=false} when the node is not
// registered or was deleted. onNode runs only when existence, labels, taints
// or unschedulable changed (not on status heartbeats). Combine with
// mergeNodeIdentity() (kube_node_info.h).
//
// Health: callbacks.onHealth gets an EndpointHealth (mode "kubernetes",
// url = collectionUrl()) after every DaemonSet list/watch success or failure.
//
// Threading: each reflector has its own thread for the held watch; the
// debounce is a Timer on the loop's TimerQueue and a snapshot is built (and
// onSnapshot runs, e.g. to save the cache) on the shared BlockingPool. onHealth
// runs on the DaemonSet reflector's thread, onNode on the node's; each callback
// never concurrently with itself. Callbacks must not call stop(). stop()
// cancels in-flight requests and waits for them; it returns promptly (bounded
// by curl noticing the cancel, well under a second). The destructor stops.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "agent/loop/blocking_pool.h"
#include "agent/loop/timer_queue.h"
#include "agent/outbound/http_client.h"
#include "agent/sources/endpoint_snapshot.h"
#include "agent/sources/kube_node_info.h"

namespace daemonlet::sources {

struct KubeEndpointOptions {
  std::string server;         // "https://host:6443" (no path)
  std::string namespace_;     // empty: DaemonSets of all namespaces
  std::string labelSelector;  // e.g. "fleet=edge,tier!=test"; empty: all
  std::string nodeName;       // empty: do not follow the Node
  outbound::ClientSettings client;
  std::chrono::milliseconds backoffInitial{1000}, backoffMax{30000};
  std::chrono::seconds watchTimeout{300};  // timeoutSeconds sent on watch, spread into [T, 2T)
  std::size_t listPageSize = 500;          // LIST limit; 0: no pagination
  std::chrono::milliseconds debounce{100};  // at most one snapshot of watch events per window...
  int burstSnapshots = 3;                   // ...once this many went out at once
};

class KubeEndpointSource {
 public:
  using NodeCallback = std::function<void(const KubeNodeInfo&)>;

  // `seed` may be null; it is copied. `timers` and `pool` outlive the source.
  KubeEndpointSource(KubeEndpointOptions options, EndpointCallbacks callbacks, NodeCallback onNode,
                     const EndpointSnapshot* seed, loop::TimerQueue& timers, loop::BlockingPool& pool);
  ~KubeEndpointSource();
  KubeEndpointSource(const KubeEndpointSource&) = delete;
  KubeEndpointSource& operator=(const KubeEndpointSource&) = delete;

  void start();  // once
  void stop();   // idempotent

  // {server}{collection path}[?labelSelector=...]: the snapshot's url and the
  // origin ("endpoint:<url>") of its DaemonSets.
  const std::string& collectionUrl() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace daemonlet::sources
