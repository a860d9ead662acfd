// Pod fields through the CRI: runtimeClassName host still means a host process
// beside CRI pods, any other runtimeClassName is the CRI runtime handler,
// runAsNonRoot is checked against the image's user, and what a static node
// cannot provide (a configMap volume) is a reason naming the field.
#include "test/integration/cri/cri_agent_fixture.h"

namespace daemonlet::e2e {
namespace {

class CriPodSpecTest : public CriAgentTest {
 protected:
  // The main container's waiting state once it carries a message, or null.
  Json waitWaitingWithMessage(const std::string& daemonSet) {
    Json waiting;
    waitUntil(
        [&] {
          auto pod = onlyPod(daemonSet);
          if (!pod || pod->at("status")["containerStatuses"].empty()) return false;
          const Json& state = mainStatus(*pod)["state"];
          if (!state.contains("waiting") || state["waiting"].value("message", "").empty()) return false;
          waiting = state["waiting"];
          return true;
        },
        20s);
    return waiting;
  }
};

TEST_F(CriPodSpecTest, HostRuntimeClassPodRunsOnTheHostBesideACriPod) {
  ASSERT_NO_FATAL_FAILURE(startAgent());
  writeManifest("onhost.json", daemonSet("onhost", {"sleep"}));
  writeManifest("incri.json", criDaemonSet("incri", "exec sleep 600"));
  const Json host = waitRunning("onhost", 20s);
  const Json cri = waitCriRunning("incri");
  ASSERT_FALSE(host.is_null()) << "the runtimeClassName: host pod is not running on the host";
  ASSERT_FALSE(cri.is_null());
  EXPECT_EQ(mainStatus(host).value("containerID", "").rfind("host://", 0), 0u);
  EXPECT_EQ(daemonProcesses("onhost"), std::vector<int>{pidOf(mainStatus(host))});
  EXPECT_TRUE(criObjectsOf(host["metadata"]["uid"]).empty()) << "the host pod went to containerd too";
  EXPECT_EQ(mainStatus(cri).value("containerID", "").rfind("containerd://", 0), 0u);
}

// runtimeClassName other than host names containerd's runtime handler, as a
// RuntimeClass's handler does for the kubelet: the fixture's "crun" handler
// runs the pod with crun (its state lives under crun's root, not runc's). A
// handler the node does not have leaves the pod waiting with containerd's
// reason, naming it, and runs nothing.
TEST_F(CriPodSpecTest, RuntimeClassNameIsTheContainerdHandler) {
  ASSERT_NO_FATAL_FAILURE(startAgent());
  Json viaCrun = criDaemonSet("viacrun", "exec sleep 600");
  podSpec(viaCrun)["runtimeClassName"] = testing::kCrunHandler;
  Json missing = criDaemonSet("nohandler", "exec sleep 600");
  podSpec(missing)["runtimeClassName"] = "gvisor";
  writeManifest("viacrun.json", viaCrun);
  writeManifest("nohandler.json", missing);

  const Json running = waitCriRunning("viacrun");
  ASSERT_FALSE(running.is_null()) << "the crun pod did not run";
  const std::string id = containerIdOf(mainStatus(running));
  EXPECT_TRUE(fs::exists(containerd().crunRoot() / "k8s.io" / id)) << "crun has no state for " << id;
  EXPECT_FALSE(fs::exists(containerd().runcRoot() / "k8s.io" / id)) << "runc ran the crun pod";

  const Json waiting = waitWaitingWithMessage("nohandler");
  ASSERT_FALSE(waiting.is_null()) << "no waiting reason for an unknown runtime handler";
  EXPECT_NE(waiting.value("message", "").find("gvisor"), std::string::npos) << waiting.dump();
  EXPECT_TRUE(criObjectsOf(onlyPod("nohandler")->at("metadata")["uid"]).empty())
      << "something was created for a pod whose handler does not exist";
}

TEST_F(CriPodSpecTest, RunAsNonRootIsCheckedAgainstTheImageUser) {
  ASSERT_NO_FATAL_FAILURE(startAgent());
  Json rooted = criDaemonSet("rooted", "exec sleep 600");
  mainContainer(rooted)["securityContext"] = {{"runAsNonRoot", true}};
  Json nonRoot = criDaemonSet("nonroot", "id -u; exec sleep 600", testing::kBusyboxNonRootImage);
  mainContainer(nonRoot)["securityContext"] = {{"runAsNonRoot", true}};
  writeManifest("rooted.json", rooted);
  writeManifest("nonroot.json", nonRoot);

  const Json refused = waitWaiting("rooted", {"CreateContainerConfigError"}, 20s);
  ASSERT_FALSE(refused.is_null()) << "an image running as root passed runAsNonRoot";
  EXPECT_NE(refused.value("message", "").find("runAsNonRoot"), std::string::npos) << refused.dump();
  const Json running = waitCriRunning("nonroot");
  ASSERT_FALSE(running.is_null()) << "the image's user 1000 did not satisfy runAsNonRoot";
  EXPECT_TRUE(waitUntil(
      [&] { return readFile(containerLog(running, "main", 0)).find(" stdout F 1000") != std::string::npos; },
      5s));
}

TEST_F(CriPodSpecTest, ConfigMapVolumeIsAReasonNamingTheField) {
  ASSERT_NO_FATAL_FAILURE(startAgent());
  Json ds = criDaemonSet("configured", "exec sleep 600");
  podSpec(ds)["volumes"] = Json::array({{{"name", "settings"}, {"configMap", {{"name", "agent-settings"}}}}});
  mainContainer(ds)["volumeMounts"] = Json::array({{{"name", "settings"}, {"mountPath", "/etc/settings"}}});
  writeManifest("configured.json", ds);
  const Json waiting = waitWaitingWithMessage("configured");
  ASSERT_FALSE(waiting.is_null()) << "no waiting reason for a configMap volume";
  EXPECT_NE(waiting.value("message", "").find("volumes[0].configMap"), std::string::npos) << waiting.dump();
  EXPECT_NE(waiting.value("reason", ""), "ContainerCreating") << waiting.dump();
  EXPECT_TRUE(criObjectsOf(onlyPod("configured")->at("metadata")["uid"]).empty() ||
              taskPid(containerIdOf(mainStatus(*onlyPod("configured")))) == 0)
      << "the container runs without its volume";
}

}  // namespace
}  // namespace daemonlet::e2e
