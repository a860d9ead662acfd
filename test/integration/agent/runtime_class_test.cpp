// Which runtime runs a pod: runtimeClassName "host" runs host processes, and
// only then; every other pod (no class, or another class, the CRI runtime
// handler) belongs to the CRI runtime. With no containerd answering on the
// configured socket such a pod waits with RuntimeUnavailable naming the socket,
// counts no restart, and is never run as a host process instead. The removed
// defaultRuntime and --default-runtime are refused, saying what replaced them.
// (Pods running in a real containerd are the CRI e2e tests'.)
#include "test/integration/agent/agent_fixture.h"
#include "test/integration/support/run_command.h"

namespace daemonlet::e2e {
namespace {

class RuntimeClassTest : public AgentE2eTest {
 protected:
  // A socket path nothing listens on: hermetic, whatever runs on the machine.
  std::string noContainerd() const { return (root_ / "run" / "no-containerd.sock").string(); }
};

// The runtime the agent's /status names for the pod of `daemonSet`.
std::string statusRuntime(const Json& status, const std::string& daemonSet) {
  for (const auto& ds : status.value("daemonSets", Json::array())) {
    if (ds.value("name", "") != daemonSet) continue;
    for (const auto& pod : ds.value("pods", Json::array())) return pod.value("runtime", "");
  }
  return "";
}

TEST_F(RuntimeClassTest, PodsWithoutRuntimeClassHostAreCriPodsAndWaitNamingTheSocket) {
  writeConfig("cri: {endpoint: " + noContainerd() + "}\n");
  Json kata = daemonSet("kata", {"sleep"});
  podSpec(kata)["runtimeClassName"] = "kata";
  Json classless = daemonSet("classless", {"sleep"});
  podSpec(classless).erase("runtimeClassName");
  writeManifest("kata.json", kata);
  writeManifest("classless.json", classless);
  writeManifest("host.json", daemonSet("host", {"sleep"}));
  startAgent();
  ASSERT_FALSE(waitRunning("host").is_null());
  for (const std::string name : {"kata", "classless"}) {
    SCOPED_TRACE(name);
    Json waiting = waitWaiting(name, {"RuntimeUnavailable"});
    ASSERT_FALSE(waiting.is_null()) << (onlyPod(name) ? onlyPod(name)->dump() : "no pod");
    const std::string message = waiting.value("message", "");
    EXPECT_NE(message.find(noContainerd()), std::string::npos) << message;
    EXPECT_EQ(mainStatus(*onlyPod(name)).value("restartCount", -1), 0) << "a pod without a runtime is no crash";
    EXPECT_TRUE(daemonProcesses(name).empty()) << "run as a host process after all";
  }
  Json status = getJson("/status");
  EXPECT_EQ(statusRuntime(status, "host"), "host");
  EXPECT_EQ(statusRuntime(status, "kata"), "cri");
  EXPECT_EQ(statusRuntime(status, "classless"), "cri");
}

TEST_F(RuntimeClassTest, RemovedDefaultRuntimeIsRefusedSayingWhatReplacedIt) {
  writeConfig("defaultRuntime: host\n");
  std::vector<std::string> argv = {kDaemonlet};
  for (const auto& arg : agentArgs()) argv.push_back(arg);
  auto result = testing::runCommand(argv, {}, 15s);
  EXPECT_EQ(result.exitCode, 78) << result.err;
  EXPECT_NE(result.err.find(configPath().string() + ": defaultRuntime: field removed: pods with runtimeClassName: "
                                                    "host run as host processes"),
            std::string::npos)
      << result.err;

  writeConfig("");
  argv.push_back("--default-runtime=host");
  result = testing::runCommand(argv, {}, 15s);
  EXPECT_EQ(result.exitCode, 2) << result.err;
  EXPECT_NE(result.err.find("--default-runtime: flag removed: pods with runtimeClassName: host run as host processes"),
            std::string::npos)
      << result.err;
}

}  // namespace
}  // namespace daemonlet::e2e
