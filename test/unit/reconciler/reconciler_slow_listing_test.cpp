// Runtime::list() answers asynchronously (a CRI listing is a gRPC call per
// container, each up to its deadline): a runtime that is slow to answer holds
// only its own pods, never the loop or the other runtime's pods; one listing
// of a runtime is in flight at a time; an answer that comes after the slots
// moved on reports nothing twice, and one that comes after the reconciler is
// gone is dropped. The in-memory runtimes hold their answers (holdLists) until
// the test releases them.
#include <gtest/gtest.h>

#include "runtime/container_reasons.h"
#include "reconciler_harness.h"

namespace daemonlet::reconciler {
namespace {

using namespace std::chrono_literals;
using testing::criManifest;
using testing::InMemoryRuntime;
using testing::manifest;
using testing::ReconcilerHarness;

class ReconcilerSlowListing : public ReconcilerHarness {
 protected:
  void SetUp() override { runtimes_.add(cri_); }
  void TearDown() override { reconciler_.reset(); }

  // Starts the one pod of `ds` on the host runtime and completes its start.
  runtime::ContainerStatus runOnHost(const model::DaemonSet& ds) {
    setDaemonSets({ds});
    EXPECT_EQ(runtime_.startsInFlight(), 1u);
    auto started = runtime_.completeStart();
    settle();
    return started;
  }

  InMemoryRuntime cri_{io_, runtime::kCriRuntimeName};
};

TEST_F(ReconcilerSlowListing, ASlowCriListingDoesNotHoldARestartOfAHostPod) {
  const auto host = manifest("agent");
  const auto cri = criManifest("exporter");
  cri_.setListDown(true);  // its first listing fails: the first pass runs, CRI pods held
  startAgent();
  setDaemonSets({host, cri});
  ASSERT_EQ(runtime_.startsInFlight(), 1u);
  auto started = runtime_.completeStart();
  settle();
  EXPECT_TRUE(cri_.starts().empty());

  // containerd is back but slow: the retried listing does not answer.
  cri_.setListDown(false);
  cri_.holdLists(true);
  advance(5s);
  ASSERT_EQ(cri_.listsInFlight(), 1u) << "the adoption retry did not list";
  const int lists = cri_.lists();

  // The host daemon crashes meanwhile: its restart (after the 10 s back-off)
  // does not wait for the CRI's answer.
  runtime_.exit(started.containerId, 1);
  settle();
  advance(11s);
  ASSERT_EQ(runtime_.starts().size(), 2u) << "the host pod's restart waited for the CRI listing";
  EXPECT_EQ(runtime_.starts().back().restartCount, 1);
  EXPECT_EQ(cri_.lists(), lists) << "a second listing of the CRI runtime while one is in flight";
  EXPECT_TRUE(cri_.starts().empty()) << "a CRI pod started before its runtime listed";
  EXPECT_EQ(containerOf("exporter").reason, runtime::reasons::kRuntimeUnavailable);

  // The answer comes: the CRI pod is released.
  cri_.answerLists();
  settle();
  EXPECT_EQ(cri_.startsInFlight(), 1u) << "the CRI pod did not start once its runtime listed";
}

TEST_F(ReconcilerSlowListing, TheFirstPassWaitsForEveryRuntimesFirstAnswerWithoutBlockingTheLoop) {
  cri_.holdLists(true);
  startAgent();
  setDaemonSets({manifest("agent")});
  // The loop runs on (the status is published), but no pass decides before
  // every runtime has said what it runs, as when listing was synchronous.
  ASSERT_NE(status(), nullptr);
  EXPECT_EQ(runtime_.startsInFlight(), 0u) << "a pass ran before the CRI runtime's first answer";
  cri_.answerLists();
  settle();
  EXPECT_EQ(runtime_.startsInFlight(), 1u);
}

TEST_F(ReconcilerSlowListing, ARelistInFlightIsNotStartedTwice) {
  startAgent();
  auto started = runOnHost(manifest("logs"));
  runtime_.holdLists(true);
  advance(61s);  // the resync's relist asks the host runtime
  ASSERT_EQ(runtime_.listsInFlight(), 1u);
  const int lists = runtime_.lists();

  runtime_.exitUnannounced(started.containerId, 3);
  advance(61s);  // the next resync: the previous relist has not answered
  EXPECT_EQ(runtime_.lists(), lists) << "a relist was started beside the one in flight";
  EXPECT_EQ(containerOf("logs").state, "running");

  runtime_.answerLists();
  settle();
  auto container = containerOf("logs");
  EXPECT_NE(container.state, "running");
  EXPECT_EQ(container.lastExitCode, 3) << "the relist's answer did not report the lost exit";

  // The restart completes (no relist runs while a start is in flight); the
  // next resync relists again.
  advance(11s);
  ASSERT_EQ(runtime_.startsInFlight(), 1u);
  runtime_.completeStart();
  settle();
  runtime_.holdLists(false);
  advance(61s);
  EXPECT_GT(runtime_.lists(), lists) << "relisting did not resume after the answer";
}

TEST_F(ReconcilerSlowListing, ARelistAnsweredAfterTheExitEventReportsNoSecondExit) {
  startAgent();
  auto started = runOnHost(manifest("logs"));
  runtime_.holdLists(true);
  advance(61s);
  ASSERT_EQ(runtime_.listsInFlight(), 1u);

  // The exit event comes first and the restart is under way; then the old
  // relist's answer, which lists that exit too.
  runtime_.exit(started.containerId, 2);
  settle();
  advance(11s);
  ASSERT_EQ(runtime_.startsInFlight(), 1u);
  auto restarted = runtime_.completeStart();
  settle();
  runtime_.answerLists();
  settle();
  auto container = containerOf("logs");
  EXPECT_EQ(container.state, "running");
  EXPECT_EQ(container.containerId, restarted.containerId);
  EXPECT_EQ(container.restartCount, 1) << "the exit was counted twice";
  EXPECT_EQ(runtime_.startsInFlight(), 0u);
}

TEST_F(ReconcilerSlowListing, AnAnswerAfterTheReconcilerIsGoneIsDropped) {
  cri_.holdLists(true);
  startAgent();
  ASSERT_EQ(cri_.listsInFlight(), 1u);
  reconciler_.reset();
  settle();
  cri_.answerLists();
  settle();  // the answer runs with no reconciler left: nothing happens

  // A new agent on the same runtimes lists and runs as usual.
  cri_.holdLists(false);
  reconciler_ = std::make_unique<Reconciler>(timers_, runtimes_, store_, options());
  startAgent();
  runOnHost(manifest("logs"));
  EXPECT_EQ(runtime_.running().size(), 1u);
}

}  // namespace
}  // namespace daemonlet::reconciler
