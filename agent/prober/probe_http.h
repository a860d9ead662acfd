#pragma once
// httpGet probe attempt (libcurl, on the prober's thread pool; also the
// httpGet lifecycle hook's request, agent/lifecycle/): a GET of
// scheme://host:port/path with the probe's headers; success is a status from
// 200 to 399. As the kubelet does: redirects are followed (at most 10) while they
// stay on the same host; a redirect to another host is not followed and counts
// as success; HTTPS certificates are not verified; at most 10 KiB of the body
// are read.
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "agent/loop/blocking_pool.h"
#include "agent/model/types.h"
#include "agent/prober/probe_attempt.h"

namespace daemonlet::prober {

struct HttpProbeRequest {
  std::string scheme = "HTTP";  // HTTP or HTTPS (case-insensitive)
  std::string host;
  std::uint16_t port = 0;
  std::string path;
  std::vector<model::HttpHeader> headers;
  // Lifecycle hooks (the kubelet's runHTTPHandler) succeed on any response: only
  // a request that gets none fails. Probes want a status from 200 to 399.
  bool anyStatusSucceeds = false;
  const char* userAgent = kProbeUserAgent;
};

std::shared_ptr<ProbeAttempt> startHttpAttempt(boost::asio::io_context& io, loop::BlockingPool& pool,
                                               HttpProbeRequest request, ProbeTimeout timeout,
                                               ProbeCallback done);

// The blocking body of one attempt; exposed for tests.
ProbeOutcome runHttpProbe(const HttpProbeRequest& request, ProbeTimeout timeout,
                          const std::atomic<bool>& cancelled);

// scheme://host:port/path, with "/" added in front of a relative path. "" for an
// unsupported scheme.
std::string httpProbeUrl(const HttpProbeRequest& request);

}  // namespace daemonlet::prober
