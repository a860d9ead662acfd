// An agent that starts while its CRI runtime does not answer (containerd down)
// cannot tell whether the pods it knows still run there: containerd keeps
// containers running across its own outage. Such pods are held, neither
// started, stopped nor forgotten, until the runtime has answered one list();
// that answer adopts what ran all along. Host pods go on meanwhile.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "reconciler_harness.h"

namespace daemonlet::reconciler {
namespace {

using namespace std::chrono_literals;
using testing::InMemoryRuntime;
using testing::criManifest;
using testing::manifest;
using testing::ReconcilerHarness;

class ReconcilerHeldAdoption : public ReconcilerHarness {
 protected:
  void SetUp() override { runtimes_.add(cri_); }
  void TearDown() override { reconciler_.reset(); }

  // A CRI pod of `ds` running under a first agent; returns its container.
  runtime::ContainerStatus runOnCri(const model::DaemonSet& ds) {
    startAgent();
    setDaemonSets({ds});
    EXPECT_EQ(cri_.startsInFlight(), 1u);
    auto started = cri_.completeStart();
    settle();
    return started;
  }

  // The agent restarts while the CRI runtime does not list (its containers live on).
  void restartWithCriDown() {
    restartAgent([&] { cri_.setListDown(true); });
  }

  std::string stateFile(const std::string& uid) const {
    std::ifstream in(stateDir_.path() / "pods" / (uid + ".json"));
    std::stringstream content;
    content << in.rdbuf();
    return content.str();
  }

  InMemoryRuntime cri_{io_, runtime::kCriRuntimeName};
};

TEST_F(ReconcilerHeldAdoption, ThePodStateNamesItsRuntime) {
  auto started = runOnCri(criManifest("exporter"));
  EXPECT_NE(stateFile(started.pod.uid).find("\"runtime\":\"cri\""), std::string::npos) << stateFile(started.pod.uid);
}

TEST_F(ReconcilerHeldAdoption, StartsWaitUntilTheRuntimeListsThenTheRunningContainerIsAdopted) {
  const auto ds = criManifest("exporter");
  const auto host = manifest("host-daemon");
  auto first = runOnCri(ds);
  restartWithCriDown();
  setDaemonSets({ds, host});

  EXPECT_EQ(cri_.starts().size(), 1u) << "a second copy was started while the runtime could not list";
  EXPECT_EQ(runtime_.startsInFlight(), 1u) << "a host pod waited for the CRI runtime";
  status::ContainerView held = containerOf("exporter");
  EXPECT_EQ(held.state, "waiting");
  EXPECT_EQ(held.reason, "RuntimeUnavailable");
  EXPECT_NE(held.message.find("connection refused"), std::string::npos) << held.message;
  // Passes for other reasons (a resync) do not start it either.
  advance(61s);
  EXPECT_EQ(cri_.starts().size(), 1u);

  // The runtime answers at the next retry of its list.
  cri_.setListDown(false);
  advance(5s);
  EXPECT_EQ(cri_.starts().size(), 1u);
  EXPECT_TRUE(cri_.stops().empty());
  status::ContainerView adopted = containerOf("exporter");
  EXPECT_EQ(adopted.state, "running");
  EXPECT_EQ(adopted.containerId, first.containerId);
  EXPECT_EQ(adopted.restartCount, 0);
  EXPECT_EQ(adopted.reason, "");
  EXPECT_EQ(podsOf("exporter").front().uid, first.pod.uid);
}

TEST_F(ReconcilerHeldAdoption, AContainerThatDiedMeanwhileRestartsOnceTheRuntimeLists) {
  const auto ds = criManifest("exporter");
  auto first = runOnCri(ds);
  restartAgent([&] {
    cri_.setListDown(true);
    cri_.exitUnannounced(first.containerId, 137);
  });
  setDaemonSets({ds});
  EXPECT_EQ(cri_.starts().size(), 1u);

  cri_.setListDown(false);
  advance(5s);
  ASSERT_EQ(cri_.startsInFlight(), 1u) << "the exit the runtime kept was not taken up";
  EXPECT_EQ(cri_.starts().back().pod.uid, first.pod.uid);
  EXPECT_EQ(cri_.starts().back().restartCount, 1);
  EXPECT_EQ(containerOf("exporter").lastExitCode, 137);
}

TEST_F(ReconcilerHeldAdoption, APodRemovedWhileHeldIsStoppedAndForgottenOnlyOnceListed) {
  const auto ds = criManifest("exporter");
  auto first = runOnCri(ds);
  restartWithCriDown();
  setDaemonSets({});
  advance(61s);
  EXPECT_TRUE(cri_.removes().empty()) << "the pod was forgotten while its container may still run";
  EXPECT_EQ(podsOf("exporter").size(), 1u);

  cri_.setListDown(false);
  advance(5s);
  ASSERT_EQ(cri_.stops().size(), 1u) << "the container that ran all along was not stopped";
  EXPECT_EQ(cri_.stops().front().containerId, first.containerId);
  cri_.finishStop(first.containerId);
  settle();
  EXPECT_EQ(cri_.removes().size(), 1u);
  EXPECT_TRUE(podsOf("exporter").empty());
  EXPECT_TRUE(cri_.running().empty());
}

TEST_F(ReconcilerHeldAdoption, TheListIsRetriedWithBackOffWhileTheRuntimeIsDown) {
  cri_.setListDown(true);
  startAgent();
  setDaemonSets({criManifest("exporter")});
  EXPECT_EQ(cri_.starts().size(), 0u) << "a new CRI pod started before the runtime listed";
  // One list per back-off step, which doubles from 250 ms to 5 s (half to
  // all of each step, jittered): 15 to 27 lists in a minute.
  const int lists = cri_.lists();
  for (int i = 0; i < 600; ++i) advance(100ms);
  EXPECT_GE(cri_.lists() - lists, 15);
  EXPECT_LE(cri_.lists() - lists, 27);
  EXPECT_EQ(cri_.starts().size(), 0u);

  cri_.setListDown(false);
  advance(5s);
  EXPECT_EQ(cri_.startsInFlight(), 1u) << "the new pod did not start once the runtime listed";
}

}  // namespace
}  // namespace daemonlet::reconciler
