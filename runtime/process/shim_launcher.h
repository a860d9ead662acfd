#pragma once
// The agent's side of starting a container: run the shim with the spec and wait
// (briefly, bounded) for its report. The shim detaches itself, so the only child
// the agent ever has is the short-lived first shim process, reaped here.
#include <chrono>
#include <string>
#include <vector>

#include "agent/base/result.h"
#include "runtime/process/shim_protocol.h"

namespace daemonlet::runtime::process {

// `shimCommand` is the shim's argv prefix, e.g. {"/usr/bin/daemonlet", "shim"}.
// A report with started == false comes back as an error carrying its reason.
base::Result<ShimReport> launchShim(const std::vector<std::string>& shimCommand, const ShimSpec& spec,
                                    std::chrono::milliseconds timeout);

}  // namespace daemonlet::runtime::process
