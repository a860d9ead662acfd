#pragma once
// `daemonlet run` flags (../shared/DESIGN.md). Parsing checks only the flags' own
// form (known flag, value present, k=v and k=v:Effect shape); what the values mean
// (label syntax, taint effects, paths, ports) is validated with the rest of the
// configuration, so a bad value reads the same from a flag or from the file.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/result.h"
#include "agent/model/types.h"

namespace daemonlet::config {

struct CommandLineOverrides {
  std::optional<std::string> configFile;  // --config; without it no file is read
  std::optional<std::string> nodeName;
  // --node-labels merges over the file's labels (maps merge); --node-taints
  // replaces the file's taints (lists replace), so --node-taints= clears them.
  std::optional<model::StringMap> nodeLabels;
  std::optional<std::vector<model::Taint>> nodeTaints;
  std::optional<std::string> manifestDir;
  std::optional<std::string> stateDir;
  std::optional<std::string> logDir;
  std::optional<std::string> runDir;
  std::optional<std::string> listen;
  std::optional<std::string> criEndpoint;  // --cri-endpoint
  std::optional<std::string> cgroupRoot;
  std::optional<std::string> logLevel;
  // The central endpoint and upward reports (endpoint.* and reports.* in the file).
  std::optional<std::string> endpointUrl;           // --endpoint
  std::optional<std::string> endpointMode;          // --endpoint-mode
  std::optional<std::string> endpointCaFile;        // --endpoint-ca-file
  std::optional<std::string> endpointTokenFile;     // --endpoint-token-file
  std::optional<std::string> endpointPollInterval;  // --endpoint-poll-interval
  std::optional<std::string> reportUrl;             // --report-url
  std::optional<std::string> reportInterval;        // --report-interval
  bool help = false;  // -h/--help: the caller prints runFlagsUsage() and exits 0
};

// `args` are the words after `run`. Accepts `--flag value` and `--flag=value`.
// A repeated scalar flag takes its last value; repeated --node-labels/--node-taints
// accumulate. Errors (unknown flag, missing value, stray argument, malformed label
// or taint) name the flag; the CLI treats them as usage errors.
base::Result<CommandLineOverrides> parseRunFlags(std::vector<std::string> args);

// "k=v,k2=v2" (kubelet's --node-labels form): empty items are skipped, keys and
// values trimmed, an item without '=' or a key given twice is an error. An empty
// value ("k=") is allowed.
base::Result<model::StringMap> parseNodeLabels(std::string_view text);

// "k=v:Effect,k2:Effect" (kubelet's --register-with-taints form). The effect is
// required; its value and the key's syntax are checked by validation.
base::Result<std::vector<model::Taint>> parseNodeTaints(std::string_view text);

// The flag reference printed by `daemonlet run --help`.
std::string runFlagsUsage();

}  // namespace daemonlet::config
