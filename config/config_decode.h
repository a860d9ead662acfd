#pragma once
// Turns the merged configuration document into AgentConfig: defaults for what no
// layer set, typed values (durations, quantities, the listen address, enums) with
// a problem for each value that does not parse, directories made absolute. Range
// and Kubernetes-syntax checks are in config_validation.h.
#include <filesystem>
#include <vector>

#include "config/agent_config.h"
#include "config/config_merge.h"
#include "config/field_path.h"
#include "config/node_identity.h"

namespace daemonlet::config {

struct DecodedConfig {
  AgentConfig config;
  bool nodeNameFromHostname = false;
  FieldProblems problems;  // non-empty: `config` must not be used
  FieldProblems warnings;  // valid but worth telling (e.g. a non-loopback listen address)
};

// `layers.merged()` must have passed checkDocumentShape layer by layer.
// `workingDirectory` is the base for relative paths that no layer origin covers.
DecodedConfig decodeAgentConfig(const LayeredConfig& layers, const HostFacts& host,
                                const std::filesystem::path& workingDirectory);

// "127.0.0.1:10290", "[::1]:10290", "localhost:0", "unix:///run/daemonlet/api.sock".
// On failure returns nullopt and sets `why`.
std::optional<ListenAddress> parseListenAddress(std::string_view text, std::string* why);
bool isLoopback(const ListenAddress& address);

}  // namespace daemonlet::config
