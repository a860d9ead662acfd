#include "agent/decision/plan_update_strategy.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string_view>

namespace daemonlet::decision {

int scaledBudget(const model::IntOrString& value, int nodes) {
  constexpr std::int64_t kLargest = 1'000'000;  // far above any budget; keeps int conversions safe
  if (!value.isString) return static_cast<int>(std::clamp<std::int64_t>(value.intValue, 0, kLargest));
  std::string_view text = value.stringValue;
  if (text.size() < 2 || text.back() != '%') return 0;
  text.remove_suffix(1);
  std::int64_t percent = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), percent);
  if (error != std::errc() || end != text.data() + text.size() || percent <= 0) return 0;
  // ceil(percent * nodes / 100) in integers.
  percent = std::min(percent, kLargest);
  return static_cast<int>(std::min<std::int64_t>((percent * nodes + 99) / 100, kLargest));
}

UpdateStrategy resolveUpdateStrategy(const model::DaemonSetUpdateStrategy& strategy) {
  UpdateStrategy resolved;
  if (strategy.type == "OnDelete") {
    resolved.type = UpdateStrategyType::OnDelete;
    resolved.maxSurge = 0;
    resolved.maxUnavailable = 1;
    return resolved;
  }
  resolved.type = UpdateStrategyType::RollingUpdate;
  // Defaults as the API server applies them: maxUnavailable 1, maxSurge 0.
  resolved.maxUnavailable = 1;
  resolved.maxSurge = 0;
  if (strategy.rollingUpdate) {
    const model::RollingUpdateDaemonSet& rolling = *strategy.rollingUpdate;
    if (rolling.maxUnavailable) resolved.maxUnavailable = scaledBudget(*rolling.maxUnavailable, 1);
    if (rolling.maxSurge) resolved.maxSurge = scaledBudget(*rolling.maxSurge, 1);
  }
  if (resolved.maxSurge == 0 && resolved.maxUnavailable == 0) resolved.maxUnavailable = 1;
  return resolved;
}

}  // namespace daemonlet::decision
