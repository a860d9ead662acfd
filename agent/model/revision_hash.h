#pragma once
// The revision hash: a stable digest of a DaemonSet's defaulted pod template. It
// ignores key order, formatting and defaulted-versus-explicit fields, and must not
// change between agent versions for the same template: the agent compares it with
// the hash it recorded for running pods to tell an update from no change.
#include <string>

#include "agent/model/types.h"

namespace daemonlet::model {

// 10 characters from Kubernetes' "safe" alphabet (bcdfghjklmnpqrstvwxz2456789),
// like a ControllerRevision hash label. `daemonSet.raw` must be defaulted.
std::string revisionHash(const DaemonSet& daemonSet);

}  // namespace daemonlet::model
