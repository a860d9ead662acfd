#pragma once
// RuntimeSet: which runtime runs a pod, named by its spec.runtimeClassName (the
// kubelet's RuntimeClass handler, without the RuntimeClass objects): "host" is
// the host-process runtime; any other class, and a pod without one, belongs to
// the CRI runtime. A pod whose runtime is not configured is not started, never
// run as a host process instead: forPod() says why, for the pod's status.
//
// Pods without runtimeClassName take the operator's default (config
// defaultRuntime); unset, they have none until the CRI runtime exists.
//
// Ownership: the set refers to runtimes it does not own; they outlive it.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/model/types.h"
#include "runtime/runtime.h"

namespace daemonlet::runtime {

inline constexpr const char* kHostRuntimeName = "host";
// The waiting reason of a pod whose runtime is not configured.
inline constexpr const char* kRuntimeNotConfigured = "RuntimeNotConfigured";

class RuntimeSet {
 public:
  // `defaultRuntime`: the runtime of pods without runtimeClassName (by name).
  explicit RuntimeSet(std::optional<std::string> defaultRuntime = std::nullopt)
      : defaultRuntime_(std::move(defaultRuntime)) {}

  // Registers `runtime` under runtime.name(); a second one of that name replaces it.
  void add(Runtime& runtime) { byName_[runtime.name()] = &runtime; }

  struct Choice {
    Runtime* runtime = nullptr;  // null: not configured, see `message`
    std::string name;            // the runtime the pod asks for ("host", "cri")
    std::string message;         // why it has none, naming the runtimeClassName
  };
  Choice forPod(const model::PodSpec& spec) const;

  // The runtime of that name, or null.
  Runtime* byName(const std::string& name) const;
  std::vector<Runtime*> all() const;

 private:
  std::optional<std::string> defaultRuntime_;
  std::map<std::string, Runtime*> byName_;
};

}  // namespace daemonlet::runtime
