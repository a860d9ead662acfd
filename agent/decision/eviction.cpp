#include "agent/decision/eviction.h"

#include <algorithm>

#include "agent/decision/placement.h"
#include "agent/decision/taints.h"

namespace daemonlet::decision {

NoExecuteTolerance noExecuteTolerance(const model::Node& node, const model::DaemonSet& daemonSet) {
  const model::PodSpec& spec = daemonSet.spec.template_.spec;
  std::vector<model::Toleration> tolerations = spec.tolerations;
  for (const auto& automatic : automaticDaemonTolerations(spec)) {
    tolerations = addOrUpdateToleration(std::move(tolerations), automatic);
  }

  NoExecuteTolerance result;
  bool anyLimit = false;
  std::int64_t smallest = 0;
  for (const auto& taint : node.taints) {
    if (taint.effect != kEffectNoExecute) continue;
    auto used = std::find_if(tolerations.begin(), tolerations.end(),
                             [&](const model::Toleration& t) { return toleratesTaint(t, taint); });
    if (used == tolerations.end()) {
      result.allTolerated = false;
      result.limit = std::chrono::seconds(0);
      return result;
    }
    if (!used->tolerationSeconds) continue;
    std::int64_t seconds = std::max<std::int64_t>(*used->tolerationSeconds, 0);
    smallest = anyLimit ? std::min(smallest, seconds) : seconds;
    anyLimit = true;
  }
  if (anyLimit) result.limit = std::chrono::seconds(smallest);
  return result;
}

TaintsSeen noExecuteTaintsSeen(const model::Node& node, const TaintsSeen& previous, TimePoint now) {
  TaintsSeen next;
  for (const auto& taint : node.taints) {
    if (taint.effect != kEffectNoExecute) continue;
    std::string key = describeTaint(taint);
    auto seen = previous.find(key);
    next[key] = seen != previous.end() ? seen->second : now;
  }
  return next;
}

std::optional<TimePoint> evictionDeadline(bool mayContinueRunning, const NoExecuteTolerance& tolerance,
                                          const TaintsSeen& seen) {
  if (!mayContinueRunning || !tolerance.limit || seen.empty()) return std::nullopt;
  TimePoint since = seen.begin()->second;
  for (const auto& [taint, at] : seen) since = std::min(since, at);
  return since + *tolerance.limit;
}

}  // namespace daemonlet::decision
