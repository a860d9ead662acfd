#include "agent/cli/config_reload.h"

#include "agent/base/log.h"
#include "config/agent_config_loader.h"

namespace daemonlet::cli {

base::Result<config::AgentConfig> reloadAgentConfig(const config::AgentConfig& running,
                                                     const config::CommandLineOverrides& overrides) {
  auto reloaded = config::loadAgentConfig(overrides);
  if (!reloaded) {
    base::logError("configuration reload refused; keeping the running configuration",
                   {{"error", reloaded.error().describe()}});
    return reloaded.error();
  }
  for (const auto& field : config::fieldsNeedingRestart(running, *reloaded)) {
    base::logWarning("setting changed on reload takes effect only after a restart", {{"field", field}});
  }
  for (const auto& warning : reloaded->warnings) base::logWarning(warning);
  base::setLogLevel(reloaded->logLevel);
  return std::move(reloaded).value();
}

}  // namespace daemonlet::cli
