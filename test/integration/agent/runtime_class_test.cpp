// Which runtime runs a pod: runtimeClassName "host" runs host processes; any
// other pod is meant for a container runtime, which this agent does not have
// yet, so it waits and says why, and is never run as a host process instead.
// `defaultRuntime: host` is the operator's way to run pods without
// runtimeClassName as host processes; `defaultRuntime: cri` is refused.
#include "test/integration/agent/agent_fixture.h"
#include "test/integration/support/run_command.h"

namespace daemonlet::e2e {
namespace {

using RuntimeClassTest = AgentE2eTest;

// The runtime the agent's /status names for the pod of `daemonSet`.
std::string statusRuntime(const Json& status, const std::string& daemonSet) {
  for (const auto& ds : status.value("daemonSets", Json::array())) {
    if (ds.value("name", "") != daemonSet) continue;
    for (const auto& pod : ds.value("pods", Json::array())) return pod.value("runtime", "");
  }
  return "";
}

TEST_F(RuntimeClassTest, PodsNotForTheHostRuntimeAreNotStartedAndSayWhy) {
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
    Json waiting = waitWaiting(name, "RuntimeNotConfigured");
    ASSERT_FALSE(waiting.is_null()) << (onlyPod(name) ? onlyPod(name)->dump() : "no pod");
    const std::string message = waiting.value("message", "");
    EXPECT_NE(message.find("runtimeClassName"), std::string::npos) << message;
    EXPECT_NE(message.find("no CRI runtime is configured"), std::string::npos) << message;
    if (name == "kata") {
      EXPECT_NE(message.find("\"kata\""), std::string::npos) << message;
    }
    EXPECT_EQ(mainStatus(*onlyPod(name)).value("restartCount", -1), 0) << "a pod without a runtime is no crash";
    EXPECT_TRUE(daemonProcesses(name).empty()) << "run as a host process after all";
  }
  Json status = getJson("/status");
  EXPECT_EQ(statusRuntime(status, "host"), "host");
  EXPECT_EQ(statusRuntime(status, "kata"), "cri");
  EXPECT_EQ(statusRuntime(status, "classless"), "cri");
}

TEST_F(RuntimeClassTest, DefaultRuntimeHostRunsPodsWithoutRuntimeClassAsHostProcesses) {
  writeConfig("defaultRuntime: host\n");
  Json classless = daemonSet("classless", {"sleep"});
  podSpec(classless).erase("runtimeClassName");
  Json kata = daemonSet("kata", {"sleep"});
  podSpec(kata)["runtimeClassName"] = "kata";
  writeManifest("classless.json", classless);
  writeManifest("kata.json", kata);
  startAgent();
  ASSERT_FALSE(waitRunning("classless").is_null());
  EXPECT_EQ(daemonProcesses("classless").size(), 1u);
  EXPECT_EQ(statusRuntime(getJson("/status"), "classless"), "host");
  // A runtimeClassName other than host still waits: the default covers only pods without one.
  ASSERT_FALSE(waitWaiting("kata", "RuntimeNotConfigured").is_null());
  EXPECT_TRUE(daemonProcesses("kata").empty());
}

TEST_F(RuntimeClassTest, DefaultRuntimeCriIsRefusedNamingTheFileAndField) {
  writeConfig("defaultRuntime: cri\n");
  std::vector<std::string> argv = {kDaemonlet};
  for (const auto& arg : agentArgs()) argv.push_back(arg);
  auto result = testing::runCommand(argv, {}, 15s);
  EXPECT_EQ(result.exitCode, 78) << result.err;
  EXPECT_NE(result.err.find(configPath().string() + ": defaultRuntime: Unsupported value: \"cri\""), std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("no CRI runtime"), std::string::npos) << result.err;

  writeConfig("");
  argv.push_back("--default-runtime=cri");
  result = testing::runCommand(argv, {}, 15s);
  EXPECT_EQ(result.exitCode, 78) << result.err;
  EXPECT_NE(result.err.find("--default-runtime: defaultRuntime: Unsupported value: \"cri\""), std::string::npos)
      << result.err;
}

}  // namespace
}  // namespace daemonlet::e2e
