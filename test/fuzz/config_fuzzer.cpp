// Fuzz target: the bytes are the --config file, read by the real loader (YAML to
// JSON, shape check, merge, decode, validation). Every outcome must be a value
// or an error, never a crash or an escaping exception.
#include <cstddef>
#include <cstdint>

#include "config/agent_config_loader.h"
#include "test/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace daemonlet;
  static const auto file = fuzz::scratchDir() / "config.yaml";  // no config.d/ beside it
  fuzz::writeFile(file, fuzz::asText(data, size));

  config::CommandLineOverrides overrides;
  overrides.configFile = file.string();
  const config::LoadEnvironment environment{{"fuzz-host", "x86_64"}, fuzz::scratchDir()};
  auto loaded = config::loadAgentConfig(overrides, environment);
  if (loaded) {
    fuzz::require(config::fieldsNeedingRestart(*loaded, *loaded).empty(), "a config differs from itself");
  } else {
    (void)loaded.error().describe();
  }
  return 0;
}
