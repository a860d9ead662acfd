#pragma once
// Internals shared by the fake API server's translation units (test support).
#include <httplib.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "fake_kube_apiserver.h"
#include "object_store.h"
#include "selectors.h"

namespace daemonlet::fakekube {

// A metav1.Status body, as the API server sends for errors.
Json statusObject(int code, const std::string& reason, const std::string& message);
void replyStatus(httplib::Response& res, int code, const std::string& reason, const std::string& message);

// Continue tokens: base64url(JSON {"v":"meta.k8s.io/v1","rv":N,"start":KEY}).
std::string encodeContinueToken(std::uint64_t resourceVersion, const std::string& startKey);
bool decodeContinueToken(const std::string& token, std::uint64_t& resourceVersion, std::string& startKey);

// What one LIST or WATCH asks for.
struct CollectionScope {
  std::string resource;   // "daemonsets" | "nodes"
  std::string namespace_; // "" = all
  Selector labels;
  Selector fields;
  bool contains(const Json& object) const;
};

struct FakeKubeApiServer::Impl {
  explicit Impl(FakeKubeApiServerOptions o) : options(std::move(o)), store(options.firstResourceVersion) {}

  void installApiRoutes();      // api_routes.cpp
  void installControlRoutes();  // control_routes.cpp
  void serveCollection(const httplib::Request& req, httplib::Response& res, const std::string& resource,
                       const std::string& namespace_);
  void serveList(const httplib::Request& req, httplib::Response& res, const CollectionScope& scope);
  void serveWatch(const httplib::Request& req, httplib::Response& res, const CollectionScope& scope);
  bool authorized(const httplib::Request& req, httplib::Response& res);
  void record(const httplib::Request& req, int status);
  void notifyWatchers() { changed.notify_all(); }

  FakeKubeApiServerOptions options;
  std::unique_ptr<httplib::Server> server;
  std::thread thread;
  int port = 0;
  bool running = false;

  mutable std::mutex mutex;  // guards everything below
  std::condition_variable changed;
  ObjectStore store;
  std::uint64_t dropGeneration = 0;
  std::uint64_t expireGeneration = 0;
  std::uint64_t bookmarkGeneration = 0;
  int continueTokensToExpire = 0;
  bool stopping = false;
  int liveWatches = 0;
  std::uint64_t bookmarksWritten = 0;  // BOOKMARK events written to a client so far
  std::vector<RecordedRequest> log;
};

}  // namespace daemonlet::fakekube
