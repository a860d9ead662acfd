// Pod template and pod spec rules (ValidatePodTemplateSpec, ValidatePodSpec and
// the pod-level parts it calls: restart/DNS policy, host network ports, names).
#include "agent/model/validation_internal.h"

namespace daemonlet::model::validation_detail {
namespace {

void validateRestartPolicy(const std::string& policy, const std::string& path, FieldErrors& out) {
  if (policy == "Always" || policy == "OnFailure" || policy == "Never") return;
  if (policy.empty()) {
    out.push_back(required(path));
    return;
  }
  out.push_back(notSupported(path, quote(policy), {"Always", "OnFailure", "Never"}));
}

void validateDnsPolicy(const std::string& policy, const std::string& path, FieldErrors& out) {
  if (policy == "ClusterFirstWithHostNet" || policy == "ClusterFirst" || policy == "Default" || policy == "None")
    return;
  if (policy.empty()) {
    out.push_back(required(path));
    return;
  }
  out.push_back(notSupported(path, quote(policy), {"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"}));
}

// With hostNetwork the pod shares the node's ports, so a hostPort other than the
// containerPort cannot be honoured (validatePodHostNetworkDeps).
void validateHostNetworkPorts(const std::vector<Container>& containers, const std::string& path, FieldErrors& out) {
  for (std::size_t i = 0; i < containers.size(); ++i) {
    const auto& ports = containers[i].ports;
    for (std::size_t j = 0; j < ports.size(); ++j) {
      if (ports[j].hostPort != 0 && ports[j].hostPort != ports[j].containerPort)
        out.push_back(invalid(child(index(child(index(path, i), "ports"), j), "containerPort"),
                              renderInt(ports[j].containerPort), "must match `hostPort` when `hostNetwork` is true"));
    }
  }
}

}  // namespace

void validatePodTemplateSpec(const PodTemplateSpec& tmpl, const std::string& path, FieldErrors& out) {
  // The template's metadata is checked only for labels and annotations, at
  // "<template>.labels" (not ".metadata.labels"), as the API server reports them.
  validateLabels(tmpl.metadata.labels, child(path, "labels"), out);
  validateAnnotations(tmpl.metadata.annotations, child(path, "annotations"), out);
  validatePodSpecificAnnotations(tmpl.metadata.annotations, tmpl.spec, child(path, "annotations"), out);
  validatePodSpec(tmpl.spec, child(path, "spec"), out);
  if (tmpl.spec.hasEphemeralContainers)
    out.push_back(forbidden(child(path, "spec.ephemeralContainers"), "ephemeral containers not allowed in pod template"));
}

void validatePodSpec(const PodSpec& spec, const std::string& path, FieldErrors& out) {
  const std::set<std::string> volumes = validateVolumes(spec.volumes, child(path, "volumes"), out);
  validateContainers(spec, volumes, child(path, "containers"), out);
  validateInitContainers(spec, volumes, child(path, "initContainers"), out);
  if (spec.hostNetwork) {
    validateHostNetworkPorts(spec.containers, child(path, "containers"), out);
    validateHostNetworkPorts(spec.initContainers, child(path, "initContainers"), out);
  }
  validateRestartPolicy(spec.restartPolicy, child(path, "restartPolicy"), out);
  validateDnsPolicy(spec.dnsPolicy, child(path, "dnsPolicy"), out);
  validateLabels(spec.nodeSelector, child(path, "nodeSelector"), out);
  if (spec.securityContext) validatePodSecurityContext(*spec.securityContext, child(path, "securityContext"), out);
  if (spec.affinity) validateAffinity(*spec.affinity, child(path, "affinity"), out);
  if (!spec.serviceAccountName.empty())
    addInvalid(out, child(path, "serviceAccountName"), quote(spec.serviceAccountName),
               nameIsDnsSubdomain(spec.serviceAccountName, false));
  if (!spec.nodeName.empty())
    addInvalid(out, child(path, "nodeName"), quote(spec.nodeName), nameIsDnsSubdomain(spec.nodeName, false));
  if (spec.activeDeadlineSeconds) {
    const std::int64_t v = *spec.activeDeadlineSeconds;
    if (v < 1 || v > 2147483647)
      out.push_back(invalid(child(path, "activeDeadlineSeconds"), renderInt(v), "must be between 1 and 2147483647, inclusive"));
  }
  if (!spec.hostname.empty()) validateDns1123Label(spec.hostname, child(path, "hostname"), out);
  if (!spec.subdomain.empty()) validateDns1123Label(spec.subdomain, child(path, "subdomain"), out);
  validateTolerations(spec.tolerations, child(path, "tolerations"), out);
  if (!spec.priorityClassName.empty())
    addInvalid(out, child(path, "priorityClassName"), quote(spec.priorityClassName),
               nameIsDnsSubdomain(spec.priorityClassName, false));
  if (spec.runtimeClassName)
    addInvalid(out, child(path, "runtimeClassName"), quote(*spec.runtimeClassName),
               nameIsDnsSubdomain(*spec.runtimeClassName, false));
}

void validatePodSecurityContext(const PodSecurityContext& sc, const std::string& path, FieldErrors& out) {
  if (sc.fsGroup) addInvalid(out, child(path, "fsGroup"), renderInt(*sc.fsGroup), isValidUserOrGroupId(*sc.fsGroup));
  if (sc.runAsUser)
    addInvalid(out, child(path, "runAsUser"), renderInt(*sc.runAsUser), isValidUserOrGroupId(*sc.runAsUser));
  if (sc.runAsGroup)
    addInvalid(out, child(path, "runAsGroup"), renderInt(*sc.runAsGroup), isValidUserOrGroupId(*sc.runAsGroup));
  for (std::size_t i = 0; i < sc.supplementalGroups.size(); ++i)
    addInvalid(out, index(child(path, "supplementalGroups"), i), renderInt(sc.supplementalGroups[i]),
               isValidUserOrGroupId(sc.supplementalGroups[i]));
}

}  // namespace daemonlet::model::validation_detail
