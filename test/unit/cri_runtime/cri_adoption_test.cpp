#include "runtime/cri/cri_adoption.h"

#include <gtest/gtest.h>

#include "runtime/cri/cri_labels.h"

namespace daemonlet::runtime::cri {
namespace {

CriContainerView ourContainer(const std::string& id, const std::string& name, std::uint32_t attempt,
                              CriContainerState state) {
  CriContainerView view;
  view.id = id;
  view.podSandboxId = "sandbox-1";
  view.labels = {{labels::kManagedBy, labels::kManagedByValue},
                 {labels::kAgent, "agent-a"},
                 {labels::kPodNamespace, "kube-system"},
                 {labels::kPodName, "ds-node1"},
                 {labels::kPodUid, "uid-1"},
                 {labels::kContainerName, name},
                 {labels::kDaemonSetName, "ds"},
                 {labels::kDaemonSetUid, "ds-uid"},
                 {labels::kRevision, "rev-7"}};
  view.attempt = attempt;
  view.state = state;
  view.image = "docker.io/library/busybox:1";
  view.imageRef = "sha256:abc";
  view.startedAtNs = 1'000'000'000'000'000'000;
  return view;
}

TEST(CriAdoption, RebuildsThePodFromLabels) {
  ContainerStatus status = toContainerStatus(ourContainer("c1", "app", 3, CriContainerState::kRunning));
  EXPECT_EQ(status.containerId, "containerd://c1");
  EXPECT_EQ(status.pod, (PodRef{"kube-system", "ds-node1", "uid-1", "ds", "ds-uid", "rev-7"}));
  EXPECT_EQ(status.containerName, "app");
  EXPECT_EQ(status.state, ContainerState::kRunning);
  EXPECT_EQ(status.restartCount, 3) << "from the CRI attempt";
  EXPECT_EQ(status.imageId, "sha256:abc");
  EXPECT_EQ(status.startedAt.time_since_epoch(), std::chrono::seconds(1'000'000'000));
}

TEST(CriAdoption, RestartCountAnnotationWinsOverAttempt) {
  CriContainerView view = ourContainer("c1", "app", 3, CriContainerState::kRunning);
  view.annotations[labels::kRestartCount] = "12";
  EXPECT_EQ(restartCountOf(view), 12);
  view.annotations[labels::kRestartCount] = "12x";
  EXPECT_EQ(restartCountOf(view), 3) << "an unreadable annotation falls back to the attempt";
}

TEST(CriAdoption, ExitReasons) {
  struct Case {
    int exitCode;
    std::string criReason;
    std::string reason;
    int signal;
  };
  for (const Case& c : {Case{0, "Completed", "Completed", 0}, Case{1, "Error", "Error", 0},
                        Case{137, "OOMKilled", "OOMKilled", 9}, Case{137, "Error", "Error", 9},
                        Case{143, "", "Error", 15}}) {
    SCOPED_TRACE(std::to_string(c.exitCode) + " " + c.criReason);
    CriContainerView view = ourContainer("c1", "app", 0, CriContainerState::kExited);
    view.exitCode = c.exitCode;
    view.reason = c.criReason;
    view.finishedAtNs = view.startedAtNs + 5;
    ContainerStatus status = toContainerStatus(view);
    EXPECT_EQ(status.state, ContainerState::kExited);
    EXPECT_EQ(status.exitCode, c.exitCode);
    EXPECT_EQ(status.reason, c.reason);
    EXPECT_EQ(status.signal, c.signal);
    EXPECT_TRUE(status.finishedAt.has_value());
  }
}

TEST(CriAdoption, ListsOnlyThisAgentsObjects) {
  CriContainerView kubelets = ourContainer("k1", "app", 0, CriContainerState::kRunning);
  kubelets.labels.erase(labels::kManagedBy);
  CriContainerView otherAgent = ourContainer("o1", "app", 0, CriContainerState::kRunning);
  otherAgent.labels[labels::kAgent] = "agent-b";
  CriContainerView mine = ourContainer("m1", "app", 0, CriContainerState::kRunning);
  auto listed = adoptContainers({kubelets, otherAgent, mine}, "agent-a");
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].containerId, "containerd://m1");
  EXPECT_FALSE(ownedBy(mine.labels, "")) << "an agent without an id owns nothing";
}

TEST(CriAdoption, KeepsTheLatestExitOnlyWhenNothingOfThatNameRuns) {
  auto exited = [](const std::string& id, std::uint32_t attempt) {
    CriContainerView view = ourContainer(id, "app", attempt, CriContainerState::kExited);
    view.exitCode = 1;
    return view;
  };
  auto listed = adoptContainers({exited("a0", 0), exited("a2", 2), exited("a1", 1)}, "agent-a");
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].containerId, "containerd://a2");

  listed = adoptContainers({exited("a0", 0), ourContainer("a1", "app", 1, CriContainerState::kRunning),
                            ourContainer("c0", "never-started", 0, CriContainerState::kCreated)},
                           "agent-a");
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].containerId, "containerd://a1");
}

TEST(CriAdoption, ContainerIdForms) {
  EXPECT_EQ(criIdOf("containerd://abc"), "abc");
  EXPECT_EQ(criIdOf("abc"), "abc");
  EXPECT_EQ(criIdOf("host://12"), "");
}

}  // namespace
}  // namespace daemonlet::runtime::cri
