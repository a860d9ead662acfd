#pragma once
// EndpointSnapshot: what the central endpoint (plain HTTP(S) or a Kubernetes API
// server) currently says, once accepted. Both endpoint sources build one through
// acceptEndpointBody(), the last-known-good cache stores and reloads it, and the
// source merge combines it with the manifest directory.
//
// Acceptance rules (README "Central endpoint"):
// - A body that cannot be split into documents (garbage, truncated YAML/JSON,
//   over the size limit) is not well-formed: nothing is accepted, the previous
//   snapshot (and the cache) stay in force.
// - In a well-formed body every DaemonSet stands on its own: one that fails to
//   decode or validate is rejected with its error, and if the previous snapshot
//   had a DaemonSet of the same namespace/name, that last good version stays in
//   force; the valid rest applies.
// - A well-formed body with no DaemonSets (an empty List) is accepted as empty:
//   the operator asked for nothing to run.
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "agent/base/result.h"
#include "agent/sources/source_snapshot.h"

namespace daemonlet::sources {

using WallTime = std::chrono::system_clock::time_point;

struct EndpointSnapshot {
  std::string url;           // where it came from (no credentials in it)
  std::string etag;          // HTTP ETag as received, quotes included; "" if none
  std::string lastModified;  // HTTP Last-Modified as received; "" if none
  std::string resourceVersion;  // Kubernetes list/watch resourceVersion; "" in HTTP mode
  WallTime fetchedAt{};
  // Accepted DaemonSets, origin "endpoint:<url>", sorted by namespace/name. Each
  // keeps its `raw` JSON so the cache can write it back out.
  std::vector<SourcedDaemonSet> daemonSets;
  // Rejected DaemonSets of the last accepted body (origin "endpoint:<url>").
  std::vector<SourceError> errors;
};

// Accepts `body` (JSON DaemonSetList/List/DaemonSet or a YAML stream) read from
// `url`. `previous` supplies last good versions for rejected items (may be null).
// Fails (kInvalidArgument, message naming the URL) when the body is not
// well-formed; then nothing must replace the previous snapshot.
base::Result<EndpointSnapshot> acceptEndpointBody(const std::string& body, const std::string& url,
                                                  const EndpointSnapshot* previous);

// How the endpoint is doing, for /status and logs; published alongside snapshots.
struct EndpointHealth {
  std::string url;
  std::string mode;               // "http" or "kubernetes"
  bool connected = false;         // the last request (or the watch) succeeded
  std::string lastError;          // one line; "" after a success
  int consecutiveFailures = 0;
  WallTime lastSuccess{};         // epoch when never
  WallTime nextAttempt{};         // when the next request is due (polling/backoff)
  std::uint64_t requests = 0;     // since start
  std::uint64_t notModified = 0;  // 304 answers
  std::uint64_t bytesReceived = 0;
};

// The callbacks an endpoint source calls from its own thread. The agent runner
// persists snapshots in the cache and posts both to the reconciler's loop.
struct EndpointCallbacks {
  std::function<void(const EndpointSnapshot&)> onSnapshot;
  std::function<void(const EndpointHealth&)> onHealth;
};

}  // namespace daemonlet::sources
