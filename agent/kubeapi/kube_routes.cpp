// KubeApi's routes: discovery, collections (list and watch) and single objects.
#include <httplib.h>

#include <cstdlib>

#include "agent/kubeapi/discovery.h"
#include "agent/kubeapi/kube_api.h"
#include "agent/kubeapi/kube_status.h"
#include "agent/kubeapi/table_printers.h"
#include "agent/kubeapi/watch_stream.h"

namespace daemonlet::kubeapi {

using model::Json;

namespace {

const std::string kName = "([a-z0-9][a-z0-9.-]*)";

std::optional<long long> integerParam(const httplib::Request& req, const char* name) {
  if (!req.has_param(name)) return std::nullopt;
  std::string text = req.get_param_value(name);
  char* end = nullptr;
  long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0') return std::nullopt;
  return value;
}

bool flagParam(const httplib::Request& req, const char* name) {
  std::string value = req.get_param_value(name);
  return value == "true" || value == "1";
}

std::string keyOf(const Json& object) {
  const Json& metadata = object["metadata"];
  return objectKey(metadata.value("namespace", ""), metadata.value("name", ""));
}

std::string listKind(const std::string& kind) { return kind + "List"; }

}  // namespace

void KubeApi::registerRoutes(httplib::Server& s) {
  static const std::map<std::string, Route> routes = {
      {"pods", {"pods", "Pod", "v1", true}},
      {"events", {"events", "Event", "v1", true}},
      {"nodes", {"nodes", "Node", "v1", false}},
      {"namespaces", {"namespaces", "Namespace", "v1", false}},
      {"daemonsets", {"daemonsets", "DaemonSet", "apps/v1", true}},
  };
  auto discovery = [](Json (*document)(), httplib::Response& res) { sendObject(res, document()); };
  s.Get("/version", [this](const httplib::Request&, httplib::Response& res) {
    sendObject(res, versionDocument(store_.latest()->agentVersion));
  });
  s.Get("/api", [](const httplib::Request& req, httplib::Response& res) {
    sendObject(res, coreVersionsDocument(req.get_header_value("Host")));
  });
  s.Get("/apis", [discovery](const httplib::Request&, httplib::Response& res) { discovery(groupListDocument, res); });
  s.Get("/apis/apps", [](const httplib::Request&, httplib::Response& res) {
    Json group = groupListDocument()["groups"][0];
    group["kind"] = "APIGroup";
    group["apiVersion"] = "v1";
    sendObject(res, group);
  });
  s.Get(R"(/api/(v1)|/apis/(apps/v1))", [](const httplib::Request& req, httplib::Response& res) {
    std::string groupVersion = req.matches[1].matched ? "v1" : "apps/v1";
    sendObject(res, resourceListDocument(groupVersion));
  });

  s.Get("/api/v1/(pods|events|nodes|namespaces)", [this](const httplib::Request& req, httplib::Response& res) {
    serveCollection(req, res, routes.at(req.matches[1]), "");
  });
  s.Get("/api/v1/namespaces/" + kName + "/(pods|events)", [this](const httplib::Request& req, httplib::Response& res) {
    serveCollection(req, res, routes.at(req.matches[2]), req.matches[1]);
  });
  s.Get("/apis/apps/v1/daemonsets", [this](const httplib::Request& req, httplib::Response& res) {
    serveCollection(req, res, routes.at("daemonsets"), "");
  });
  s.Get("/apis/apps/v1/namespaces/" + kName + "/daemonsets", [this](const httplib::Request& req, httplib::Response& res) {
    serveCollection(req, res, routes.at("daemonsets"), req.matches[1]);
  });
  s.Get("/api/v1/namespaces/" + kName + "/pods/" + kName + "/log", [this](const httplib::Request& req, httplib::Response& res) {
    serveLog(req, res, req.matches[1], req.matches[2]);
  });
  s.Get("/api/v1/namespaces/" + kName + "/(pods|events)/" + kName, [this](const httplib::Request& req, httplib::Response& res) {
    serveObject(req, res, routes.at(req.matches[2]), req.matches[1], req.matches[3]);
  });
  s.Get("/api/v1/(nodes|namespaces)/" + kName, [this](const httplib::Request& req, httplib::Response& res) {
    serveObject(req, res, routes.at(req.matches[1]), "", req.matches[2]);
  });
  s.Get("/apis/apps/v1/namespaces/" + kName + "/daemonsets/" + kName + "(/status)?",
        [this](const httplib::Request& req, httplib::Response& res) {
          serveObject(req, res, routes.at("daemonsets"), req.matches[1], req.matches[2]);
        });
  s.Delete("/api/v1/namespaces/" + kName + "/pods/" + kName, [this](const httplib::Request& req, httplib::Response& res) {
    deletePod(req, res, req.matches[1], req.matches[2]);
  });

  // Every other write on the Kubernetes paths: the node's desired state is not written here.
  auto refuse = [](const httplib::Request& req, httplib::Response& res) {
    res.set_header("Allow", "GET");
    sendKubeStatus(res, 405, "MethodNotAllowed",
                   req.method + " is not allowed on " + req.path +
                       ": this node's desired state comes from its manifest directory and its endpoint, not from "
                       "writes to its local API (only DELETE of a pod is served, with the token)");
  };
  for (const char* pattern : {"/api(/.*)?", "/apis(/.*)?"}) {
    s.Post(pattern, refuse);
    s.Put(pattern, refuse);
    s.Patch(pattern, refuse);
    s.Delete(pattern, refuse);
  }
}

void KubeApi::serveCollection(const httplib::Request& req, httplib::Response& res, const Route& route,
                              const std::string& ns) {
  std::string accept = req.get_header_value("Accept");
  Representation representation = negotiate(accept);
  if (representation == Representation::kNotAcceptable) return sendNotAcceptable(res, accept);
  WatchRequest filter;
  filter.resource = route.resource;
  filter.kind = route.kind;
  filter.apiVersion = route.apiVersion;
  filter.namespace_ = ns;
  auto labels = LabelSelector::parse(req.get_param_value("labelSelector"));
  if (!labels) return sendKubeStatus(res, 400, "BadRequest", labels.error().message + ": " + labels.error().context);
  auto fields = FieldSelector::parse(req.get_param_value("fieldSelector"));
  if (!fields) return sendKubeStatus(res, 400, "BadRequest", fields.error().message + ": " + fields.error().context);
  filter.labels = std::move(labels).value();
  filter.fields = std::move(fields).value();
  filter.table = representation == Representation::kTable;
  filter.includeObject = req.get_param_value("includeObject");
  if (flagParam(req, "watch")) return serveWatch(req, res, filter);

  refresh();
  auto listing = history_.list(route.resource);
  std::string after = req.get_param_value("continue");
  auto limit = integerParam(req, "limit");
  std::vector<Json> items;
  std::string next;
  long long remaining = 0;
  for (auto& object : listing.items) {
    if (!WatchStream::selects(filter, object)) continue;
    if (!after.empty() && keyOf(object) <= after) continue;
    if (limit && *limit > 0 && static_cast<long long>(items.size()) >= *limit) {
      ++remaining;
      continue;
    }
    items.push_back(std::move(object));
  }
  Json metadata = {{"resourceVersion", std::to_string(listing.version)}};
  if (remaining > 0) {
    metadata["continue"] = keyOf(items.back());
    metadata["remainingItemCount"] = remaining;
  }
  if (filter.table) {
    Json body = table(route.resource, items, filter.includeObject, clock_.wallNow());
    body["metadata"] = metadata;
    return sendObject(res, body);
  }
  sendObject(res, {{"apiVersion", route.apiVersion}, {"kind", listKind(route.kind)}, {"metadata", metadata}, {"items", items}});
}

void KubeApi::serveObject(const httplib::Request& req, httplib::Response& res, const Route& route, const std::string& ns,
                          const std::string& name) {
  std::string accept = req.get_header_value("Accept");
  Representation representation = negotiate(accept);
  if (representation == Representation::kNotAcceptable) return sendNotAcceptable(res, accept);
  refresh();
  std::string key = objectKey(ns, name);
  for (auto& object : history_.list(route.resource).items) {
    if (keyOf(object) != key) continue;
    if (representation == Representation::kTable) {
      return sendObject(res, table(route.resource, {object}, req.get_param_value("includeObject"), clock_.wallNow()));
    }
    return sendObject(res, object);
  }
  std::string group = route.apiVersion == "v1" ? "" : "." + route.apiVersion.substr(0, route.apiVersion.find('/'));
  sendKubeStatus(res, 404, "NotFound", route.resource + group + " \"" + name + "\" not found");
}

void KubeApi::serveWatch(const httplib::Request& req, httplib::Response& res, WatchRequest request) {
  auto slot = streams_.tryAcquire();
  if (!slot) {
    res.set_header("Retry-After", "1");
    return sendKubeStatus(res, 429, "TooManyRequests", "too many open watches and log streams; retry in a second");
  }
  // Counted as a watch before this refresh: every publish from here on rebuilds
  // the objects, so no transition is folded into the next one unseen.
  auto watching = watches_.tryAcquire();
  refresh();
  auto timeout = integerParam(req, "timeoutSeconds").value_or(1800);
  request.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(std::clamp<long long>(timeout, 1, 24 * 3600));
  request.bookmarks = flagParam(req, "allowWatchBookmarks");
  std::string version = req.get_param_value("resourceVersion");
  std::vector<WatchEvent> initial;
  std::uint64_t from = 0;
  if (version.empty() || version == "0") {
    auto listing = history_.list(request.resource);
    from = listing.version;
    for (auto& object : listing.items) {
      if (WatchStream::selects(request, object)) {
        initial.push_back({listing.version, "ADDED", std::make_shared<const Json>(std::move(object))});
      }
    }
  } else {
    char* end = nullptr;
    from = std::strtoull(version.c_str(), &end, 10);
    if (*end != '\0' || !history_.since(request.resource, from)) {
      return sendKubeStatus(res, 410, "Expired", "too old resource version: " + version + " (" +
                                                     std::to_string(history_.latest()) + ")");
    }
  }
  status::offerResponseStream(std::make_unique<WatchStream>(history_, std::move(request), std::move(initial), from,
                                                            [this] { refresh(); }, std::move(*slot),
                                                            std::move(*watching)));
}

}  // namespace daemonlet::kubeapi
