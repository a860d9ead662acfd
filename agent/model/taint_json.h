#pragma once
// Taints as the Node API writes them: {"key", "value" (only when set), "effect"}.
// Used for the node the agent reports, serves and merges from the API server.
#include <vector>

#include "agent/model/types.h"

namespace daemonlet::model {

Json taintsToJson(const std::vector<Taint>& taints);

}  // namespace daemonlet::model
