// Pods of the CRI runtime through the reconciler's loop: a start the runtime
// leaves waiting (an image pull backing off, the runtime unreachable) is tried
// again when the runtime says, never counted as a restart, and shown with the
// runtime's reason until a start succeeds; a pod whose runtime is missing waits
// naming the socket; what the runtime reports (image digest, pod IP) reaches
// the status.
#include <gtest/gtest.h>

#include "reconciler_harness.h"

namespace daemonlet::reconciler {
namespace {

using namespace std::chrono_literals;
using testing::InMemoryRuntime;
using testing::criManifest;
using testing::manifest;
using testing::ReconcilerHarness;

class ReconcilerWaiting : public ReconcilerHarness {
 protected:
  void SetUp() override {
    runtimes_.add(cri_);
    cri_.setPodIP("10.88.0.7");
    startAgent();
  }
  // The reconciler lets go of the runtimes before cri_, a member of this
  // class, is destroyed ahead of the harness's.
  void TearDown() override { reconciler_.reset(); }

  InMemoryRuntime cri_{io_, runtime::kCriRuntimeName};
};

TEST_F(ReconcilerWaiting, AWaitingStartIsRetriedAtItsRetryAfterAndCountsNoRestart) {
  const model::DaemonSet ds = criManifest("exporter");
  setDaemonSets({ds});
  ASSERT_EQ(cri_.startsInFlight(), 1u);
  EXPECT_EQ(runtime_.starts().size(), 0u) << "a classless pod went to the host runtime";
  cri_.completeWaiting("ImagePullBackOff", "Back-off pulling image \"v1\"", 30s);
  settle();

  status::ContainerView waiting = containerOf("exporter");
  EXPECT_EQ(waiting.state, "waiting");
  EXPECT_EQ(waiting.reason, "ImagePullBackOff");
  EXPECT_EQ(waiting.message, "Back-off pulling image \"v1\"");
  EXPECT_EQ(waiting.restartCount, 0);
  EXPECT_EQ(podsOf("exporter").front().runtime, "cri");

  // Passes for other reasons do not retry it early.
  setDaemonSets({ds, manifest("host-daemon")});
  runtime_.completeStart();
  advance(29s);
  EXPECT_EQ(cri_.starts().size(), 1u);
  EXPECT_EQ(containerOf("exporter").reason, "ImagePullBackOff");

  // The wake timer brings the retry at retryAfter, not the 60 s resync.
  ASSERT_TRUE(wakeAt());
  EXPECT_EQ(*wakeAt(), clock_.now() + 1s);
  advance(1s);
  ASSERT_EQ(cri_.starts().size(), 2u);
  EXPECT_EQ(cri_.starts()[1].restartCount, 0) << "a waiting start is no restart";
  ASSERT_NE(cri_.starts()[1].podSpec, nullptr);
  EXPECT_EQ(cri_.starts()[1].podSpec->containers.front().image, "v1");
  cri_.completeStart();
  settle();

  status::ContainerView running = containerOf("exporter");
  EXPECT_EQ(running.state, "running");
  EXPECT_EQ(running.reason, "");
  EXPECT_EQ(running.message, "");
  EXPECT_EQ(running.restartCount, 0);
  EXPECT_EQ(running.imageId, "sha256:digest-of-v1");
  EXPECT_EQ(podsOf("exporter").front().podIP, "10.88.0.7");
  EXPECT_EQ(podsOf("host-daemon").front().podIP, "127.0.0.1");
  EXPECT_EQ(status()->counters.containerRestarts, 0u);
}

TEST_F(ReconcilerWaiting, WithoutRetryAfterTheStartIsRetriedAtTheDefaultCadence) {
  setDaemonSets({criManifest("exporter")});
  cri_.completeWaiting("RuntimeUnavailable", "cannot reach unix:///run/containerd/containerd.sock", std::nullopt);
  settle();
  EXPECT_EQ(containerOf("exporter").reason, "RuntimeUnavailable");
  advance(options().waitingRetry - 1ms);
  EXPECT_EQ(cri_.starts().size(), 1u);
  advance(1ms);
  EXPECT_EQ(cri_.starts().size(), 2u);
  // Still down: waits again, still no restart counted.
  cri_.completeWaiting("RuntimeUnavailable", "cannot reach unix:///run/containerd/containerd.sock", std::nullopt);
  settle();
  EXPECT_EQ(containerOf("exporter").restartCount, 0);
  EXPECT_EQ(containerOf("exporter").state, "waiting");
}

TEST_F(ReconcilerWaiting, AWaitingPodThatIsRemovedIsNotRetried) {
  setDaemonSets({criManifest("exporter")});
  cri_.completeWaiting("ErrImagePull", "not found", 10s);
  settle();
  setDaemonSets({});
  EXPECT_TRUE(podsOf("exporter").empty());
  advance(10s);
  EXPECT_EQ(cri_.starts().size(), 1u);
}

class ReconcilerWithoutCri : public ReconcilerHarness {
 protected:
  void SetUp() override {
    // Only the host runtime, as before the CRI runtime is loaded.
    runtimes_ = runtime::RuntimeSet("unix:///run/test/containerd.sock");
    runtimes_.add(runtime_);
    startAgent();
  }
};

TEST_F(ReconcilerWithoutCri, AClasslessPodWaitsNamingTheSocketAndNeverRunsOnTheHost) {
  setDaemonSets({criManifest("exporter")});
  EXPECT_EQ(runtime_.starts().size(), 0u);
  status::ContainerView waiting = containerOf("exporter");
  EXPECT_EQ(waiting.state, "waiting");
  EXPECT_EQ(waiting.reason, "RuntimeUnavailable");
  EXPECT_NE(waiting.message.find("unix:///run/test/containerd.sock"), std::string::npos) << waiting.message;
  EXPECT_NE(waiting.message.find("no runtimeClassName"), std::string::npos) << waiting.message;
  EXPECT_EQ(waiting.restartCount, 0);
  EXPECT_EQ(podsOf("exporter").front().runtime, "cri");
  EXPECT_EQ(podsOf("exporter").front().podIP, "");
}

}  // namespace
}  // namespace daemonlet::reconciler
