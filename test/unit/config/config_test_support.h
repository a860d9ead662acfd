#pragma once
// What the loader tests share: the lines every configuration file starts with,
// and the host the loader runs on.
#include <filesystem>
#include <string>

#include "config/agent_config_loader.h"

namespace daemonlet::config {

inline constexpr const char* kHeader = "apiVersion: daemonlet.io/v1alpha1\nkind: AgentConfiguration\n";

// A host named host-1 whose working directory is `cwd` (relative paths resolve there).
inline LoadEnvironment environment(const std::filesystem::path& cwd = "/work") {
  return LoadEnvironment{HostFacts{"host-1", "x86_64"}, cwd};
}

}  // namespace daemonlet::config
