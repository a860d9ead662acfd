#include "agent/decision/placement.h"

#include <utility>

#include "agent/decision/node_affinity.h"
#include "agent/decision/taints.h"

namespace daemonlet::decision {
namespace {

// Taint keys the node lifecycle controller and kubelet put on nodes
// (k8s.io/api/core/v1 well_known_taints.go).
constexpr const char* kTaintNotReady = "node.kubernetes.io/not-ready";
constexpr const char* kTaintUnreachable = "node.kubernetes.io/unreachable";
constexpr const char* kTaintDiskPressure = "node.kubernetes.io/disk-pressure";
constexpr const char* kTaintMemoryPressure = "node.kubernetes.io/memory-pressure";
constexpr const char* kTaintPidPressure = "node.kubernetes.io/pid-pressure";
constexpr const char* kTaintUnschedulable = "node.kubernetes.io/unschedulable";
constexpr const char* kTaintNetworkUnavailable = "node.kubernetes.io/network-unavailable";

model::Toleration existsToleration(const char* key, const char* effect) {
  model::Toleration toleration;
  toleration.key = key;
  toleration.op = "Exists";
  toleration.effect = effect;
  return toleration;
}

struct TaintVerdict {
  std::vector<std::string> untoleratedNoSchedule;
  std::vector<std::string> untoleratedNoExecute;
  std::vector<std::string> notes;  // tolerated and ignored taints
};

bool isAutomatic(const model::Toleration& toleration, const std::vector<model::Toleration>& automatic) {
  for (const auto& a : automatic) {
    if (sameToleration(a, toleration) && a.tolerationSeconds == toleration.tolerationSeconds) return true;
  }
  return false;
}

// FindMatchingUntoleratedTaint over NoSchedule and NoExecute taints; the DaemonSet
// controller filters every other effect (PreferNoSchedule included) out.
TaintVerdict evaluateTaints(const model::Node& node, const model::PodSpec& spec) {
  const std::vector<model::Toleration> automatic = automaticDaemonTolerations(spec);
  std::vector<model::Toleration> tolerations = spec.tolerations;
  for (const auto& toleration : automatic)
    tolerations = addOrUpdateToleration(std::move(tolerations), toleration);

  TaintVerdict verdict;
  for (const auto& taint : node.taints) {
    std::string name = describeTaint(taint);
    if (taint.effect != kEffectNoSchedule && taint.effect != kEffectNoExecute) {
      verdict.notes.push_back("the node has taint " + name +
                              ", ignored: only NoSchedule and NoExecute taints " +
                              "decide where daemon pods run");
      continue;
    }
    const model::Toleration* match = nullptr;
    for (const auto& toleration : tolerations) {
      if (toleratesTaint(toleration, taint)) {
        match = &toleration;
        break;
      }
    }
    if (match != nullptr) {
      std::string origin = isAutomatic(*match, automatic) ? " (added automatically to every daemon pod)" : "";
      verdict.notes.push_back("the node has taint " + name + ", tolerated by toleration " +
                              describeToleration(*match) + origin);
    } else if (taint.effect == kEffectNoExecute) {
      verdict.untoleratedNoExecute.push_back(
          "the node has taint " + name + " that no toleration tolerates: running daemon pods are evicted");
    } else {
      verdict.untoleratedNoSchedule.push_back(
          "the node has taint " + name + " that no toleration tolerates: new daemon pods are not started");
    }
  }
  for (const auto& toleration : spec.tolerations) {
    if (isGatedComparisonOperator(toleration.op)) {
      verdict.notes.push_back("toleration " + describeToleration(toleration) + " tolerates nothing: the " +
                              toleration.op + " operator needs the alpha feature gate " +
                              "TaintTolerationComparisonOperators, which is off by default");
    }
  }
  return verdict;
}

void append(std::vector<std::string>& to, const std::vector<std::string>& from) {
  to.insert(to.end(), from.begin(), from.end());
}

}  // namespace

std::vector<model::Toleration> automaticDaemonTolerations(const model::PodSpec& spec) {
  // Daemons must survive the node problems that evict ordinary pods (not-ready,
  // unreachable) and start despite the conditions that keep ordinary pods away.
  std::vector<model::Toleration> tolerations = {
      existsToleration(kTaintNotReady, kEffectNoExecute),
      existsToleration(kTaintUnreachable, kEffectNoExecute),
      existsToleration(kTaintDiskPressure, kEffectNoSchedule),
      existsToleration(kTaintMemoryPressure, kEffectNoSchedule),
      existsToleration(kTaintPidPressure, kEffectNoSchedule),
      existsToleration(kTaintUnschedulable, kEffectNoSchedule),
  };
  // Only a host-network pod can work while the node's pod network is down.
  if (spec.hostNetwork) tolerations.push_back(existsToleration(kTaintNetworkUnavailable, kEffectNoSchedule));
  return tolerations;
}

PlacementDecision decidePlacement(const model::Node& node, const model::DaemonSet& daemonSet) {
  const model::PodSpec& spec = daemonSet.spec.template_.spec;
  const std::string& nodeName = node.metadata.name;

  std::vector<std::string> blocking;  // reasons that make shouldRun and shouldContinueRunning false
  std::vector<std::string> passing;   // rules that held, for the record

  if (!spec.nodeName.empty() && spec.nodeName != nodeName) {
    blocking.push_back("template nodeName is " + spec.nodeName + ", this node is " + nodeName);
  } else if (!spec.nodeName.empty()) {
    passing.push_back("template nodeName " + spec.nodeName + " is this node");
  }

  RuleOutcome selector = matchNodeSelector(spec.nodeSelector, node);
  append(selector.matches ? passing : blocking, selector.explanations);

  const model::NodeSelector* required = nullptr;
  if (spec.affinity && spec.affinity->nodeAffinity &&
      spec.affinity->nodeAffinity->requiredDuringSchedulingIgnoredDuringExecution) {
    required = &*spec.affinity->nodeAffinity->requiredDuringSchedulingIgnoredDuringExecution;
  }
  if (required != nullptr) {
    RuleOutcome affinity = matchRequiredNodeAffinity(*required, node);
    append(affinity.matches ? passing : blocking, affinity.explanations);
  }

  TaintVerdict taints = evaluateTaints(node, spec);
  if (node.unschedulable) {
    taints.notes.push_back(
        "the node is marked unschedulable (spec.unschedulable); the DaemonSet controller ignores that field "
        "and "
        "only sees the node.kubernetes.io/unschedulable taint, which daemon pods tolerate");
  }

  PlacementDecision decision;
  auto& reasons = decision.reasons;
  if (!blocking.empty()) {
    append(reasons, blocking);
    append(reasons, passing);
    append(reasons, taints.untoleratedNoExecute);
    append(reasons, taints.untoleratedNoSchedule);
    append(reasons, taints.notes);
    return decision;  // both false: node name and label rules are not about eviction timing
  }

  if (!taints.untoleratedNoExecute.empty() || !taints.untoleratedNoSchedule.empty()) {
    decision.shouldContinueRunning = taints.untoleratedNoExecute.empty();
    append(reasons, taints.untoleratedNoExecute);
    append(reasons, taints.untoleratedNoSchedule);
    if (decision.shouldContinueRunning)
      reasons.push_back("untolerated NoSchedule taint keeps running pods but stops new ones");
    append(reasons, passing);
    append(reasons, taints.notes);
    return decision;
  }

  decision.shouldRun = true;
  decision.shouldContinueRunning = true;
  std::string summary = "all rules pass: ";
  if (!spec.nodeName.empty()) summary += "template nodeName is this node, ";
  summary += spec.nodeSelector.empty() ? "no nodeSelector" : "nodeSelector matches";
  summary += required == nullptr ? ", no required node affinity" : ", required node affinity matches";
  summary += ", no untolerated NoSchedule/NoExecute taints";
  reasons.push_back(std::move(summary));
  append(reasons, passing);
  append(reasons, taints.notes);
  return decision;
}

}  // namespace daemonlet::decision
