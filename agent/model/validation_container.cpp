// Containers and init containers (validateContainers, validateInitContainers,
// validateContainerCommon): names, image, ports, mounts, pull policy, security.
#include <map>

#include "agent/model/pod_rules.h"
#include "agent/model/validation_internal.h"

namespace daemonlet::model::validation_detail {
namespace {

void validatePorts(const std::vector<ContainerPort>& ports, const std::string& path, FieldErrors& out) {
  std::set<std::string> names;
  for (std::size_t i = 0; i < ports.size(); ++i) {
    const ContainerPort& p = ports[i];
    const std::string idx = index(path, i);
    if (!p.name.empty()) {
      const Messages msgs = isValidPortName(p.name);
      if (!msgs.empty()) addInvalid(out, child(idx, "name"), quote(p.name), msgs);
      else if (!names.insert(p.name).second) out.push_back(duplicate(child(idx, "name"), quote(p.name)));
    }
    if (p.containerPort == 0) out.push_back(required(child(idx, "containerPort")));
    else addInvalid(out, child(idx, "containerPort"), renderInt(p.containerPort), isValidPortNum(p.containerPort));
    if (p.hostPort != 0) addInvalid(out, child(idx, "hostPort"), renderInt(p.hostPort), isValidPortNum(p.hostPort));
    if (p.protocol.empty()) out.push_back(required(child(idx, "protocol")));
    else if (p.protocol != "TCP" && p.protocol != "UDP" && p.protocol != "SCTP")
      out.push_back(notSupported(child(idx, "protocol"), quote(p.protocol), {"SCTP", "TCP", "UDP"}));
  }
}

// validateLocalDescendingPath: relative and without "..". Kubernetes reports these
// at "volumeMounts.subPath" (no index), so `path` is the list's path.
void validateLocalDescendingPath(const std::string& target, const std::string& path, FieldErrors& out) {
  if (!target.empty() && target.front() == '/') out.push_back(invalid(path, quote(target), "must be a relative path"));
  std::size_t start = 0;
  while (true) {
    std::size_t slash = target.find_first_of("/\\", start);
    if (target.substr(start, slash == std::string::npos ? std::string::npos : slash - start) == "..") {
      out.push_back(invalid(path, quote(target), "must not contain '..'"));
      break;
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
}

bool isPrivileged(const Container& c) {
  return c.securityContext && c.securityContext->privileged.value_or(false);
}

void validateVolumeMounts(const Container& c, const std::set<std::string>& volumes, const std::string& path,
                          FieldErrors& out) {
  std::set<std::string> mountPaths;
  for (std::size_t i = 0; i < c.volumeMounts.size(); ++i) {
    const VolumeMount& m = c.volumeMounts[i];
    const std::string idx = index(path, i);
    if (m.name.empty()) out.push_back(required(child(idx, "name")));
    if (volumes.count(m.name) == 0) out.push_back(notFound(child(idx, "name"), quote(m.name)));
    if (m.mountPath.empty()) out.push_back(required(child(idx, "mountPath")));
    if (!mountPaths.insert(m.mountPath).second)
      out.push_back(invalid(child(idx, "mountPath"), quote(m.mountPath), "must be unique"));
    if (!m.subPath.empty()) validateLocalDescendingPath(m.subPath, child(path, "subPath"), out);
    if (!m.subPathExpr.empty()) {
      if (!m.subPath.empty())
        out.push_back(invalid(child(idx, "subPathExpr"), quote(m.subPathExpr), "subPathExpr and subPath are mutually exclusive"));
      validateLocalDescendingPath(m.subPathExpr, child(path, "subPathExpr"), out);
    }
    if (!m.mountPropagation.empty()) {
      const std::string propPath = child(path, "mountPropagation");
      const std::string& mp = m.mountPropagation;
      if (mp != "Bidirectional" && mp != "HostToContainer" && mp != "None")
        out.push_back(notSupported(propPath, quote(mp), {"Bidirectional", "HostToContainer", "None"}));
      if (mp == "Bidirectional" && !isPrivileged(c))
        out.push_back(forbidden(propPath, "Bidirectional mount propagation is available only to privileged containers"));
    }
  }
}

void validateEnumField(const std::string& value, const std::string& path, const std::vector<std::string>& allowed,
                       FieldErrors& out) {
  if (value.empty()) {
    out.push_back(required(path));
    return;
  }
  for (const auto& a : allowed)
    if (a == value) return;
  out.push_back(notSupported(path, quote(value), allowed));
}

void validateProbes(const Container& c, const std::string& path, FieldErrors& out) {
  if (c.livenessProbe) validateProbe(*c.livenessProbe, ProbeKind::kLiveness, child(path, "livenessProbe"), out);
  if (c.readinessProbe) validateProbe(*c.readinessProbe, ProbeKind::kReadiness, child(path, "readinessProbe"), out);
  if (c.startupProbe) validateProbe(*c.startupProbe, ProbeKind::kStartup, child(path, "startupProbe"), out);
}

}  // namespace

void validateContainerCommon(const Container& c, const std::set<std::string>& volumes, const std::string& path,
                             FieldErrors& out) {
  if (c.name.empty()) out.push_back(required(child(path, "name")));
  else validateDns1123Label(c.name, child(path, "name"), out);
  // Only emptiness is checked for templates; whitespace is a pod-only rule.
  if (c.image.empty()) out.push_back(required(child(path, "image")));
  validateEnumField(c.terminationMessagePolicy, child(path, "terminationMessagePolicy"), {"File", "FallbackToLogsOnError"},
                    out);
  validatePorts(c.ports, child(path, "ports"), out);
  validateEnv(c.env, child(path, "env"), out);
  validateVolumeMounts(c, volumes, child(path, "volumeMounts"), out);
  validateEnumField(c.imagePullPolicy, child(path, "imagePullPolicy"), {"Always", "IfNotPresent", "Never"}, out);
  validateResources(c.resources, child(path, "resources"), out);
  if (c.securityContext) validateSecurityContext(*c.securityContext, child(path, "securityContext"), out);
}

void validateContainers(const PodSpec& spec, const std::set<std::string>& volumes, const std::string& path,
                        FieldErrors& out) {
  if (spec.containers.empty()) {
    out.push_back(required(path));
    return;
  }
  std::set<std::string> names;
  for (std::size_t i = 0; i < spec.containers.size(); ++i) {
    const Container& c = spec.containers[i];
    const std::string idx = index(path, i);
    validateContainerCommon(c, volumes, idx, out);
    if (!names.insert(c.name).second) out.push_back(duplicate(child(idx, "name"), quote(c.name)));
    validateProbes(c, idx, out);
    validateLifecycle(c, spec.terminationGracePeriodSeconds, idx, out);
    if (!c.restartPolicy.empty())
      out.push_back(forbidden(child(idx, "restartPolicy"), "may not be set for non-init containers"));
  }
  checkHostPortConflicts(spec.containers, path, out);
}

void validateInitContainers(const PodSpec& spec, const std::set<std::string>& volumes, const std::string& path,
                            FieldErrors& out) {
  std::set<std::string> names;
  for (const auto& c : spec.containers) names.insert(c.name);
  for (std::size_t i = 0; i < spec.initContainers.size(); ++i) {
    const Container& c = spec.initContainers[i];
    const std::string idx = index(path, i);
    validateContainerCommon(c, volumes, idx, out);
    // The decoder keeps an explicit restartPolicy; "Always" makes a sidecar.
    const bool sidecar = isSidecar(c, true);
    if (!c.restartPolicy.empty() && !sidecar)
      out.push_back(notSupported(child(idx, "restartPolicy"), quote(c.restartPolicy), {"Always"}));
    if (names.count(c.name) != 0) out.push_back(duplicate(child(idx, "name"), quote(c.name)));
    else if (!c.name.empty()) names.insert(c.name);
    // Init containers run one by one, so only ports within one can clash; Kubernetes
    // reports them as if the container were at index 0.
    checkHostPortConflicts({c}, path, out);
    if (sidecar) {
      validateProbes(c, idx, out);
      validateLifecycle(c, spec.terminationGracePeriodSeconds, idx, out);
    } else {
      const char* why = "may not be set for init containers without restartPolicy=Always";
      if (c.lifecycle) out.push_back(forbidden(child(idx, "lifecycle"), why));
      if (c.livenessProbe) out.push_back(forbidden(child(idx, "livenessProbe"), why));
      if (c.readinessProbe) out.push_back(forbidden(child(idx, "readinessProbe"), why));
      if (c.startupProbe) out.push_back(forbidden(child(idx, "startupProbe"), why));
    }
  }
}

void checkHostPortConflicts(const std::vector<Container>& containers, const std::string& path, FieldErrors& out) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < containers.size(); ++i) {
    const auto& ports = containers[i].ports;
    for (std::size_t j = 0; j < ports.size(); ++j) {
      if (ports[j].hostPort == 0) continue;
      const std::string id = ports[j].hostIP + "/" + ports[j].protocol + "/" + std::to_string(ports[j].hostPort);
      if (!seen.insert(id).second)
        out.push_back(duplicate(child(index(child(index(path, i), "ports"), j), "hostPort"), quote(id)));
    }
  }
}

void validateSecurityContext(const SecurityContext& sc, const std::string& path, FieldErrors& out) {
  // privileged is allowed: clusters that run DaemonSets start the API server with
  // --allow-privileged=true (kubeadm, kind and the managed offerings do).
  if (sc.runAsUser) addInvalid(out, child(path, "runAsUser"), renderInt(*sc.runAsUser), isValidUserOrGroupId(*sc.runAsUser));
  if (sc.runAsGroup)
    addInvalid(out, child(path, "runAsGroup"), renderInt(*sc.runAsGroup), isValidUserOrGroupId(*sc.runAsGroup));
  if (!sc.procMount.empty()) {
    if (sc.procMount != "Default" && sc.procMount != "Unmasked")
      out.push_back(notSupported(child(path, "procMount"), quote(sc.procMount), {"Default", "Unmasked"}));
    else if (sc.procMount == "Unmasked")  // hostUsers defaults to true
      out.push_back(invalid(child(path, "procMount"), quote(sc.procMount), "`hostUsers` must be false to use `Unmasked`"));
  }
  if (sc.allowPrivilegeEscalation.has_value() && !*sc.allowPrivilegeEscalation) {
    if (sc.privileged.value_or(false))
      out.push_back(invalid(path, "core.SecurityContext{...}",
                            "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"));
    if (sc.capabilities) {
      for (const auto& cap : sc.capabilities->add)
        if (cap == "CAP_SYS_ADMIN")
          out.push_back(invalid(path, "core.SecurityContext{...}",
                                "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN"));
    }
  }
}

}  // namespace daemonlet::model::validation_detail
