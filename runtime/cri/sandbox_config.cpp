#include "runtime/cri/sandbox_config.h"

#include <algorithm>
#include <set>

#include "runtime/cri/cri_labels.h"
#include "runtime/cri/proto/api.pb.h"
#include "runtime/cri/raw_pod_fields.h"
#include "runtime/cri/sandbox_security.h"
#include "runtime/cri/invalid_field.h"

namespace daemonlet::runtime::cri {
namespace {

namespace v1 = ::runtime::v1;

constexpr std::size_t kMaxHostnameLength = 63;

// The kubelet's pod hostname: spec.hostname or the pod's name, cut to a DNS
// label's 63 characters without a trailing "-" or ".".
base::Result<std::string> podHostname(const PodRef& pod, const model::PodSpec& spec) {
  std::string hostname = spec.hostname.empty() ? pod.name : spec.hostname;
  if (hostname.size() > kMaxHostnameLength) {
    hostname.resize(kMaxHostnameLength);
    while (!hostname.empty() && (hostname.back() == '-' || hostname.back() == '.')) hostname.pop_back();
  }
  if (hostname.empty()) return invalidField("spec.hostname", "hostname for pod \"" + pod.name + "\" was invalid");
  return hostname;
}

v1::Protocol protocolOf(const std::string& protocol) {
  if (protocol == "UDP") return v1::UDP;
  if (protocol == "SCTP") return v1::SCTP;
  return v1::TCP;
}

// Every port of the regular containers, once per container, name and protocol
// (the kubelet's MakePortMappings drops repeats with a warning).
void addPortMappings(const model::PodSpec& spec, v1::PodSandboxConfig& config) {
  std::set<std::string> seen;
  for (const model::Container& container : spec.containers) {
    for (const model::ContainerPort& port : container.ports) {
      const std::string protocol = port.protocol.empty() ? "TCP" : port.protocol;
      const std::string key = container.name + "-" +
                              (port.name.empty() ? protocol + ":" + std::to_string(port.containerPort) : port.name);
      if (!seen.insert(key).second) continue;
      v1::PortMapping* mapping = config.add_port_mappings();
      mapping->set_protocol(protocolOf(protocol));
      mapping->set_container_port(port.containerPort);
      mapping->set_host_port(port.hostPort);
      mapping->set_host_ip(port.hostIP);
    }
  }
}

void addLabels(const SandboxInputs& inputs, v1::PodSandboxConfig& config) {
  auto& out = *config.mutable_labels();
  for (const auto& [key, value] : inputs.labels) out[key] = value;
  // Ours after the pod's: a template label must not disguise whose sandbox it is.
  out[labels::kPodName] = inputs.pod.name;
  out[labels::kPodNamespace] = inputs.pod.namespace_;
  out[labels::kPodUid] = inputs.pod.uid;
  out[labels::kManagedBy] = labels::kManagedByValue;
  out[labels::kAgent] = inputs.node.agentId;
  out[labels::kDaemonSetName] = inputs.pod.daemonSetName;
  out[labels::kDaemonSetUid] = inputs.pod.daemonSetUid;
  out[labels::kRevision] = inputs.pod.revision;
}

}  // namespace

base::Result<v1::PodSandboxConfig> makeSandboxConfig(const SandboxInputs& inputs) {
  DL_ASSERT(inputs.spec != nullptr, "makeSandboxConfig needs the pod's spec");
  const model::PodSpec& spec = *inputs.spec;
  v1::PodSandboxConfig config;
  v1::PodSandboxMetadata* metadata = config.mutable_metadata();
  metadata->set_name(inputs.pod.name);
  metadata->set_namespace_(inputs.pod.namespace_);
  metadata->set_uid(inputs.pod.uid);
  metadata->set_attempt(inputs.attempt);

  // A host-network pod shares the node's UTS namespace: the runtime gives it
  // the node's hostname, so the kubelet leaves the field empty.
  if (!spec.hostNetwork) {
    auto hostname = podHostname(inputs.pod, spec);
    if (!hostname) return hostname.error();
    config.set_hostname(*hostname);
  }
  config.set_log_directory(podLogDirectory(inputs.node.logDir, inputs.pod));

  auto dns = podDns(spec, inputs.rawPodSpec, inputs.node.hostDns);
  if (!dns) return dns.error();
  v1::DNSConfig* dnsConfig = config.mutable_dns_config();
  for (const auto& server : dns->servers) dnsConfig->add_servers(server);
  for (const auto& search : dns->searches) dnsConfig->add_searches(search);
  for (const auto& option : dns->options) dnsConfig->add_options(option);

  addPortMappings(spec, config);
  addLabels(inputs, config);
  for (const auto& [key, value] : inputs.annotations) (*config.mutable_annotations())[key] = value;

  v1::LinuxPodSandboxConfig* linux = config.mutable_linux();
  linux->set_cgroup_parent(inputs.node.cgroupParent);
  auto sysctls = allowedSysctls(spec, inputs.rawPodSpec);
  if (!sysctls) return sysctls.error();
  for (const Sysctl& sysctl : *sysctls) (*linux->mutable_sysctls())[sysctl.name] = sysctl.value;
  auto security = sandboxSecurityContext(spec, inputs.rawPodSpec);
  if (!security) return security.error();
  *linux->mutable_security_context() = std::move(*security);
  return config;
}

}  // namespace daemonlet::runtime::cri
