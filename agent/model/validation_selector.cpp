// metav1.LabelSelector: ValidateLabelSelector and the LabelSelectorAsSelector +
// Matches pair the DaemonSet rules use to check the selector against the template.
#include <algorithm>

#include "agent/model/validation_internal.h"

namespace daemonlet::model::validation_detail {

void validateLabelSelector(const LabelSelector& selector, const std::string& path, FieldErrors& out) {
  validateLabels(selector.matchLabels, child(path, "matchLabels"), out);
  for (std::size_t i = 0; i < selector.matchExpressions.size(); ++i) {
    const auto& req = selector.matchExpressions[i];
    const std::string reqPath = index(child(path, "matchExpressions"), i);
    if (req.op == "In" || req.op == "NotIn") {
      if (req.values.empty())
        out.push_back(required(child(reqPath, "values"), "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (req.op == "Exists" || req.op == "DoesNotExist") {
      if (!req.values.empty())
        out.push_back(
            forbidden(child(reqPath, "values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else {
      out.push_back(invalid(child(reqPath, "operator"), quote(req.op), "not a valid selector operator"));
    }
    validateLabelName(req.key, child(reqPath, "key"), out);
    for (std::size_t v = 0; v < req.values.size(); ++v)
      addInvalid(out, index(child(reqPath, "values"), v), quote(req.values[v]), isValidLabelValue(req.values[v]));
  }
}

std::optional<bool> labelSelectorMatches(const std::optional<LabelSelector>& selector, const StringMap& labels) {
  if (!selector) return false;  // a nil selector converts to labels.Nothing()
  // labels.NewRequirement rejects what validation rejects; an unconvertible
  // selector yields no match verdict at all.
  for (const auto& [k, v] : selector->matchLabels)
    if (!isQualifiedName(k).empty() || !isValidLabelValue(v).empty()) return std::nullopt;
  for (const auto& req : selector->matchExpressions) {
    if (!isQualifiedName(req.key).empty()) return std::nullopt;
    if (req.op == "In" || req.op == "NotIn") {
      if (req.values.empty()) return std::nullopt;
    } else if (req.op == "Exists" || req.op == "DoesNotExist") {
      if (!req.values.empty()) return std::nullopt;
    } else {
      return std::nullopt;
    }
    for (const auto& v : req.values)
      if (!isValidLabelValue(v).empty()) return std::nullopt;
  }
  for (const auto& [k, v] : selector->matchLabels) {
    auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  for (const auto& req : selector->matchExpressions) {
    auto it = labels.find(req.key);
    const bool has = it != labels.end();
    const bool inValues = has && std::find(req.values.begin(), req.values.end(), it->second) != req.values.end();
    if (req.op == "In" && !inValues) return false;
    if (req.op == "NotIn" && inValues) return false;
    if (req.op == "Exists" && !has) return false;
    if (req.op == "DoesNotExist" && has) return false;
  }
  return true;
}

}  // namespace daemonlet::model::validation_detail
