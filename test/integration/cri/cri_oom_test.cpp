// A container the kernel's OOM killer ends under its memory limit reads as the
// kubelet shows it: lastState.terminated.reason "OOMKilled", exit code 137, in
// the pod status (/api/v1) and in the agent's own /status. Through the real agent
// and the private containerd, whose memory cgroup enforces the limit (cgroup v1
// and v2 alike).
#include "test/integration/cri/cri_agent_fixture.h"

namespace daemonlet::e2e {
namespace {

class CriOomTest : public CriAgentTest {
 protected:
  // The agent's own view of the DaemonSet's one pod's one container ("" keys
  // when the /status answer has none yet).
  Json agentContainerView(const std::string& daemonSet) const {
    for (const auto& ds : getJson("/status").value("daemonSets", Json::array())) {
      if (ds.value("name", "") != daemonSet) continue;
      for (const auto& pod : ds.value("pods", Json::array())) {
        const Json containers = pod.value("containers", Json::array());
        if (containers.size() == 1) return containers[0];
      }
    }
    return Json::object();
  }
};

TEST_F(CriOomTest, ContainerKilledOverItsMemoryLimitIsOomKilled) {
  ASSERT_NO_FATAL_FAILURE(startAgent());
  // dd's one 64 MiB buffer, filled from /dev/zero, is over a 16 MiB limit (no
  // swap either: the CRI limit sets memory+swap alike), so the OOM killer ends
  // the container's own process, pid 1 of the container after `exec`.
  Json ds = criDaemonSet("hog", "exec dd if=/dev/zero of=/dev/null bs=64M count=1");
  mainContainer(ds)["resources"] = {{"limits", {{"memory", "16Mi"}}}};
  writeManifest("hog.json", ds);

  // Restarted (at once, then in back-off) and killed again each time: any
  // status from the first restart on shows the last kill.
  Json status;
  ASSERT_TRUE(waitUntil(
      [&] {
        auto pod = onlyPod("hog");
        if (!pod || pod->at("status")["containerStatuses"].size() != 1) return false;
        status = mainStatus(*pod);
        return status.value("restartCount", 0) >= 1 && status["lastState"].contains("terminated");
      },
      30s))
      << "never restarted after its first exit: " << status.dump();
  const Json& terminated = status["lastState"]["terminated"];
  EXPECT_EQ(terminated.value("reason", ""), "OOMKilled") << status.dump();
  EXPECT_EQ(terminated.value("exitCode", 0), 137) << status.dump();

  const Json view = agentContainerView("hog");
  EXPECT_EQ(view.value("lastExitReason", ""), "OOMKilled") << view.dump();
  EXPECT_EQ(view.value("lastExitCode", Json(nullptr)), Json(137)) << view.dump();
}

TEST_F(CriOomTest, KillNineIsAnErrorNotAnOomKill) {
  // The same SIGKILL without the OOM killer: exit 137 stays "Error" (the hold
  // that waits for a late OOM event ends without one).
  ASSERT_NO_FATAL_FAILURE(startAgent());
  Json ds = criDaemonSet("killed", "exec sleep 600");
  mainContainer(ds)["resources"] = {{"limits", {{"memory", "16Mi"}}}};
  writeManifest("killed.json", ds);
  const Json before = waitCriRunning("killed");
  ASSERT_FALSE(before.is_null());
  const std::string oldId = containerIdOf(mainStatus(before));
  const int oldPid = taskPid(oldId);
  ASSERT_GT(oldPid, 0);
  ASSERT_EQ(::kill(oldPid, SIGKILL), 0);

  const Json after = waitCriRunning("killed", 10s, oldId);
  ASSERT_FALSE(after.is_null()) << "not running again after the kill";
  const Json& terminated = mainStatus(after)["lastState"]["terminated"];
  EXPECT_EQ(terminated.value("exitCode", 0), 137) << after.dump();
  EXPECT_EQ(terminated.value("reason", ""), "Error") << after.dump();
}

}  // namespace
}  // namespace daemonlet::e2e
