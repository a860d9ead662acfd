// Deletion through the local API with DeleteOptions: the grace period it gives
// reaches the runtime's stop, the first deletion's time and grace stand, and a
// uid precondition that names another pod deletes nothing.
#include <gtest/gtest.h>

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

  // While it stops the status says so, as metadata.deletionTimestamp will.
  auto stopping = podsOf("logs");
  ASSERT_FALSE(stopping.empty());
  EXPECT_EQ(stopping.front().deletionTimestamp, result.requestedAt);
  EXPECT_EQ(stopping.front().deletionGracePeriodSeconds, 3);

  // A second deletion keeps the first one's time and grace period.
  advance(1s);
  auto again = reconciler_->deletePod(pod.namespace_, pod.name, {std::chrono::seconds(0), ""});
  EXPECT_EQ(again.outcome, status::DeleteOutcome::kDeleted);
  EXPECT_EQ(again.gracePeriod, 3s);
  EXPECT_EQ(again.requestedAt, result.requestedAt);
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
