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

std::string podLogDirectory(const std::string& logDir, const PodRef& pod) {
  return logDir + "/" + pod.namespace_ + "_" + pod.name + "_" + pod.uid;
}

std::string containerLogFileName(const std::string& containerName, int restartCount) {
  return containerName + "/" + std::to_string(restartCount) + ".log";
}

std::string defaultContainerLogPath(const std::string& logDir, const PodRef& pod,
                                    const std::string& containerName, int restartCount) {
  return podLogDirectory(logDir, pod) + "/" + containerLogFileName(containerName, restartCount);
}

}  // namespace daemonlet::runtime
