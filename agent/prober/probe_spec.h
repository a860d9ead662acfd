#pragma once
// A container's probe, made ready to run: Kubernetes' defaults applied to its
// timing fields and its handler resolved against the container (named ports)
// and the target (host, environment). Pure apart from starting attempts.
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "agent/base/result.h"
#include "agent/loop/blocking_pool.h"
#include "agent/model/types.h"
#include "agent/prober/probe_attempt.h"
#include "agent/prober/probe_grpc.h"
#include "agent/prober/probe_http.h"
#include "agent/prober/prober.h"

namespace daemonlet::prober {

// Unset (0) fields take the API defaults: timeoutSeconds 1, periodSeconds 10,
// successThreshold 1, failureThreshold 3, initialDelaySeconds 0. Liveness and
// startup probes always use successThreshold 1 (validation requires it).
struct ProbeTiming {
  std::chrono::seconds initialDelay{0};
  std::chrono::seconds period{10};
  ProbeTimeout timeout{1000};
  int successThreshold = 1;
  int failureThreshold = 3;
};
ProbeTiming probeTiming(const model::Probe& probe, ProbeKind kind);

struct ExecProbeRequest {
  std::vector<std::string> command;
  ProbeExec exec;
};

struct TcpProbeRequest {
  std::string host;
  std::uint16_t port = 0;
};

struct ResolvedProbe {
  ProbeTiming timing;
  std::variant<ExecProbeRequest, HttpProbeRequest, TcpProbeRequest, GrpcProbeRequest> handler;
  std::string error;  // non-empty: the probe cannot run and every attempt fails with this
};
ResolvedProbe resolveProbe(const model::Probe& probe, ProbeKind kind, const model::Container& container,
                           const ProbeTarget& target);

// A port given by number or by the name of one of the container's ports (a
// numeric string also works, as in the kubelet).
base::Result<std::uint16_t> resolveProbePort(const model::IntOrString& port,
                                             const model::Container& container);

std::shared_ptr<ProbeAttempt> startProbeAttempt(boost::asio::io_context& io, loop::BlockingPool& pool,
                                                const ResolvedProbe& probe, ProbeCallback done);

}  // namespace daemonlet::prober
