#include "runtime/runtime.h"

namespace daemonlet::runtime {

const char* containerStateName(ContainerState state) {
  switch (state) {
    case ContainerState::kWaiting: return "Waiting";
    case ContainerState::kRunning: return "Running";
    case ContainerState::kExited: return "Exited";
    case ContainerState::kUnknown: return "Unknown";
  }
  return "Unknown";
}

std::string defaultContainerLogPath(const std::string& logDir, const PodRef& pod,
                                    const std::string& containerName, int restartCount) {
  return logDir + "/" + pod.namespace_ + "_" + pod.name + "_" + pod.uid + "/" + containerName + "/" +
         std::to_string(restartCount) + ".log";
}

}  // namespace daemonlet::runtime
