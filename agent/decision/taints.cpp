#include "agent/decision/taints.h"

#include <utility>

namespace daemonlet::decision {

bool isGatedComparisonOperator(const std::string& op) { return op == "Gt" || op == "Lt"; }

bool toleratesTaint(const model::Toleration& toleration, const model::Taint& taint) {
  if (!toleration.effect.empty() && toleration.effect != taint.effect) return false;
  if (!toleration.key.empty() && toleration.key != taint.key) return false;
  if (toleration.op.empty() || toleration.op == "Equal") return toleration.value == taint.value;
  if (toleration.op == "Exists") return true;
  return false;  // Gt/Lt while their feature gate is off, or an unknown operator
}

bool sameToleration(const model::Toleration& a, const model::Toleration& b) {
  return a.key == b.key && a.op == b.op && a.value == b.value && a.effect == b.effect;
}

std::vector<model::Toleration> addOrUpdateToleration(std::vector<model::Toleration> tolerations,
                                                     const model::Toleration& toleration) {
  bool replaced = false;
  for (auto& existing : tolerations) {
    if (sameToleration(existing, toleration)) {
      existing = toleration;
      replaced = true;
    }
  }
  if (!replaced) tolerations.push_back(toleration);
  return tolerations;
}

std::string describeTaint(const model::Taint& taint) {
  std::string text = taint.key;
  if (!taint.value.empty()) text += "=" + taint.value;
  return text + ":" + taint.effect;
}

std::string describeToleration(const model::Toleration& toleration) {
  std::string text = toleration.key.empty() ? "(every key)" : toleration.key;
  text += " ";
  text += toleration.op.empty() ? "Equal" : toleration.op;
  if (toleration.op != "Exists")
    text += " " + (toleration.value.empty() ? std::string("\"\"") : toleration.value);
  text += " ";
  text += toleration.effect.empty() ? "(every effect)" : toleration.effect;
  if (toleration.tolerationSeconds)
    text += " tolerationSeconds=" + std::to_string(*toleration.tolerationSeconds);
  return text;
}

}  // namespace daemonlet::decision
