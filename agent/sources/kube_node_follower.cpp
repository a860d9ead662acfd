#include "agent/sources/kube_node_follower.h"

#include "agent/base/log.h"
#include "agent/sources/kube_list_watch.h"

namespace daemonlet::sources {

KubeNodeFollower::KubeNodeFollower(KubeNodeFollowerOptions options, outbound::HttpClient& client, StopSignal& stop,
                                   std::function<void(const KubeNodeInfo&)> onNode)
    : options_(std::move(options)), client_(client), stop_(stop), onNode_(std::move(onNode)) {}

void KubeNodeFollower::deliver(const KubeNodeInfo& info) {
  if (delivered_ && sameNodeIdentity(*delivered_, info)) {
    delivered_->resourceVersion = info.resourceVersion;
    return;
  }
  delivered_ = info;
  if (onNode_) onNode_(info);
}

void KubeNodeFollower::run() {
  KubeCollection collection{options_.server, std::string(kNodeCollectionPath),
                            CollectionQuery{"", "metadata.name=" + options_.nodeName}};
  JitteredBackoff backoff(options_.backoffInitial, options_.backoffMax);
  bool needList = true;
  std::string resourceVersion;
  KubeNodeInfo absent;
  absent.name = options_.nodeName;

  auto retryAfter = [&](const std::string& why) {
    auto delay = backoff.next();
    if (backoff.failures() == 1 || (backoff.failures() & (backoff.failures() - 1)) == 0) {
      base::logWarning("kubernetes node follow failed", {{"node", options_.nodeName},
                                                         {"error", why},
                                                         {"retry_in_ms", std::to_string(delay.count())}});
    }
    return stop_.waitFor(delay);
  };

  while (!stop_.requested()) {
    if (needList) {
      KubeListResult list = listCollection(client_, collection, /*pageSize=*/0);
      if (stop_.requested()) return;
      if (!list.ok) {
        if (!retryAfter(list.error)) return;
        continue;
      }
      KubeNodeInfo info = absent;
      for (const model::Json& item : list.items) {
        KubeNodeInfo candidate = kubeNodeInfoFromObject(item);
        if (candidate.name == options_.nodeName) info = std::move(candidate);
      }
      deliver(info);
      resourceVersion = list.resourceVersion;
      needList = false;
      backoff.reset();
    }

    const auto started = std::chrono::steady_clock::now();
    WatchEnd end = watchCollection(
        client_, collection, resourceVersion, static_cast<long>(backoff.spread(options_.watchTimeout).count()),
        options_.maxEventBytes, nullptr, [&](const WatchEvent& event) {
          std::string version = objectResourceVersion(event.object);
          if (!version.empty()) resourceVersion = version;
          if (event.type == WatchEventType::kBookmark) return;
          KubeNodeInfo info = kubeNodeInfoFromObject(event.object);
          if (info.name != options_.nodeName) return;
          deliver(event.type == WatchEventType::kDeleted ? absent : info);
        });
    switch (end.kind) {
      case WatchEndKind::kCancelled:
        return;
      case WatchEndKind::kClosed:
        if (end.events > 0) backoff.reset();
        // A stream that ends at once without news is treated as a failure, so a
        // server that keeps cutting watches is not hammered.
        if (end.events == 0 && std::chrono::steady_clock::now() - started < std::chrono::seconds(1)) {
          if (!retryAfter(end.message)) return;
        }
        break;
      case WatchEndKind::kExpired:
      case WatchEndKind::kRelist:
        needList = true;
        if (!retryAfter(end.message)) return;
        break;
      case WatchEndKind::kFailed:
        if (!retryAfter(end.message)) return;
        break;
    }
  }
}

}  // namespace daemonlet::sources
