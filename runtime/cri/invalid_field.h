#pragma once
// The one error the pod-to-CRI mapping returns for a field it cannot map: it
// names the field (spec.containers[0]...), so the pod's waiting message does too.
#include <string>

#include "agent/base/result.h"

namespace daemonlet::runtime::cri {

inline base::Error invalidField(const std::string& field, const std::string& why) {
  return base::makeError(base::ErrorCode::kInvalidArgument, why, field);
}

}  // namespace daemonlet::runtime::cri
