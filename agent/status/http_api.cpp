#include "agent/status/http_api.h"

#include <httplib.h>

#include <regex>

#include "agent/status/caller_authority.h"
#include "agent/status/in_memory_server.h"
#include "agent/status/metrics_text.h"
#include "agent/status/status_json.h"

namespace daemonlet::status {
namespace {

using model::Json;

constexpr const char* kJson = "application/json";
const std::string kPodPath = R"(/api/v1/namespaces/([a-z0-9.-]+)/pods/([a-z0-9.-]+))";

// Errors use the Kubernetes Status object so kubectl-style clients understand them.
void sendStatus(httplib::Response& res, int code, const std::string& reason, const std::string& message) {
  Json body = {{"kind", "Status"}, {"apiVersion", "v1"}, {"metadata", Json::object()}, {"status", "Failure"},
               {"message", message}, {"reason", reason}, {"code", code}};
  res.status = code;
  res.set_content(body.dump(2) + "\n", kJson);
}

void sendJson(httplib::Response& res, const Json& body) { res.set_content(body.dump(2) + "\n", kJson); }

const PodView* findPod(const StatusSnapshot& snapshot, const std::string& ns, const std::string& name) {
  for (const auto& pod : snapshot.pods) {
    if (pod.namespace_ == ns && pod.name == name) return &pod;
  }
  return nullptr;
}

}  // namespace

HttpApi::HttpApi(const SnapshotStore& store, PodDeleter deleter, HttpApiOptions options)
    : store_(store),
      deleter_(std::move(deleter)),
      options_(std::move(options)),
      auth_(BearerAuth(options_.token), options_.trustedUsers),
      server_(std::make_unique<InMemoryServer>()) {}

HttpApi::~HttpApi() { stop(); }

void HttpApi::registerRoutes() {
  httplib::Server& s = *server_;
  if (options_.extraRoutes) options_.extraRoutes(s);
  s.Get("/livez", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok\n", "text/plain"); });

  s.Get("/readyz", [this](const httplib::Request& req, httplib::Response& res) {
    auto snapshot = store_.latest();
    bool ready = snapshot->synced;
    res.status = ready ? 200 : 503;
    if (req.has_param("verbose")) {
      std::string body = ready ? "[+]first-reconcile ok\n" : "[-]first-reconcile failed: not finished yet\n";
      body += ready ? "readyz check passed\n" : "readyz check failed\n";
      res.set_content(body, "text/plain");
      return;
    }
    res.set_content(ready ? "ok\n" : "first reconcile not finished\n", "text/plain");
  });

  s.Get("/status", [this](const httplib::Request&, httplib::Response& res) { sendJson(res, statusJson(*store_.latest())); });
  s.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(metricsText(*store_.latest()), "text/plain; version=0.0.4; charset=utf-8");
  });
  s.Get("/api/v1/pods", [this](const httplib::Request&, httplib::Response& res) {
    sendJson(res, podListJson(*store_.latest()));
  });

  s.Get(kPodPath, [this](const httplib::Request& req, httplib::Response& res) {
    auto snapshot = store_.latest();
    const PodView* pod = findPod(*snapshot, req.matches[1], req.matches[2]);
    if (!pod) return sendStatus(res, 404, "NotFound", "pods \"" + std::string(req.matches[2]) + "\" not found");
    sendJson(res, podJson(*snapshot, *pod));
  });

  s.Delete(kPodPath, [this](const httplib::Request& req, httplib::Response& res) {
    // The front already refused a DELETE without the token; checked again here
    // so the route stays safe whatever serves it.
    if (!auth_.authorizes(req.get_header_value("Authorization"), {req.remote_addr, req.remote_port},
                          {req.local_addr, req.local_port})) {
      res.set_header("WWW-Authenticate", "Bearer");
      return sendStatus(res, 401, "Unauthorized", "a bearer token from the agent's api-token file is required");
    }
    std::string ns = req.matches[1];
    std::string name = req.matches[2];
    auto snapshot = store_.latest();
    const PodView* pod = findPod(*snapshot, ns, name);
    Json podBody = pod ? podJson(*snapshot, *pod) : Json();
    switch (deleter_(ns, name, {}).outcome) {
      case DeleteOutcome::kConflict:  // asked only with a precondition, which this route takes none of
      case DeleteOutcome::kDeleted:
        return sendJson(res, podBody.is_null() ? Json{{"kind", "Status"}, {"status", "Success"}} : podBody);
      case DeleteOutcome::kNotFound:
        return sendStatus(res, 404, "NotFound", "pods \"" + name + "\" not found");
      case DeleteOutcome::kUnavailable:
        return sendStatus(res, 503, "ServiceUnavailable", "the reconciler did not answer; try again");
    }
  });

  // Everything else: 405 for a known path with the wrong method, 404 otherwise.
  auto fallback = [](const httplib::Request& req, httplib::Response& res) {
    static const std::regex readOnly("^/(livez|readyz|status|metrics|api/v1/pods)$");
    static const std::regex podPath("^" + kPodPath + "$");
    if (std::regex_match(req.path, readOnly)) {
      res.set_header("Allow", "GET");
      return sendStatus(res, 405, "MethodNotAllowed", req.method + " is not allowed on " + req.path);
    }
    if (std::regex_match(req.path, podPath)) {
      res.set_header("Allow", "GET, DELETE");
      return sendStatus(res, 405, "MethodNotAllowed", req.method + " is not allowed on " + req.path);
    }
    sendStatus(res, 404, "NotFound", "the server could not find the requested resource " + req.path);
  };
  s.Get(".*", fallback);
  s.Post(".*", fallback);
  s.Put(".*", fallback);
  s.Patch(".*", fallback);
  s.Delete(".*", fallback);
  s.Options(".*", fallback);
}

base::Result<int> HttpApi::start() {
  auto listener = ApiListener::bind(options_.host, options_.port);
  if (!listener) return listener.error();
  return start(std::move(listener).value());
}

base::Result<int> HttpApi::start(ApiListener listener) {
  front_ = std::make_unique<ApiFront>(std::move(listener), *server_, auth_, options_.limits);
  // The routes are compiled on the front's thread, before it accepts: httplib
  // builds a std::regex per route, 8.4 M instructions for the ~40 routes (44 %
  // of the agent's whole cold start of one daemon, callgrind 2026-12-03), which
  // the loop's first pass no longer waits for. The socket listens already:
  // a client that connects meanwhile waits in the backlog, and no request is
  // dispatched before every route is in.
  auto started = front_->start([this] { registerRoutes(); });
  if (!started) return started.error();
  return front_->port();
}

void HttpApi::stop() {
  if (front_) front_->stop();
}

}  // namespace daemonlet::status
