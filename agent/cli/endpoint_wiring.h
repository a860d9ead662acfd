#pragma once
// EndpointWiring: starts the central endpoint's source (http or kubernetes mode)
// for `daemonlet run` and routes what it reports into the DesiredSet on the loop
// (sources/desired_set.h holds the policy: cache first, merge, completeness).
//
// Each accepted snapshot is saved to the cache on the source's callback thread
// (the shared pool: fsync is fine off the loop), then posted to the loop; health and the followed Node are
// posted likewise.
//
// Threading: construct and start() on the loop thread (or before it runs), after
// DesiredSet::loadCache() so the cache seeds the source. stop() waits for the
// source's requests; call it before the loop and the DesiredSet are destroyed.
#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>

#include "agent/loop/blocking_pool.h"
#include "agent/loop/timer_queue.h"
#include "agent/outbound/http_client.h"
#include "agent/sources/desired_set.h"
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

// The desired set's settings for this configuration.
sources::DesiredSetOptions desiredSetOptions(const config::AgentConfig& config);

class EndpointWiring {
 public:
  EndpointWiring(const config::EndpointConfig& config, boost::asio::io_context& loop, loop::TimerQueue& timers,
                 loop::BlockingPool& pool, sources::DesiredSet& desired);
  ~EndpointWiring();
  EndpointWiring(const EndpointWiring&) = delete;
  EndpointWiring& operator=(const EndpointWiring&) = delete;

  // Starts the endpoint source, if one is configured. `nodeName`: the Node to
  // follow in kubernetes mode with followNode.
  void start(const std::string& nodeName);
  void stop();  // idempotent

 private:
  const config::EndpointConfig config_;
  boost::asio::io_context& loop_;
  loop::TimerQueue& timers_;
  loop::BlockingPool& pool_;
  sources::DesiredSet& desired_;

  std::unique_ptr<sources::HttpEndpointSource> http_;
  std::unique_ptr<sources::KubeEndpointSource> kube_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace daemonlet::cli
