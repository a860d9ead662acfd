#pragma once
// The environment, command and args a container really gets, resolved the way
// the kubelet does it: env entries in order, valueFrom.fieldRef and
// resourceFieldRef from the pod and node, and $(VAR) references expanded
// ("$$" escapes a "$"; an undefined reference stays as written).
// Secrets and ConfigMaps do not exist without an API server: a reference to one
// fails the start (CreateContainerConfigError) unless marked optional.
#include <map>
#include <string>
#include <vector>

#include "agent/model/types.h"
#include "agent/model/var_references.h"

namespace daemonlet::reconciler {

struct PodEnvContext {
  std::string podName;
  std::string podNamespace;
  std::string podUid;
  std::string nodeName;
  std::string hostIP;
  std::string podIP;  // empty: not known yet (no sandbox), the host IP stands in
  std::string serviceAccountName;
  model::StringMap labels;
  model::StringMap annotations;
  // Node capacity used for resourceFieldRef when the container sets no limit.
  std::int64_t nodeCpuMillis = 0;
  std::int64_t nodeMemoryBytes = 0;
};

struct ResolvedContainer {
  std::map<std::string, std::string> env;
  std::vector<std::string> command;
  std::vector<std::string> args;
  std::string error;  // non-empty: the container cannot start (CreateContainerConfigError)
  std::string errorField;  // the env entry to blame, "env[2].valueFrom.configMapKeyRef"
};

ResolvedContainer resolveContainer(const model::Container& container, const PodEnvContext& pod);

// Expands $(NAME) from `vars`; "$$" yields "$" (model/var_references.h).
using model::expandReferences;

}  // namespace daemonlet::reconciler
