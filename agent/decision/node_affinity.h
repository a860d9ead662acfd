#pragma once
// The label rules of placement, as Kubernetes evaluates them for a daemon pod
// (component-helpers nodeaffinity.GetRequiredNodeAffinity(pod).Match(node), with
// parse errors ignored the way the DaemonSet controller ignores them):
//   - pod.spec.nodeSelector: exact key=value matches, all required;
//   - required node affinity: terms ORed; inside a term, matchExpressions (node
//     labels) and matchFields (only metadata.name exists) ANDed. An empty term
//     matches nothing; an empty term list matches nothing; a term that does not
//     parse (unknown operator, Gt/Lt without one integer, In without values,
//     invalid label key or value...) never matches, but the other terms still can.
#include <string>
#include <vector>

#include "agent/model/types.h"

namespace daemonlet::decision {

struct RuleOutcome {
  bool matches = false;
  // Operator-readable sentences; when the rule fails, the deciding ones come first.
  std::vector<std::string> explanations;
};

// An empty map matches every node. Keys and values are not validated (as in
// labels.SelectorFromSet): an odd key simply has to be present with that value.
RuleOutcome matchNodeSelector(const model::StringMap& nodeSelector, const model::Node& node);

// requiredDuringSchedulingIgnoredDuringExecution, when the pod sets it.
RuleOutcome matchRequiredNodeAffinity(const model::NodeSelector& required, const model::Node& node);

}  // namespace daemonlet::decision
