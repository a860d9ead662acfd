#pragma once
// The pod's QoS class and each container's oom_score_adj, as the kubelet
// computes them (pkg/apis/core/v1/helper/qos ComputePodQOS and
// pkg/kubelet/qos/policy.go GetContainerOOMScoreAdjust), so a host process is
// as killable under memory pressure as the same container would be on a
// kubelet node. Without this every daemon would inherit the agent's own
// oom_score_adj (-999 under the unit): nearly immune to the OOM killer.
//
// Expects defaulted pods (agent/model/defaults.h): a limit without a request
// has already become a request of the same amount. Pod-level resources
// (PodLevelResources, alpha) are not in the model and not considered.
#include <cstdint>

#include "agent/model/types.h"

namespace daemonlet::decision {

enum class QosClass { kGuaranteed, kBurstable, kBestEffort };
const char* qosClassName(QosClass qos);  // "Guaranteed", "Burstable", "BestEffort"

// Sums cpu and memory requests and limits over containers and init containers
// (quantities <= 0 ignored). No request and no limit: BestEffort. Every
// container limits both cpu and memory and the sums of requests equal the sums
// of limits: Guaranteed. Otherwise Burstable.
QosClass podQosClass(const model::PodSpec& spec);

inline constexpr int kGuaranteedOomScoreAdj = -997;
inline constexpr int kBestEffortOomScoreAdj = 1000;

// Node-critical pods (priorityClassName system-node-critical) and Guaranteed
// pods: -997; BestEffort: 1000; Burstable: 1000 - 1000 * memoryRequest /
// memoryCapacity, kept within [3, 999] so it stays above Guaranteed and below
// BestEffort. A sidecar (an init container with restartPolicy Always) gets no
// more than what the smallest regular container's request gives.
// `memoryCapacityBytes` <= 0 (unknown) counts a Burstable container as 999.
int containerOomScoreAdj(const model::PodSpec& spec, const model::Container& container,
                         std::int64_t memoryCapacityBytes);

}  // namespace daemonlet::decision
