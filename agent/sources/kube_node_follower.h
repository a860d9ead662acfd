#pragma once
// Follows one Node object of a Kubernetes API server (list + watch with
// fieldSelector=metadata.name=<node>) and reports changes of its identity
// (existence, labels, taints, unschedulable). Used by KubeEndpointSource on its
// node thread; see kube_endpoint_source.h for the protocol.
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "agent/outbound/http_client.h"
#include "agent/sources/kube_node_info.h"
#include "agent/sources/kube_retry.h"

namespace daemonlet::sources {

struct KubeNodeFollowerOptions {
  std::string server;
  std::string nodeName;
  std::chrono::milliseconds backoffInitial{1000}, backoffMax{30000};
  std::chrono::seconds watchTimeout{300};
  std::size_t maxEventBytes = 16u << 20;
};

class KubeNodeFollower {
 public:
  // `client` and `stop` outlive run(); `onNode` runs on run()'s thread.
  KubeNodeFollower(KubeNodeFollowerOptions options, outbound::HttpClient& client, StopSignal& stop,
                   std::function<void(const KubeNodeInfo&)> onNode);

  // Lists and watches until `stop` is requested (and the client cancelled).
  void run();

 private:
  void deliver(const KubeNodeInfo& info);

  KubeNodeFollowerOptions options_;
  outbound::HttpClient& client_;
  StopSignal& stop_;
  std::function<void(const KubeNodeInfo&)> onNode_;
  std::optional<KubeNodeInfo> delivered_;
};

}  // namespace daemonlet::sources
