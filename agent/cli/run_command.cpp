// `daemonlet run` (the agent) and `daemonlet shim` (the shim host that parents containers,
// started by the host-process runtime, never by people).
#include <iostream>

#include "agent/cli/agent_runner.h"
#include "agent/cli/cli.h"
#include "agent/cli/commands.h"
#include "config/agent_config_loader.h"
#include "runtime/process/shim_main.h"

namespace daemonlet::cli {

int runRunCommand(const Arguments& args, CommandIo& io) {
  auto overrides = config::parseRunFlags(args);
  if (!overrides) {
    io.err << "daemonlet run: " << overrides.error().describe() << "\n\n" << config::runFlagsUsage();
    return kExitUsage;
  }
  if (overrides->help) {
    io.out << config::runFlagsUsage();
    return kExitOk;
  }
  auto loaded = config::loadAgentConfig(*overrides);
  if (!loaded) {
    io.err << "daemonlet run: invalid configuration:\n" << loaded.error().describe() << "\n";
    return config::kExitConfig;
  }
  return runAgent(*loaded, *overrides);
}

int runShimCommand(const Arguments& args, CommandIo&) {
  std::vector<std::string> words = {"shim"};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  return runtime::process::runShim(static_cast<int>(words.size()), argv.data());
}

}  // namespace daemonlet::cli
