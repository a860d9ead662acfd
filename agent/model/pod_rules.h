#pragma once
// Rules about a pod spec that the plan, the reconciler, QoS and the runtime all
// apply, each written once here.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "agent/model/types.h"

namespace daemonlet::model {

// The API server's default for terminationGracePeriodSeconds (defaults.cpp sets it).
inline constexpr std::int64_t kDefaultTerminationGracePeriodSeconds = 30;

// How long a stopping container gets between SIGTERM and SIGKILL.
std::chrono::seconds terminationGracePeriod(const PodSpec& spec);

// A sidecar is an init container with restartPolicy Always: started in init
// order, then kept running beside the main containers.
bool isSidecar(const Container& container, bool initContainer);

// A container's field path in its pod, as the kubelet and the API server name
// it in errors: "spec.containers[1]", "spec.initContainers[0]". Refusals about a
// DaemonSet's template prefix it with "spec.template.".
std::string containerFieldPath(bool initContainer, std::size_t index);

}  // namespace daemonlet::model
