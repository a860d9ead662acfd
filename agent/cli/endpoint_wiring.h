#pragma once
// EndpointWiring: the central endpoint's part of `daemonlet run` (agent_runner.cpp
// builds one, always; without an endpoint URL it only passes the manifest
// directory's snapshots through).
//
// Order at start (README "Central endpoint"):
//   1. loadCache(): the last-known-good cache is read before any network contact;
//   2. the manifest directory's first snapshot arrives (setManifestSnapshot): the
//      merged set (manifest directory + cache) goes to the reconciler, so cached
//      daemons start at once even with no network;
//   3. start(): the endpoint source (http or kubernetes mode) starts with the
//      cache as its seed. Each accepted snapshot is saved to the cache on the
//      source's thread, then merged and posted to the reconciler's loop; health
//      goes to the reconciler for /status and /metrics.
// While an endpoint is configured but neither the cache nor a fetch has produced
// a snapshot, the merged set is marked incomplete: the reconciler then stops
// nothing it does not see (SourceSnapshot::complete).
//
// Threading: setManifestSnapshot, effectiveNode and the constructor run on the
// loop thread (or before it runs); the source's callbacks post to the loop, where
// all state here lives. stop() joins the source's threads; call it before the
// loop and reconciler are destroyed.
#include <memory>
#include <optional>

#include <boost/asio/io_context.hpp>

#include "agent/loop/blocking_pool.h"
#include "agent/loop/timer_queue.h"
#include "agent/outbound/http_client.h"
#include "agent/reconciler/reconciler.h"
#include "agent/sources/endpoint_cache.h"
#include "agent/sources/kube_node_info.h"
#include "agent/sources/source_merge.h"
#include "config/agent_config.h"

namespace daemonlet::sources {
class HttpEndpointSource;
class KubeEndpointSource;
}  // namespace daemonlet::sources

namespace daemonlet::cli {

// The outbound client settings for the endpoint and the reports (same TLS/auth).
outbound::ClientSettings endpointClientSettings(const config::EndpointConfig& endpoint);

// The URL an endpoint snapshot (and the cache) carries: the configured URL in
// http mode; in kubernetes mode the DaemonSet collection URL the source reports.
std::string endpointSnapshotUrl(const config::EndpointConfig& endpoint);

class EndpointWiring {
 public:
  EndpointWiring(const config::AgentConfig& config, boost::asio::io_context& loop, loop::TimerQueue& timers,
                 loop::BlockingPool& pool, reconciler::Reconciler& reconciler);
  ~EndpointWiring();
  EndpointWiring(const EndpointWiring&) = delete;
  EndpointWiring& operator=(const EndpointWiring&) = delete;

  bool enabled() const { return config_.enabled(); }

  void loadCache();  // before start(); no network
  void start();      // starts the endpoint source, if one is configured
  void stop();       // idempotent

  // A new manifest-directory snapshot (loop thread).
  void setManifestSnapshot(sources::SourceSnapshot snapshot);

  // The node identity to use for `local` (loop thread): with kubernetes.followNode,
  // merged with the last Node read from the API server; else `local` unchanged.
  model::Node effectiveNode(const model::Node& local);

 private:
  void onSnapshot(sources::EndpointSnapshot snapshot);  // loop thread
  void onHealth(const sources::EndpointHealth& health);  // loop thread
  void onNode(const sources::KubeNodeInfo& info);        // loop thread
  void postMerged();
  void publishView();

  const config::EndpointConfig config_;
  const std::string url_;  // the snapshots' URL
  boost::asio::io_context& loop_;
  loop::TimerQueue& timers_;
  loop::BlockingPool& pool_;
  reconciler::Reconciler& reconciler_;
  sources::EndpointCache cache_;  // saves on the source's thread; loaded before start

  // Loop-thread state.
  std::optional<sources::SourceSnapshot> manifest_;  // nullopt until the first scan
  std::optional<sources::EndpointSnapshot> endpoint_;
  sources::EndpointOrigin origin_ = sources::EndpointOrigin::kCache;
  std::optional<sources::WallTime> cacheFetchedAt_;
  status::EndpointView view_;
  int lastFailures_ = 0;
  model::Node localNode_;
  bool localNodeKnown_ = false;
  std::optional<sources::KubeNodeInfo> node_;

  std::unique_ptr<sources::HttpEndpointSource> http_;
  std::unique_ptr<sources::KubeEndpointSource> kube_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace daemonlet::cli
