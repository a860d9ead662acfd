// Starting the agent: an invalid configuration is refused with exit 78; the
// local API answers its documented paths and refuses the rest properly.
#include "test/integration/agent/agent_fixture.h"
#include "test/integration/support/run_command.h"

namespace daemonlet::e2e {
namespace {

using ConfigAndApiTest = AgentE2eTest;

TEST_F(ConfigAndApiTest, InvalidConfigIsRefusedWithExit78) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"unknown field", "noSuchField: 1\n"},
      {"bad duration", "restartBackoff:\n  initial: soon\n"},
      {"bad taint effect", "node:\n  taints:\n  - key: a\n    effect: Sometimes\n"},
      {"not yaml", "node: [unclosed\n"},
  };
  for (const auto& [what, body] : cases) {
    SCOPED_TRACE(what);
    writeConfig(body);
    std::vector<std::string> argv = {kDaemonlet};
    for (const auto& arg : agentArgs()) argv.push_back(arg);
    auto result = testing::runCommand(argv, {}, 15s);
    EXPECT_FALSE(result.timedOut) << "the agent started with an invalid config";
    EXPECT_EQ(result.exitCode, 78) << result.err;
    EXPECT_FALSE(result.err.empty()) << "no message says what is wrong";
  }
  // And a missing config file.
  std::vector<std::string> argv = {kDaemonlet};
  for (const auto& arg : agentArgs()) argv.push_back(arg == configPath().string() ? arg + ".missing" : arg);
  auto result = testing::runCommand(argv, {}, 15s);
  EXPECT_EQ(result.exitCode, 78) << result.err;
}

TEST_F(ConfigAndApiTest, LocalApiAnswersItsPathsAndRefusesTheRest) {
  writeManifest("a.json", daemonSet("a", {"sleep"}));
  startAgent();
  Json pod = waitRunning("a");
  ASSERT_FALSE(pod.is_null());
  auto c = client();

  auto livez = c.Get("/livez");
  ASSERT_TRUE(livez);
  EXPECT_EQ(livez->status, 200);
  auto readyz = c.Get("/readyz?verbose");
  ASSERT_TRUE(readyz);
  EXPECT_EQ(readyz->status, 200);

  Json list = getJson("/api/v1/pods");
  EXPECT_EQ(list["kind"], "PodList");
  EXPECT_EQ(list["apiVersion"], "v1");
  EXPECT_EQ(pod["metadata"]["ownerReferences"][0]["kind"], "DaemonSet");
  EXPECT_FALSE(pod["metadata"]["uid"].get<std::string>().empty());
  EXPECT_FALSE(pod["status"].value("startTime", "").empty());

  std::string name = pod["metadata"]["name"];
  Json single = getJson("/api/v1/namespaces/default/pods/" + name);
  EXPECT_EQ(single["kind"], "Pod");
  EXPECT_EQ(single["metadata"]["uid"], pod["metadata"]["uid"]);

  auto missing = c.Get("/api/v1/namespaces/default/pods/nope");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  auto unknown = c.Get("/no/such/path");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  auto badMethod = c.Post("/status", "", "application/json");
  ASSERT_TRUE(badMethod);
  EXPECT_EQ(badMethod->status, 405);

  // The token file is private to root.
  struct stat info {};
  ASSERT_EQ(::stat((root_ / "run" / "api-token").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_FALSE(apiToken().empty());

  std::string metrics = getText("/metrics");
  EXPECT_NE(metrics.find("daemonlet_container_restarts_total"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("daemonlet_"), std::string::npos);
}

TEST_F(ConfigAndApiTest, TermOfTheAgentLeavesDaemonsRunning) {
  writeManifest("a.json", daemonSet("a", {"sleep"}));
  startAgent();
  Json pod = waitRunning("a");
  ASSERT_FALSE(pod.is_null());
  int pid = pidOf(mainStatus(pod));
  agent_.signal(SIGTERM);
  auto status = agent_.waitExit(10s);
  ASSERT_TRUE(status.has_value()) << "SIGTERM did not stop the agent";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
  startAgent();
  ASSERT_TRUE(waitPasses());
  EXPECT_TRUE(processAlive(pid)) << "stopping the agent stopped a daemon";
  auto adopted = onlyPod("a");
  ASSERT_TRUE(adopted.has_value());
  EXPECT_EQ(pidOf(mainStatus(*adopted)), pid);
  EXPECT_EQ(daemonProcesses("a").size(), 1u);
}

}  // namespace
}  // namespace daemonlet::e2e
