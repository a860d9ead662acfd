// Plan tables for pods: start, keep, stop, evict, remove, operator deletion,
// duplicates. Each row tweaks the base scenario of plan_fixtures.h (DaemonSet
// ns/a at r1 with ready pod p1) and states the whole expected plan.
#include "agent/decision/plan.h"

#include <gtest/gtest.h>

#include "plan_fixtures.h"

namespace daemonlet::decision {
namespace {

using namespace testing;

TEST(PlanPods, PlacementAndLifecycle) {
  const std::vector<PlanCase> cases = {
      {"steady: the pod runs, nothing to do", nullptr, {}, std::nullopt, ""},
      {"desired, shouldRun, no pod: start one",
       [](Scenario& s) { s.observed.clear(); },
       {"start-pod ns/a r1"},
       std::nullopt,
       ""},
      {"shouldRun false without a pod (NoSchedule taint): nothing starts",
       [](Scenario& s) {
         s.observed.clear();
         s.ds().shouldRun = false;
       },
       {},
       std::nullopt,
       ""},
      {"shouldRun false but shouldContinueRunning (NoSchedule): the pod stays",
       [](Scenario& s) { s.ds().shouldRun = false; },
       {},
       std::nullopt,
       ""},
      {"shouldContinueRunning false (labels changed, untolerated NoExecute): stop at once",
       [](Scenario& s) {
         s.ds().shouldRun = false;
         s.ds().shouldContinueRunning = false;
       },
       {"stop-pod p1 PlacementChanged"},
       std::nullopt,
       ""},
      {"NoExecute tolerated without tolerationSeconds: the pod stays, no timer",
       nullptr,
       {},
       std::nullopt,
       ""},
      {"NoExecute with tolerationSeconds: keep until the deadline and wake up then",
       [](Scenario& s) {
         s.ds().shouldRun = true;
         s.ds().evictAt = at(130);
       },
       {},
       at(130),
       "evicts this DaemonSet's pods in 30s"},
      {"NoExecute deadline reached: evict",
       [](Scenario& s) { s.ds().evictAt = at(100); },
       {"stop-pod p1 NoExecuteEviction"},
       std::nullopt,
       "tolerationSeconds ran out"},
      {"NoExecute deadline passed and the pod gone: no new pod",
       [](Scenario& s) {
         s.ds().evictAt = at(50);
         s.observed.clear();
       },
       {},
       std::nullopt,
       "tolerationSeconds ran out"},
      {"NoExecute deadline passed, pod still stopping: nothing more",
       [](Scenario& s) {
         s.ds().evictAt = at(50);
         markStopping(s.pod("p1"));
       },
       {},
       std::nullopt,
       "tolerationSeconds ran out"},
      {"placement stop finished: the pod's state goes",
       [](Scenario& s) {
         s.ds().shouldContinueRunning = false;
         markStopping(s.pod("p1"), /*exited=*/true);
       },
       {"delete-state p1"},
       std::nullopt,
       ""},
  };
  for (const PlanCase& c : cases) checkPlanCase(c);
}

TEST(PlanPods, RemovedDaemonSet) {
  const std::vector<PlanCase> cases = {
      {"DaemonSet no longer desired: stop its pod",
       [](Scenario& s) { s.desired.clear(); },
       {"stop-pod p1 DaemonSetRemoved"},
       std::nullopt,
       ""},
      {"removed, pod stopping: wait, no second stop",
       [](Scenario& s) {
         s.desired.clear();
         markStopping(s.pod("p1"));
       },
       {},
       std::nullopt,
       ""},
      {"removed, pod gone: delete its state",
       [](Scenario& s) {
         s.desired.clear();
         markStopping(s.pod("p1"), /*exited=*/true);
       },
       {"delete-state p1"},
       std::nullopt,
       ""},
      {"removed while crash-looping: stop, do not restart the container",
       [](Scenario& s) {
         s.desired.clear();
         s.pod("p1").containers = {exitedContainer("main", 1, at(99))};
       },
       {"stop-pod p1 DaemonSetRemoved"},
       std::nullopt,
       ""},
      {"a pod stopped before any container ran is gone at once",
       [](Scenario& s) {
         s.desired.clear();
         s.observed = {newPod("p9", "r1", at(90))};
         markStopping(s.pod("p9"));
       },
       {"delete-state p9"},
       std::nullopt,
       ""},
  };
  for (const PlanCase& c : cases) checkPlanCase(c);
}

TEST(PlanPods, OperatorDeletion) {
  const std::vector<PlanCase> cases = {
      {"DELETE through the API: stop it; the new pod waits for it to be gone",
       [](Scenario& s) { s.pod("p1").deletionRequested = true; },
       {"stop-pod p1 OperatorDeleted"},
       std::nullopt,
       "waiting for pod p1 to stop"},
      {"deleted pod still stopping: no second stop, still waiting",
       [](Scenario& s) {
         s.pod("p1").deletionRequested = true;
         markStopping(s.pod("p1"));
       },
       {},
       std::nullopt,
       "waiting for pod p1 to stop"},
      {"deleted pod gone: forget it and start a new one of the current revision",
       [](Scenario& s) {
         s.pod("p1").deletionRequested = true;
         markStopping(s.pod("p1"), /*exited=*/true);
         s.ds().revision = "r2";
       },
       {"delete-state p1", "start-pod ns/a r2"},
       std::nullopt,
       ""},
      {"with surge a copy of the same revision still waits (never two of one revision)",
       [](Scenario& s) {
         s.ds().updateStrategy = surgeStrategy();
         s.pod("p1").deletionRequested = true;
       },
       {"stop-pod p1 OperatorDeleted"},
       std::nullopt,
       "waiting for pod p1 to stop"},
      {"with surge a pod of another revision does not wait",
       [](Scenario& s) {
         s.ds().revision = "r2";
         s.ds().updateStrategy = surgeStrategy();
         s.pod("p1").deletionRequested = true;
       },
       {"stop-pod p1 OperatorDeleted", "start-pod ns/a r2"},
       std::nullopt,
       ""},
      {"deleted while the DaemonSet may no longer start pods: stop, nothing new",
       [](Scenario& s) {
         s.ds().shouldRun = false;
         s.pod("p1").deletionRequested = true;
       },
       {"stop-pod p1 OperatorDeleted"},
       std::nullopt,
       ""},
      {"deleted after the DaemonSet was removed: stopped once, as the operator asked",
       [](Scenario& s) {
         s.desired.clear();
         s.pod("p1").deletionRequested = true;
       },
       {"stop-pod p1 OperatorDeleted"},
       std::nullopt,
       ""},
  };
  for (const PlanCase& c : cases) checkPlanCase(c);
}

TEST(PlanPods, Duplicates) {
  const std::vector<PlanCase> cases = {
      {"two ready pods of one revision: keep the oldest",
       [](Scenario& s) { s.observed.push_back(readyPod("p2", "r1", at(10))); },
       {"stop-pod p2 Duplicate"},
       std::nullopt,
       ""},
      {"the oldest is not ready: keep the oldest ready one",
       [](Scenario& s) {
         s.pod("p1").ready = false;
         s.observed.push_back(readyPod("p2", "r1", at(10)));
         s.observed.push_back(readyPod("p3", "r1", at(20)));
       },
       {"stop-pod p1 Duplicate", "stop-pod p3 Duplicate"},
       std::nullopt,
       ""},
      {"none ready: keep the oldest (its containers are still looked after)",
       [](Scenario& s) {
         s.pod("p1").ready = false;
         s.pod("p1").containers = {waitingContainer("main")};
         s.observed.push_back(newPod("p2", "r1", at(10)));
       },
       {"stop-pod p2 Duplicate", "start-container p1 main"},
       std::nullopt,
       ""},
      {"same creation time: the uid breaks the tie",
       [](Scenario& s) { s.observed.insert(s.observed.begin(), readyPod("p0", "r1", at(0))); },
       {"stop-pod p1 Duplicate"},
       std::nullopt,
       ""},
      {"a stopping copy is not a duplicate",
       [](Scenario& s) {
         s.observed.push_back(readyPod("p2", "r1", at(10)));
         markStopping(s.pod("p2"));
       },
       {},
       std::nullopt,
       ""},
      {"two pods of older revisions during a surge: keep one old, one new",
       [](Scenario& s) {
         s.ds().revision = "r3";
         s.ds().updateStrategy = surgeStrategy();
         s.observed.push_back(readyPod("p2", "r2", at(10)));
         s.observed.push_back(newPod("p3", "r3", at(90)));
       },
       {"stop-pod p2 Duplicate", "start-container p3 main"},
       std::nullopt,
       "to become ready"},
  };
  for (const PlanCase& c : cases) checkPlanCase(c);
}

TEST(PlanPods, ContainerBackoffWakesThePlan) {
  const std::vector<PlanCase> cases = {
      {"crashed once: restart at once, open a 10s entry",
       [](Scenario& s) { s.pod("p1").containers = {exitedContainer("main", 1, at(99))}; },
       {"start-container p1 main backoff=10s"},
       std::nullopt,
       ""},
      {"exit 0 is restarted too (restart policy Always)",
       [](Scenario& s) { s.pod("p1").containers = {exitedContainer("main", 0, at(99))}; },
       {"start-container p1 main backoff=10s"},
       std::nullopt,
       ""},
      {"crash inside the window: wait and wake up when it ends",
       [](Scenario& s) {
         s.pod("p1").containers = {exitedContainer("main", 1, at(95), BackoffEntry{seconds(20), at(90)})};
       },
       {},
       at(115),
       "CrashLoopBackOff: back-off 20s, restarts in 15s"},
      {"the earliest of backoff and eviction deadline wins",
       [](Scenario& s) {
         s.ds().evictAt = at(300);
         s.pod("p1").containers = {exitedContainer("main", 1, at(95), BackoffEntry{seconds(20), at(90)})};
       },
       {},
       at(115),
       "CrashLoopBackOff"},
  };
  for (const PlanCase& c : cases) checkPlanCase(c);
}

// A pod being stopped keeps its exited containers down, and (without surge) the
// DaemonSet waits for it before starting anything.
TEST(PlanPods, StoppingPodIsLeftAlone) {
  Scenario s;
  s.pod("p1").containers = {exitedContainer("main", 1, at(99)), runningContainer("side")};
  markStopping(s.pod("p1"));
  const Plan plan = s.plan();
  EXPECT_EQ(describe(plan), std::vector<std::string>{});
  EXPECT_TRUE(waitingMentions(plan, "ns/a", "waiting for pod p1 to stop"));
}

// The reconciler's loop in miniature: the container dies one second after each
// start; the plan is asked at the exit and again at its wakeAt, and the entry it
// hands out with each start is stored. The waits follow the kubelet's sequence.
TEST(PlanPods, CrashLoopThroughThePlan) {
  Scenario s;
  ObservedContainer& main = s.pod("p1").containers.at(0);
  TimePoint startedAt = at(0);
  std::vector<int> waits;
  for (int i = 0; i < 6; ++i) {
    SCOPED_TRACE("exit " + std::to_string(i + 1));
    const TimePoint exitAt = startedAt + seconds(1);
    main.state = ContainerState::Exited;
    main.exitCode = 1;
    main.finishedAt = exitAt;
    s.now = exitAt;
    Plan plan = s.plan();
    if (plan.actions.empty()) {
      ASSERT_TRUE(plan.wakeAt.has_value());
      s.now = *plan.wakeAt;
      plan = s.plan();
    }
    ASSERT_EQ(plan.actions.size(), 1u);
    const auto& start = std::get<StartContainer>(plan.actions[0]);
    waits.push_back(static_cast<int>(std::chrono::duration_cast<seconds>(s.now - exitAt).count()));
    main.state = ContainerState::Running;
    main.backoff = start.backoffAfterStart;
    ++main.restartCount;
    startedAt = s.now;
  }
  EXPECT_EQ(waits, (std::vector<int>{0, 10, 20, 40, 80, 160}));
}

TEST(PlanPods, BackoffListedForStatus) {
  Scenario s;
  s.pod("p1").containers = {exitedContainer("main", 2, at(95), BackoffEntry{seconds(40), at(90)})};
  const Plan plan = s.plan();
  ASSERT_EQ(plan.backoffs.size(), 1u);
  EXPECT_EQ(plan.backoffs[0], (ContainerBackoff{"p1", "main", at(135), seconds(40)}));
}

TEST(PlanPods, DaemonSetsInKeyOrder) {
  Scenario s;
  s.desired = {desiredSet("ns/c"), desiredSet("ns/a"), desiredSet("ns/b")};
  s.observed = {readyPod("pc", "r1", at(0), "ns/c"), readyPod("px", "r1", at(0), "ns/x")};
  s.pod("pc").deletionRequested = true;
  const Plan plan = s.plan();
  EXPECT_EQ(describe(plan),
            (std::vector<std::string>{"start-pod ns/a r1", "start-pod ns/b r1", "stop-pod pc OperatorDeleted",
                                      "stop-pod px DaemonSetRemoved"}));
  EXPECT_TRUE(waitingMentions(plan, "ns/c", "waiting for pod pc to stop"));
}

TEST(PlanPods, SamePlanTwice) {
  Scenario s;
  s.ds().revision = "r2";
  s.ds().updateStrategy = surgeStrategy();
  s.observed.push_back(newPod("p2", "r2", at(90)));
  EXPECT_EQ(describe(s.plan()), describe(s.plan()));
}

TEST(PodAvailable, MinReadySeconds) {
  ObservedPod p = testing::readyPod("p", "r", at(0));  // ready since at(1)
  EXPECT_TRUE(podAvailable(p, seconds(0), at(1)));
  EXPECT_FALSE(podAvailable(p, seconds(10), at(10)));
  EXPECT_TRUE(podAvailable(p, seconds(10), at(11)));
  p.ready = false;
  EXPECT_FALSE(podAvailable(p, seconds(0), at(500)));
}

}  // namespace
}  // namespace daemonlet::decision
