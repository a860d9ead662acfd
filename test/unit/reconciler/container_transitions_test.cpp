// What a container's slot and its pod's readiness become on a start, a failed
// start, an exit and probe results.
#include "agent/reconciler/container_transitions.h"

#include <gtest/gtest.h>

#include <functional>

#include "agent/reconciler/container_key.h"
#include "pod_fixtures.h"

namespace daemonlet::reconciler {
namespace {

using decision::ContainerState;
using testing::daemonSetNamed;
using testing::podOf;

const base::TimePoint kNow{std::chrono::hours(5)};
const base::WallTime kWall{std::chrono::seconds(1'700'000'000)};

runtime::ContainerStatus running(const std::string& id) {
  runtime::ContainerStatus status;
  status.containerId = id;
  status.state = runtime::ContainerState::kRunning;
  status.pid = 42;
  status.startedAt = kWall;
  status.logPath = "/var/log/pods/x/main/0.log";
  return status;
}

TEST(ContainerTransitions, StartedDependsOnTheProbes) {
  struct Row {
    std::string name;
    bool startupProbe, readinessProbe;
    bool started, ready;
  };
  const std::vector<Row> rows = {
      {"no probes: started and ready at once", false, false, true, true},
      {"readiness probe: started, not ready until it passes", false, true, true, false},
      {"startup probe: neither until it passes", true, false, false, false},
      {"both probes: neither", true, true, false, false},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    model::Container spec;
    if (row.startupProbe) spec.startupProbe = model::Probe{};
    if (row.readinessProbe) spec.readinessProbe = model::Probe{};
    ContainerSlot slot;
    markCreating(slot);
    EXPECT_EQ(slot.waitingReason, "ContainerCreating");
    EXPECT_FALSE(markStarted(slot, running("host://42"), spec));
    EXPECT_EQ(slot.state, ContainerState::Running);
    EXPECT_EQ(slot.containerId, "host://42");
    EXPECT_EQ(slot.pid, 42);
    EXPECT_EQ(slot.starts, 1);
    EXPECT_EQ(slot.logPath, "/var/log/pods/x/main/0.log");
    EXPECT_EQ(slot.waitingReason, "");
    EXPECT_EQ(slot.started, row.started);
    EXPECT_EQ(slot.ready, row.ready);
  }
}

TEST(ContainerTransitions, ASecondStartIsARestartAndKeepsThePreviousStartTime) {
  ContainerSlot slot;
  model::Container spec;
  EXPECT_FALSE(markStarted(slot, running("host://1"), spec));
  markExited(slot, runtime::ContainerStatus{}, kNow, kWall);
  auto second = running("host://2");
  second.startedAt = kWall + std::chrono::seconds(10);
  EXPECT_TRUE(markStarted(slot, second, spec));
  EXPECT_EQ(slot.starts, 2);
  EXPECT_EQ(slot.restartCount(), 1);
  EXPECT_EQ(slot.lastStartedAtWall, kWall);
  EXPECT_EQ(slot.startedAtWall, kWall + std::chrono::seconds(10));
}

TEST(ContainerTransitions, AFailedStartCountsAsAnExitWithCode128) {
  ContainerSlot slot;
  markCreating(slot);
  markStartFailed(slot, "StartError", "exec: no such file", kNow, kWall);
  EXPECT_EQ(slot.state, ContainerState::Exited);
  EXPECT_EQ(slot.exitCode, 128);
  EXPECT_EQ(slot.exitReason, "StartError");
  EXPECT_EQ(slot.waitingReason, "StartError");
  EXPECT_EQ(slot.waitingMessage, "exec: no such file");
  EXPECT_EQ(slot.finishedAt, kNow);
  EXPECT_EQ(slot.finishedAtWall, kWall);
  EXPECT_EQ(slot.starts, 1);  // the back-off counts it
}

TEST(ContainerTransitions, AnExitTakesTheRuntimesWallTimeWhenItHasOne) {
  struct Row {
    std::string name;
    std::optional<base::WallTime> reported;
    base::WallTime expected;
  };
  const std::vector<Row> rows = {
      {"reported by the runtime", kWall - std::chrono::seconds(3), kWall - std::chrono::seconds(3)},
      {"not reported: now", std::nullopt, kWall},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    ContainerSlot slot;
    (void)markStarted(slot, running("host://1"), model::Container{});
    runtime::ContainerStatus exited;
    exited.exitCode = 137;
    exited.reason = "Error";
    exited.message = "terminated by signal 9 (Killed)";
    exited.finishedAt = row.reported;
    markExited(slot, exited, kNow, kWall);
    EXPECT_EQ(slot.state, ContainerState::Exited);
    EXPECT_EQ(slot.exitCode, 137);
    EXPECT_EQ(slot.exitReason, "Error");
    EXPECT_EQ(slot.exitMessage, "terminated by signal 9 (Killed)");
    EXPECT_EQ(slot.finishedAt, kNow);
    EXPECT_EQ(slot.finishedAtWall, row.expected);
    EXPECT_FALSE(slot.started);
    EXPECT_FALSE(slot.ready);
  }
}

TEST(ContainerTransitions, PostStartHookHoldsStartedAndReady) {
  model::Container spec;  // no probes: started and ready once the hook succeeded
  ContainerSlot slot;
  markStarted(slot, running("host://1"), spec);
  markPostStartRunning(slot);
  EXPECT_EQ(slot.state, ContainerState::Running) << "counts as running for the plan (no second start)";
  EXPECT_FALSE(slot.started);
  EXPECT_FALSE(slot.ready);
  markPostStartDone(slot, spec);
  EXPECT_FALSE(slot.postStartRunning);
  EXPECT_TRUE(slot.started);
  EXPECT_TRUE(slot.ready);
}

TEST(ContainerTransitions, AFailedPostStartHookNamesTheKillingOfTheExit) {
  model::Container spec;
  ContainerSlot slot;
  markStarted(slot, running("host://1"), spec);
  markPostStartRunning(slot);
  markPostStartFailed(slot, "Exec lifecycle hook ([false]) failed - error: exit code 1");
  EXPECT_EQ(slot.waitingReason, "PostStartHookError");
  runtime::ContainerStatus exited = running("host://1");
  exited.state = runtime::ContainerState::kExited;
  exited.exitCode = 143;
  exited.reason = "Error";
  markExited(slot, exited, kNow, kWall);
  EXPECT_EQ(slot.exitReason, "FailedPostStartHook");
  EXPECT_EQ(slot.exitMessage, "Exec lifecycle hook ([false]) failed - error: exit code 1");
  EXPECT_EQ(slot.exitCode, 143);
  // The next instance starts clean, and its own exit is the runtime's again.
  markStarted(slot, running("host://2"), spec);
  EXPECT_TRUE(slot.killReason.empty());
  markExited(slot, exited, kNow, kWall);
  EXPECT_EQ(slot.exitReason, "Error");
}

TEST(ContainerTransitions, ProbeResults) {
  struct Row {
    std::string name;
    std::function<void(ContainerSlot&)> apply;
    bool started, ready;
  };
  model::Container withReadiness;
  withReadiness.readinessProbe = model::Probe{};
  model::Container withoutReadiness;
  const std::vector<Row> rows = {
      {"startup passes without a readiness probe: ready",
       [&](ContainerSlot& s) { markStartupPassed(s, &withoutReadiness); }, true, true},
      {"startup passes with a readiness probe: not ready yet",
       [&](ContainerSlot& s) { markStartupPassed(s, &withReadiness); }, true, false},
      {"startup passes for a container the spec no longer names",
       [&](ContainerSlot& s) { markStartupPassed(s, nullptr); }, true, false},
      {"readiness passes before startup: not ready", [](ContainerSlot& s) { markReadiness(s, true); }, false,
       false},
      {"readiness passes after startup: ready",
       [&](ContainerSlot& s) {
         markStartupPassed(s, &withReadiness);
         markReadiness(s, true);
       },
       true, true},
      {"readiness fails after passing: not ready",
       [&](ContainerSlot& s) {
         markStartupPassed(s, &withReadiness);
         markReadiness(s, true);
         markReadiness(s, false);
       },
       true, false},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    ContainerSlot slot;
    model::Container spec;
    spec.startupProbe = model::Probe{};
    (void)markStarted(slot, running("host://1"), spec);
    row.apply(slot);
    EXPECT_EQ(slot.started, row.started);
    EXPECT_EQ(slot.ready, row.ready);
  }
}

TEST(ContainerTransitions, PodReadiness) {
  struct Row {
    std::string name;
    std::function<void(PodState&)> tweak;
    bool ready;
  };
  auto runReady = [](ContainerSlot& s) {
    s.state = ContainerState::Running;
    s.ready = true;
  };
  const std::vector<Row> rows = {
      {"every container running and ready", [&](PodState& p) { runReady(p.containers[0]); }, true},
      {"a container not ready", [&](PodState& p) { p.containers[0].state = ContainerState::Running; }, false},
      {"stopping",
       [&](PodState& p) {
         runReady(p.containers[0]);
         p.stopRequested = true;
       },
       false},
      {"no containers", [&](PodState& p) { p.containers.clear(); }, false},
      {"a sidecar not ready",
       [&](PodState& p) {
         runReady(p.containers[0]);
         ContainerSlot sidecar;
         sidecar.init = sidecar.sidecar = true;
         sidecar.state = ContainerState::Running;
         p.initContainers.push_back(sidecar);
       },
       false},
      {"a completed plain init container does not count",
       [&](PodState& p) {
         runReady(p.containers[0]);
         ContainerSlot init;
         init.init = true;
         init.state = ContainerState::Exited;
         p.initContainers.push_back(init);
       },
       true},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    PodState pod = podOf(daemonSetNamed("agent"));
    row.tweak(pod);
    updateReadiness(pod, kNow, kWall);
    EXPECT_EQ(pod.ready, row.ready);
    if (row.ready) {
      EXPECT_EQ(pod.readySince, kNow);
      EXPECT_EQ(pod.readySinceWall, kWall);
    }
  }
}

TEST(ContainerTransitions, ReadySinceIsKeptWhileThePodStaysReady) {
  PodState pod = podOf(daemonSetNamed("agent"));
  pod.containers[0].state = ContainerState::Running;
  pod.containers[0].ready = true;
  updateReadiness(pod, kNow, kWall);
  updateReadiness(pod, kNow + std::chrono::seconds(5), kWall + std::chrono::seconds(5));
  EXPECT_EQ(pod.readySince, kNow);
}

TEST(ContainerKey, TheInitFlagTellsContainersOfTheSameNameApart) {
  PodState pod = podOf(daemonSetNamed("agent"));
  ContainerSlot init = pod.containers[0];
  init.init = true;
  EXPECT_NE(ContainerKey::of(pod, pod.containers[0]), ContainerKey::of(pod, init));
  runtime::ContainerStatus status;
  status.pod.uid = pod.ref.uid;
  status.containerName = "main";
  status.init = true;
  EXPECT_EQ(ContainerKey::of(status), ContainerKey::of(pod, init));
}

}  // namespace
}  // namespace daemonlet::reconciler
