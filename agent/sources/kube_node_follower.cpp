#include "agent/sources/kube_node_follower.h"

namespace daemonlet::sources {
namespace {

KubeReflectorOptions reflectorOptions(const KubeNodeFollowerOptions& options) {
  KubeReflectorOptions reflector;
  reflector.collection = KubeCollection{options.server, std::string(kNodeCollectionPath),
                                        CollectionQuery{"", "metadata.name=" + options.nodeName}};
  reflector.what = "node " + options.nodeName;
  reflector.listPageSize = 0;
  reflector.backoffInitial = options.backoffInitial;
  reflector.backoffMax = options.backoffMax;
  reflector.watchTimeout = options.watchTimeout;
  reflector.maxEventBytes = options.maxEventBytes;
  return reflector;
}

}  // namespace

KubeNodeFollower::KubeNodeFollower(KubeNodeFollowerOptions options, outbound::HttpClient& client,
                                   loop::TimerQueue& timers, std::function<void(const KubeNodeInfo&)> onNode)
    : options_(std::move(options)),
      onNode_(std::move(onNode)),
      reflector_(reflectorOptions(options_), client, timers,
                 KubeReflectorHandler{[this](KubeListResult& list) { onList(list); },
                                      [this](const WatchEvent& event) { onEvent(event); }, nullptr, nullptr,
                                      nullptr}) {
  absent_.name = options_.nodeName;
}

void KubeNodeFollower::start() { reflector_.start(); }

void KubeNodeFollower::stop() { reflector_.stop(); }

void KubeNodeFollower::onList(const KubeListResult& list) {
  KubeNodeInfo info = absent_;
  for (const model::Json& item : list.items) {
    KubeNodeInfo candidate = kubeNodeInfoFromObject(item);
    if (candidate.name == options_.nodeName) info = std::move(candidate);
  }
  deliver(info);
}

void KubeNodeFollower::onEvent(const WatchEvent& event) {
  if (event.type == WatchEventType::kBookmark) return;
  KubeNodeInfo info = kubeNodeInfoFromObject(event.object);
  if (info.name != options_.nodeName) return;
  deliver(event.type == WatchEventType::kDeleted ? absent_ : info);
}

void KubeNodeFollower::deliver(const KubeNodeInfo& info) {
  if (delivered_ && sameNodeIdentity(*delivered_, info)) {
    delivered_->resourceVersion = info.resourceVersion;
    return;
  }
  delivered_ = info;
  if (onNode_) onNode_(info);
}

}  // namespace daemonlet::sources
