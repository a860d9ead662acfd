#pragma once
// The Kubernetes API of one node, for kubectl (`kubectl --server
// http://127.0.0.1:10290 get pods`): discovery, get/list with selectors, limit
// and continue, Table printing, watch, pod logs, pod deletion and events,
// registered on the local API's router (status::HttpApiOptions::extraRoutes).
// Reads are open to the loopback as the rest of the API; logs (they can hold
// secrets) and deletion need the bearer token; every other write is 405.
// The objects are built lazily: a publish records the pod transitions as
// events (cheap, and none is lost between two reads) and rebuilds the objects
// only while a watch is open; a request rebuilds them when they are stale. At
// 200 pods, rebuilding every object at every publish with nobody reading held
// most of the agent's heap and CPU at a cold start (issue 14).
// Threading: published() and refresh() from any thread (the reconciler's
// publish hook calls published()); handlers run on the API's workers; streams
// on its front thread. Must outlive the HttpApi it is registered on.
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "agent/base/clock.h"
#include "agent/kubeapi/event_recorder.h"
#include "agent/kubeapi/kube_objects.h"
#include "agent/kubeapi/object_history.h"
#include "agent/kubeapi/stream_slots.h"
#include "agent/kubeapi/watch_stream.h"
#include "agent/status/caller_authority.h"
#include "agent/status/http_api.h"
#include "agent/status/status_snapshot.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace daemonlet::kubeapi {

struct KubeApiOptions {
  std::string token;              // for logs and deletion
  std::vector<uid_t> trustedUsers; // loopback users who need no token (status/caller_authority.h)
  std::size_t maxStreams = 16;    // watches and followed logs together
  std::size_t historyEvents = 4096;
  std::size_t historyBytes = ObjectHistory::kDefaultMaxEventBytes;
  std::size_t maxEvents = 1000;   // core/v1 Events kept
};

class KubeApi {
 public:
  KubeApi(const status::SnapshotStore& store, const base::Clock& clock, status::PodDeleter deleter,
          KubeApiOptions options);
  ~KubeApi();
  KubeApi(const KubeApi&) = delete;
  KubeApi& operator=(const KubeApi&) = delete;

  // A snapshot was published: its pod transitions become events now; the
  // objects follow now only while a watch is open (so each transition reaches
  // watchers), else at the next request.
  void published();
  // Brings the history up to the latest snapshot (a no-op when it already is).
  void refresh();
  // For tests: the history's latest resourceVersion (moves only when objects are
  // rebuilt and changed) and the watches open.
  std::uint64_t historyVersion() const { return history_.latest(); }
  std::size_t openWatches() const { return watches_.open(); }
  void registerRoutes(httplib::Server& server);
  EventRecorder& events() { return events_; }
  // The last `limit` events, for the upward report (node_report.h). Any thread.
  std::vector<status::RecentEvent> recentEvents(std::size_t limit) const { return events_.recent(limit); }

 public:
  struct Route {
    std::string resource;
    std::string kind;
    std::string apiVersion;
    bool namespaced = true;
  };

 private:
  void serveCollection(const httplib::Request& req, httplib::Response& res, const Route& route, const std::string& ns);
  void serveObject(const httplib::Request& req, httplib::Response& res, const Route& route, const std::string& ns,
                   const std::string& name);
  void serveWatch(const httplib::Request& req, httplib::Response& res, WatchRequest request);
  void serveLog(const httplib::Request& req, httplib::Response& res, const std::string& ns, const std::string& name);
  void deletePod(const httplib::Request& req, httplib::Response& res, const std::string& ns, const std::string& name);
  // Under refreshMutex_.
  void recordTransitionsTo(const std::shared_ptr<const status::StatusSnapshot>& snapshot);
  void rebuildObjectsFrom(const status::StatusSnapshot& snapshot);

  const status::SnapshotStore& store_;
  const base::Clock& clock_;
  status::PodDeleter deleter_;
  KubeApiOptions options_;
  status::CallerAuthority auth_;
  ObjectHistory history_;
  EventLog events_;
  StreamSlots streams_;
  StreamSlots watches_;  // open watches only (no cap of its own: streams_ caps them)
  std::mutex refreshMutex_;
  // The snapshot whose pod transitions are in events_: the next one's are
  // recorded against it. The objects' snapshot is named, not held.
  std::shared_ptr<const status::StatusSnapshot> transitionsSeen_;
  struct SnapshotId {
    std::uint64_t sequence = 0;
    std::chrono::system_clock::time_point generatedAt;
    bool operator==(const SnapshotId&) const = default;
  };
  std::optional<SnapshotId> objectsBuilt_;
  FirstSeen firstSeen_;
  std::uint64_t eventsSeen_ = 0;  // events_.changes() the history has
};

}  // namespace daemonlet::kubeapi
