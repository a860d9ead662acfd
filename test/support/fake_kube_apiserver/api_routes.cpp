// The API half of the fake server: LIST, GET and WATCH (see fake_kube_apiserver.h).
#include <algorithm>
#include <cctype>

#include "server_impl.h"

namespace daemonlet::fakekube {
namespace {

constexpr long kDefaultWatchTimeoutSeconds = 1800;
// How often an idle watch worker wakes to check its deadline and bookmarks.
constexpr std::chrono::milliseconds kWatchTick{250};

std::string listKind(const std::string& resource) { return resource == "nodes" ? "NodeList" : "DaemonSetList"; }
std::string objectKind(const std::string& resource) { return resource == "nodes" ? "Node" : "DaemonSet"; }
std::string apiVersionOf(const std::string& resource) { return resource == "nodes" ? "v1" : "apps/v1"; }

std::string param(const httplib::Request& req, const char* name) {
  return req.has_param(name) ? req.get_param_value(name) : std::string();
}

bool parseUnsigned(const std::string& text, std::uint64_t& value) {
  if (text.empty() || text.size() > 19 || !std::all_of(text.begin(), text.end(), ::isdigit)) return false;
  value = std::stoull(text);
  return true;
}

std::string eventLine(const std::string& type, const Json& object) {
  return Json{{"type", type}, {"object", object}}.dump() + "\n";
}

struct WatchSession {
  CollectionScope scope;
  bool bookmarks = false;
  std::chrono::steady_clock::time_point deadline;
  std::chrono::steady_clock::time_point nextBookmark;
  std::string initialLines;  // synthetic ADDED events or the 410 ERROR
  bool endAfterInitial = false;
  std::size_t cursor = 0;
  std::uint64_t lastResourceVersion = 0;
  std::uint64_t dropGeneration = 0, expireGeneration = 0, bookmarkGeneration = 0;
};

}  // namespace

bool FakeKubeApiServer::Impl::authorized(const httplib::Request& req, httplib::Response& res) {
  if (options.bearerToken.empty()) return true;
  if (req.get_header_value("Authorization") == "Bearer " + options.bearerToken) return true;
  replyStatus(res, 401, "Unauthorized", "Unauthorized");
  record(req, 401);
  return false;
}

void FakeKubeApiServer::Impl::record(const httplib::Request& req, int status) {
  RecordedRequest entry{req.method, req.path, {}, status};
  for (const auto& [name, value] : req.params) entry.params[name] = value;
  std::lock_guard lock(mutex);
  log.push_back(std::move(entry));
}

void FakeKubeApiServer::Impl::serveCollection(const httplib::Request& req, httplib::Response& res,
                                              const std::string& resource, const std::string& namespace_) {
  if (!authorized(req, res)) return;
  auto labels = Selector::parseLabels(param(req, "labelSelector"));
  auto fields = Selector::parseFields(param(req, "fieldSelector"));
  if (!labels || !fields) {
    replyStatus(res, 400, "BadRequest", "unable to parse requirement: invalid selector");
    record(req, 400);
    return;
  }
  CollectionScope scope{resource, namespace_, *labels, *fields};
  const std::string watch = param(req, "watch");
  if (watch == "1" || watch == "true") serveWatch(req, res, scope);
  else serveList(req, res, scope);
}

void FakeKubeApiServer::Impl::serveList(const httplib::Request& req, httplib::Response& res,
                                        const CollectionScope& scope) {
  std::uint64_t limit = 0;
  if (!param(req, "limit").empty() && !parseUnsigned(param(req, "limit"), limit)) {
    replyStatus(res, 400, "BadRequest", "invalid limit");
    record(req, 400);
    return;
  }
  const std::string token = param(req, "continue");
  std::uint64_t listVersion = 0;
  std::string startKey;
  if (!token.empty() && !decodeContinueToken(token, listVersion, startKey)) {
    replyStatus(res, 400, "BadRequest", "continue key is not valid: incorrect encoded start resourceVersion");
    record(req, 400);
    return;
  }

  Json items = Json::array();
  std::string nextToken;
  std::size_t remaining = 0;
  {
    std::lock_guard lock(mutex);
    const bool forcedExpiry = !token.empty() && continueTokensToExpire > 0;
    if (forcedExpiry) --continueTokensToExpire;
    if (forcedExpiry || (!token.empty() && listVersion < store.compactedResourceVersion())) {
      replyStatus(res, 410, "Expired",
                  "The provided continue parameter is too old to display a consistent list result. You can start "
                  "a new list without the continue parameter.");
    } else {
      if (token.empty()) listVersion = store.currentResourceVersion();
      std::map<std::string, Json> snapshot =
          token.empty() ? store.objects(scope.resource) : store.objectsAt(scope.resource, listVersion);
      std::string lastKey;
      for (const auto& [key, object] : snapshot) {
        if (key < startKey || !scope.contains(object)) continue;
        if (limit > 0 && items.size() == limit) {
          ++remaining;
          continue;
        }
        Json item = object;
        item.erase("apiVersion");  // list items carry no TypeMeta in the real API
        item.erase("kind");
        items.push_back(std::move(item));
        lastKey = key;
      }
      if (remaining > 0) nextToken = encodeContinueToken(listVersion, lastKey + std::string(1, '\0'));
      res.status = 200;
    }
  }
  if (res.status == 410) {
    record(req, 410);
    return;
  }
  Json metadata = {{"resourceVersion", std::to_string(listVersion)}};
  if (!nextToken.empty()) {
    metadata["continue"] = nextToken;
    // Only known without selectors, as in the real API.
    if (scope.labels.empty() && scope.fields.empty()) metadata["remainingItemCount"] = remaining;
  }
  Json body = {{"kind", listKind(scope.resource)},
               {"apiVersion", apiVersionOf(scope.resource)},
               {"metadata", std::move(metadata)},
               {"items", std::move(items)}};
  res.set_content(body.dump(), "application/json");
  record(req, 200);
}

void FakeKubeApiServer::Impl::serveWatch(const httplib::Request& req, httplib::Response& res,
                                         const CollectionScope& scope) {
  auto session = std::make_shared<WatchSession>();
  session->scope = scope;
  const std::string bookmarks = param(req, "allowWatchBookmarks");
  session->bookmarks = bookmarks == "true" || bookmarks == "1";
  std::uint64_t timeout = kDefaultWatchTimeoutSeconds;
  if (!param(req, "timeoutSeconds").empty() && !parseUnsigned(param(req, "timeoutSeconds"), timeout)) {
    replyStatus(res, 400, "BadRequest", "invalid timeoutSeconds");
    record(req, 400);
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  session->deadline = now + std::chrono::seconds(timeout);
  session->nextBookmark = now + options.bookmarkInterval;
  const std::string version = param(req, "resourceVersion");
  std::uint64_t from = 0;
  if (!version.empty() && version != "0" && !parseUnsigned(version, from)) {
    replyStatus(res, 400, "BadRequest", "invalid resourceVersion: " + version);
    record(req, 400);
    return;
  }
  {
    std::lock_guard lock(mutex);
    if (version.empty() || version == "0") {
      // "Get state and start at most recent": the current objects as ADDED.
      for (const auto& [key, object] : store.objects(scope.resource)) {
        if (scope.contains(object)) session->initialLines += eventLine("ADDED", object);
      }
      session->cursor = store.history().size();
      session->lastResourceVersion = store.currentResourceVersion();
    } else if (from < store.compactedResourceVersion()) {
      session->initialLines = eventLine(
          "ERROR", statusObject(410, "Expired",
                                "too old resource version: " + version + " (" +
                                    std::to_string(store.compactedResourceVersion()) + ")"));
      session->endAfterInitial = true;
    } else {
      session->cursor = store.historyIndexAfter(from);
      session->lastResourceVersion = from;
    }
    session->dropGeneration = dropGeneration;
    session->expireGeneration = expireGeneration;
    session->bookmarkGeneration = bookmarkGeneration;
    ++liveWatches;
  }
  record(req, 200);

  res.status = 200;
  // "application/json" is what kube-apiserver sends for JSON watches. cpp-httplib
  // would gzip such a body when asked, buffering events, so the parameter form
  // (same media type) keeps each event flowing as its own chunk.
  res.set_chunked_content_provider(
      "application/json;stream=watch",
      [this, session](std::size_t, httplib::DataSink& sink) {
        WatchSession& s = *session;
        std::string out;
        bool finish = false;
        bool abort = false;
        bool bookmarked = false;
        {
          std::unique_lock lock(mutex);
          auto pending = [&] {
            return stopping || !s.initialLines.empty() || store.history().size() > s.cursor ||
                   dropGeneration != s.dropGeneration || expireGeneration != s.expireGeneration ||
                   bookmarkGeneration != s.bookmarkGeneration;
          };
          auto wake = std::min({s.deadline, std::chrono::steady_clock::now() + kWatchTick,
                                s.bookmarks ? s.nextBookmark : s.deadline});
          changed.wait_until(lock, wake, pending);
          const auto now = std::chrono::steady_clock::now();
          if (stopping || dropGeneration != s.dropGeneration) {
            abort = true;  // a cut connection, not a clean end
          } else {
            out = std::move(s.initialLines);
            s.initialLines.clear();
            if (s.endAfterInitial) {
              finish = true;
            } else if (expireGeneration != s.expireGeneration) {
              out += eventLine("ERROR", statusObject(410, "Expired",
                                                     "too old resource version: " +
                                                         std::to_string(s.lastResourceVersion) + " (" +
                                                         std::to_string(store.compactedResourceVersion()) + ")"));
              finish = true;
            } else {
              const auto& history = store.history();
              for (; s.cursor < history.size(); ++s.cursor) {
                const StoredEvent& event = history[s.cursor];
                if (event.resource != s.scope.resource) continue;
                const bool now_ = event.type != "DELETED" && s.scope.contains(event.object);
                const bool before = !event.previous.is_null() && s.scope.contains(event.previous);
                if (now_ && before) out += eventLine("MODIFIED", event.object);
                else if (now_) out += eventLine("ADDED", event.object);
                else if (before && event.type == "DELETED") out += eventLine("DELETED", event.object);
                else if (before) {
                  Json left = event.previous;  // left the selector: a DELETED at this resourceVersion
                  left["metadata"]["resourceVersion"] = std::to_string(event.resourceVersion);
                  out += eventLine("DELETED", left);
                }
                s.lastResourceVersion = event.resourceVersion;
              }
              if (s.bookmarks && (bookmarkGeneration != s.bookmarkGeneration || now >= s.nextBookmark)) {
                Json bookmark = {{"kind", objectKind(s.scope.resource)},
                                 {"apiVersion", apiVersionOf(s.scope.resource)},
                                 {"metadata", {{"resourceVersion", std::to_string(store.currentResourceVersion())}}}};
                out += eventLine("BOOKMARK", bookmark);
                bookmarked = true;
                s.nextBookmark = now + options.bookmarkInterval;
              }
              s.bookmarkGeneration = bookmarkGeneration;
              if (now >= s.deadline) finish = true;
            }
          }
        }
        if (abort) return false;
        if (!out.empty() && !sink.write(out.data(), out.size())) return false;
        if (bookmarked) {
          std::lock_guard lock(mutex);
          ++bookmarksWritten;
        }
        if (finish) sink.done();
        return true;
      },
      [this](bool) {
        std::lock_guard lock(mutex);
        --liveWatches;
      });
}

void FakeKubeApiServer::Impl::installApiRoutes() {
  httplib::Server& s = *server;
  s.Get("/apis/apps/v1/daemonsets",
        [this](const httplib::Request& req, httplib::Response& res) { serveCollection(req, res, "daemonsets", ""); });
  s.Get(R"(/apis/apps/v1/namespaces/([^/]+)/daemonsets)", [this](const httplib::Request& req, httplib::Response& res) {
    serveCollection(req, res, "daemonsets", req.matches[1]);
  });
  s.Get("/api/v1/nodes",
        [this](const httplib::Request& req, httplib::Response& res) { serveCollection(req, res, "nodes", ""); });

  auto serveObject = [this](const httplib::Request& req, httplib::Response& res, const std::string& resource,
                            const std::string& key, const std::string& name) {
    if (!authorized(req, res)) return;
    std::optional<Json> object;
    {
      std::lock_guard lock(mutex);
      object = store.get(resource, key);
    }
    if (!object) {
      std::string what = resource == "nodes" ? "nodes" : "daemonsets.apps";
      replyStatus(res, 404, "NotFound", what + " \"" + name + "\" not found");
    } else {
      res.status = 200;
      res.set_content(object->dump(), "application/json");
    }
    record(req, res.status);
  };
  s.Get(R"(/apis/apps/v1/namespaces/([^/]+)/daemonsets/([^/]+))",
        [serveObject](const httplib::Request& req, httplib::Response& res) {
          serveObject(req, res, "daemonsets", std::string(req.matches[1]) + "/" + std::string(req.matches[2]),
                      req.matches[2]);
        });
  s.Get(R"(/api/v1/nodes/([^/]+))", [serveObject](const httplib::Request& req, httplib::Response& res) {
    serveObject(req, res, "nodes", req.matches[1], req.matches[1]);
  });
  s.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) {
      replyStatus(res, res.status, res.status == 404 ? "NotFound" : "InternalError",
                  "the server could not find the requested resource");
    }
  });
}

}  // namespace daemonlet::fakekube
