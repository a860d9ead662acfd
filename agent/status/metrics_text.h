#pragma once
// Prometheus text exposition (format 0.0.4) of a status snapshot. Names carry
// the daemonlet_ prefix, base units (seconds) and _total for counters.
#include <string>

#include "agent/status/status_snapshot.h"

namespace daemonlet::status {

std::string metricsText(const StatusSnapshot& snapshot);

}  // namespace daemonlet::status
