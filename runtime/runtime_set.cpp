#include "runtime/runtime_set.h"

namespace daemonlet::runtime {

bool runsOnHost(const model::PodSpec& spec) {
  return spec.runtimeClassName && *spec.runtimeClassName == kHostRuntimeName;
}

RuntimeSet::Choice RuntimeSet::forPod(const model::PodSpec& spec) const {
  Choice choice;
  const bool named = spec.runtimeClassName && !spec.runtimeClassName->empty();
  choice.name = runsOnHost(spec) ? kHostRuntimeName : kCriRuntimeName;
  choice.runtime = byName(choice.name);
  if (choice.runtime != nullptr) return choice;
  const std::string asked = named ? "runtimeClassName \"" + *spec.runtimeClassName + "\"" : "no runtimeClassName";
  const std::string socket = criEndpoint_.empty() ? std::string("none configured") : criEndpoint_;
  choice.message = "spec.template.spec.runtimeClassName: the pod (" + asked + ") runs in the " + choice.name +
                   " runtime, which this agent does not have (CRI socket: " + socket +
                   "); only runtimeClassName \"host\" runs as host processes";
  return choice;
}

Runtime* RuntimeSet::byName(const std::string& name) const {
  auto it = byName_.find(name);
  return it == byName_.end() ? nullptr : it->second;
}

std::vector<Runtime*> RuntimeSet::all() const {
  std::vector<Runtime*> out;
  for (const auto& [name, runtime] : byName_) out.push_back(runtime);
  return out;
}

}  // namespace daemonlet::runtime
