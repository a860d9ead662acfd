#pragma once
// What a container's securityContext asks of a host process, resolved by the
// caller (agent/reconciler/host_security.h) into the few facts the runtime
// applies before exec. Fields a host process cannot honour never get here: the
// caller refuses the container instead (CreateContainerConfigError).
#include <cstdint>
#include <optional>
#include <vector>

#include "runtime/linux_capabilities.h"

namespace daemonlet::runtime {

struct ContainerSecurity {
  // privileged: true keeps every capability the runtime holds; otherwise the
  // process gets `capabilities` as bounding, permitted and effective set.
  bool privileged = false;
  CapabilitySet capabilities = containerdDefaultCapabilities();
  // capabilities.add, raised as ambient capabilities for a non-root user (who
  // would lose them at exec otherwise).
  CapabilitySet addedCapabilities = 0;
  bool noNewPrivileges = false;  // allowPrivilegeEscalation: false
  // Pod supplementalGroups plus fsGroup; the user's own groups are added by the runtime.
  std::vector<std::int64_t> supplementalGroups;
  // From the pod's QoS class (agent/decision/qos.h); unset: inherited.
  std::optional<int> oomScoreAdj;
};

}  // namespace daemonlet::runtime
