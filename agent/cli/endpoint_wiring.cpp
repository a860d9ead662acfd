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

}  // namespace

outbound::ClientSettings endpointClientSettings(const config::EndpointConfig& endpoint) {
  outbound::ClientSettings settings;
  settings.tls = {endpoint.tls.caFile, endpoint.tls.certFile, endpoint.tls.keyFile,
                  endpoint.tls.pinnedPublicKey};
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

sources::DesiredSetOptions desiredSetOptions(const config::AgentConfig& config) {
  sources::DesiredSetOptions options;
  options.endpointConfigured = config.endpoint.enabled();
  options.endpointUrl = options.endpointConfigured ? endpointSnapshotUrl(config.endpoint) : std::string();
  options.endpointMode = std::string(config::endpointModeName(config.endpoint.mode));
  options.followNode = config.endpoint.kubernetes.followNode;
  options.stateDir = config.stateDir;
  return options;
}

EndpointWiring::EndpointWiring(const config::EndpointConfig& config, asio::io_context& loop,
                               loop::TimerQueue& timers, loop::BlockingPool& pool, sources::DesiredSet& desired)
    : config_(config), loop_(loop), timers_(timers), pool_(pool), desired_(desired) {}

EndpointWiring::~EndpointWiring() {
  *alive_ = false;
  stop();
}

void EndpointWiring::start(const std::string& nodeName) {
  if (!desired_.endpointConfigured() || http_ || kube_) return;
  const std::string& url = desired_.endpointUrl();
  const sources::EndpointSnapshot* seed = desired_.endpointSeed();
  auto alive = alive_;
  sources::EndpointCallbacks callbacks;
  // Off the loop (the source's callback): hand over, then persist. The cache's
  // fsyncs (two journal commits) no longer delay the change; it applied even
  // when the save failed before, so only the order of the two changed.
  callbacks.onSnapshot = [this, alive](const sources::EndpointSnapshot& snapshot) {
    asio::post(loop_, [this, alive, snapshot] {
      if (*alive) desired_.setEndpointSnapshot(snapshot);
    });
    auto saved = desired_.persist(snapshot);
    if (!saved) {
      base::logWarning("cannot save the endpoint cache; the snapshot applies anyway",
                       {{"error", saved.error().describe()}});
    } else {
      asio::post(loop_, [this, alive] {
        if (*alive) desired_.cacheSaved();
      });
    }
  };
  callbacks.onHealth = [this, alive](const sources::EndpointHealth& health) {
    asio::post(loop_, [this, alive, health] {
      if (*alive) desired_.setEndpointHealth(health);
    });
  };
  const outbound::ClientSettings client = endpointClientSettings(config_);
  if (config_.mode == config::EndpointMode::kKubernetes) {
    sources::KubeEndpointOptions options;
    options.server = config_.url;
    options.namespace_ = config_.kubernetes.namespace_;
    options.labelSelector = config_.kubernetes.labelSelector;
    options.nodeName = config_.kubernetes.followNode ? nodeName : std::string();
    options.client = client;
    options.backoffInitial = duration_cast<milliseconds>(config_.backoffInitial);
    options.backoffMax = duration_cast<milliseconds>(config_.backoffMax);
    auto onNodeInfo = [this, alive](const sources::KubeNodeInfo& info) {
      asio::post(loop_, [this, alive, info] {
        if (*alive) desired_.setNodeInfo(info);
      });
    };
    kube_ = std::make_unique<sources::KubeEndpointSource>(std::move(options), std::move(callbacks),
                                                          std::move(onNodeInfo), seed, timers_, pool_);
    if (kube_->collectionUrl() != url) {
      base::logWarning("endpoint snapshot URL differs from the cache's key; the cache will not be reused",
                       {{"expected", url}, {"source", kube_->collectionUrl()}});
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
    http_ = std::make_unique<sources::HttpEndpointSource>(std::move(options), std::move(callbacks), seed,
                                                          timers_, pool_);
    http_->start();
  }
  base::logInfo("endpoint source started",
                {{"url", url}, {"mode", std::string(config::endpointModeName(config_.mode))}});
}

void EndpointWiring::stop() {
  if (http_) http_->stop();
  if (kube_) kube_->stop();
}

}  // namespace daemonlet::cli
