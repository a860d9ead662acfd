#include "runtime/cri/container_env_order.h"

#include <algorithm>
#include <map>
#include <set>

#include "agent/model/var_references.h"

namespace daemonlet::runtime::cri {
namespace {

// The value a pod-IP fieldRef gets, or nullopt for any other variable.
std::optional<std::string> podIPValue(const model::EnvVar& var, const std::vector<std::string>& podIPs) {
  if (!var.valueFrom || !var.valueFrom->fieldRef) return std::nullopt;
  const std::string& path = var.valueFrom->fieldRef->fieldPath;
  if (path == "status.podIP") return podIPs.front();
  if (path == "status.podIPs") {
    std::string joined;
    for (const auto& ip : podIPs) joined += (joined.empty() ? "" : ",") + ip;
    return joined;
  }
  return std::nullopt;
}

bool refersToPodIP(const model::Container& spec) {
  return std::any_of(spec.env.begin(), spec.env.end(), [](const model::EnvVar& var) {
    return var.valueFrom && var.valueFrom->fieldRef &&
           (var.valueFrom->fieldRef->fieldPath == "status.podIP" ||
            var.valueFrom->fieldRef->fieldPath == "status.podIPs");
  });
}

}  // namespace

ContainerProcess containerProcess(const ContainerStartRequest& request, const model::Container* spec,
                                  const std::vector<std::string>& podIPs) {
  ContainerProcess out;
  std::map<std::string, std::string> env = request.env;
  const bool again = spec && !podIPs.empty() && refersToPodIP(*spec);
  if (again) {
    // Walk the spec in order as the caller did, so $(VAR) sees only earlier
    // variables; values other than literals and pod IPs are the caller's.
    std::map<std::string, std::string> sofar;
    for (const model::EnvVar& var : spec->env) {
      auto known = request.env.find(var.name);
      if (auto ip = podIPValue(var, podIPs)) {
        sofar[var.name] = *ip;
      } else if (!var.valueFrom) {
        sofar[var.name] = model::expandReferences(var.value, sofar);
      } else if (known != request.env.end()) {
        sofar[var.name] = known->second;
      }
    }
    for (const auto& [name, value] : sofar) env[name] = value;
    for (const auto& part : spec->command) out.command.push_back(model::expandReferences(part, sofar));
    for (const auto& part : spec->args) out.args.push_back(model::expandReferences(part, sofar));
  } else {
    out.command = request.container.command;
    out.args = request.container.args;
  }
  std::set<std::string> placed;
  const auto& order = spec ? spec->env : request.container.env;
  for (const model::EnvVar& var : order) {
    auto it = env.find(var.name);
    if (it == env.end() || !placed.insert(var.name).second) continue;
    out.env.emplace_back(var.name, it->second);
  }
  for (const auto& [name, value] : env) {
    if (!placed.count(name)) out.env.emplace_back(name, value);
  }
  return out;
}

}  // namespace daemonlet::runtime::cri
