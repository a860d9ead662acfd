// From model objects to plan inputs, and a new pod's first passes.
#include "agent/decision/plan_inputs.h"

#include <gtest/gtest.h>

#include "agent/decision/plan.h"
#include "plan_fixtures.h"

namespace daemonlet::decision {
namespace {

using namespace testing;

model::DaemonSet sampleDaemonSet() {
  model::DaemonSet ds;
  ds.metadata.name = "agent";
  ds.metadata.namespace_ = "kube-system";
  ds.spec.minReadySeconds = 7;
  ds.spec.updateStrategy.type = "RollingUpdate";
  ds.spec.updateStrategy.rollingUpdate =
      model::RollingUpdateDaemonSet{model::IntOrString::fromInt(0), model::IntOrString::fromString("10%")};
  model::Container setup;
  setup.name = "setup";
  model::Container proxy;
  proxy.name = "proxy";
  proxy.restartPolicy = "Always";
  model::Container main;
  main.name = "main";
  ds.spec.template_.spec.initContainers = {setup, proxy};
  ds.spec.template_.spec.containers = {main};
  return ds;
}

TEST(PlanInputs, DesiredDaemonSetFromModel) {
  PlacementDecision placement;
  placement.shouldRun = false;
  placement.shouldContinueRunning = true;
  const DesiredDaemonSet d = desiredDaemonSet(sampleDaemonSet(), "abc123", placement, at(500));
  EXPECT_EQ(d.key, "kube-system/agent");
  EXPECT_EQ(d.revision, "abc123");
  EXPECT_FALSE(d.shouldRun);
  EXPECT_TRUE(d.shouldContinueRunning);
  EXPECT_EQ(d.evictAt, at(500));
  EXPECT_EQ(d.updateStrategy, (UpdateStrategy{UpdateStrategyType::RollingUpdate, 1, 0}));
  EXPECT_EQ(d.minReadySeconds, seconds(7));
}

// A pod before its first pass: every container waiting, the init container with
// restartPolicy Always a sidecar.
ObservedPod freshPod(std::string uid, const DesiredDaemonSet& desired, TimePoint createdAt) {
  ObservedPod pod;
  pod.uid = std::move(uid);
  pod.daemonSetKey = desired.key;
  pod.revision = desired.revision;
  pod.createdAt = createdAt;
  pod.initContainers = {waitingContainer("setup"), waitingContainer("proxy")};
  pod.initContainers[1].sidecar = true;
  pod.containers = {waitingContainer("main")};
  return pod;
}

TEST(PlanInputs, NewPodStartsInitThenSidecarThenMain) {
  const model::DaemonSet model = sampleDaemonSet();
  PlacementDecision placement;
  placement.shouldRun = placement.shouldContinueRunning = true;
  Scenario s;
  s.desired = {desiredDaemonSet(model, "r1", placement, std::nullopt)};
  s.observed = {freshPod("p1", s.ds(), at(90))};
  ASSERT_EQ(s.pod("p1").initContainers.size(), 2u);
  EXPECT_FALSE(s.pod("p1").initContainers[0].sidecar);
  EXPECT_TRUE(s.pod("p1").initContainers[1].sidecar);

  struct Step {
    std::string name;
    std::function<void(ObservedPod&)> change;
    std::vector<std::string> actions;
  };
  const std::vector<Step> steps = {
      {"fresh pod: the first init container", nullptr, {"start-container p1 init:setup"}},
      {"setup done: the sidecar",
       [](ObservedPod& p) { p.initContainers[0] = exitedContainer("setup", 0, at(95)); },
       {"start-container p1 init:proxy"}},
      {"sidecar running, startup probe pending: wait",
       [](ObservedPod& p) {
         p.initContainers[1].state = ContainerState::Running;
         p.initContainers[1].started = false;
       },
       {}},
      {"sidecar started: the main container",
       [](ObservedPod& p) { p.initContainers[1].started = true; },
       {"start-container p1 main"}},
  };
  for (const Step& step : steps) {
    SCOPED_TRACE(step.name);
    if (step.change) step.change(s.pod("p1"));
    EXPECT_EQ(describe(s.plan()), step.actions);
  }
}

}  // namespace
}  // namespace daemonlet::decision
