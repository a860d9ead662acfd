#include "agent/reconciler/container_env.h"

#include <regex>

namespace daemonlet::reconciler {
namespace {

// Value of a downward-API field path, or an error message.
bool fieldRefValue(const std::string& path, const PodEnvContext& pod, std::string& value, std::string& error) {
  static const std::regex mapKey(R"(^metadata\.(labels|annotations)\['(.+)'\]$)");
  std::smatch match;
  if (std::regex_match(path, match, mapKey)) {
    const auto& map = match[1] == "labels" ? pod.labels : pod.annotations;
    auto it = map.find(match[2]);
    value = it == map.end() ? "" : it->second;
    return true;
  }
  if (path == "metadata.name") value = pod.podName;
  else if (path == "metadata.namespace") value = pod.podNamespace;
  else if (path == "metadata.uid") value = pod.podUid;
  else if (path == "spec.nodeName") value = pod.nodeName;
  else if (path == "spec.serviceAccountName") value = pod.serviceAccountName;
  // Host processes share the node's network: their pod IP is the host IP.
  else if (path == "status.hostIP" || path == "status.hostIPs") value = pod.hostIP;
  else if (path == "status.podIP" || path == "status.podIPs") value = pod.podIP.empty() ? pod.hostIP : pod.podIP;
  else {
    error = "unsupported fieldRef " + path;
    return false;
  }
  return true;
}

bool resourceFieldValue(const model::ResourceFieldSelector& ref, const model::Container& container,
                        const PodEnvContext& pod, std::string& value, std::string& error) {
  auto dot = ref.resource.find('.');
  if (dot == std::string::npos) {
    error = "unsupported resourceFieldRef " + ref.resource;
    return false;
  }
  std::string kind = ref.resource.substr(0, dot);
  std::string name = ref.resource.substr(dot + 1);
  const auto& table = kind == "limits" ? container.resources.limits : container.resources.requests;
  auto it = table.find(name);
  // As the kubelet: without a limit the node's allocatable stands in; without a
  // request, the limit (already copied by defaulting) or zero.
  std::int64_t milli = 0;
  if (it != table.end()) {
    milli = it->second.milliValue();
  } else if (kind == "limits" && name == "cpu") {
    milli = pod.nodeCpuMillis;
  } else if (kind == "limits" && name == "memory") {
    milli = pod.nodeMemoryBytes * 1000;
  }
  std::int64_t divisorMilli = ref.divisor ? ref.divisor->milliValue() : 1000;
  if (divisorMilli <= 0) divisorMilli = 1000;
  std::int64_t result = (milli + divisorMilli - 1) / divisorMilli;  // round up, as Kubernetes
  value = std::to_string(result);
  return true;
}

}  // namespace

ResolvedContainer resolveContainer(const model::Container& container, const PodEnvContext& pod) {
  ResolvedContainer resolved;
  for (std::size_t i = 0; i < container.env.size(); ++i) {
    const model::EnvVar& var = container.env[i];
    const std::string field = "env[" + std::to_string(i) + "].valueFrom.";
    std::string value;
    if (!var.valueFrom) {
      value = expandReferences(var.value, resolved.env);
    } else if (var.valueFrom->fieldRef) {
      if (!fieldRefValue(var.valueFrom->fieldRef->fieldPath, pod, value, resolved.error)) {
        resolved.errorField = field + "fieldRef";
        return resolved;
      }
    } else if (var.valueFrom->resourceFieldRef) {
      if (!resourceFieldValue(*var.valueFrom->resourceFieldRef, container, pod, value, resolved.error)) {
        resolved.errorField = field + "resourceFieldRef";
        return resolved;
      }
    } else {
      const auto& ref = var.valueFrom->configMapKeyRef ? var.valueFrom->configMapKeyRef : var.valueFrom->secretKeyRef;
      const char* kind = var.valueFrom->configMapKeyRef ? "configmap" : "secret";
      if (ref && ref->optional.value_or(false)) continue;
      resolved.error = std::string(kind) + " \"" + (ref ? ref->name : "") + "\" not found (env " + var.name +
                       "): a node agent has no API objects to read it from";
      resolved.errorField = field + (var.valueFrom->configMapKeyRef ? "configMapKeyRef" : "secretKeyRef");
      return resolved;
    }
    resolved.env[var.name] = value;
  }
  for (const auto& part : container.command) resolved.command.push_back(expandReferences(part, resolved.env));
  for (const auto& part : container.args) resolved.args.push_back(expandReferences(part, resolved.env));
  return resolved;
}

}  // namespace daemonlet::reconciler
