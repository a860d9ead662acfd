#include "agent/decision/qos.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "agent/model/pod_rules.h"

namespace daemonlet::decision {
namespace {

bool isQosResource(const std::string& name) { return name == "cpu" || name == "memory"; }

// Exact sums would need Quantity addition; milli-units in int64 cover 9e15
// cores or bytes * 1000, far beyond any node.
using Totals = std::map<std::string, std::int64_t>;

void addPositive(const std::map<std::string, model::Quantity>& list, Totals& totals,
                 std::set<std::string>* found) {
  for (const auto& [name, quantity] : list) {
    if (!isQosResource(name) || quantity.isNegative() || quantity.isZero()) continue;
    totals[name] += quantity.milliValue();
    if (found) found->insert(name);
  }
}

std::int64_t memoryRequest(const model::Container& container) {
  auto it = container.resources.requests.find("memory");
  return it == container.resources.requests.end() ? 0 : it->second.value();
}

bool isSidecar(const model::PodSpec& spec, const model::Container& container) {
  const bool init = std::any_of(spec.initContainers.begin(), spec.initContainers.end(),
                                [&](const model::Container& c) { return c.name == container.name; });
  return model::isSidecar(container, init);
}

std::int64_t burstableScore(std::int64_t request, std::int64_t capacity) {
  // 1000 * request overflows only past 9.2 PB; saturate rather than wrap.
  if (request > std::numeric_limits<std::int64_t>::max() / 1000) return 0;
  return 1000 - (1000 * request) / capacity;
}

// The kubelet's IsNodeCriticalPod: the class name and a critical priority (the
// API server's priority admission fills it in from the class; a pod read from
// a manifest without that admission has none, and the name decides).
bool isNodeCritical(const model::PodSpec& spec) {
  constexpr std::int32_t kSystemCriticalPriority = 2'000'000'000;
  return spec.priorityClassName == "system-node-critical" &&
         (!spec.priority || *spec.priority >= kSystemCriticalPriority);
}

}  // namespace

const char* qosClassName(QosClass qos) {
  switch (qos) {
    case QosClass::kGuaranteed:
      return "Guaranteed";
    case QosClass::kBurstable:
      return "Burstable";
    case QosClass::kBestEffort:
      return "BestEffort";
  }
  return "BestEffort";
}

QosClass podQosClass(const model::PodSpec& spec) {
  Totals requests, limits;
  bool guaranteed = true;
  for (const auto* list : {&spec.containers, &spec.initContainers}) {
    for (const auto& container : *list) {
      addPositive(container.resources.requests, requests, nullptr);
      std::set<std::string> limited;
      addPositive(container.resources.limits, limits, &limited);
      if (!limited.count("cpu") || !limited.count("memory")) guaranteed = false;
    }
  }
  if (requests.empty() && limits.empty()) return QosClass::kBestEffort;
  if (guaranteed && requests.size() == limits.size()) {
    for (const auto& [name, request] : requests) {
      auto limit = limits.find(name);
      if (limit == limits.end() || limit->second != request) return QosClass::kBurstable;
    }
    return QosClass::kGuaranteed;
  }
  return QosClass::kBurstable;
}

int containerOomScoreAdj(const model::PodSpec& spec, const model::Container& container,
                         std::int64_t memoryCapacityBytes) {
  if (isNodeCritical(spec)) return kGuaranteedOomScoreAdj;
  switch (podQosClass(spec)) {
    case QosClass::kGuaranteed:
      return kGuaranteedOomScoreAdj;
    case QosClass::kBestEffort:
      return kBestEffortOomScoreAdj;
    case QosClass::kBurstable:
      break;
  }
  if (memoryCapacityBytes <= 0) return kBestEffortOomScoreAdj - 1;
  std::int64_t score = burstableScore(memoryRequest(container), memoryCapacityBytes);
  if (isSidecar(spec, container) && !spec.containers.empty()) {
    std::int64_t smallest = std::numeric_limits<std::int64_t>::max();
    for (const auto& regular : spec.containers) smallest = std::min(smallest, memoryRequest(regular));
    score = std::min(score, burstableScore(smallest, memoryCapacityBytes));
  }
  if (score < 1000 + kGuaranteedOomScoreAdj) return 1000 + kGuaranteedOomScoreAdj;
  if (score == kBestEffortOomScoreAdj) return kBestEffortOomScoreAdj - 1;
  return static_cast<int>(score);
}

}  // namespace daemonlet::decision
