#include "agent/model/object_key.h"

namespace daemonlet::model {

std::string objectKey(std::string_view namespace_, std::string_view name) {
  std::string key;
  key.reserve(namespace_.size() + 1 + name.size());
  key.append(namespace_).append("/").append(name);
  return key;
}

std::string daemonSetKey(const ObjectMeta& metadata) { return objectKey(metadata.namespace_, metadata.name); }

std::string daemonSetKey(const DaemonSet& daemonSet) { return daemonSetKey(daemonSet.metadata); }

}  // namespace daemonlet::model
