#pragma once
// AgentRunner: `daemonlet run`. The one place that builds every part of the agent
// and wires them together (STYLE.md: only main knows every part):
//   sources thread: manifest directory watcher -> snapshots posted to the loop
//   endpoint thread(s): the central endpoint (endpoint_wiring.h) -> cache, loop,
//                   where the desired set (sources/desired_set.h) merges the sources
//   reporter thread: upward status reports, cued after each publish
//   loop thread:    reconciler + process runtime + timers + signals
//   HTTP threads:   local API, reading published snapshots
// SIGTERM/SIGINT stop the agent and leave every daemon running; SIGHUP reloads
// the configuration (an invalid one is refused and the old one stays).
#include "config/agent_config.h"
#include "config/command_line.h"

namespace daemonlet::cli {

// Returns the process exit code.
int runAgent(const config::AgentConfig& config, const config::CommandLineOverrides& overrides);

}  // namespace daemonlet::cli
