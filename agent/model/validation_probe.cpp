// Probes (validateLivenessProbe / validateReadinessProbe / validateStartupProbe,
// validateProbe), lifecycle hooks (validateLifecycle) and the handler rules
// they share.
#include "agent/model/validation_internal.h"

namespace daemonlet::model::validation_detail {
namespace {

void validatePortNumOrName(const IntOrString& port, const std::string& path, FieldErrors& out) {
  if (port.isString) addInvalid(out, path, quote(port.stringValue), isValidPortName(port.stringValue));
  else addInvalid(out, path, renderInt(port.intValue), isValidPortNum(port.intValue));
}

// The handler members probes and lifecycle hooks share (grpc: probes only,
// sleep: hooks only); absent members are null.
struct HandlerView {
  const ExecAction* exec = nullptr;
  const HttpGetAction* httpGet = nullptr;
  const TcpSocketAction* tcpSocket = nullptr;
  const GrpcAction* grpc = nullptr;
  const SleepAction* sleep = nullptr;
};

template <typename T>
const T* ptr(const std::optional<T>& v) {
  return v ? &*v : nullptr;
}

void validateHandler(const HandlerView& h, const std::optional<std::int64_t>& gracePeriod, const std::string& path,
                     FieldErrors& out) {
  int handlers = 0;
  auto claim = [&](const char* name) {
    if (handlers > 0) {
      out.push_back(forbidden(child(path, name), "may not specify more than 1 handler type"));
      return false;
    }
    ++handlers;
    return true;
  };
  if (h.exec && claim("exec")) {
    if (h.exec->command.empty()) out.push_back(required(child(path, "exec.command")));
  }
  if (h.httpGet && claim("httpGet")) {
    const std::string hp = child(path, "httpGet");
    if (h.httpGet->path.empty()) out.push_back(required(child(hp, "path")));
    validatePortNumOrName(h.httpGet->port, child(hp, "port"), out);
    if (h.httpGet->scheme != "HTTP" && h.httpGet->scheme != "HTTPS")
      out.push_back(notSupported(child(hp, "scheme"), quote(h.httpGet->scheme), {"HTTP", "HTTPS"}));
    for (const auto& header : h.httpGet->httpHeaders)
      addInvalid(out, child(hp, "httpHeaders"), quote(header.name), isHttpHeaderName(header.name));
  }
  if (h.tcpSocket && claim("tcpSocket")) validatePortNumOrName(h.tcpSocket->port, child(path, "tcpSocket.port"), out);
  if (h.grpc && claim("grpc"))
    addInvalid(out, child(path, "grpc.port"), renderInt(h.grpc->port), isValidPortNum(h.grpc->port));
  // An invalid or missing grace period is reported on its own field, not again here.
  if (h.sleep && claim("sleep") && gracePeriod && (h.sleep->seconds < 0 || h.sleep->seconds > *gracePeriod))
    out.push_back(invalid(child(path, "sleep"), renderInt(h.sleep->seconds),
                          "must be non-negative and less than terminationGracePeriodSeconds (" +
                              std::to_string(*gracePeriod) + ")"));
  if (handlers == 0) out.push_back(required(path, "must specify a handler type"));
}

// Beyond the API server's rules: a hook's named port must name one of the
// container's ports, or the hook could only fail when it runs.
void validateHookPortName(const LifecycleHandler& h, const Container& c, const std::string& path, FieldErrors& out) {
  const IntOrString* port = h.httpGet ? &h.httpGet->port : (h.tcpSocket ? &h.tcpSocket->port : nullptr);
  if (!port || !port->isString || port->stringValue.empty()) return;
  if (!isValidPortName(port->stringValue).empty()) return;  // reported by validateHandler
  for (const auto& p : c.ports)
    if (p.name == port->stringValue) return;
  out.push_back(invalid(child(child(path, h.httpGet ? "httpGet" : "tcpSocket"), "port"), quote(port->stringValue),
                        "must be a port number or the name of one of the container's ports"));
}

void validateHook(const LifecycleHandler& h, const Container& c, const std::optional<std::int64_t>& gracePeriod,
                  const std::string& path, FieldErrors& out) {
  validateHandler({ptr(h.exec), ptr(h.httpGet), ptr(h.tcpSocket), nullptr, ptr(h.sleep)}, gracePeriod, path, out);
  validateHookPortName(h, c, path, out);
}

}  // namespace

void validateProbe(const Probe& p, ProbeKind kind, const std::string& path, FieldErrors& out) {
  validateHandler({ptr(p.exec), ptr(p.httpGet), ptr(p.tcpSocket), ptr(p.grpc), nullptr}, std::nullopt, path, out);
  validateNonnegative(p.initialDelaySeconds, child(path, "initialDelaySeconds"), out);
  validateNonnegative(p.timeoutSeconds, child(path, "timeoutSeconds"), out);
  validateNonnegative(p.periodSeconds, child(path, "periodSeconds"), out);
  validateNonnegative(p.successThreshold, child(path, "successThreshold"), out);
  validateNonnegative(p.failureThreshold, child(path, "failureThreshold"), out);
  if (p.terminationGracePeriodSeconds && *p.terminationGracePeriodSeconds <= 0)
    out.push_back(invalid(child(path, "terminationGracePeriodSeconds"), renderInt(*p.terminationGracePeriodSeconds),
                          "must be greater than 0"));
  switch (kind) {
    case ProbeKind::kLiveness:
    case ProbeKind::kStartup:
      if (p.successThreshold != 1)
        out.push_back(invalid(child(path, "successThreshold"), renderInt(p.successThreshold), "must be 1"));
      break;
    case ProbeKind::kReadiness:
      if (p.terminationGracePeriodSeconds)
        out.push_back(invalid(child(path, "terminationGracePeriodSeconds"), renderInt(*p.terminationGracePeriodSeconds),
                              "must not be set for readinessProbes"));
      break;
  }
}

void validateLifecycle(const Container& c, const std::optional<std::int64_t>& gracePeriod, const std::string& path,
                       FieldErrors& out) {
  if (!c.lifecycle) return;
  const std::string lp = child(path, "lifecycle");
  if (c.lifecycle->postStart) validateHook(*c.lifecycle->postStart, c, gracePeriod, child(lp, "postStart"), out);
  if (c.lifecycle->preStop) validateHook(*c.lifecycle->preStop, c, gracePeriod, child(lp, "preStop"), out);
}

}  // namespace daemonlet::model::validation_detail
