#pragma once
// grpc probe attempt: the standard gRPC health check
// (grpc.health.v1.Health/Check) over plaintext HTTP/2, as the kubelet does it;
// success means the response's status is SERVING. It is spoken through libcurl
// (HTTP/2 with prior knowledge) rather than the gRPC library: one unary call
// with a two-field message does not justify linking gRPC into the reconciler.
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "agent/loop/blocking_pool.h"
#include "agent/prober/probe_attempt.h"

namespace daemonlet::prober {

struct GrpcProbeRequest {
  std::string host;
  std::uint16_t port = 0;
  std::string service;  // "" asks about the server as a whole
};

std::shared_ptr<ProbeAttempt> startGrpcAttempt(boost::asio::io_context& io, loop::BlockingPool& pool,
                                               GrpcProbeRequest request, ProbeTimeout timeout,
                                               ProbeCallback done);

ProbeOutcome runGrpcProbe(const GrpcProbeRequest& request, ProbeTimeout timeout,
                          const std::atomic<bool>& cancelled);

// Wire helpers, exposed for tests: the length-prefixed HealthCheckRequest, and
// the status field of a length-prefixed HealthCheckResponse (nullopt: malformed).
std::string encodeHealthCheckRequest(const std::string& service);
std::optional<std::int64_t> decodeHealthCheckStatus(const std::string& body);

}  // namespace daemonlet::prober
