#pragma once
// The pod fields the model keeps only in its raw JSON (model/types.h keeps what
// the host runtime needs), read where the CRI mapping needs them: the pod's
// sysctls and shareProcessNamespace, seccomp profiles, a container's raw object.
// Paths in errors are relative to the pod ("spec.securityContext.sysctls[0].name").
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "agent/base/result.h"
#include "agent/model/types.h"

namespace daemonlet::runtime::cri {

// obj[key] when obj is an object holding a non-null key, else null.
const model::Json* rawMember(const model::Json* obj, const char* key);

// spec.template.spec of the request's DaemonSet as read; null without one.
const model::Json* rawPodSpecOf(const model::DaemonSet* daemonSet);

// spec.initContainers[index] or spec.containers[index] as read; null when absent.
const model::Json* rawContainer(const model::Json* rawPodSpec, bool init, std::size_t index);

struct Sysctl {
  std::string name;
  std::string value;
};
base::Result<std::vector<Sysctl>> podSysctls(const model::Json* rawPodSpec);

bool shareProcessNamespace(const model::Json* rawPodSpec);

// securityContext.seccompProfile: type RuntimeDefault, Unconfined or Localhost
// (with localhostProfile, a path relative to the node's seccomp root).
struct SeccompProfile {
  std::string type;
  std::string localhostProfile;
};
// `field` is the securityContext's path, for errors.
base::Result<std::optional<SeccompProfile>> seccompProfileOf(const model::Json* rawSecurityContext,
                                                             const std::string& field);

// Where a container sits in its pod's spec, by name; nullopt when absent.
std::optional<std::size_t> containerIndex(const model::PodSpec& spec, bool init, const std::string& name);
// The field path of a container of `spec` found by name, among the containers
// first, then the init containers: "spec.initContainers[0]".
std::string containerFieldOf(const model::PodSpec& spec, const model::Container& container);

}  // namespace daemonlet::runtime::cri
