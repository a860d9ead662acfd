#pragma once
// Rules about a pod spec that the plan, the reconciler, QoS and the runtime all
// apply, each written once here.
#include <chrono>
#include <cstdint>

#include "agent/model/types.h"

namespace daemonlet::model {

// The API server's default for terminationGracePeriodSeconds (defaults.cpp sets it).
inline constexpr std::int64_t kDefaultTerminationGracePeriodSeconds = 30;

// How long a stopping container gets between SIGTERM and SIGKILL.
std::chrono::seconds terminationGracePeriod(const PodSpec& spec);

// A sidecar is an init container with restartPolicy Always: started in init
// order, then kept running beside the main containers.
bool isSidecar(const Container& container, bool initContainer);

}  // namespace daemonlet::model
