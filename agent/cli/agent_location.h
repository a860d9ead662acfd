#pragma once
// Where the CLI finds a running agent: its run directory, in which the agent
// records its API address (listen-address) and its reload verdicts
// (reload_verdict.h). The directory is --run-dir when given, else the runDir of
// the configuration file (--config, else the packaged /etc/daemonlet/config.yaml
// when it exists), else the built-in default (/run/daemonlet).
#include <optional>
#include <string>
#include <vector>

namespace daemonlet::cli {

struct AgentLocation {
  std::optional<std::string> runDir;      // --run-dir
  std::optional<std::string> configFile;  // --config
};

// Consumes --run-dir DIR and --config FILE (also --flag=value) from `args`.
AgentLocation takeAgentLocation(std::vector<std::string>& args);

// The run directory the flags, the configuration file or the default name.
std::string agentRunDirectory(const AgentLocation& location);

// Removes `flag VALUE` or `flag=VALUE` at args[i] into `into`; true when taken.
bool takeFlagValue(std::vector<std::string>& args, std::size_t i, const std::string& flag, std::string& into);

}  // namespace daemonlet::cli
