// Probes (validateLivenessProbe / validateReadinessProbe / validateStartupProbe,
// validateProbe and the handler rules).
#include "agent/model/validation_internal.h"

namespace daemonlet::model::validation_detail {
namespace {

void validatePortNumOrName(const IntOrString& port, const std::string& path, FieldErrors& out) {
  if (port.isString) addInvalid(out, path, quote(port.stringValue), isValidPortName(port.stringValue));
  else addInvalid(out, path, renderInt(port.intValue), isValidPortNum(port.intValue));
}

void validateHandler(const Probe& p, const std::string& path, FieldErrors& out) {
  int handlers = 0;
  auto claim = [&](const char* name) {
    if (handlers > 0) {
      out.push_back(forbidden(child(path, name), "may not specify more than 1 handler type"));
      return false;
    }
    ++handlers;
    return true;
  };
  if (p.exec && claim("exec")) {
    if (p.exec->command.empty()) out.push_back(required(child(path, "exec.command")));
  }
  if (p.httpGet && claim("httpGet")) {
    const std::string hp = child(path, "httpGet");
    if (p.httpGet->path.empty()) out.push_back(required(child(hp, "path")));
    validatePortNumOrName(p.httpGet->port, child(hp, "port"), out);
    if (p.httpGet->scheme != "HTTP" && p.httpGet->scheme != "HTTPS")
      out.push_back(notSupported(child(hp, "scheme"), quote(p.httpGet->scheme), {"HTTP", "HTTPS"}));
    for (const auto& h : p.httpGet->httpHeaders)
      addInvalid(out, child(hp, "httpHeaders"), quote(h.name), isHttpHeaderName(h.name));
  }
  if (p.tcpSocket && claim("tcpSocket")) validatePortNumOrName(p.tcpSocket->port, child(path, "tcpSocket.port"), out);
  if (p.grpc && claim("grpc"))
    addInvalid(out, child(path, "grpc.port"), renderInt(p.grpc->port), isValidPortNum(p.grpc->port));
  if (handlers == 0) out.push_back(required(path, "must specify a handler type"));
}

}  // namespace

void validateProbe(const Probe& p, ProbeKind kind, const std::string& path, FieldErrors& out) {
  validateHandler(p, path, out);
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

}  // namespace daemonlet::model::validation_detail
