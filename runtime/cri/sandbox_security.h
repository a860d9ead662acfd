#pragma once
// The Linux security of a pod's sandbox and the rules its containers share with
// it, as the kubelet sets them (generatePodSandboxLinuxConfig, NamespacesForPod,
// the sysctl admission):
//   - namespaces: hostNetwork/hostIPC/hostPID → NODE; else the pod's own, except
//     the PID namespace, which is each container's own unless
//     shareProcessNamespace;
//   - the pod's runAsUser/runAsGroup, fsGroup then supplementalGroups;
//   - privileged when any container (init containers included) is;
//   - seccomp RuntimeDefault for the sandbox itself (its pause process);
//   - sysctls: the kubelet's safe set only (no --allowed-unsafe-sysctls here),
//     and none of a namespace the pod shares with the host (net.* with
//     hostNetwork, IPC ones with hostIPC).
#include <vector>

#include "agent/base/result.h"
#include "agent/model/types.h"
#include "runtime/cri/proto/api.pb.h"
#include "runtime/cri/raw_pod_fields.h"

namespace daemonlet::runtime::cri {

::runtime::v1::NamespaceOption podNamespaces(const model::PodSpec& spec, const model::Json* rawPodSpec);

base::Result<::runtime::v1::LinuxSandboxSecurityContext> sandboxSecurityContext(const model::PodSpec& spec,
                                                                               const model::Json* rawPodSpec);

// The pod's sysctls, or the first forbidden one as an error naming its field
// ("spec.securityContext.sysctls[0].name: forbidden sysctl: \"kernel.panic\" not allowlisted").
base::Result<std::vector<Sysctl>> allowedSysctls(const model::PodSpec& spec, const model::Json* rawPodSpec);

}  // namespace daemonlet::runtime::cri
