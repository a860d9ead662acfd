// Scheduling fields of the pod spec: node affinity (ValidateNodeSelector,
// ValidatePreferredSchedulingTerms) and tolerations (ValidateTolerations).
#include "agent/model/validation_internal.h"

namespace daemonlet::model::validation_detail {
namespace {

void validateNodeSelectorRequirement(const NodeSelectorRequirement& r, const std::string& path, FieldErrors& out) {
  const std::string valuesPath = child(path, "values");
  if (r.op == "In" || r.op == "NotIn") {
    if (r.values.empty()) out.push_back(required(valuesPath, "must be specified when `operator` is 'In' or 'NotIn'"));
  } else if (r.op == "Exists" || r.op == "DoesNotExist") {
    if (!r.values.empty())
      out.push_back(forbidden(valuesPath, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
  } else if (r.op == "Gt" || r.op == "Lt") {
    // The API server only counts values; whether it parses as an integer is
    // decided when matching.
    if (r.values.size() != 1)
      out.push_back(required(valuesPath, "must be specified single value when `operator` is 'Lt' or 'Gt'"));
  } else {
    out.push_back(invalid(child(path, "operator"), quote(r.op), "not a valid selector operator"));
  }
  validateLabelName(r.key, child(path, "key"), out);
  for (std::size_t i = 0; i < r.values.size(); ++i)
    addInvalid(out, index(valuesPath, i), quote(r.values[i]), isValidLabelValue(r.values[i]));
}

void validateNodeFieldSelectorRequirement(const NodeSelectorRequirement& r, const std::string& path, FieldErrors& out) {
  if (r.op == "In" || r.op == "NotIn") {
    if (r.values.size() != 1)
      out.push_back(required(child(path, "values"),
                             "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
  } else {
    out.push_back(invalid(child(path, "operator"), quote(r.op), "not a valid selector operator"));
  }
  if (r.key != "metadata.name") {
    out.push_back(invalid(child(path, "key"), quote(r.key), "not a valid field selector key"));
    return;
  }
  for (std::size_t i = 0; i < r.values.size(); ++i)
    addInvalid(out, index(child(path, "values"), i), quote(r.values[i]), nameIsDnsSubdomain(r.values[i], false));
}

void validateNodeSelectorTerm(const NodeSelectorTerm& term, const std::string& path, FieldErrors& out) {
  for (std::size_t j = 0; j < term.matchExpressions.size(); ++j)
    validateNodeSelectorRequirement(term.matchExpressions[j], index(child(path, "matchExpressions"), j), out);
  for (std::size_t j = 0; j < term.matchFields.size(); ++j)
    validateNodeFieldSelectorRequirement(term.matchFields[j], index(child(path, "matchFields"), j), out);
}

}  // namespace

void validateAffinity(const Affinity& affinity, const std::string& path, FieldErrors& out) {
  if (!affinity.nodeAffinity) return;
  const NodeAffinity& na = *affinity.nodeAffinity;
  const std::string naPath = child(path, "nodeAffinity");
  if (na.requiredDuringSchedulingIgnoredDuringExecution) {
    const std::string termsPath = child(child(naPath, "requiredDuringSchedulingIgnoredDuringExecution"), "nodeSelectorTerms");
    const auto& terms = na.requiredDuringSchedulingIgnoredDuringExecution->nodeSelectorTerms;
    if (terms.empty()) out.push_back(required(termsPath, "must have at least one node selector term"));
    for (std::size_t i = 0; i < terms.size(); ++i) validateNodeSelectorTerm(terms[i], index(termsPath, i), out);
  }
  const std::string prefPath = child(naPath, "preferredDuringSchedulingIgnoredDuringExecution");
  const auto& preferred = na.preferredDuringSchedulingIgnoredDuringExecution;
  for (std::size_t i = 0; i < preferred.size(); ++i) {
    if (preferred[i].weight <= 0 || preferred[i].weight > 100)
      out.push_back(invalid(child(index(prefPath, i), "weight"), renderInt(preferred[i].weight), "must be in the range 1-100"));
    validateNodeSelectorTerm(preferred[i].preference, child(index(prefPath, i), "preference"), out);
  }
}

void validateTolerations(const std::vector<Toleration>& tolerations, const std::string& path, FieldErrors& out) {
  for (std::size_t i = 0; i < tolerations.size(); ++i) {
    const Toleration& t = tolerations[i];
    const std::string idx = index(path, i);
    if (!t.key.empty()) validateLabelName(t.key, child(idx, "key"), out);
    // An empty key with Exists matches every taint; any other operator needs a key.
    if (t.key.empty() && t.op != "Exists")
      out.push_back(invalid(child(idx, "operator"), quote(t.op),
                            "operator must be Exists when `key` is empty, which means \"match all values and all keys\""));
    if (t.tolerationSeconds && t.effect != "NoExecute")
      out.push_back(invalid(child(idx, "effect"), quote(t.effect), "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    if (t.op == "Equal" || t.op.empty()) {
      const Messages msgs = isValidLabelValue(t.value);
      if (!msgs.empty()) {
        std::string joined;
        for (const auto& m : msgs) joined += (joined.empty() ? "" : ";") + m;
        out.push_back(invalid(child(idx, "operator"), quote(t.value), joined));
      }
    } else if (t.op == "Exists") {
      if (!t.value.empty())
        out.push_back(invalid(child(idx, "operator"), "core.Toleration{Key:" + quote(t.key) + ", Operator:\"Exists\", Value:" + quote(t.value) + "}",
                              "value must be empty when `operator` is 'Exists'"));
    } else {
      out.push_back(notSupported(child(idx, "operator"), quote(t.op), {"Equal", "Exists"}));
    }
    if (!t.effect.empty() && t.effect != "NoSchedule" && t.effect != "PreferNoSchedule" && t.effect != "NoExecute")
      out.push_back(notSupported(child(idx, "effect"), quote(t.effect), {"NoSchedule", "PreferNoSchedule", "NoExecute"}));
  }
}

}  // namespace daemonlet::model::validation_detail
