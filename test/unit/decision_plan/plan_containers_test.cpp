// Container tables: init order, sidecars, restarts with backoff (policy Always).
#include "agent/decision/plan_containers.h"

#include <gtest/gtest.h>

#include "plan_fixtures.h"

namespace daemonlet::decision {
namespace {

using namespace testing;

ObservedContainer sidecar(ObservedContainer c) {
  c.sidecar = true;
  return c;
}

ObservedContainer runningNotStarted(std::string name) {
  ObservedContainer c = runningContainer(std::move(name));
  c.started = false;  // startup probe not passed yet
  return c;
}

struct ContainerCase {
  std::string name;
  std::vector<ObservedContainer> init;
  std::vector<ObservedContainer> main;
  std::vector<std::string> starts;
  std::optional<TimePoint> wakeAt;
};

TEST(PlanContainers, Table) {
  const BackoffEntry recent{seconds(20), at(90)};
  const std::vector<ContainerCase> cases = {
      {"fresh pod without init containers: start every main container",
       {},
       {waitingContainer("a"), waitingContainer("b")},
       {"a", "b"},
       std::nullopt},
      {"fresh pod: only the first init container starts",
       {waitingContainer("i1"), waitingContainer("i2")},
       {waitingContainer("a")},
       {"init:i1"},
       std::nullopt},
      {"init container running: everything else waits",
       {runningContainer("i1"), waitingContainer("i2")},
       {waitingContainer("a")},
       {},
       std::nullopt},
      {"first init completed: the second starts",
       {exitedContainer("i1", 0, at(99)), waitingContainer("i2")},
       {waitingContainer("a")},
       {"init:i2"},
       std::nullopt},
      {"init failed once: retried at once with a 10s entry",
       {exitedContainer("i1", 3, at(99)), waitingContainer("i2")},
       {waitingContainer("a")},
       {"init:i1 backoff=10s"},
       std::nullopt},
      {"init failed inside its window: wait, nothing else runs",
       {exitedContainer("i1", 3, at(95), recent), waitingContainer("i2")},
       {waitingContainer("a")},
       {},
       at(115)},
      {"init with unknown exit status counts as failed",
       {[] {
         ObservedContainer c = exitedContainer("i1", 0, at(99));
         c.exitCode.reset();
         return c;
       }()},
       {waitingContainer("a")},
       {"init:i1 backoff=10s"},
       std::nullopt},
      {"all init completed: main containers start together",
       {exitedContainer("i1", 0, at(98)), exitedContainer("i2", 0, at(99))},
       {waitingContainer("a"), waitingContainer("b")},
       {"a", "b"},
       std::nullopt},
      {"sidecar first: started, the next init container waits for it",
       {sidecar(waitingContainer("s")), waitingContainer("i2")},
       {waitingContainer("a")},
       {"init:s"},
       std::nullopt},
      {"sidecar running but not started (startup probe): still waiting",
       {sidecar(runningNotStarted("s")), waitingContainer("i2")},
       {waitingContainer("a")},
       {},
       std::nullopt},
      {"sidecar started: the next init container runs, sidecar is not waited to complete",
       {sidecar(runningContainer("s")), waitingContainer("i2")},
       {waitingContainer("a")},
       {"init:i2"},
       std::nullopt},
      {"sidecar started, init completed: main containers start",
       {sidecar(runningContainer("s")), exitedContainer("i2", 0, at(99))},
       {waitingContainer("a")},
       {"a"},
       std::nullopt},
      {"sidecar exits after the pod runs: restarted like a main container",
       {sidecar(exitedContainer("s", 0, at(99))), exitedContainer("i2", 0, at(50))},
       {runningContainer("a")},
       {"init:s backoff=10s"},
       std::nullopt},
      {"sidecar backing off after the pod runs: main containers unaffected",
       {sidecar(exitedContainer("s", 1, at(95), recent))},
       {runningContainer("a"), waitingContainer("b")},
       {"b"},
       at(115)},
      {"main container exit 0: restarted (policy Always)",
       {},
       {exitedContainer("a", 0, at(99))},
       {"a backoff=10s"},
       std::nullopt},
      {"main container crash inside its window: wait until exit + delay",
       {},
       {exitedContainer("a", 1, at(95), recent)},
       {},
       at(115)},
      {"main window over: restart, delay doubles",
       {},
       {exitedContainer("a", 1, at(70), recent)},
       {"a backoff=40s"},
       std::nullopt},
      {"two containers backing off: wake at the earlier end",
       {},
       {exitedContainer("a", 1, at(95), recent), exitedContainer("b", 1, at(85), recent)},
       {},
       at(105)},
      {"main containers ran before (adopted): init containers are not run again",
       {waitingContainer("i1")},
       {exitedContainer("a", 1, at(99))},
       {"a backoff=10s"},
       std::nullopt},
      {"a restarted main container that is waiting again also ends initialisation",
       {waitingContainer("i1")},
       {[] {
         ObservedContainer c = waitingContainer("a");
         c.restartCount = 2;
         return c;
       }()},
       {"a"},
       std::nullopt},
  };
  for (const ContainerCase& c : cases) {
    SCOPED_TRACE(c.name);
    ObservedPod pod = newPod("p", "r1", at(0));
    pod.initContainers = c.init;
    pod.containers = c.main;
    const ContainerPlan plan = planContainers(pod, BackoffPolicy{}, kNow);
    std::vector<std::string> starts;
    for (const StartContainer& s : plan.starts) {
      EXPECT_EQ(s.podUid, "p");
      // "start-container p init:i1 backoff=10s" → "init:i1 backoff=10s"
      starts.push_back(describe(Action{s}).substr(std::string("start-container p ").size()));
    }
    EXPECT_EQ(starts, c.starts);
    EXPECT_EQ(plan.wakeAt, c.wakeAt);
    EXPECT_EQ(plan.backoffs.empty(), !c.wakeAt.has_value());
  }
}

}  // namespace
}  // namespace daemonlet::decision
