#include "config/command_line.h"

#include <functional>
#include <map>
#include <utility>

#include "config/agent_config.h"

namespace daemonlet::config {
namespace {

base::Error usageError(std::string message, std::string flag = {}) {
  return base::makeError(base::ErrorCode::kInvalidArgument, std::move(message), std::move(flag));
}

std::string_view trim(std::string_view s) {
  const auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> splitCommas(std::string_view text) {
  std::vector<std::string_view> items;
  while (true) {
    const std::size_t comma = text.find(',');
    const std::string_view item = trim(text.substr(0, comma));
    if (!item.empty()) items.push_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return items;
}

// Flags that take a plain string, and where each value goes.
using StringSlot = std::optional<std::string> CommandLineOverrides::*;
const std::map<std::string, StringSlot, std::less<>>& stringFlags() {
  static const std::map<std::string, StringSlot, std::less<>> flags = {
      {"--config", &CommandLineOverrides::configFile},
      {"--node-name", &CommandLineOverrides::nodeName},
      {"--manifest-dir", &CommandLineOverrides::manifestDir},
      {"--state-dir", &CommandLineOverrides::stateDir},
      {"--log-dir", &CommandLineOverrides::logDir},
      {"--run-dir", &CommandLineOverrides::runDir},
      {"--listen", &CommandLineOverrides::listen},
      {"--cri-endpoint", &CommandLineOverrides::criEndpoint},
      {"--cgroup-root", &CommandLineOverrides::cgroupRoot},
      {"--log-level", &CommandLineOverrides::logLevel},
      {"--endpoint", &CommandLineOverrides::endpointUrl},
      {"--endpoint-mode", &CommandLineOverrides::endpointMode},
      {"--endpoint-ca-file", &CommandLineOverrides::endpointCaFile},
      {"--endpoint-token-file", &CommandLineOverrides::endpointTokenFile},
      {"--endpoint-poll-interval", &CommandLineOverrides::endpointPollInterval},
      {"--report-url", &CommandLineOverrides::reportUrl},
      {"--report-interval", &CommandLineOverrides::reportInterval},
  };
  return flags;
}

// Flags of earlier versions, refused with what replaced them.
const std::map<std::string, std::string, std::less<>>& removedFlags() {
  static const std::map<std::string, std::string, std::less<>> flags = {
      {"--default-runtime", std::string(kDefaultRuntimeRemoved)},
      {"--container-runtime-endpoint", "--cri-endpoint replaced it"},
  };
  return flags;
}

}  // namespace

base::Result<model::StringMap> parseNodeLabels(std::string_view text) {
  model::StringMap labels;
  for (const std::string_view item : splitCommas(text)) {
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      return usageError("\"" + std::string(item) + "\" is not key=value", "--node-labels");
    }
    const std::string key(trim(item.substr(0, eq)));
    const std::string value(trim(item.substr(eq + 1)));
    if (!labels.emplace(key, value).second) {
      return usageError("label \"" + key + "\" is given twice", "--node-labels");
    }
  }
  return labels;
}

base::Result<std::vector<model::Taint>> parseNodeTaints(std::string_view text) {
  std::vector<model::Taint> taints;
  for (const std::string_view item : splitCommas(text)) {
    const auto malformed = [&item] {
      return usageError("\"" + std::string(item) + "\" is not key=value:Effect or key:Effect",
                        "--node-taints");
    };
    const std::size_t colon = item.find(':');
    if (colon == std::string_view::npos || item.find(':', colon + 1) != std::string_view::npos)
      return malformed();
    const std::string_view keyValue = item.substr(0, colon);
    model::Taint taint;
    taint.effect = std::string(trim(item.substr(colon + 1)));
    const std::size_t eq = keyValue.find('=');
    if (eq == std::string_view::npos) {
      taint.key = std::string(trim(keyValue));
    } else {
      if (keyValue.find('=', eq + 1) != std::string_view::npos) return malformed();
      taint.key = std::string(trim(keyValue.substr(0, eq)));
      taint.value = std::string(trim(keyValue.substr(eq + 1)));
    }
    taints.push_back(std::move(taint));
  }
  return taints;
}

base::Result<CommandLineOverrides> parseRunFlags(std::vector<std::string> args) {
  CommandLineOverrides out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h" || arg == "--help") {
      out.help = true;
      continue;
    }
    if (!arg.starts_with("--") || arg == "--") {
      return usageError("unexpected argument \"" + arg + "\" (daemonlet run takes flags only)");
    }
    const std::size_t eq = arg.find('=');
    const std::string name = arg.substr(0, eq);
    if (auto removed = removedFlags().find(name); removed != removedFlags().end()) {
      return usageError("flag removed: " + removed->second, name);
    }
    const bool known = stringFlags().count(name) > 0 || name == "--node-labels" || name == "--node-taints";
    if (!known) return usageError("unknown flag " + name + " (see daemonlet run --help)");

    std::string value;
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
    } else {
      // A following word that is itself a flag means the value was forgotten; no
      // value of ours starts with "--".
      if (i + 1 >= args.size() || args[i + 1].starts_with("--")) {
        return usageError("flag needs a value", name);
      }
      value = args[++i];
    }

    if (name == "--node-labels") {
      auto labels = parseNodeLabels(value);
      if (!labels) return labels.error();
      if (!out.nodeLabels) out.nodeLabels.emplace();
      for (auto& [key, labelValue] : *labels) {
        if (!out.nodeLabels->emplace(key, labelValue).second) {
          return usageError("label \"" + key + "\" is given twice", name);
        }
      }
    } else if (name == "--node-taints") {
      auto taints = parseNodeTaints(value);
      if (!taints) return taints.error();
      if (!out.nodeTaints) out.nodeTaints.emplace();
      out.nodeTaints->insert(out.nodeTaints->end(), taints->begin(), taints->end());
    } else {
      out.*(stringFlags().find(name)->second) = std::move(value);
    }
  }
  return out;
}

std::string runFlagsUsage() {
  return R"(Usage: daemonlet run [flags]

Runs the agent. Without --config no file is read and the flags below (with the
built-in defaults) are the whole configuration.

Flags (each overrides the same setting from the config file and its drop-ins):
  --config FILE                      config file (e.g. /etc/daemonlet/config.yaml); *.yaml
                                     files in config.d/ beside it are merged over it in name order
  --node-name NAME                   node name (default: the host name, lowercased)
  --node-labels k=v,...              node labels, merged over the file's labels
  --node-taints k=v:Effect,...       node taints (also k:Effect), replacing the file's taints;
                                     Effect is NoSchedule, PreferNoSchedule or NoExecute
  --manifest-dir DIR                 DaemonSet manifests (default /etc/daemonlet/manifests)
  --state-dir DIR                    agent state (default /var/lib/daemonlet)
  --log-dir DIR                      container logs (default /var/log/pods)
  --run-dir DIR                      runtime files: API token, sockets (default /run/daemonlet)
  --listen HOST:PORT|unix:///PATH    local status API (default 127.0.0.1:10290)
  --cri-endpoint unix:///PATH        the CRI socket that runs every pod without runtimeClassName:
                                     host (default unix:///run/containerd/containerd.sock)
  --cgroup-root PATH                 parent cgroup of the pods (default /daemonlet; "" for none)
  --log-level debug|info|warning|error   (default info)
  --endpoint URL                     central endpoint serving the fleet's DaemonSets (http(s);
                                     default none: the manifest directory alone)
  --endpoint-mode http|kubernetes    a DaemonSetList/YAML over HTTP(S), or a Kubernetes API
                                     server's list/watch (default http)
  --endpoint-ca-file FILE            CA bundle (PEM) for the endpoint and reports (default: system)
  --endpoint-token-file FILE         bearer token for the endpoint and reports, re-read on change
  --endpoint-poll-interval DURATION  http mode: time between polls (default 30s)
  --report-url TEMPLATE              PUT node status reports here; {node} is the node name
                                     (e.g. https://fleet.example/nodes/{node}; default none)
  --report-interval DURATION         heartbeat: a full report at least this often (default 1m)
  -h, --help                         this text

An invalid configuration exits with status 78; on SIGHUP it is reloaded, and an
invalid one is refused while the running one stays in force.
)";
}

}  // namespace daemonlet::config
