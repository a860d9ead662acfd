#pragma once
// RuntimeSet: which runtime runs a pod, named by its spec.runtimeClassName (the
// kubelet's RuntimeClass handler, without the RuntimeClass objects): "host" is
// the host-process runtime, and only then; every other pod (no class, or any
// other class, which the CRI runtime passes on as its runtime_handler) belongs
// to the CRI runtime. A pod whose runtime is not registered is not started,
// never run as a host process instead: forPod() says why, for the pod's status.
//
// Ownership: the set refers to runtimes it does not own; they outlive it.
#include <map>
#include <string>
#include <vector>

#include "agent/model/types.h"
#include "runtime/runtime.h"

namespace daemonlet::runtime {

inline constexpr const char* kHostRuntimeName = "host";
inline constexpr const char* kCriRuntimeName = "cri";
// A pod whose runtime cannot be reached or is missing waits with
// reasons::kRuntimeUnavailable (container_reasons.h).

// The rule itself: true only for runtimeClassName "host".
bool runsOnHost(const model::PodSpec& spec);

class RuntimeSet {
 public:
  // `criEndpoint`: the CRI socket the agent is configured with, named when a
  // pod waits for a CRI runtime that is not registered.
  explicit RuntimeSet(std::string criEndpoint = {}) : criEndpoint_(std::move(criEndpoint)) {}

  // Registers `runtime` under runtime.name(); a second one of that name replaces it.
  void add(Runtime& runtime) { byName_[runtime.name()] = &runtime; }

  struct Choice {
    Runtime* runtime = nullptr;  // null: not registered, see `message`
    std::string name;            // the runtime the pod asks for ("host", "cri")
    std::string message;         // why it has none, naming the runtimeClassName and socket
  };
  Choice forPod(const model::PodSpec& spec) const;

  // The runtime of that name, or null.
  Runtime* byName(const std::string& name) const;
  std::vector<Runtime*> all() const;

 private:
  std::string criEndpoint_;
  std::map<std::string, Runtime*> byName_;
};

}  // namespace daemonlet::runtime
