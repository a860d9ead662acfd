#pragma once
// Renders status snapshots as JSON: the agent's own /status document and the
// core/v1 PodList of /api/v1/pods (the shape the kubelet's /pods serves).
#include <optional>
#include <string>

#include "agent/model/types.h"
#include "agent/status/status_snapshot.h"

namespace daemonlet::status {

// RFC 3339 in UTC with seconds precision, as Kubernetes' metav1.Time.
std::string formatTime(WallTime time);
// formatTime, or null when there is no time (a metav1.Time field left unset).
model::Json optionalTimeJson(const std::optional<WallTime>& time);

model::Json statusJson(const StatusSnapshot& snapshot);
model::Json podListJson(const StatusSnapshot& snapshot);
model::Json podJson(const StatusSnapshot& snapshot, const PodView& pod);

}  // namespace daemonlet::status
