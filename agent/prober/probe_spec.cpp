#include "agent/prober/probe_spec.h"

#include <boost/asio/post.hpp>
#include <charconv>
#include <utility>

#include "agent/prober/probe_tcp.h"

namespace daemonlet::prober {
namespace {

constexpr std::int32_t kDefaultTimeoutSeconds = 1;
constexpr std::int32_t kDefaultPeriodSeconds = 10;
constexpr std::int32_t kDefaultSuccessThreshold = 1;
constexpr std::int32_t kDefaultFailureThreshold = 3;

std::int32_t orDefault(std::int32_t value, std::int32_t fallback) { return value > 0 ? value : fallback; }

base::Result<std::uint16_t> checkPortRange(std::int64_t port, const std::string& given) {
  if (port > 0 && port < 65536) return static_cast<std::uint16_t>(port);
  return base::makeError(base::ErrorCode::kInvalidArgument, "invalid port number " + given);
}

// The handle for a probe that cannot run: its failure is already posted
// (callbacks never run inside the call that started the attempt).
class FailedAttempt : public ProbeAttempt {
 public:
  void cancel() override {}
};

// An exec probe's command, run by the container's runtime.
class ExecAttempt : public ProbeAttempt {
 public:
  explicit ExecAttempt(std::shared_ptr<runtime::ExecHandle> handle) : handle_(std::move(handle)) {}
  void cancel() override {
    if (handle_) handle_->cancel();
  }

 private:
  std::shared_ptr<runtime::ExecHandle> handle_;
};

}  // namespace

ProbeTiming probeTiming(const model::Probe& probe, ProbeKind kind) {
  ProbeTiming timing;
  timing.initialDelay = std::chrono::seconds(std::max<std::int32_t>(0, probe.initialDelaySeconds));
  timing.period = std::chrono::seconds(orDefault(probe.periodSeconds, kDefaultPeriodSeconds));
  timing.timeout = std::chrono::seconds(orDefault(probe.timeoutSeconds, kDefaultTimeoutSeconds));
  timing.successThreshold =
      kind == ProbeKind::kReadiness ? orDefault(probe.successThreshold, kDefaultSuccessThreshold) : 1;
  timing.failureThreshold = orDefault(probe.failureThreshold, kDefaultFailureThreshold);
  return timing;
}

base::Result<std::uint16_t> resolveProbePort(const model::IntOrString& port,
                                             const model::Container& container) {
  if (!port.isString) return checkPortRange(port.intValue, std::to_string(port.intValue));
  for (const auto& declared : container.ports) {
    if (declared.name == port.stringValue) return checkPortRange(declared.containerPort, port.stringValue);
  }
  std::int64_t number = 0;
  const char* begin = port.stringValue.data();
  const char* end = begin + port.stringValue.size();
  auto [next, ec] = std::from_chars(begin, end, number);
  if (ec == std::errc() && next == end && begin != end) return checkPortRange(number, port.stringValue);
  return base::makeError(base::ErrorCode::kNotFound,
                         "port \"" + port.stringValue + "\" not found in container " + container.name);
}

ResolvedProbe resolveProbe(const model::Probe& probe, ProbeKind kind, const model::Container& container,
                           const ProbeTarget& target) {
  ResolvedProbe resolved;
  resolved.timing = probeTiming(probe, kind);
  if (probe.exec) {
    resolved.handler = ExecProbeRequest{probe.exec->command, target.exec};
    if (!target.exec) resolved.error = "exec probes need the container runtime's exec, which is not available";
  } else if (probe.httpGet) {
    HttpProbeRequest request;
    request.scheme = probe.httpGet->scheme.empty() ? std::string("HTTP") : probe.httpGet->scheme;
    request.host = probe.httpGet->host.empty() ? target.host : probe.httpGet->host;
    request.path = probe.httpGet->path;
    request.headers = probe.httpGet->httpHeaders;
    auto port = resolveProbePort(probe.httpGet->port, container);
    if (port)
      request.port = *port;
    else
      resolved.error = port.error().message;
    resolved.handler = std::move(request);
  } else if (probe.tcpSocket) {
    TcpProbeRequest request{probe.tcpSocket->host.empty() ? target.host : probe.tcpSocket->host, 0};
    auto port = resolveProbePort(probe.tcpSocket->port, container);
    if (port)
      request.port = *port;
    else
      resolved.error = port.error().message;
    resolved.handler = std::move(request);
  } else if (probe.grpc) {
    GrpcProbeRequest request{target.host, 0, probe.grpc->service.value_or("")};
    auto port = checkPortRange(probe.grpc->port, std::to_string(probe.grpc->port));
    if (port)
      request.port = *port;
    else
      resolved.error = port.error().message;
    resolved.handler = std::move(request);
  } else {
    resolved.error = "probe has no handler (exec, httpGet, tcpSocket or grpc)";
  }
  return resolved;
}

std::shared_ptr<ProbeAttempt> startProbeAttempt(boost::asio::io_context& io, loop::BlockingPool& pool,
                                                const ResolvedProbe& probe, ProbeCallback done) {
  const ProbeTimeout timeout = probe.timing.timeout;
  if (!probe.error.empty()) {
    boost::asio::post(io, [done = std::move(done), message = probe.error] { done({false, message}); });
    return std::make_shared<FailedAttempt>();
  }
  if (const auto* exec = std::get_if<ExecProbeRequest>(&probe.handler)) {
    auto handle = exec->exec(exec->command, timeout, [done = std::move(done)](runtime::ExecResult result) {
      done(ProbeOutcome{result.success, std::move(result.message)});
    });
    return std::make_shared<ExecAttempt>(std::move(handle));
  }
  if (const auto* http = std::get_if<HttpProbeRequest>(&probe.handler)) {
    return startHttpAttempt(io, pool, *http, timeout, std::move(done));
  }
  if (const auto* tcp = std::get_if<TcpProbeRequest>(&probe.handler)) {
    return startTcpAttempt(io, tcp->host, tcp->port, timeout, std::move(done));
  }
  return startGrpcAttempt(io, pool, std::get<GrpcProbeRequest>(probe.handler), timeout, std::move(done));
}

}  // namespace daemonlet::prober
