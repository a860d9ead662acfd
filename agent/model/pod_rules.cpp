#include "agent/model/pod_rules.h"

namespace daemonlet::model {

std::chrono::seconds terminationGracePeriod(const PodSpec& spec) {
  return std::chrono::seconds(spec.terminationGracePeriodSeconds.value_or(kDefaultTerminationGracePeriodSeconds));
}

bool isSidecar(const Container& container, bool initContainer) {
  return initContainer && container.restartPolicy == "Always";
}

std::string containerFieldPath(bool initContainer, std::size_t index) {
  return std::string(initContainer ? "spec.initContainers[" : "spec.containers[") + std::to_string(index) + "]";
}

}  // namespace daemonlet::model
