#pragma once
// A fake Kubernetes API server for tests: the subset of the real list/watch
// protocol the agent uses, following the API Concepts documentation.
//
// Served (JSON only):
//   GET /apis/apps/v1/daemonsets, /apis/apps/v1/namespaces/NS/daemonsets[/NAME]
//   GET /api/v1/nodes, /api/v1/nodes/NAME
// LIST: metadata.resourceVersion = the current global resourceVersion;
//   labelSelector (k=v, k==v, k!=v, k, !k), fieldSelector (metadata.name,
//   metadata.namespace); limit/continue pagination over a consistent snapshot
//   (continue token: base64 of {"v":"meta.k8s.io/v1","rv":N,"start":KEY} as
//   kube-apiserver mints them); a token older than the compacted
//   resourceVersion -> 410 Expired. Items carry no apiVersion/kind, as in the
//   real API.
// WATCH (?watch=1|true): chunked Transfer-Encoding, one JSON event per line.
//   resourceVersion unset or "0": synthetic ADDED events for the current
//   objects, then changes. resourceVersion=R: every change after R; R older
//   than the compacted history -> a 200 stream with one ERROR event carrying a
//   Status (reason Expired, code 410, "too old resource version: R (C)") and
//   then the end. Objects entering/leaving a selector by a MODIFIED arrive as
//   ADDED/DELETED (what the watch cache does). allowWatchBookmarks=true: a
//   BOOKMARK (object with only metadata.resourceVersion) every
//   bookmarkInterval and on requestBookmarks(). timeoutSeconds ends the
//   stream cleanly (default: 1800).
// Auth: with a token set, requests without "Authorization: Bearer <token>"
//   get 401 and a Status (reason Unauthorized).
// Errors are metav1.Status bodies (404 NotFound, 400 BadRequest, 410 Expired).
//
// Test control, in process (the methods below) or over HTTP on the same port
// (TEST ONLY, no auth): POST /__control/daemonsets (body: object; create or
// update), DELETE /__control/daemonsets/NS/NAME, POST /__control/nodes,
// DELETE /__control/nodes/NAME, POST /__control/compact,
// POST /__control/expire-watches, POST /__control/drop-watches,
// POST /__control/bookmark, POST /__control/expire-continue?count=N,
// GET|DELETE /__control/requests (request log),
// GET /__control/state ({"resourceVersion": "N"}).
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace daemonlet::fakekube {

using Json = nlohmann::ordered_json;

struct FakeKubeApiServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;                  // 0: any free port
  std::string bearerToken;       // "" = no authentication
  std::string tlsCertFile;       // with tlsKeyFile: serve https
  std::string tlsKeyFile;
  std::chrono::milliseconds bookmarkInterval{60000};
  std::uint64_t firstResourceVersion = 1000;
};

struct RecordedRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> params;  // decoded query parameters
  int status = 0;                             // 0 for watches still streaming when logged
  bool isWatch() const;
  bool isList() const;  // a collection GET that is not a watch
};

class FakeKubeApiServer {
 public:
  explicit FakeKubeApiServer(FakeKubeApiServerOptions options = {});
  ~FakeKubeApiServer();  // stops
  FakeKubeApiServer(const FakeKubeApiServer&) = delete;
  FakeKubeApiServer& operator=(const FakeKubeApiServer&) = delete;

  // Binds and serves on a background thread; false when it cannot bind or the
  // TLS files do not load.
  bool start();
  void stop();
  int port() const;
  std::string url() const;  // "http://127.0.0.1:PORT" (https with TLS)

  // Writes; each returns the stored object (with its new resourceVersion).
  Json applyDaemonSet(Json daemonSet);
  bool deleteDaemonSet(const std::string& namespace_, const std::string& name);
  Json applyNode(Json node);
  bool deleteNode(const std::string& name);

  std::string resourceVersion() const;  // the current global one
  void compactHistory();                // older watches / continue tokens now get 410
  // compactHistory() and tell every live watch so: each gets an ERROR 410 event and ends.
  void expireWatches();
  void dropWatches();       // ends every live watch stream abruptly (clean chunked end)
  void requestBookmarks();  // every live watch with bookmarks allowed gets one now
  // The next `count` LIST requests that carry a continue token get 410 Expired,
  // as when the token outlived the server's compaction window.
  void expireNextContinueTokens(int count);
  int liveWatches() const;
  // BOOKMARK events written to clients so far: a test that drops watches waits
  // for this to grow after requestBookmarks(), or the drop may win the race.
  std::uint64_t bookmarksWritten() const;

  std::vector<RecordedRequest> requests() const;
  void clearRequests();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Options on 127.0.0.1 with `port` (0: any) and `bearerToken` ("" = none).
FakeKubeApiServerOptions serverOptions(int port, const std::string& bearerToken);

// Test helpers to build objects.
Json makeDaemonSetObject(const std::string& namespace_, const std::string& name, const std::string& image,
                         const std::map<std::string, std::string>& labels = {});
Json makeNodeObject(const std::string& name, const std::map<std::string, std::string>& labels = {},
                    const std::vector<Json>& taints = {}, bool unschedulable = false);

}  // namespace daemonlet::fakekube
