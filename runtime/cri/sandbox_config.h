#pragma once
// A pod's CRI sandbox (RunPodSandbox's config), made the way the kubelet's
// kuberuntime makes it (generatePodSandboxConfig): metadata, hostname, log
// directory, DNS, host port mappings, the io.kubernetes.* labels plus
// daemonlet's ownership labels, annotations, and the Linux part (cgroup
// parent, sysctls, namespaces, pod-level user, groups and seccomp).
//
// Pure: the caller reads the node's facts (resolv.conf included, dns_config.h)
// and passes them in. The runtime handler (from runtimeClassName) is not part
// of the config: RunPodSandbox takes it beside.
#include <cstdint>
#include <string>

#include "agent/base/result.h"
#include "agent/model/types.h"
#include "runtime/cri/cri_proto_fwd.h"
#include "runtime/cri/dns_config.h"
#include "runtime/runtime.h"

namespace daemonlet::runtime::cri {

// What the node contributes to every sandbox.
struct SandboxNode {
  // The node's name. Not written into the config: a host-network pod gets the
  // node's hostname from the runtime (its UTS namespace is the node's).
  std::string nodeName;
  HostDns hostDns;           // the node's resolv.conf, parsed (dns_config.h)
  std::string logDir;        // sandbox logs: <logDir>/<namespace>_<name>_<uid>
  std::string cgroupParent;  // the cgroupfs parent of pod sandboxes, e.g. "/daemonlet"
  std::string agentId;       // labels::kAgent, the ownership mark
};

struct SandboxInputs {
  PodRef pod;
  const model::PodSpec* spec = nullptr;  // required
  // The template's spec as read (DaemonSet.raw spec.template.spec): fields the
  // model keeps only in raw JSON are read from it (securityContext.sysctls and
  // seccompProfile, dnsConfig, shareProcessNamespace, hostAliases). Null: none.
  const model::Json* rawPodSpec = nullptr;
  // The pod template's metadata: labels become sandbox labels, annotations
  // sandbox annotations.
  model::StringMap labels;
  model::StringMap annotations;
  // The sandbox's attempt: 0 for the first, +1 each time a sandbox of the same
  // pod is made again (the name of the previous one stays reserved until removed).
  std::uint32_t attempt = 0;
  SandboxNode node;
};

// Errors (kInvalidArgument) name the field, relative to the pod spec
// ("spec.securityContext.sysctls[0].name: ..."); the caller shows them as
// CreateContainerConfigError on the pod's containers.
base::Result<::runtime::v1::PodSandboxConfig> makeSandboxConfig(const SandboxInputs& inputs);

}  // namespace daemonlet::runtime::cri
