#pragma once
// The host runtime and a container's security fields: what a host process can
// honour becomes runtime::ContainerSecurity (applied by the shim before exec);
// what it cannot is refused, naming the field, so the container waits with
// CreateContainerConfigError (as the kubelet does for runAsNonRoot) instead of
// quietly running with less isolation than its manifest asks for:
//   - spec.runtimeClassName other than "host" (for `daemonlet validate`: the
//     reconciler never gives such a pod to the host runtime, see RuntimeSet),
//   - runAsNonRoot with runAsUser 0, or without runAsUser when the agent (whose
//     user the process would inherit) is root,
//   - readOnlyRootFilesystem: true (a host process shares the host's root),
//   - volumeMounts: without a mount namespace only a read-write hostPath
//     mounted at its own path can be honoured (a no-op: the process sees that
//     path anyway); anything else (other sources, another path, readOnly,
//     subPath) is refused,
//   - capability names the kernel does not know (capabilities.add/drop),
//   - Localhost seccomp and AppArmor profiles (the host runtime loads none).
// Validation (`daemonlet validate`) reports the same refusals as warnings.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "agent/base/result.h"
#include "agent/model/types.h"
#include "runtime/container_security.h"

namespace daemonlet::reconciler {

struct ContainerRef {
  bool init = false;
  std::size_t index = 0;  // in spec.initContainers or spec.containers
};

// Each refusal reads "<field path>: <why>", the path from the DaemonSet
// (spec.template.spec.containers[0].securityContext.runAsNonRoot).
std::vector<std::string> hostRuntimeRefusals(const model::DaemonSet& ds, ContainerRef container,
                                             bool agentIsRoot);
// Every container's refusals (and the pod's, once).
std::vector<std::string> hostRuntimeRefusals(const model::DaemonSet& ds, bool agentIsRoot);

// The settings the container's securityContext and QoS class ask for, whatever
// runs it; a CRI runtime reads the spec itself and may ignore them.
runtime::ContainerSecurity containerSecurity(const model::DaemonSet& ds, ContainerRef container,
                                             std::int64_t nodeMemoryBytes);

// The settings to apply, or the refusals as one error (its message joins them).
// `nodeMemoryBytes` feeds the Burstable oom_score_adj (decision/qos.h).
base::Result<runtime::ContainerSecurity> hostContainerSecurity(const model::DaemonSet& ds,
                                                               ContainerRef container,
                                                               std::int64_t nodeMemoryBytes,
                                                               bool agentIsRoot);

}  // namespace daemonlet::reconciler
