// TEST-ONLY control surface of the fake API server, on the same port under
// /__control/ (no authentication): lets end-to-end tests that run the fake as a
// process change objects and force protocol situations.
#include <cstdlib>

#include "server_impl.h"

namespace daemonlet::fakekube {
namespace {

Json parseBody(const httplib::Request& req, httplib::Response& res) {
  Json body = Json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    replyStatus(res, 400, "BadRequest", "the body is not a JSON object");
    return Json();
  }
  return body;
}

void replyJson(httplib::Response& res, const Json& body) {
  res.status = 200;
  res.set_content(body.dump(), "application/json");
}

}  // namespace

void FakeKubeApiServer::Impl::installControlRoutes() {
  httplib::Server& s = *server;
  auto apply = [this](const std::string& resource) {
    return [this, resource](const httplib::Request& req, httplib::Response& res) {
      Json body = parseBody(req, res);
      if (body.is_null()) return;
      if (ObjectStore::keyOf(resource, body).empty()) {
        replyStatus(res, 400, "BadRequest", "metadata.name is required");
        return;
      }
      std::lock_guard lock(mutex);
      replyJson(res, store.put(resource, std::move(body)));
      notifyWatchers();
    };
  };
  auto remove = [this](const std::string& resource, const std::string& key, httplib::Response& res) {
    std::lock_guard lock(mutex);
    if (!store.remove(resource, key)) {
      replyStatus(res, 404, "NotFound", resource + " \"" + key + "\" not found");
      return;
    }
    notifyWatchers();
    replyJson(res, Json{{"resourceVersion", std::to_string(store.currentResourceVersion())}});
  };
  s.Post("/__control/daemonsets", apply("daemonsets"));
  s.Post("/__control/nodes", apply("nodes"));
  s.Delete(R"(/__control/daemonsets/([^/]+)/([^/]+))", [remove](const httplib::Request& req, httplib::Response& res) {
    remove("daemonsets", std::string(req.matches[1]) + "/" + std::string(req.matches[2]), res);
  });
  s.Delete(R"(/__control/nodes/([^/]+))", [remove](const httplib::Request& req, httplib::Response& res) {
    remove("nodes", req.matches[1], res);
  });

  auto action = [this](void (*apply)(Impl&)) {
    return [this, apply](const httplib::Request&, httplib::Response& res) {
      std::lock_guard lock(mutex);
      apply(*this);
      notifyWatchers();
      replyJson(res, Json{{"resourceVersion", std::to_string(store.currentResourceVersion())}});
    };
  };
  s.Post("/__control/compact", action([](Impl& impl) { impl.store.compact(); }));
  s.Post("/__control/expire-watches", action([](Impl& impl) {
           impl.store.compact();
           ++impl.expireGeneration;
         }));
  s.Post("/__control/drop-watches", action([](Impl& impl) { ++impl.dropGeneration; }));
  s.Post("/__control/bookmark", action([](Impl& impl) { ++impl.bookmarkGeneration; }));
  s.Post("/__control/expire-continue", [this](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex);
    continueTokensToExpire = req.has_param("count") ? std::atoi(req.get_param_value("count").c_str()) : 1;
    replyJson(res, Json{{"expireContinueTokens", continueTokensToExpire}});
  });
  s.Get("/__control/state", [this](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(mutex);
    replyJson(res, Json{{"resourceVersion", std::to_string(store.currentResourceVersion())},
                        {"compactedResourceVersion", std::to_string(store.compactedResourceVersion())},
                        {"liveWatches", liveWatches}});
  });
  s.Get("/__control/requests", [this](const httplib::Request&, httplib::Response& res) {
    Json entries = Json::array();
    std::lock_guard lock(mutex);
    for (const RecordedRequest& entry : log) {
      Json params = Json::object();
      for (const auto& [name, value] : entry.params) params[name] = value;
      entries.push_back({{"method", entry.method}, {"path", entry.path}, {"params", params},
                         {"status", entry.status}, {"watch", entry.isWatch()}, {"list", entry.isList()}});
    }
    replyJson(res, entries);
  });
  s.Delete("/__control/requests", [this](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(mutex);
    log.clear();
    replyJson(res, Json::object());
  });
}

}  // namespace daemonlet::fakekube
