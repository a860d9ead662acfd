#pragma once
// The agent's side of starting a container: run the shim with the spec and wait
// (bounded) for its report. The shim detaches itself, so the only child the
// agent ever has is the short-lived first shim process, reaped here.
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "agent/base/result.h"
#include "runtime/process/shim_protocol.h"

namespace daemonlet::runtime::process {

// `shimCommand` is the shim's argv prefix, e.g. {"/usr/bin/daemonlet", "shim"}.
// A report with started == false comes back as an error carrying its reason.
// Blocks the calling thread until the shim reports.
base::Result<ShimReport> launchShim(const std::vector<std::string>& shimCommand, const ShimSpec& spec,
                                    std::chrono::milliseconds timeout);

// The same without blocking: the shim is spawned and given its spec at once,
// its report is read on `io`, and `done` runs there with the outcome (never
// before this returns). Many launches can be in flight together; that is what
// lets a cold start of many daemons overlap their shims' exec and start-up.
using ShimReportCallback = std::function<void(base::Result<ShimReport>)>;
void launchShimAsync(boost::asio::io_context& io, const std::vector<std::string>& shimCommand,
                     const ShimSpec& spec, std::chrono::milliseconds timeout, ShimReportCallback done);

}  // namespace daemonlet::runtime::process
