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

}  // namespace
}  // namespace daemonlet::reconciler
