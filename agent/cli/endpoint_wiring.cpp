#include "agent/cli/endpoint_wiring.h"

#include <boost/asio/post.hpp>

#include "agent/base/log.h"
#include "agent/sources/http_endpoint_source.h"
#include "agent/sources/kube_endpoint_source.h"
#include "agent/sources/kube_request_urls.h"

namespace daemonlet::cli {
namespace {

namespace asio = boost::asio;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

std::optional<status::WallTime> whenSet(sources::WallTime time) {
  return time == sources::WallTime{} ? std::nullopt : std::optional<status::WallTime>(time);
}

}  // namespace

outbound::ClientSettings endpointClientSettings(const config::EndpointConfig& endpoint) {
  outbound::ClientSettings settings;
  settings.tls = {endpoint.tls.caFile, endpoint.tls.certFile, endpoint.tls.keyFile, endpoint.tls.pinnedPublicKey};
  settings.bearerTokenFile = endpoint.bearerTokenFile;
  settings.connectTimeout = duration_cast<milliseconds>(endpoint.connectTimeout);
  settings.requestTimeout = duration_cast<milliseconds>(endpoint.requestTimeout);
  settings.maxBodyBytes = static_cast<std::size_t>(endpoint.maxBodyBytes());
  // A watch that delivers nothing for this long is taken as dead and re-opened.
  // kube-apiserver sends a bookmark about once a minute on a quiet watch, so
  // give it three before giving up on the stream.
  settings.stallTimeout = std::chrono::minutes(3);
  settings.userAgent = std::string("daemonlet/") + DAEMONLET_VERSION;
  return settings;
}

std::string endpointSnapshotUrl(const config::EndpointConfig& endpoint) {
  if (endpoint.mode != config::EndpointMode::kKubernetes) return endpoint.url;
  // Must match KubeEndpointSource::collectionUrl(); start() checks that it does.
  std::string url =
      sources::trimServerUrl(endpoint.url) + sources::daemonSetCollectionPath(endpoint.kubernetes.namespace_);
  if (!endpoint.kubernetes.labelSelector.empty()) {
    url += "?labelSelector=" + sources::percentEncode(endpoint.kubernetes.labelSelector);
  }
  return url;
}

EndpointWiring::EndpointWiring(const config::AgentConfig& config, asio::io_context& loop, loop::TimerQueue& timers,
                               loop::BlockingPool& pool, reconciler::Reconciler& reconciler)
    : config_(config.endpoint),
      url_(config.endpoint.enabled() ? endpointSnapshotUrl(config.endpoint) : std::string()),
      loop_(loop),
      timers_(timers),
      pool_(pool),
      reconciler_(reconciler),
      cache_(config.stateDir) {
  view_.url = url_;
  view_.mode = std::string(config::endpointModeName(config_.mode));
}

EndpointWiring::~EndpointWiring() {
  *alive_ = false;
  stop();
}

void EndpointWiring::loadCache() {
  if (!enabled()) return;
  endpoint_ = cache_.load(url_);
  view_.cacheError = cache_.loadError();
  if (endpoint_) {
    origin_ = sources::EndpointOrigin::kCache;
    cacheFetchedAt_ = endpoint_->fetchedAt;
    base::logInfo("endpoint cache loaded; its DaemonSets run until the endpoint answers",
                  {{"url", url_},
                   {"daemonSets", std::to_string(endpoint_->daemonSets.size())},
                   {"path", cache_.path().string()}});
  } else {
    base::logInfo("no usable endpoint cache; pods of DaemonSets not seen are kept until the endpoint answers",
                  {{"url", url_}});
  }
  publishView();
}

void EndpointWiring::start() {
  if (!enabled() || http_ || kube_) return;
  const sources::EndpointSnapshot* seed = endpoint_ ? &*endpoint_ : nullptr;
  auto alive = alive_;
  sources::EndpointCallbacks callbacks;
  // Source thread: persist first (fsync is fine off the loop), then hand over.
  callbacks.onSnapshot = [this, alive](const sources::EndpointSnapshot& snapshot) {
    auto saved = cache_.save(snapshot);
    if (!saved) {
      base::logWarning("cannot save the endpoint cache; the snapshot applies anyway",
                       {{"error", saved.error().describe()}});
    } else {
      // A good cache is on disk now: the load error no longer describes it.
      asio::post(loop_, [this, alive] {
        if (*alive) view_.cacheError.clear();
      });
    }
    asio::post(loop_, [this, alive, snapshot] {
      if (*alive) onSnapshot(snapshot);
    });
  };
  callbacks.onHealth = [this, alive](const sources::EndpointHealth& health) {
    asio::post(loop_, [this, alive, health] {
      if (*alive) onHealth(health);
    });
  };
  const outbound::ClientSettings client = endpointClientSettings(config_);
  if (config_.mode == config::EndpointMode::kKubernetes) {
    sources::KubeEndpointOptions options;
    options.server = config_.url;
    options.namespace_ = config_.kubernetes.namespace_;
    options.labelSelector = config_.kubernetes.labelSelector;
    options.nodeName = config_.kubernetes.followNode ? localNode_.metadata.name : std::string();
    options.client = client;
    options.backoffInitial = duration_cast<milliseconds>(config_.backoffInitial);
    options.backoffMax = duration_cast<milliseconds>(config_.backoffMax);
    auto onNodeInfo = [this, alive](const sources::KubeNodeInfo& info) {
      asio::post(loop_, [this, alive, info] {
        if (*alive) onNode(info);
      });
    };
    kube_ = std::make_unique<sources::KubeEndpointSource>(std::move(options), std::move(callbacks),
                                                          std::move(onNodeInfo), seed, timers_, pool_);
    if (kube_->collectionUrl() != url_) {
      base::logWarning("endpoint snapshot URL differs from the cache's key; the cache will not be reused",
                       {{"expected", url_}, {"source", kube_->collectionUrl()}});
    }
    kube_->start();
  } else {
    sources::HttpEndpointOptions options;
    options.url = config_.url;
    options.client = client;
    options.pollInterval = duration_cast<milliseconds>(config_.pollInterval);
    options.jitter = config_.pollJitter;
    options.backoffInitial = duration_cast<milliseconds>(config_.backoffInitial);
    options.backoffMax = duration_cast<milliseconds>(config_.backoffMax);
    http_ = std::make_unique<sources::HttpEndpointSource>(std::move(options), std::move(callbacks), seed, timers_,
                                                           pool_);
    http_->start();
  }
  base::logInfo("endpoint source started", {{"url", url_}, {"mode", view_.mode}});
}

void EndpointWiring::stop() {
  if (http_) http_->stop();
  if (kube_) kube_->stop();
}

void EndpointWiring::setManifestSnapshot(sources::SourceSnapshot snapshot) {
  manifest_ = std::move(snapshot);
  postMerged();
}

model::Node EndpointWiring::effectiveNode(const model::Node& local) {
  localNode_ = local;
  localNodeKnown_ = true;
  if (!node_ || !config_.kubernetes.followNode) return local;
  return sources::mergeNodeIdentity(local, *node_);
}

void EndpointWiring::onSnapshot(sources::EndpointSnapshot snapshot) {
  if (origin_ == sources::EndpointOrigin::kCache && endpoint_) {
    base::logInfo("endpoint answered; its live DaemonSets replace the cached ones", {{"url", url_}});
  }
  endpoint_ = std::move(snapshot);
  origin_ = sources::EndpointOrigin::kLive;
  postMerged();
  publishView();
}

void EndpointWiring::onHealth(const sources::EndpointHealth& health) {
  if (health.consecutiveFailures > lastFailures_) view_.errors += health.consecutiveFailures - lastFailures_;
  lastFailures_ = health.consecutiveFailures;
  view_.connected = health.connected;
  view_.lastError = health.lastError;
  view_.lastSuccess = whenSet(health.lastSuccess);
  view_.nextAttempt = whenSet(health.nextAttempt);
  view_.consecutiveFailures = health.consecutiveFailures;
  view_.requests = health.requests;
  view_.notModified = health.notModified;
  view_.bytesReceived = health.bytesReceived;
  publishView();
}

void EndpointWiring::onNode(const sources::KubeNodeInfo& info) {
  node_ = info;
  if (!localNodeKnown_) return;
  base::logInfo("node labels and taints read from the API server",
                {{"node", info.name}, {"found", info.found ? "true" : "false"}});
  reconciler_.setNode(sources::mergeNodeIdentity(localNode_, info));
}

void EndpointWiring::postMerged() {
  // The manifest directory's first scan comes first: merging without it could
  // start an endpoint copy of a DaemonSet that a local file overrides.
  if (!manifest_) return;
  sources::SourceSnapshot merged = sources::mergeSources(*manifest_, endpoint_, origin_);
  if (enabled() && !endpoint_) merged.complete = false;
  reconciler_.setSourceSnapshot(std::move(merged));
}

void EndpointWiring::publishView() {
  if (!enabled()) return;
  view_.settled = endpoint_.has_value();
  view_.servingFromCache = endpoint_ && origin_ == sources::EndpointOrigin::kCache;
  view_.cacheFetchedAt = cacheFetchedAt_ ? whenSet(*cacheFetchedAt_) : std::nullopt;
  view_.snapshotFetchedAt = endpoint_ ? whenSet(endpoint_->fetchedAt) : std::nullopt;
  view_.etag = endpoint_ ? endpoint_->etag : std::string();
  view_.resourceVersion = endpoint_ ? endpoint_->resourceVersion : std::string();
  reconciler_.setEndpointView(view_);
}

}  // namespace daemonlet::cli
