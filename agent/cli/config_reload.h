#pragma once
// SIGHUP's configuration reload for `daemonlet run`: reads the configuration
// again with the same command-line overrides. An invalid one is refused (logged)
// and the running one stays (the error says why); settings that only a restart applies are named in
// a warning. Applies the log level at once; the caller applies the node identity.

#include "config/agent_config.h"
#include "config/command_line.h"

namespace daemonlet::cli {

base::Result<config::AgentConfig> reloadAgentConfig(const config::AgentConfig& running,
                                                     const config::CommandLineOverrides& overrides);

}  // namespace daemonlet::cli
