#include "agent/cli/agent_location.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>

#include "config/agent_config.h"
#include "config/agent_config_loader.h"

namespace daemonlet::cli {
namespace {

std::optional<std::string> runDirOfRefusedFile(const std::string& path) {
  try {
    YAML::Node runDir = YAML::LoadFile(path)["runDir"];
    if (runDir.IsScalar() && !runDir.Scalar().empty()) return runDir.Scalar();
  } catch (const YAML::Exception&) {
  }
  return std::nullopt;
}

}  // namespace

bool takeFlagValue(std::vector<std::string>& args, std::size_t i, const std::string& flag, std::string& into) {
  if (args[i] == flag && i + 1 < args.size()) {
    into = args[i + 1];
    args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i) + 2);
    return true;
  }
  if (args[i].rfind(flag + "=", 0) == 0) {
    into = args[i].substr(flag.size() + 1);
    args.erase(args.begin() + static_cast<long>(i));
    return true;
  }
  return false;
}

AgentLocation takeAgentLocation(std::vector<std::string>& args) {
  AgentLocation location;
  for (std::size_t i = 0; i < args.size();) {
    std::string value;
    if (takeFlagValue(args, i, "--run-dir", value)) {
      location.runDir = value;
    } else if (takeFlagValue(args, i, "--config", value)) {
      location.configFile = value;
    } else {
      ++i;
    }
  }
  return location;
}

std::string agentRunDirectory(const AgentLocation& location) {
  if (location.runDir) return *location.runDir;
  config::CommandLineOverrides overrides;
  if (location.configFile) {
    overrides.configFile = *location.configFile;
  } else {
    std::error_code ec;
    if (std::filesystem::exists(config::kPackagedConfigFile, ec)) overrides.configFile = std::string(config::kPackagedConfigFile);
  }
  if (!overrides.configFile) return config::AgentConfig{}.runDir;
  if (auto loaded = config::loadAgentConfig(overrides)) return loaded->runDir;
  // A file the agent would refuse (the case `daemonlet reload` must report)
  // still names the run directory the running agent read from its last good
  // version, unless that very setting was edited: read it on its own.
  return runDirOfRefusedFile(*overrides.configFile).value_or(config::AgentConfig{}.runDir);
}

}  // namespace daemonlet::cli
