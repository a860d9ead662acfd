// apps/v1 DaemonSet rules (ValidateDaemonSet, ValidateDaemonSetSpec,
// ValidateDaemonSetUpdateStrategy, ValidateRollingUpdateDaemonSet).
#include <cstdlib>

#include "agent/model/validation.h"
#include "agent/model/validation_internal.h"

namespace daemonlet::model {
namespace validation_detail {
namespace {

void validatePositiveIntOrPercent(const IntOrString& v, const std::string& path, FieldErrors& out) {
  if (v.isString) {
    addInvalid(out, path, renderIntOrString(v), isValidPercent(v.stringValue));
  } else {
    validateNonnegative(v.intValue, path, out);
  }
}

// getIntOrPercentValue: a valid percent gives its number; anything else goes
// through IntOrString.IntValue(), which parses strings with Atoi (0 on failure).
std::int64_t intOrPercentValue(const IntOrString& v) {
  if (!v.isString) return v.intValue;
  const std::string& s = v.stringValue;
  std::string digits = isValidPercent(s).empty() ? s.substr(0, s.size() - 1) : s;
  if (digits.empty()) return 0;
  std::size_t i = (digits[0] == '+' || digits[0] == '-') ? 1 : 0;
  if (i == digits.size()) return 0;
  for (std::size_t j = i; j < digits.size(); ++j)
    if (digits[j] < '0' || digits[j] > '9') return 0;
  if (digits.size() > 18) return 1;  // out of int range: only "non-zero" matters here
  return std::strtoll(digits.c_str(), nullptr, 10);
}

void notMoreThan100Percent(const IntOrString& v, const std::string& path, FieldErrors& out) {
  if (!v.isString || !isValidPercent(v.stringValue).empty()) return;
  if (intOrPercentValue(v) > 100) out.push_back(invalid(path, renderIntOrString(v), "must not be greater than 100%"));
}

void validateRollingUpdate(const RollingUpdateDaemonSet& ru, const std::string& path, FieldErrors& out) {
  // Defaulting fills both; an absent one counts as the zero IntOrString.
  const IntOrString maxUnavailable = ru.maxUnavailable.value_or(IntOrString{});
  const IntOrString maxSurge = ru.maxSurge.value_or(IntOrString{});
  const std::string unavailablePath = child(path, "maxUnavailable");
  const std::string surgePath = child(path, "maxSurge");
  validatePositiveIntOrPercent(maxUnavailable, unavailablePath, out);
  validatePositiveIntOrPercent(maxSurge, surgePath, out);
  notMoreThan100Percent(maxUnavailable, unavailablePath, out);
  notMoreThan100Percent(maxSurge, surgePath, out);
  const bool hasUnavailable = intOrPercentValue(maxUnavailable) != 0;
  const bool hasSurge = intOrPercentValue(maxSurge) != 0;
  if (hasUnavailable && hasSurge)
    out.push_back(invalid(surgePath, renderIntOrString(maxSurge), "may not be set when maxUnavailable is non-zero"));
  else if (!hasUnavailable && !hasSurge)
    out.push_back(required(unavailablePath, "cannot be 0 when maxSurge is 0"));
}

}  // namespace

void validateUpdateStrategy(const DaemonSetUpdateStrategy& strategy, const std::string& path, FieldErrors& out) {
  if (strategy.type == "OnDelete") return;
  if (strategy.type == "RollingUpdate") {
    if (!strategy.rollingUpdate) {
      out.push_back(required(child(path, "rollingUpdate")));
      return;
    }
    validateRollingUpdate(*strategy.rollingUpdate, child(path, "rollingUpdate"), out);
    return;
  }
  out.push_back(notSupported(path,
                             "apps.DaemonSetUpdateStrategy{Type:" + quote(strategy.type) + ", RollingUpdate:" +
                                 (strategy.rollingUpdate ? "&apps.RollingUpdateDaemonSet{...}}"
                                                         : "(*apps.RollingUpdateDaemonSet)(nil)}"),
                             {"RollingUpdate", "OnDelete"}));
}

}  // namespace validation_detail

FieldErrors validateDaemonSet(const DaemonSet& daemonSet) {
  using namespace validation_detail;
  FieldErrors out;
  validateObjectMeta(daemonSet.metadata, "metadata", out);

  const DaemonSetSpec& spec = daemonSet.spec;
  const std::string specPath = "spec";
  if (spec.selector) validateLabelSelector(*spec.selector, child(specPath, "selector"), out);
  // Upstream's ValidateDaemonSetSpec reports a nil selector only through the
  // template mismatch below (a nil selector matches nothing). The selector is
  // nonetheless a required field of apps/v1 (the API's OpenAPI schema says so and
  // kubectl's schema check refuses it), so say that too, at the field itself: an
  // operator looking at "labels do not match" alone would hunt in the wrong place.
  if (!spec.selector) out.push_back(required(child(specPath, "selector"), ""));
  const std::optional<bool> matches = labelSelectorMatches(spec.selector, spec.template_.metadata.labels);
  if (matches.has_value() && !*matches)
    out.push_back(invalid("spec.template.metadata.labels", renderStringMap(spec.template_.metadata.labels),
                          "`selector` does not match template `labels`"));
  if (spec.selector && spec.selector->matchLabels.empty() && spec.selector->matchExpressions.empty())
    out.push_back(invalid(child(specPath, "selector"),
                          "v1.LabelSelector{MatchLabels:map[string]string(nil), "
                          "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}",
                          "empty selector is invalid for daemonset"));

  validatePodTemplateSpec(spec.template_, "spec.template", out);
  validateRawPodSpecExtras(daemonSet.raw, out);
  if (spec.template_.spec.restartPolicy != "Always")
    out.push_back(notSupported("spec.template.spec.restartPolicy", quote(spec.template_.spec.restartPolicy), {"Always"}));
  if (spec.template_.spec.activeDeadlineSeconds)
    out.push_back(forbidden("spec.template.spec.activeDeadlineSeconds", "activeDeadlineSeconds in DaemonSet is not Supported"));
  validateNonnegative(spec.minReadySeconds, child(specPath, "minReadySeconds"), out);
  validateUpdateStrategy(spec.updateStrategy, child(specPath, "updateStrategy"), out);
  if (spec.revisionHistoryLimit) validateNonnegative(*spec.revisionHistoryLimit, child(specPath, "revisionHistoryLimit"), out);
  return out;
}

}  // namespace daemonlet::model
