#include "fake_kube_apiserver.h"

#include <cstring>

#include "server_impl.h"

namespace daemonlet::fakekube {
namespace {

constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

}  // namespace

Json statusObject(int code, const std::string& reason, const std::string& message) {
  return Json{{"kind", "Status"},     {"apiVersion", "v1"}, {"metadata", Json::object()}, {"status", "Failure"},
              {"message", message},   {"reason", reason},   {"code", code}};
}

void replyStatus(httplib::Response& res, int code, const std::string& reason, const std::string& message) {
  res.status = code;
  res.set_content(statusObject(code, reason, message).dump(), "application/json");
}

std::string encodeContinueToken(std::uint64_t resourceVersion, const std::string& startKey) {
  const std::string raw = Json{{"v", "meta.k8s.io/v1"}, {"rv", resourceVersion}, {"start", startKey}}.dump();
  std::string out;
  unsigned value = 0;
  int bits = 0;
  for (unsigned char c : raw) {
    value = (value << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kBase64Url[(value >> bits) & 0x3F];
    }
  }
  if (bits > 0) out += kBase64Url[(value << (6 - bits)) & 0x3F];
  return out;  // unpadded, as base64.RawURLEncoding
}

bool decodeContinueToken(const std::string& token, std::uint64_t& resourceVersion, std::string& startKey) {
  std::string raw;
  unsigned value = 0;
  int bits = 0;
  for (char c : token) {
    const char* at = std::strchr(kBase64Url, c);
    if (c == '\0' || !at) return false;
    value = (value << 6) | static_cast<unsigned>(at - kBase64Url);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      raw += static_cast<char>((value >> bits) & 0xFF);
    }
  }
  Json parsed = Json::parse(raw, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object() || parsed.value("v", "") != "meta.k8s.io/v1") return false;
  auto rv = parsed.find("rv");
  auto start = parsed.find("start");
  if (rv == parsed.end() || !rv->is_number_unsigned() || start == parsed.end() || !start->is_string()) return false;
  resourceVersion = rv->get<std::uint64_t>();
  startKey = start->get<std::string>();
  return true;
}

bool CollectionScope::contains(const Json& object) const {
  if (!namespace_.empty()) {
    auto metadata = object.find("metadata");
    if (metadata == object.end() || !metadata->is_object() || metadata->value("namespace", "") != namespace_) {
      return false;
    }
  }
  return labels.matches(object) && fields.matches(object);
}

bool RecordedRequest::isWatch() const {
  auto it = params.find("watch");
  return it != params.end() && (it->second == "1" || it->second == "true");
}

bool RecordedRequest::isList() const {
  if (method != "GET" || isWatch()) return false;
  return path == "/api/v1/nodes" || (path.size() >= 11 && path.compare(path.size() - 11, 11, "/daemonsets") == 0);
}

FakeKubeApiServer::FakeKubeApiServer(FakeKubeApiServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

FakeKubeApiServer::~FakeKubeApiServer() { stop(); }

bool FakeKubeApiServer::start() {
  Impl& impl = *impl_;
  if (impl.running) return true;
  if (!impl.options.tlsCertFile.empty()) {
    impl.server = std::make_unique<httplib::SSLServer>(impl.options.tlsCertFile.c_str(),
                                                       impl.options.tlsKeyFile.c_str());
  } else {
    impl.server = std::make_unique<httplib::Server>();
  }
  if (!impl.server->is_valid()) return false;
  // Every watch holds a worker for its lifetime; leave room for many agents.
  impl.server->new_task_queue = [] { return new httplib::ThreadPool(64); };
  impl.installApiRoutes();
  impl.installControlRoutes();
  if (impl.options.port == 0) {
    impl.port = impl.server->bind_to_any_port(impl.options.host);
  } else {
    impl.port = impl.server->bind_to_port(impl.options.host, impl.options.port) ? impl.options.port : -1;
  }
  if (impl.port <= 0) return false;
  {
    std::lock_guard lock(impl.mutex);
    impl.stopping = false;
  }
  impl.thread = std::thread([&impl] { impl.server->listen_after_bind(); });
  impl.running = true;
  // cpp-httplib's stop() is a no-op until the accept loop has started; wait for
  // it, so a stop() right after start() cannot leave the loop running forever.
  while (!impl.server->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return true;
}

void FakeKubeApiServer::stop() {
  Impl& impl = *impl_;
  if (!impl.running) return;
  {
    std::lock_guard lock(impl.mutex);
    impl.stopping = true;
  }
  impl.notifyWatchers();
  impl.server->stop();
  if (impl.thread.joinable()) impl.thread.join();
  impl.running = false;
}

int FakeKubeApiServer::port() const { return impl_->port; }

std::string FakeKubeApiServer::url() const {
  return std::string(impl_->options.tlsCertFile.empty() ? "http" : "https") + "://" + impl_->options.host + ":" +
         std::to_string(impl_->port);
}

Json FakeKubeApiServer::applyDaemonSet(Json daemonSet) {
  std::lock_guard lock(impl_->mutex);
  Json stored = impl_->store.put("daemonsets", std::move(daemonSet));
  impl_->notifyWatchers();
  return stored;
}

bool FakeKubeApiServer::deleteDaemonSet(const std::string& namespace_, const std::string& name) {
  std::lock_guard lock(impl_->mutex);
  bool removed = impl_->store.remove("daemonsets", namespace_ + "/" + name);
  impl_->notifyWatchers();
  return removed;
}

Json FakeKubeApiServer::applyNode(Json node) {
  std::lock_guard lock(impl_->mutex);
  Json stored = impl_->store.put("nodes", std::move(node));
  impl_->notifyWatchers();
  return stored;
}

bool FakeKubeApiServer::deleteNode(const std::string& name) {
  std::lock_guard lock(impl_->mutex);
  bool removed = impl_->store.remove("nodes", name);
  impl_->notifyWatchers();
  return removed;
}

std::string FakeKubeApiServer::resourceVersion() const {
  std::lock_guard lock(impl_->mutex);
  return std::to_string(impl_->store.currentResourceVersion());
}

void FakeKubeApiServer::compactHistory() {
  std::lock_guard lock(impl_->mutex);
  impl_->store.compact();
}

void FakeKubeApiServer::expireWatches() {
  std::lock_guard lock(impl_->mutex);
  impl_->store.compact();
  ++impl_->expireGeneration;
  impl_->notifyWatchers();
}

void FakeKubeApiServer::dropWatches() {
  std::lock_guard lock(impl_->mutex);
  ++impl_->dropGeneration;
  impl_->notifyWatchers();
}

void FakeKubeApiServer::requestBookmarks() {
  std::lock_guard lock(impl_->mutex);
  ++impl_->bookmarkGeneration;
  impl_->notifyWatchers();
}

void FakeKubeApiServer::expireNextContinueTokens(int count) {
  std::lock_guard lock(impl_->mutex);
  impl_->continueTokensToExpire = count;
}

std::uint64_t FakeKubeApiServer::bookmarksWritten() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->bookmarksWritten;
}

int FakeKubeApiServer::liveWatches() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->liveWatches;
}

std::vector<RecordedRequest> FakeKubeApiServer::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->log;
}

void FakeKubeApiServer::clearRequests() {
  std::lock_guard lock(impl_->mutex);
  impl_->log.clear();
}

FakeKubeApiServerOptions serverOptions(int port, const std::string& bearerToken) {
  FakeKubeApiServerOptions options;
  options.port = port;
  options.bearerToken = bearerToken;
  return options;
}

Json makeDaemonSetObject(const std::string& namespace_, const std::string& name, const std::string& image,
                         const std::map<std::string, std::string>& labels) {
  Json metadataLabels = Json::object();
  for (const auto& [key, value] : labels) metadataLabels[key] = value;
  Json podLabels = {{"app", name}};
  return Json{{"apiVersion", "apps/v1"},
              {"kind", "DaemonSet"},
              {"metadata", {{"name", name}, {"namespace", namespace_}, {"labels", metadataLabels}}},
              {"spec",
               {{"selector", {{"matchLabels", podLabels}}},
                {"template",
                 {{"metadata", {{"labels", podLabels}}},
                  {"spec", {{"containers", Json::array({{{"name", "main"}, {"image", image}}})}}}}}}}};
}

Json makeNodeObject(const std::string& name, const std::map<std::string, std::string>& labels,
                    const std::vector<Json>& taints, bool unschedulable) {
  Json metadataLabels = Json::object();
  for (const auto& [key, value] : labels) metadataLabels[key] = value;
  Json spec = Json::object();
  if (!taints.empty()) spec["taints"] = taints;
  if (unschedulable) spec["unschedulable"] = true;
  return Json{{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", name}, {"labels", metadataLabels}}},
              {"spec", spec}};
}

}  // namespace daemonlet::fakekube
