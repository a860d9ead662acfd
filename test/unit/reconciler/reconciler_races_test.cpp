// The reconciler's loop on an in-memory runtime: each test orders the
// runtime's reports against the passes to reach one race branch.
#include <gtest/gtest.h>

#include "reconciler_harness.h"

namespace daemonlet::reconciler {
namespace {

using namespace std::chrono_literals;
using testing::manifest;
using testing::ReconcilerHarness;

class ReconcilerRaces : public ReconcilerHarness {
 protected:
  // A container an earlier agent left running for a pod of `ds`.
  runtime::ContainerStatus leftRunning(const model::DaemonSet& ds, const std::string& podUid,
                                       const std::string& revision) {
    runtime::ContainerStatus status;
    status.containerId = "earlier://" + podUid;
    status.pod.uid = podUid;
    status.pod.namespace_ = ds.metadata.namespace_;
    status.pod.name = ds.metadata.name + "-old";
    status.pod.daemonSetName = ds.metadata.name;
    status.pod.revision = revision;
    status.containerName = "main";
    status.pid = 77;
    status.startedAt = clock_.wallNow() - 1h;
    runtime_.addRunning(status);
    return status;
  }

  std::uint64_t passes() const { return status()->counters.reconcilePasses; }

  // `ds` runs one pod whose container has started; returns the container.
  runtime::ContainerStatus runOne(const model::DaemonSet& ds) {
    setDaemonSets({ds});
    EXPECT_EQ(runtime_.startsInFlight(), 1u);
    auto started = runtime_.completeStart();
    settle();
    return started;
  }
};

TEST_F(ReconcilerRaces, TheFirstPassWaitsForTheFirstSnapshot) {
  auto ds = manifest("logs");
  leftRunning(manifest("gone"), "pod-gone", "r-gone");
  startAgent();
  advance(5min);  // the resync comes and goes: still no pass without a snapshot
  EXPECT_FALSE(status()->synced);
  EXPECT_EQ(passes(), 0u);
  EXPECT_TRUE(runtime_.starts().empty());
  EXPECT_TRUE(runtime_.stops().empty());  // an adopted pod of no known DaemonSet is not stopped yet

  setDaemonSets({ds});
  EXPECT_TRUE(status()->synced);
  EXPECT_EQ(runtime_.starts().size(), 1u);
  ASSERT_EQ(runtime_.stops().size(), 1u);
  EXPECT_EQ(runtime_.stops().front().containerId, "earlier://pod-gone");
}

TEST_F(ReconcilerRaces, ARunningContainerIsAdoptedNotStartedAgain) {
  auto ds = manifest("logs");
  auto adopted = leftRunning(ds, "pod-1", model::revisionHash(ds));
  startAgent();
  setDaemonSets({ds});
  EXPECT_TRUE(runtime_.starts().empty());
  EXPECT_TRUE(runtime_.stops().empty());
  auto container = containerOf("logs");
  EXPECT_EQ(container.containerId, adopted.containerId);
  EXPECT_EQ(container.state, "running");
  EXPECT_TRUE(container.ready);  // no readiness probe: it keeps the standing it had
  EXPECT_EQ(podsOf("logs").front().uid, "pod-1");
}

TEST_F(ReconcilerRaces, AnExitWhileTheAgentWasDownIsFoundAtAdoptionAndRestarted) {
  auto ds = manifest("logs");
  startAgent();
  auto first = runOne(ds);
  restartAgent([&] { runtime_.exit(first.containerId, 137); });
  EXPECT_EQ(runtime_.startsInFlight(), 0u);  // not before the first snapshot
  setDaemonSets({ds});
  ASSERT_EQ(runtime_.startsInFlight(), 1u);
  EXPECT_EQ(runtime_.starts().back().pod.uid, first.pod.uid);  // the same pod, restarted
  EXPECT_EQ(runtime_.starts().back().restartCount, 1);
  EXPECT_EQ(containerOf("logs").lastExitCode, 137);
}

TEST_F(ReconcilerRaces, AnAgentRestartLeavesARunningPodAsItIs) {
  auto ds = manifest("logs");
  startAgent();
  auto first = runOne(ds);
  restartAgent();
  setDaemonSets({ds});
  EXPECT_EQ(runtime_.starts().size(), 1u);
  EXPECT_TRUE(runtime_.stops().empty());
  auto container = containerOf("logs");
  EXPECT_EQ(container.containerId, first.containerId);
  EXPECT_EQ(container.state, "running");
  EXPECT_EQ(podsOf("logs").front().uid, first.pod.uid);
}

TEST_F(ReconcilerRaces, AnIncompleteSourceSetLeavesPodsOfUnseenDaemonSetsAlone) {
  auto kept = manifest("kept");
  leftRunning(kept, "pod-kept", model::revisionHash(kept));
  startAgent();

  setDaemonSets({}, /*complete=*/false);
  EXPECT_FALSE(status()->sourcesComplete);
  EXPECT_TRUE(runtime_.stops().empty());
  EXPECT_EQ(podsOf("kept").size(), 1u);

  setDaemonSets({}, /*complete=*/true);
  ASSERT_EQ(runtime_.stops().size(), 1u);
  EXPECT_EQ(runtime_.stops().front().containerId, "earlier://pod-kept");
  runtime_.finishStop("earlier://pod-kept");
  settle();
  EXPECT_TRUE(podsOf("kept").empty());
  EXPECT_EQ(runtime_.removes(), std::vector<std::string>{"pod-kept"});
}

TEST_F(ReconcilerRaces, AnExitReportedWhileTheRestartIsInFlightStartsNoSecondCopy) {
  auto ds = manifest("logs");
  startAgent();
  auto first = runOne(ds);
  runtime_.exit(first.containerId, 1);
  settle();
  ASSERT_EQ(runtime_.startsInFlight(), 1u);  // the first restart follows at once
  EXPECT_EQ(containerOf("logs").reason, "ContainerCreating");

  // A slow start (its back-off long over, resyncs come and go), then the same
  // exit reported again: the slot counts as running until the start reports.
  advance(5min);
  runtime_.exit(first.containerId, 1);
  settle();
  EXPECT_EQ(runtime_.starts().size(), 2u);
  EXPECT_EQ(runtime_.startsInFlight(), 1u);

  auto second = runtime_.completeStart();
  settle();
  auto container = containerOf("logs");
  EXPECT_EQ(container.containerId, second.containerId);
  EXPECT_EQ(container.state, "running");
  EXPECT_EQ(container.restartCount, 1);
  EXPECT_EQ(runtime_.starts().back().restartCount, 1);
  EXPECT_EQ(status()->counters.containerRestarts, 1u);
}

TEST_F(ReconcilerRaces, AStartCompletingAfterItsPodWasDeletedIsStoppedAndReplaced) {
  auto ds = manifest("logs");
  startAgent();
  setDaemonSets({ds});
  ASSERT_EQ(runtime_.startsInFlight(), 1u);
  const auto pod = podsOf("logs").front();
  EXPECT_EQ(reconciler_->deletePod(pod.namespace_, pod.name).outcome, status::DeleteOutcome::kDeleted);
  settle();
  EXPECT_TRUE(runtime_.stops().empty());    // nothing to stop until the start reports an id
  EXPECT_TRUE(runtime_.removes().empty());  // a pod whose start is in flight is not removed
  EXPECT_TRUE(podsOf("logs").front().terminating);

  auto started = runtime_.completeStart();
  settle();
  ASSERT_EQ(runtime_.stops().size(), 1u);
  EXPECT_EQ(runtime_.stops().front().containerId, started.containerId);
  EXPECT_EQ(runtime_.starts().size(), 1u);  // no replacement while the old pod still runs

  runtime_.finishStop(started.containerId);
  settle();
  EXPECT_EQ(runtime_.removes(), std::vector<std::string>{pod.uid});
  ASSERT_EQ(runtime_.starts().size(), 2u);
  EXPECT_NE(runtime_.starts().back().pod.uid, pod.uid);
  ASSERT_EQ(podsOf("logs").size(), 1u);
  EXPECT_NE(podsOf("logs").front().uid, pod.uid);
}

TEST_F(ReconcilerRaces, AStartCompletingAfterItsDaemonSetWentAwayIsStoppedAndRemoved) {
  auto ds = manifest("logs");
  startAgent();
  setDaemonSets({ds});
  ASSERT_EQ(runtime_.startsInFlight(), 1u);
  setDaemonSets({});
  EXPECT_TRUE(runtime_.stops().empty());
  EXPECT_EQ(podsOf("logs").size(), 1u);

  auto started = runtime_.completeStart();
  settle();
  ASSERT_EQ(runtime_.stops().size(), 1u);
  EXPECT_EQ(runtime_.stops().front().containerId, started.containerId);
  runtime_.finishStop(started.containerId);
  settle();
  EXPECT_TRUE(podsOf("logs").empty());
  EXPECT_TRUE(runtime_.running().empty());
  EXPECT_EQ(runtime_.starts().size(), 1u);
}

TEST_F(ReconcilerRaces, AStopCompletingAfterTheDaemonSetCameBackLeavesOneNewPod) {
  auto ds = manifest("logs");
  startAgent();
  auto old = runOne(ds);
  const std::string oldUid = old.pod.uid;
  setDaemonSets({});
  ASSERT_EQ(runtime_.stops().size(), 1u);

  setDaemonSets({ds});  // back before the stop completed: the stopping pod is not taken back
  EXPECT_EQ(runtime_.stops().size(), 1u);
  EXPECT_TRUE(podsOf("logs").front().terminating);

  runtime_.finishStop(old.containerId);
  settle();
  EXPECT_EQ(runtime_.removes(), std::vector<std::string>{oldUid});
  ASSERT_EQ(runtime_.starts().size(), 2u);
  EXPECT_NE(runtime_.starts().back().pod.uid, oldUid);
  runtime_.completeStart();
  settle();
  auto pods = podsOf("logs");
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_NE(pods.front().uid, oldUid);
  EXPECT_FALSE(pods.front().terminating);
  EXPECT_EQ(runtime_.running().size(), 1u);
}

TEST_F(ReconcilerRaces, AStartFailingAfterItsPodWasDeletedLeavesNothingBehind) {
  startAgent();
  setDaemonSets({manifest("logs")});
  const auto pod = podsOf("logs").front();
  reconciler_->deletePod(pod.namespace_, pod.name);
  settle();
  runtime_.failStart("exec /bin/daemon: no such file");
  settle();
  EXPECT_TRUE(runtime_.stops().empty());
  EXPECT_EQ(runtime_.removes(), std::vector<std::string>{pod.uid});
  ASSERT_EQ(runtime_.starts().size(), 2u);  // the replacement, not a restart of the deleted pod
  EXPECT_NE(runtime_.starts().back().pod.uid, pod.uid);
}

TEST_F(ReconcilerRaces, ATaintToleratedForAWhileEvictsWhenTheTimeIsUp) {
  auto ds = manifest("logs");
  model::Toleration toleration;
  toleration.key = "maintenance";
  toleration.op = "Exists";
  toleration.effect = "NoExecute";
  toleration.tolerationSeconds = 30;
  ds.spec.template_.spec.tolerations.push_back(toleration);
  startAgent();
  auto running = runOne(ds);

  model::Node tainted = node();
  tainted.taints.push_back(model::Taint{"maintenance", "", "NoExecute"});
  reconciler_->setNode(tainted);
  settle();
  advance(10s);
  reconciler_->setNode(tainted);  // the same taint again: its clock does not start over
  settle();
  EXPECT_TRUE(runtime_.stops().empty());
  ASSERT_TRUE(wakeAt());
  EXPECT_EQ(*wakeAt(), clock_.now() + 20s);  // the deadline, not the resync

  advance(20s);
  ASSERT_EQ(runtime_.stops().size(), 1u);
  EXPECT_EQ(runtime_.stops().front().containerId, running.containerId);
  runtime_.finishStop(running.containerId);
  settle();
  EXPECT_TRUE(podsOf("logs").empty());
  EXPECT_EQ(runtime_.starts().size(), 1u);  // evicted, not replaced, while the taint stays
}

TEST_F(ReconcilerRaces, ARefusedRemovalIsRetriedAfterItsBackOffNotAtOnce) {
  auto ds = manifest("logs");
  startAgent();
  auto old = runOne(ds);
  runtime_.refuseRemove(old.pod.uid, 1);
  setDaemonSets({});
  runtime_.finishStop(old.containerId);
  settle();
  ASSERT_EQ(runtime_.removes().size(), 1u);
  EXPECT_EQ(runtime_.leftoverStops().back(), old.pod.uid);  // whatever still runs is stopped
  EXPECT_EQ(podsOf("logs").size(), 1u);

  // Another pass before the back-off ends (a node change) does not retry.
  reconciler_->setNode(node());
  settle();
  EXPECT_EQ(runtime_.removes().size(), 1u);

  // The wake timer brings the retry: at most the first step (200 ms) away.
  ASSERT_TRUE(wakeAt());
  EXPECT_LE(*wakeAt(), clock_.now() + 200ms);
  advance(200ms);
  EXPECT_EQ(runtime_.removes().size(), 2u);
  EXPECT_TRUE(podsOf("logs").empty());
}

TEST_F(ReconcilerRaces, AFailedStartRestartsWhenItsBackOffEnds) {
  const std::string why = "exec /bin/daemon: no such file";
  startAgent();
  setDaemonSets({manifest("logs")});
  runtime_.failStart(why);
  settle();
  ASSERT_EQ(runtime_.startsInFlight(), 1u);  // the first restart follows at once, as the kubelet's
  EXPECT_EQ(runtime_.starts().back().restartCount, 1);

  runtime_.failStart(why);
  settle();
  EXPECT_EQ(runtime_.startsInFlight(), 0u);  // from the second on, the back-off applies
  auto container = containerOf("logs");
  EXPECT_EQ(container.state, "waiting");
  EXPECT_EQ(container.reason, "CrashLoopBackOff");
  EXPECT_EQ(container.message, why);
  EXPECT_EQ(container.lastExitCode, 128);
  EXPECT_EQ(container.lastExitReason, "StartError");

  // The wake timer alone brings the restart, when the back-off ends and not before.
  ASSERT_TRUE(wakeAt());
  const auto wait = *wakeAt() - clock_.now();
  EXPECT_EQ(wait, 10s);  // BackoffPolicy::initial
  advance(wait - 1ms);
  EXPECT_EQ(runtime_.startsInFlight(), 0u);
  advance(1ms);
  ASSERT_EQ(runtime_.startsInFlight(), 1u);
  EXPECT_EQ(runtime_.starts().back().restartCount, 2);
}

TEST_F(ReconcilerRaces, StartsCompletingInABurstShareOnePass) {
  startAgent();
  setDaemonSets({manifest("a"), manifest("b"), manifest("c")});
  ASSERT_EQ(runtime_.startsInFlight(), 3u);
  const std::uint64_t before = passes();

  runtime_.completeStart();
  settle();
  runtime_.completeStart();
  settle();
  EXPECT_EQ(passes(), before);  // gathered while another start is in flight
  advance(20ms);
  EXPECT_EQ(passes(), before + 1);

  runtime_.completeStart();  // the last of the burst passes at once
  settle();
  EXPECT_EQ(passes(), before + 2);
  for (const char* name : {"a", "b", "c"}) EXPECT_EQ(containerOf(name).state, "running") << name;
}

TEST_F(ReconcilerRaces, TheResyncPassesWhenNothingElseDoes) {
  startAgent();
  runOne(manifest("logs"));
  const std::uint64_t before = passes();
  ASSERT_TRUE(wakeAt());
  EXPECT_EQ(*wakeAt(), clock_.now() + 60s);
  advance(59s);
  EXPECT_EQ(passes(), before);
  advance(1s);
  EXPECT_EQ(passes(), before + 1);
}

TEST_F(ReconcilerRaces, ShuttingDownLeavesEveryContainerRunning) {
  startAgent();
  runOne(manifest("logs"));
  setDaemonSets({manifest("slow")});  // a stop and a start in flight
  reconciler_.reset();
  settle();
  EXPECT_EQ(runtime_.running().size(), 1u);
  runtime_.completeStart();  // a start that completes after shutdown is left running, for adoption
  EXPECT_EQ(runtime_.running().size(), 2u);
}

// The runtime's exit event never arrives (a CRI event stream can drop one):
// the relist every resyncPeriod finds the exit, and nothing before it does.
TEST_F(ReconcilerRaces, AnExitWhoseEventWasLostIsFoundByTheRelist) {
  auto ds = manifest("logs");
  auto adopted = leftRunning(ds, "pod-1", model::revisionHash(ds));
  startAgent();
  setDaemonSets({ds});
  runtime_.exitUnannounced(adopted.containerId, 3);
  advance(30s);
  EXPECT_EQ(containerOf("logs").state, "running") << "no relist before the resync period";
  advance(31s);
  auto container = containerOf("logs");
  EXPECT_NE(container.state, "running");
  EXPECT_EQ(container.lastExitCode, 3);
}

}  // namespace
}  // namespace daemonlet::reconciler
