#pragma once
// Builds the agent's configuration: the --config file, then its drop-ins
// (config.d/*.yaml beside it, in lexical order of their names), then the flags.
// Maps merge key by key, scalars and lists replace, an explicit null resets a field
// to its default. Without --config no file is read; a --config file that is missing
// is an error.
//
// Contract:
// - Every failure is a configuration error: `daemonlet run` exits with kExitConfig
//   (78). The error's message holds one line per problem, each naming the file or
//   flag and the field: `/etc/daemonlet/config.yaml: node.taints[1].effect:
//   Unsupported value: "NoRun": supported values: "NoSchedule", ...`.
// - SIGHUP calls the same loader with the same overrides. On error the caller logs
//   the message and keeps the configuration it is running with; nothing here holds
//   state between calls. Node labels and taints from a reload apply at once;
//   fieldsNeedingRestart() lists the settings a running agent cannot change.
// - Warnings (e.g. a user label for a well-known key, dropped) come back in
//   AgentConfig::warnings for the caller to log once; this code never logs.
// - Reads files only; thread-compatible (no shared state).
#include <filesystem>
#include <string>
#include <vector>

#include "agent/base/result.h"
#include "config/agent_config.h"
#include "config/command_line.h"
#include "config/node_identity.h"

namespace daemonlet::config {

base::Result<AgentConfig> loadAgentConfig(const CommandLineOverrides& overrides);

// The same with the host facts and working directory given (tests; and a reload
// that wants to keep the facts read at start).
struct LoadEnvironment {
  HostFacts host;
  std::filesystem::path workingDirectory;  // base for relative paths given in flags
};
base::Result<AgentConfig> loadAgentConfig(const CommandLineOverrides& overrides,
                                          const LoadEnvironment& environment);

// Names of the settings that differ between `running` and `reloaded` but take
// effect only when the agent restarts (directories, listen address, the cri
// section, cgroup root, the endpoint and reports sections), e.g.
// {"stateDir", "listen", "endpoint"}. The caller
// warns about them; everything else applies on reload.
std::vector<std::string> fieldsNeedingRestart(const AgentConfig& running, const AgentConfig& reloaded);

}  // namespace daemonlet::config
