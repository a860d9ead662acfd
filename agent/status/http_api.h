#pragma once
// The local HTTP API (cpp-httplib) on the node's loopback:
//   GET    /livez, /readyz[?verbose], /status, /metrics
//   GET    /api/v1/pods                                   core/v1 PodList
//   GET    /api/v1/namespaces/{ns}/pods/{name}            core/v1 Pod
//   DELETE /api/v1/namespaces/{ns}/pods/{name}            stop the pod (OnDelete
//          updates, manual restarts); needs "Authorization: Bearer <token>" with
//          the token the agent writes (0600) to <runDir>/api-token.
// Readers only see immutable snapshots. Connections are owned by the front
// (api_front.h: limits, token check before any body, one request per
// connection); complete requests are routed by httplib on a few workers;
// deletions are handed to the reconciler through `PodDeleter`.
#include <filesystem>
#include <chrono>
#include <functional>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include "agent/base/result.h"
#include "agent/status/api_front.h"
#include "agent/status/api_listener.h"
#include "agent/status/caller_authority.h"
#include "agent/status/status_snapshot.h"

namespace httplib {
class Server;
}

namespace daemonlet::status {

class InMemoryServer;

enum class DeleteOutcome { kDeleted, kNotFound, kUnavailable, kConflict };
// What a deletion asks beyond "stop it" (the Kubernetes DeleteOptions the
// reconciler acts on; kubeapi/delete_options.h reads them).
struct DeleteRequest {
  // Overrides the pod's terminationGracePeriodSeconds for this stop (0: a
  // forced deletion; the stop still waits the kubelet's 1 s). Unset: the
  // spec's. A later deletion may only shorten it, as the API server allows.
  std::optional<std::chrono::seconds> gracePeriod;
  std::string uid;  // precondition: delete only the pod with this uid (kConflict otherwise)
};
struct DeleteResult {
  DeleteOutcome outcome = DeleteOutcome::kNotFound;
  // kDeleted: when the deletion was first asked and the grace period it now
  // has (deletionGracePeriodSeconds; deletionTimestamp is their sum).
  WallTime requestedAt{};
  std::chrono::seconds gracePeriod{0};
};
// Called on an HTTP thread; must be thread-safe (post to the reconciler and wait).
using PodDeleter = std::function<DeleteResult(const std::string& namespace_, const std::string& name,
                                              const DeleteRequest& request)>;

struct HttpApiOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: pick a free port (tests)
  std::string token;  // required for mutating calls and bodies; empty refuses them all
  ApiLimits limits;
  // Routes of another layer (the Kubernetes API, agent/kubeapi), registered
  // ahead of these so they take precedence over the paths both serve.
  std::function<void(httplib::Server&)> extraRoutes;
  // Loopback users authorized without the token (caller_authority.h); none: token only.
  std::vector<uid_t> trustedUsers;
};

class HttpApi {
 public:
  HttpApi(const SnapshotStore& store, PodDeleter deleter, HttpApiOptions options);
  ~HttpApi();
  HttpApi(const HttpApi&) = delete;
  HttpApi& operator=(const HttpApi&) = delete;

  // Binds options.host:port and starts serving on background threads; returns the bound port.
  base::Result<int> start();
  // Serves on a socket bound earlier (the agent binds first thing at start).
  base::Result<int> start(ApiListener listener);
  void stop();

 private:
  void registerRoutes();

  const SnapshotStore& store_;
  PodDeleter deleter_;
  HttpApiOptions options_;
  CallerAuthority auth_;
  std::unique_ptr<InMemoryServer> server_;
  std::unique_ptr<ApiFront> front_;
};

// Creates a random bearer token and writes it to `path` with mode 0600
// (atomically: temp file, fsync, rename). Returns the token.
base::Result<std::string> writeApiToken(const std::filesystem::path& path);

}  // namespace daemonlet::status
