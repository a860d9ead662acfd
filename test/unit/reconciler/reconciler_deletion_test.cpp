// Deletion through the local API with DeleteOptions: the grace period it gives
// reaches the runtime's stop, a later deletion may only shorten it (and then
// stops the pod again with the shorter one), a forced deletion (0) still stops
// with the kubelet's 1 s, and a uid precondition that names another pod
// deletes nothing.
#include <gtest/gtest.h>

#include <algorithm>

#include "reconciler_harness.h"

namespace daemonlet::reconciler {
namespace {

using namespace std::chrono_literals;
using testing::manifest;
using testing::ReconcilerHarness;

class ReconcilerDeletion : public ReconcilerHarness {
 protected:
  status::PodView runOne() {
    auto ds = manifest("logs");
    ds.spec.template_.spec.terminationGracePeriodSeconds = 120;
    startAgent();
    setDaemonSets({ds});
    runtime_.completeStart();
    settle();
    return podsOf("logs").front();
  }
};

TEST_F(ReconcilerDeletion, TheRequestsGracePeriodOverridesTheSpecsForThatStop) {
  const auto pod = runOne();
  auto result = reconciler_->deletePod(pod.namespace_, pod.name, {std::chrono::seconds(3), ""});
  EXPECT_EQ(result.outcome, status::DeleteOutcome::kDeleted);
  EXPECT_EQ(result.gracePeriod, 3s);
  EXPECT_EQ(result.requestedAt, clock_.wallNow());
  settle();
  ASSERT_FALSE(runtime_.stops().empty());
  EXPECT_EQ(runtime_.stops().front().grace, 3s);

  // While it stops the status says so: deletionTimestamp is when the grace
  // period ends, as the API server sets it.
  auto stopping = podsOf("logs");
  ASSERT_FALSE(stopping.empty());
  EXPECT_EQ(stopping.front().deletionTimestamp, result.requestedAt + 3s);
  EXPECT_EQ(stopping.front().deletionGracePeriodSeconds, 3);

  // A second deletion with a longer grace period, or none, changes nothing.
  advance(1s);
  for (std::optional<std::chrono::seconds> longer :
       {std::optional(std::chrono::seconds(10)), std::optional<std::chrono::seconds>()}) {
    auto again = reconciler_->deletePod(pod.namespace_, pod.name, {longer, ""});
    EXPECT_EQ(again.outcome, status::DeleteOutcome::kDeleted);
    EXPECT_EQ(again.gracePeriod, 3s);
    EXPECT_EQ(again.requestedAt, result.requestedAt);
    settle();
  }
  EXPECT_EQ(runtime_.stops().size(), 1u) << "a longer grace period stopped it again";
}

// rest.BeforeDelete lets a later deletion shorten the grace period; the
// kubelet then kills sooner. The pod, already stopping, is stopped again with
// the shorter grace (the runtime keeps the earlier SIGKILL deadline).
TEST_F(ReconcilerDeletion, AShorterGracePeriodStopsItAgainSooner) {
  const auto pod = runOne();
  auto first = reconciler_->deletePod(pod.namespace_, pod.name);
  EXPECT_EQ(first.gracePeriod, 120s);
  settle();
  ASSERT_EQ(runtime_.stops().size(), 1u);
  EXPECT_EQ(runtime_.stops().back().grace, 120s);

  advance(2s);
  auto shorter = reconciler_->deletePod(pod.namespace_, pod.name, {std::chrono::seconds(5), ""});
  EXPECT_EQ(shorter.outcome, status::DeleteOutcome::kDeleted);
  EXPECT_EQ(shorter.gracePeriod, 5s);
  EXPECT_EQ(shorter.requestedAt, first.requestedAt) << "the deletion's start stands";
  settle();
  ASSERT_EQ(runtime_.stops().size(), 2u);
  EXPECT_EQ(runtime_.stops().back().containerId, runtime_.stops().front().containerId);
  EXPECT_EQ(runtime_.stops().back().grace, 5s);
  auto stopping = podsOf("logs").front();
  EXPECT_EQ(stopping.deletionGracePeriodSeconds, 5);
  EXPECT_EQ(stopping.deletionTimestamp, first.requestedAt + 5s);

  // The runtime's stop ends it: the pod goes, and a new one replaces it.
  runtime_.finishStop(runtime_.stops().back().containerId);
  settle();
  const auto after = podsOf("logs");
  EXPECT_TRUE(
      std::none_of(after.begin(), after.end(), [&](const status::PodView& p) { return p.uid == pod.uid; }));
}

// gracePeriodSeconds=0 (kubectl --force --grace-period=0): the API server
// removes the object at once, deletionGracePeriodSeconds 0; the kubelet still
// stops the containers with a grace period of 1 s, never an outright SIGKILL.
TEST_F(ReconcilerDeletion, AForcedDeletionStillStopsWithTheKubeletsOneSecond) {
  const auto pod = runOne();
  auto result = reconciler_->deletePod(pod.namespace_, pod.name, {std::chrono::seconds(0), ""});
  EXPECT_EQ(result.gracePeriod, 0s);
  settle();
  ASSERT_EQ(runtime_.stops().size(), 1u);
  EXPECT_EQ(runtime_.stops().back().grace, 1s);
  EXPECT_EQ(podsOf("logs").front().deletionGracePeriodSeconds, 0);

  // Forcing a pod already stopping with its spec's 120 s shortens it the same way.
  runtime_.finishStop(runtime_.stops().back().containerId);
  settle();
  runtime_.completeStart();
  settle();
  auto next = podsOf("logs").front();
  ASSERT_NE(next.uid, pod.uid);
  (void)reconciler_->deletePod(next.namespace_, next.name);
  settle();
  EXPECT_EQ(runtime_.stops().back().grace, 120s);
  (void)reconciler_->deletePod(next.namespace_, next.name, {std::chrono::seconds(0), ""});
  settle();
  EXPECT_EQ(runtime_.stops().back().grace, 1s);
}

TEST_F(ReconcilerDeletion, WithoutAGracePeriodTheSpecsStands) {
  const auto pod = runOne();
  auto result = reconciler_->deletePod(pod.namespace_, pod.name);
  EXPECT_EQ(result.gracePeriod, 120s);
  settle();
  ASSERT_FALSE(runtime_.stops().empty());
  EXPECT_EQ(runtime_.stops().front().grace, 120s);
}

TEST_F(ReconcilerDeletion, AUidPreconditionOfAnotherPodDeletesNothing) {
  const auto pod = runOne();
  auto result = reconciler_->deletePod(pod.namespace_, pod.name, {std::nullopt, "some-other-uid"});
  EXPECT_EQ(result.outcome, status::DeleteOutcome::kConflict);
  settle();
  EXPECT_TRUE(runtime_.stops().empty());
  EXPECT_FALSE(podsOf("logs").front().deletionTimestamp.has_value());
  EXPECT_EQ(reconciler_->deletePod(pod.namespace_, pod.name, {std::nullopt, pod.uid}).outcome,
            status::DeleteOutcome::kDeleted);
}

// The kubelet's image events: Pulling when the runtime says its start pulls,
// Pulled when the start completes; a start without a pull says the image was there.
TEST_F(ReconcilerDeletion, PullingAndPulledEventsFollowTheRuntimesStart) {
  std::vector<status::PodEvent> events;
  reconciler_->onPodEvent([&](const status::PodEvent& event) { events.push_back(event); });
  startAgent();
  setDaemonSets({manifest("logs")});
  runtime_.announceWaiting("Pulling", "Pulling image \"v1\"");
  settle();
  runtime_.announceWaiting("Pulling", "Pulling image \"v1\"");  // said once per pull
  settle();
  advance(1500ms);
  auto first = runtime_.completeStart();
  settle();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].reason, "Pulling");
  EXPECT_EQ(events[0].message, "Pulling image \"v1\"");
  EXPECT_EQ(events[0].container, "main");
  EXPECT_EQ(events[1].reason, "Pulled");
  EXPECT_EQ(events[1].message, "Successfully pulled image \"v1\" in 1.500s (1.500s including waiting)");

  // The next start (a restart) pulls nothing.
  runtime_.exit(first.containerId, 1);
  advance(30s);
  ASSERT_EQ(runtime_.startsInFlight(), 1u);
  runtime_.completeStart();
  settle();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2].reason, "Pulled");
  EXPECT_EQ(events[2].message, "Container image \"v1\" already present on machine");
}

}  // namespace
}  // namespace daemonlet::reconciler
