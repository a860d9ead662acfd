// Template changes, step by step: each story starts from the base scenario (p1
// at r1, ready) with the DaemonSet moved to r2, and every step applies what the
// reconciler would observe after acting on the previous plan.
#include <gtest/gtest.h>

#include "agent/decision/plan.h"
#include "plan_fixtures.h"

namespace daemonlet::decision {
namespace {

using namespace testing;

struct Step {
  std::string name;
  std::function<void(Scenario&)> change;  // cumulative
  std::vector<std::string> actions;
  std::optional<TimePoint> wakeAt;
  std::string waiting;  // substring of a reason for ns/a; empty: none
};

void runStory(Scenario s, const std::vector<Step>& steps) {
  for (const Step& step : steps) {
    SCOPED_TRACE(step.name);
    if (step.change) step.change(s);
    const Plan plan = s.plan();
    EXPECT_EQ(describe(plan), step.actions);
    EXPECT_EQ(plan.wakeAt, step.wakeAt);
    if (step.waiting.empty()) {
      EXPECT_EQ(plan.waiting.count("ns/a"), 0u) << plan.waiting.at("ns/a").front();
    } else {
      EXPECT_TRUE(waitingMentions(plan, "ns/a", step.waiting)) << "expected a reason with: " << step.waiting;
    }
  }
}

Scenario updatedTo(const std::string& revision, UpdateStrategy strategy, int minReadySeconds = 0) {
  Scenario s;
  s.ds().revision = revision;
  s.ds().updateStrategy = strategy;
  s.ds().minReadySeconds = seconds(minReadySeconds);
  return s;
}

void becomeReady(ObservedPod& p, TimePoint since) {
  p.containers = {runningContainer("main")};
  p.ready = true;
  p.readySince = since;
}

TEST(RollingUpdate, WithoutSurgeStopsOldThenStartsNew) {
  runStory(updatedTo("r2", UpdateStrategy{}),
           {
               {"old revision running: stop it first",
                nullptr,
                {"stop-pod p1 Replaced"},
                std::nullopt,
                "stopping pod p1 (revision r1) before starting revision r2"},
               {"old pod terminating: nothing starts yet",
                [](Scenario& s) { markStopping(s.pod("p1")); },
                {},
                std::nullopt,
                "waiting for pod p1 to stop"},
               {"old pod gone: forget it, start r2",
                [](Scenario& s) { markStopping(s.pod("p1"), /*exited=*/true); },
                {"delete-state p1", "start-pod ns/a r2"},
                std::nullopt,
                ""},
               {"new pod created: start its container",
                [](Scenario& s) {
                  s.removePod("p1");
                  s.observed.push_back(newPod("p2", "r2", at(100)));
                },
                {"start-container p2 main"},
                std::nullopt,
                ""},
               {"new pod running: done",
                [](Scenario& s) { becomeReady(s.pod("p2"), at(101)); },
                {},
                std::nullopt,
                ""},
           });
}

TEST(RollingUpdate, WithSurgeStartsNewFirstAndWaitsForAvailability) {
  runStory(updatedTo("r2", surgeStrategy(), /*minReadySeconds=*/10),
           {
               {"old revision running: start r2 beside it",
                nullptr,
                {"start-pod ns/a r2"},
                std::nullopt,
                "surge: starting revision r2 beside pod p1"},
               {"new pod created: start its container, old keeps running",
                [](Scenario& s) { s.observed.push_back(newPod("p2", "r2", at(100))); },
                {"start-container p2 main"},
                std::nullopt,
                "to become ready"},
               {"new pod running, not ready: wait",
                [](Scenario& s) { s.pod("p2").containers = {runningContainer("main")}; },
                {},
                std::nullopt,
                "waiting for new pod p2 to become ready before stopping pod p1"},
               {"new pod ready for 5 of 10 s: wake when minReadySeconds pass",
                [](Scenario& s) {
                  becomeReady(s.pod("p2"), at(100));
                  s.now = at(105);
                },
                {},
                at(110),
                "becomes available in 5s"},
               {"new pod available: stop the old one",
                [](Scenario& s) { s.now = at(110); },
                {"stop-pod p1 Replaced"},
                std::nullopt,
                ""},
               {"old pod terminating: nothing more",
                [](Scenario& s) { markStopping(s.pod("p1")); },
                {},
                std::nullopt,
                ""},
               {"old pod gone: forget it",
                [](Scenario& s) { markStopping(s.pod("p1"), /*exited=*/true); },
                {"delete-state p1"},
                std::nullopt,
                ""},
           });
}

TEST(RollingUpdate, SurgeTable) {
  const std::vector<PlanCase> cases = {
      {"surge, minReadySeconds 0: ready means available",
       [](Scenario& s) {
         s.ds() = desiredSet("ns/a", "r2");
         s.ds().updateStrategy = surgeStrategy();
         s.observed.push_back(readyPod("p2", "r2", at(50)));
       },
       {"stop-pod p1 Replaced"},
       std::nullopt,
       ""},
      {"surge, the old pod is not ready: replaced without waiting for the new one",
       [](Scenario& s) {
         s.ds() = desiredSet("ns/a", "r2");
         s.ds().updateStrategy = surgeStrategy();
         s.pod("p1").ready = false;
         s.observed.push_back(newPod("p2", "r2", at(90)));
       },
       {"stop-pod p1 Replaced", "start-container p2 main"},
       std::nullopt,
       ""},
      {"surge, new pod crash-looping: old keeps serving, new one backs off",
       [](Scenario& s) {
         s.ds() = desiredSet("ns/a", "r2");
         s.ds().updateStrategy = surgeStrategy();
         ObservedPod p2 = newPod("p2", "r2", at(50));
         p2.containers = {exitedContainer("main", 1, at(98), BackoffEntry{seconds(10), at(90)})};
         s.observed.push_back(p2);
       },
       {},
       at(108),
       "waiting for new pod p2 to become ready"},
      {"surge while shouldRun is false: the update is held, old pod stays",
       [](Scenario& s) {
         s.ds() = desiredSet("ns/a", "r2");
         s.ds().updateStrategy = surgeStrategy();
         s.ds().shouldRun = false;
       },
       {},
       std::nullopt,
       "update to revision r2 held"},
      {"surge, the new pod was deleted and still terminates: no second pod of r2 yet",
       [](Scenario& s) {
         s.ds() = desiredSet("ns/a", "r2");
         s.ds().updateStrategy = surgeStrategy();
         s.observed.push_back(readyPod("p2", "r2", at(50)));
         s.pod("p2").deletionRequested = true;
       },
       {"stop-pod p2 OperatorDeleted"},
       std::nullopt,
       "waiting for pod p2 to stop before starting revision r2"},
      {"no surge while shouldRun is false: held as well",
       [](Scenario& s) {
         s.ds() = desiredSet("ns/a", "r2");
         s.ds().shouldRun = false;
       },
       {},
       std::nullopt,
       "update to revision r2 held"},
      {"no surge but both revisions found (adoption): keep the new, stop the old",
       [](Scenario& s) {
         s.ds() = desiredSet("ns/a", "r2");
         s.observed.push_back(readyPod("p2", "r2", at(50)));
       },
       {"stop-pod p1 Replaced"},
       std::nullopt,
       ""},
      {"old pod's containers are still looked after during a surge",
       [](Scenario& s) {
         s.ds() = desiredSet("ns/a", "r2");
         s.ds().updateStrategy = surgeStrategy();
         s.pod("p1").containers = {runningContainer("main"), exitedContainer("log", 0, at(99))};
         s.observed.push_back(newPod("p2", "r2", at(90)));
       },
       {"start-container p1 log backoff=10s", "start-container p2 main"},
       std::nullopt,
       "to become ready"},
  };
  for (const PlanCase& c : cases) checkPlanCase(c);
}

TEST(OnDelete, KeepsOldUntilOperatorDeletes) {
  runStory(updatedTo("r2", onDeleteStrategy()),
           {
               {"old revision running: kept",
                nullptr,
                {},
                std::nullopt,
                "OnDelete: pod p1 runs revision r1, desired r2; delete the pod to update it"},
               {"later passes change nothing",
                [](Scenario& s) { s.now = at(5000); },
                {},
                std::nullopt,
                "OnDelete"},
               {"old pod crashes: it is restarted, still at r1",
                [](Scenario& s) { s.pod("p1").containers = {exitedContainer("main", 1, at(4999))}; },
                {"start-container p1 main backoff=10s"},
                std::nullopt,
                "OnDelete"},
               {"restarted, then the operator deletes it: stop",
                [](Scenario& s) {
                  s.pod("p1").containers = {runningContainer("main")};
                  s.pod("p1").deletionRequested = true;
                },
                {"stop-pod p1 OperatorDeleted"},
                std::nullopt,
                "waiting for pod p1 to stop"},
               {"terminating: wait",
                [](Scenario& s) { markStopping(s.pod("p1")); },
                {},
                std::nullopt,
                "waiting for pod p1 to stop"},
               {"gone: start the new revision",
                [](Scenario& s) { markStopping(s.pod("p1"), /*exited=*/true); },
                {"delete-state p1", "start-pod ns/a r2"},
                std::nullopt,
                ""},
           });
}

TEST(OnDelete, BothRevisionsKeepTheOlderPod) {
  const std::vector<PlanCase> cases = {
      {"old pod is older: the new one goes",
       [](Scenario& s) {
         s.ds().revision = "r2";
         s.ds().updateStrategy = onDeleteStrategy();
         s.observed.push_back(readyPod("p2", "r2", at(50)));
       },
       {"stop-pod p2 Duplicate"},
       std::nullopt,
       "OnDelete"},
      {"new pod is older: the old one goes",
       [](Scenario& s) {
         s.ds().revision = "r2";
         s.ds().updateStrategy = onDeleteStrategy();
         s.observed.push_back(readyPod("p0", "r2", TimePoint{}));
       },
       {"stop-pod p1 Duplicate"},
       std::nullopt,
       ""},
  };
  for (const PlanCase& c : cases) checkPlanCase(c);
}

}  // namespace
}  // namespace daemonlet::decision
