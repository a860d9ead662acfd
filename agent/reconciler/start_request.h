#pragma once
// The start request a container of a pod's spec becomes: the environment,
// command and args resolved as the kubelet resolves them (container_env.h), the
// host runtime's security settings (host_security.h), runAsUser/runAsGroup
// from the container's securityContext over the pod's, resource limits and the
// grace period. Pure: the caller supplies the node facts (PodEnvContext, node
// memory, whether the agent runs as root); no clock, no runtime.
#include <chrono>
#include <cstdint>

#include "agent/base/result.h"
#include "agent/model/types.h"
#include "agent/reconciler/container_env.h"
#include "agent/reconciler/pod_state.h"
#include "runtime/runtime.h"

namespace daemonlet::reconciler {

// The pod's metadata.deletionGracePeriodSeconds as the API server sets it: the
// grace its deletion gave (DeleteOptions.gracePeriodSeconds; a later, shorter
// one replaces it) if any, else the spec's; the default for a pod whose spec is
// not known (rebuilt from the runtime alone). 0 means the API server removed
// the object at once (a forced deletion).
std::chrono::seconds deletionGracePeriod(const PodState& pod);

// The grace period the pod's containers get when stopped: deletionGracePeriod,
// never less than 1 s, as the kubelet's calculateEffectiveGracePeriod ("no
// matter what, we always supply a grace period of 1"): even a forced deletion
// sends SIGTERM and waits a second. The one home of that rule: every stop of a
// pod asks here.
std::chrono::seconds terminationGrace(const PodState& pod);

// The spec of the slot's container in the pod's spec; null when the pod's spec is
// not known or no longer names it.
const model::Container* containerSpec(const PodState& pod, const ContainerSlot& slot);

struct NodeFacts {
  PodEnvContext env;                 // the pod's and node's fields for fieldRef / resourceFieldRef
  std::int64_t nodeMemoryBytes = 0;  // for the Burstable oom_score_adj
  bool agentIsRoot = false;          // runAsNonRoot without runAsUser is refused when root
};

// The request to start `slot` of `pod` (whose spec must be known and name the
// slot's container). An error means the container cannot start as specified
// (CreateContainerConfigError): an unresolvable env reference or, for a pod of
// the host runtime, a security field it cannot honour; its describe() is the
// message to show. The request's podSpec shares the pod's DaemonSet.
base::Result<runtime::ContainerStartRequest> containerStartRequest(const PodState& pod,
                                                                   const ContainerSlot& slot,
                                                                   const NodeFacts& node);

}  // namespace daemonlet::reconciler
