#include "agent/sources/desired_set.h"

#include "agent/base/log.h"

namespace daemonlet::sources {
namespace {

std::optional<WallTime> whenSet(WallTime time) {
  return time == WallTime{} ? std::nullopt : std::optional<WallTime>(time);
}

}  // namespace

DesiredSet::DesiredSet(DesiredSetOptions options, DesiredSetOutputs outputs)
    : options_(std::move(options)), outputs_(std::move(outputs)), cache_(options_.stateDir) {
  view_.url = options_.endpointUrl;
  view_.mode = options_.endpointMode;
}

void DesiredSet::loadCache() {
  if (!endpointConfigured()) return;
  endpoint_ = cache_.load(options_.endpointUrl);
  view_.cacheError = cache_.loadError();
  if (endpoint_) {
    origin_ = EndpointOrigin::kCache;
    cacheFetchedAt_ = endpoint_->fetchedAt;
    base::logInfo("endpoint cache loaded; its DaemonSets run until the endpoint answers",
                  {{"url", options_.endpointUrl},
                   {"daemonSets", std::to_string(endpoint_->daemonSets.size())},
                   {"path", cache_.path().string()}});
  } else {
    base::logInfo("no usable endpoint cache; pods of DaemonSets not seen are kept until the endpoint answers",
                  {{"url", options_.endpointUrl}});
  }
  publishView();
}

base::Status DesiredSet::persist(const EndpointSnapshot& snapshot) { return cache_.save(snapshot); }

void DesiredSet::cacheSaved() { view_.cacheError.clear(); }

void DesiredSet::setManifestSnapshot(SourceSnapshot snapshot) {
  manifest_ = std::move(snapshot);
  publishMerged();
}

void DesiredSet::setEndpointSnapshot(EndpointSnapshot snapshot) {
  if (origin_ == EndpointOrigin::kCache && endpoint_) {
    base::logInfo("endpoint answered; its live DaemonSets replace the cached ones",
                  {{"url", options_.endpointUrl}});
  }
  endpoint_ = std::move(snapshot);
  origin_ = EndpointOrigin::kLive;
  publishMerged();
  publishView();
}

void DesiredSet::setEndpointHealth(const EndpointHealth& health) {
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

void DesiredSet::setNodeInfo(const KubeNodeInfo& info) {
  node_ = info;
  if (!localNode_) return;
  base::logInfo("node labels and taints read from the API server",
                {{"node", info.name}, {"found", info.found ? "true" : "false"}});
  if (outputs_.node) outputs_.node(mergeNodeIdentity(*localNode_, info));
}

model::Node DesiredSet::effectiveNode(const model::Node& local) {
  localNode_ = local;
  if (!node_ || !options_.followNode) return local;
  return mergeNodeIdentity(local, *node_);
}

void DesiredSet::publishMerged() {
  if (!manifest_) return;
  SourceSnapshot merged = mergeSources(*manifest_, endpoint_, origin_);
  if (endpointConfigured() && !endpoint_) merged.complete = false;
  if (outputs_.desired) outputs_.desired(std::move(merged));
}

void DesiredSet::publishView() {
  if (!endpointConfigured()) return;
  view_.settled = endpoint_.has_value();
  view_.servingFromCache = endpoint_ && origin_ == EndpointOrigin::kCache;
  view_.cacheFetchedAt = cacheFetchedAt_ ? whenSet(*cacheFetchedAt_) : std::nullopt;
  view_.snapshotFetchedAt = endpoint_ ? whenSet(endpoint_->fetchedAt) : std::nullopt;
  view_.etag = endpoint_ ? endpoint_->etag : std::string();
  view_.resourceVersion = endpoint_ ? endpoint_->resourceVersion : std::string();
  if (outputs_.endpointView) outputs_.endpointView(view_);
}

}  // namespace daemonlet::sources
