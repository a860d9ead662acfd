// QoS class and oom_score_adj, row by row against the kubelet's rules
// (pkg/apis/core/v1/helper/qos, pkg/kubelet/qos/policy.go and its tests).
#include "agent/decision/qos.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace daemonlet::decision {
namespace {

constexpr std::int64_t kGi = 1024LL * 1024 * 1024;
constexpr std::int64_t kCapacity = 10 * kGi;

using Resources = std::map<std::string, std::string>;

model::Container container(const std::string& name, const Resources& requests, const Resources& limits) {
  model::Container c;
  c.name = name;
  for (const auto& [resource, text] : requests)
    c.resources.requests.emplace(resource, *model::Quantity::parse(text));
  for (const auto& [resource, text] : limits)
    c.resources.limits.emplace(resource, *model::Quantity::parse(text));
  return c;
}

model::PodSpec pod(std::vector<model::Container> containers, std::vector<model::Container> inits = {}) {
  model::PodSpec spec;
  spec.containers = std::move(containers);
  spec.initContainers = std::move(inits);
  return spec;
}

TEST(QosTest, ClassesAsTheKubeletComputesThem) {
  struct Row {
    const char* name;
    model::PodSpec spec;
    QosClass expected;
  };
  const Resources both = {{"cpu", "100m"}, {"memory", "1Gi"}};
  const Row rows[] = {
      {"no resources", pod({container("a", {}, {})}), QosClass::kBestEffort},
      {"only zero quantities", pod({container("a", {{"memory", "0"}}, {{"cpu", "0"}})}),
       QosClass::kBestEffort},
      {"only other resources", pod({container("a", {{"ephemeral-storage", "1Gi"}}, {})}),
       QosClass::kBestEffort},
      {"requests equal limits", pod({container("a", both, both)}), QosClass::kGuaranteed},
      {"two guaranteed containers", pod({container("a", both, both), container("b", both, both)}),
       QosClass::kGuaranteed},
      {"limit without cpu", pod({container("a", {{"memory", "1Gi"}}, {{"memory", "1Gi"}})}),
       QosClass::kBurstable},
      {"request below limit", pod({container("a", {{"cpu", "100m"}, {"memory", "512Mi"}}, both)}),
       QosClass::kBurstable},
      {"one container without limits", pod({container("a", both, both), container("b", {}, {})}),
       QosClass::kBurstable},
      {"init container counts", pod({container("a", both, both)}, {container("i", {{"memory", "1Gi"}}, {})}),
       QosClass::kBurstable},
      {"only a request", pod({container("a", {{"memory", "1Gi"}}, {})}), QosClass::kBurstable},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    EXPECT_STREQ(qosClassName(podQosClass(row.spec)), qosClassName(row.expected));
  }
}

TEST(QosTest, OomScoreAdjFollowsTheClassAndTheMemoryRequest) {
  struct Row {
    const char* name;
    model::PodSpec spec;
    int expected;
  };
  const Resources both = {{"cpu", "100m"}, {"memory", "1Gi"}};
  model::PodSpec critical = pod({container("a", {}, {})});
  critical.priorityClassName = "system-node-critical";
  model::PodSpec lowPriorityCritical = critical;
  lowPriorityCritical.priority = 1000;
  const Row rows[] = {
      {"BestEffort", pod({container("a", {}, {})}), 1000},
      {"Guaranteed", pod({container("a", both, both)}), -997},
      {"node-critical BestEffort", critical, -997},
      {"node-critical name with a low priority", lowPriorityCritical, 1000},
      {"Burstable, 10% of memory", pod({container("a", {{"memory", "1Gi"}}, {})}), 900},
      {"Burstable, cpu only: just below BestEffort", pod({container("a", {{"cpu", "1"}}, {})}), 999},
      {"Burstable, all memory: just above Guaranteed", pod({container("a", {{"memory", "10Gi"}}, {})}), 3},
      {"Burstable, more than all memory", pod({container("a", {{"memory", "20Gi"}}, {})}), 3},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    EXPECT_EQ(containerOomScoreAdj(row.spec, row.spec.containers[0], kCapacity), row.expected);
  }
}

TEST(QosTest, SidecarIsNoMoreKillableThanTheSmallestRegularContainer) {
  model::Container sidecar = container("log", {{"memory", "100Mi"}}, {});
  sidecar.restartPolicy = "Always";
  model::PodSpec spec =
      pod({container("a", {{"memory", "2Gi"}}, {}), container("b", {{"memory", "1Gi"}}, {})}, {sidecar});
  EXPECT_EQ(containerOomScoreAdj(spec, spec.initContainers[0], kCapacity), 900);
  EXPECT_EQ(containerOomScoreAdj(spec, spec.containers[0], kCapacity), 800);
}

TEST(QosTest, UnknownCapacityCountsBurstableJustBelowBestEffort) {
  model::PodSpec spec = pod({container("a", {{"memory", "1Gi"}}, {})});
  EXPECT_EQ(containerOomScoreAdj(spec, spec.containers[0], 0), 999);
}

}  // namespace
}  // namespace daemonlet::decision
