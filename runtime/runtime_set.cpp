#include "runtime/runtime_set.h"

namespace daemonlet::runtime {
namespace {

constexpr const char* kCriRuntimeName = "cri";

}  // namespace

RuntimeSet::Choice RuntimeSet::forPod(const model::PodSpec& spec) const {
  Choice choice;
  const bool named = spec.runtimeClassName && !spec.runtimeClassName->empty();
  if (named) {
    choice.name = *spec.runtimeClassName == kHostRuntimeName ? kHostRuntimeName : kCriRuntimeName;
  } else {
    choice.name = defaultRuntime_.value_or(kCriRuntimeName);
  }
  choice.runtime = byName(choice.name);
  if (choice.runtime != nullptr) return choice;
  const std::string asked = named ? "runtimeClassName \"" + *spec.runtimeClassName + "\"" : "no runtimeClassName";
  choice.message = "spec.template.spec.runtimeClassName: the pod (" + asked +
                   ") needs a container runtime and no CRI runtime is configured on this node; only "
                   "runtimeClassName \"host\" runs, as host processes";
  if (!named) choice.message += " (or set defaultRuntime: host for pods without one)";
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
