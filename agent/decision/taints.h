#pragma once
// Taints against tolerations, as Kubernetes matches them (core/v1
// Toleration.ToleratesTaint), and the toleration list a daemon pod really carries:
// the template's own tolerations merged with the ones the DaemonSet controller adds
// (AddOrUpdateDaemonPodTolerations via AddOrUpdateTolerationInPodSpec).
#include <string>
#include <vector>

#include "agent/model/types.h"

namespace daemonlet::decision {

inline constexpr const char* kEffectNoSchedule = "NoSchedule";
inline constexpr const char* kEffectPreferNoSchedule = "PreferNoSchedule";
inline constexpr const char* kEffectNoExecute = "NoExecute";

// Effect: empty matches every effect, else must be equal. Key: empty matches every
// key, else must be equal. Operator "" or Equal compares values; Exists ignores the
// value. Gt/Lt exist in Kubernetes only behind the alpha feature gate
// TaintTolerationComparisonOperators (off by default), so they tolerate nothing
// here, like any other unknown operator.
bool toleratesTaint(const model::Toleration& toleration, const model::Taint& taint);

// True for the Gt/Lt operators that Kubernetes only honours behind the alpha gate.
bool isGatedComparisonOperator(const std::string& op);

// The template's tolerations with one toleration added the way
// AddOrUpdateTolerationInPodSpec does: every existing toleration with the same key,
// operator, value and effect is replaced in place by the new one (so the added one
// wins, e.g. its missing tolerationSeconds); if none matched, it is appended.
std::vector<model::Toleration> addOrUpdateToleration(std::vector<model::Toleration> tolerations,
                                                     const model::Toleration& toleration);

// True when both tolerations have the same key, operator, value and effect
// (Kubernetes' MatchToleration; tolerationSeconds is not compared).
bool sameToleration(const model::Toleration& a, const model::Toleration& b);

// "key=value:Effect", or "key:Effect" when the taint has no value.
std::string describeTaint(const model::Taint& taint);

// "key Exists NoSchedule", "dedicated Equal infra NoExecute tolerationSeconds=60";
// an empty key reads "(every key)", an empty effect "(every effect)".
std::string describeToleration(const model::Toleration& toleration);

}  // namespace daemonlet::decision
