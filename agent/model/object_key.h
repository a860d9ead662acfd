#pragma once
// "namespace/name": the key a DaemonSet, and every pod it owns, is known by in
// the sources, the plan, the reconciler and the status views.
#include <string>
#include <string_view>

#include "agent/model/types.h"

namespace daemonlet::model {

// The namespace is taken as given: a decoded object's is already defaulted.
std::string objectKey(std::string_view namespace_, std::string_view name);
std::string daemonSetKey(const ObjectMeta& metadata);
std::string daemonSetKey(const DaemonSet& daemonSet);

}  // namespace daemonlet::model
