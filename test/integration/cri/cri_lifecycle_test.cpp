// A CRI pod's life through the real agent and a real containerd: it runs and logs
// at the kubelet's layout, a killed container is restarted at once and counted, a
// template change rolls it, and a removed DaemonSet leaves nothing in containerd.
#include "test/integration/cri/cri_agent_fixture.h"

namespace daemonlet::e2e {
namespace {

class CriLifecycleTest : public CriAgentTest {};

TEST_F(CriLifecycleTest, ContainerRunsAndLogsAtTheKubeletLayout) {
  ASSERT_NO_FATAL_FAILURE(startAgent());
  writeManifest("logger.json",
                criDaemonSet("logger", "echo hello-from-$HOSTNAME; echo to-stderr >&2; exec sleep 600"));
  const Json pod = waitCriRunning("logger");
  ASSERT_FALSE(pod.is_null()) << "the CRI pod never ran";
  const Json& status = mainStatus(pod);
  EXPECT_EQ(status["restartCount"], 0);
  EXPECT_EQ(status.value("image", ""), testing::kBusyboxImage);
  EXPECT_NE(status.value("imageID", "").find("sha256:"), std::string::npos) << status.dump();
  EXPECT_EQ(criObjectsOf(pod["metadata"]["uid"]).size(), 2u) << "one sandbox and one container expected";

  // containerd writes the CRI log format: "<time> <stream> <F|P> <line>".
  const fs::path log = containerLog(pod, "main", 0);
  ASSERT_TRUE(waitUntil([&] {
    const std::string text = readFile(log);
    return text.find(" stdout F hello-from-") != std::string::npos &&
           text.find(" stderr F to-stderr") != std::string::npos;
  })) << log
      << ":\n"
      << readFile(log);
}

TEST_F(CriLifecycleTest, KillNineOfTheContainerIsRestartedPromptlyAndCounted) {
  ASSERT_NO_FATAL_FAILURE(startAgent());
  writeManifest("victim.json", criDaemonSet("victim", "exec sleep 600"));
  const Json before = waitCriRunning("victim");
  ASSERT_FALSE(before.is_null());
  const std::string oldId = containerIdOf(mainStatus(before));
  const int oldPid = taskPid(oldId);
  ASSERT_GT(oldPid, 0);

  const auto killed = Clock::now();
  ASSERT_EQ(::kill(oldPid, SIGKILL), 0);
  // The exit comes from containerd's event stream; a 10 s relist would miss this bound.
  const Json after = waitCriRunning("victim", 4s, oldId);
  const double seconds = secondsSince(killed);
  ASSERT_FALSE(after.is_null()) << "not running again within 4 s of the kill";
  std::cout << "kill -9 -> running again: " << seconds << " s\n";
  const Json& status = mainStatus(after);
  EXPECT_EQ(status["restartCount"], 1);
  EXPECT_EQ(status["lastState"]["terminated"]["exitCode"], 137) << status.dump();
  EXPECT_NE(taskPid(containerIdOf(status)), oldPid);
  // The restarted container logs to the next file of the same directory.
  EXPECT_TRUE(waitUntil([&] { return fs::exists(containerLog(after, "main", 1)); }, 5s));
}

TEST_F(CriLifecycleTest, TemplateChangeRollsTheContainer) {
  ASSERT_NO_FATAL_FAILURE(startAgent());
  Json ds = criDaemonSet("rolled", "echo version-1; exec sleep 600");
  writeManifest("rolled.json", ds);
  const Json first = waitCriRunning("rolled");
  ASSERT_FALSE(first.is_null());
  const std::string firstId = containerIdOf(mainStatus(first));
  const std::string firstUid = first["metadata"]["uid"];

  mainContainer(ds)["command"][2] = "echo version-2; exec sleep 600";
  writeManifest("rolled.json", ds);
  Json second;
  ASSERT_TRUE(waitUntil(
      [&] {
        auto pod = onlyPod("rolled");
        if (!pod || revisionOf(*pod) == revisionOf(first) || !criRunning(*pod)) return false;
        second = *pod;
        return true;
      },
      20s))
      << "the pod was not replaced by one of the new revision";
  EXPECT_NE(containerIdOf(mainStatus(second)), firstId);
  EXPECT_EQ(taskPid(firstId), 0) << "the old container still runs";
  EXPECT_TRUE(waitUntil([&] { return criObjectsOf(firstUid).empty(); }, 10s))
      << "the old pod's sandbox or container is still in containerd";
  EXPECT_TRUE(waitUntil(
      [&] { return readFile(containerLog(second, "main", 0)).find("version-2") != std::string::npos; }, 5s));
}

TEST_F(CriLifecycleTest, RemovedDaemonSetLeavesNoSandboxOrContainer) {
  ASSERT_NO_FATAL_FAILURE(startAgent());
  writeManifest("gone.json", criDaemonSet("gone", "exec sleep 600"));
  const Json pod = waitCriRunning("gone");
  ASSERT_FALSE(pod.is_null());
  const std::string uid = pod["metadata"]["uid"];
  const std::string id = containerIdOf(mainStatus(pod));
  ASSERT_FALSE(criObjectsOf(uid).empty());

  removeManifest("gone.json");
  EXPECT_TRUE(waitUntil([&] { return podsOf("gone").empty(); }, 15s)) << "the pod is still listed";
  EXPECT_TRUE(waitUntil([&] { return criObjectsOf(uid).empty(); }, 10s))
      << "left in containerd: " << ::testing::PrintToString(criObjectsOf(uid));
  EXPECT_EQ(taskPid(id), 0);
}

}  // namespace
}  // namespace daemonlet::e2e
