#pragma once
// Follows one Node object of a Kubernetes API server (list + watch with
// fieldSelector=metadata.name=<node>, through the shared KubeReflector) and
// reports changes of its identity (existence, labels, taints, unschedulable).
// Used by KubeEndpointSource; see kube_endpoint_source.h for the protocol.
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "agent/loop/timer_queue.h"
#include "agent/outbound/http_client.h"
#include "agent/sources/kube_node_info.h"
#include "agent/sources/kube_reflector.h"

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
  // `client` and `timers` outlive the follower; `onNode` runs on the
  // reflector's thread (kube_reflector.h).
  KubeNodeFollower(KubeNodeFollowerOptions options, outbound::HttpClient& client, loop::TimerQueue& timers,
                   std::function<void(const KubeNodeInfo&)> onNode);

  void start();
  void stop();  // cancel the client first

 private:
  void onList(const KubeListResult& list);
  void onEvent(const WatchEvent& event);
  void deliver(const KubeNodeInfo& info);

  const KubeNodeFollowerOptions options_;
  const std::function<void(const KubeNodeInfo&)> onNode_;
  KubeNodeInfo absent_;
  std::optional<KubeNodeInfo> delivered_;  // the reflector's thread only
  KubeReflector reflector_;                // last: stops (and joins) before the state above goes
};

}  // namespace daemonlet::sources
