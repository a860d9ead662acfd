// Node identity changes through the config file and SIGHUP: labels start and
// stop DaemonSets with a nodeSelector at once; a NoExecute taint evicts pods
// that do not tolerate it, after tolerationSeconds when they tolerate it for a while.
#include "test/integration/agent/agent_fixture.h"

namespace daemonlet::e2e {
namespace {

using NodeChangeTest = AgentE2eTest;

Json withNodeSelector(Json ds, const std::string& key, const std::string& value) {
  podSpec(ds)["nodeSelector"] = {{key, value}};
  return ds;
}

TEST_F(NodeChangeTest, LabelChangeOnReloadStartsAndStopsDaemons) {
  writeConfig("node:\n  labels:\n    role: blue\n");
  writeManifest("blue.json", withNodeSelector(daemonSet("blue", {"sleep"}), "role", "blue"));
  writeManifest("green.json", withNodeSelector(daemonSet("green", {"sleep"}), "role", "green"));
  startAgent();
  Json blue = waitRunning("blue");
  ASSERT_FALSE(blue.is_null());
  int bluePid = pidOf(mainStatus(blue));
  EXPECT_TRUE(podsOf("green").empty());
  EXPECT_TRUE(daemonProcesses("green").empty());

  writeConfig("node:\n  labels:\n    role: green\n");
  agent_.signal(SIGHUP);
  EXPECT_TRUE(waitUntil([&] { return !processAlive(bluePid); })) << "blue no longer matches but still runs";
  EXPECT_TRUE(waitUntil([&] { return podsOf("blue").empty(); }));
  Json green = waitRunning("green");
  ASSERT_FALSE(green.is_null()) << "green matches now but did not start";
  Json status = getJson("/status");
  EXPECT_EQ(status["node"]["labels"]["role"], "green");

  writeConfig("node:\n  labels:\n    role: blue\n");
  agent_.signal(SIGHUP);
  EXPECT_TRUE(waitUntil([&] { return !processAlive(pidOf(mainStatus(green))); }));
  EXPECT_FALSE(waitRunning("blue").is_null()) << "blue did not come back";
  EXPECT_EQ(daemonProcesses("blue").size(), 1u);
}

TEST_F(NodeChangeTest, InvalidConfigOnReloadKeepsTheRunningOne) {
  writeConfig("node:\n  labels:\n    role: blue\n");
  writeManifest("blue.json", withNodeSelector(daemonSet("blue", {"sleep"}), "role", "blue"));
  startAgent();
  Json blue = waitRunning("blue");
  ASSERT_FALSE(blue.is_null());
  int pid = pidOf(mainStatus(blue));

  writeConfig("node:\n  labels:\n    role: green\n  bogusField: 1\n");
  agent_.signal(SIGHUP);
  ASSERT_TRUE(waitUntil([&] { return readFile(root_ / "agent.log").find("reload refused") != std::string::npos; }))
      << "the bad reload was never refused";
  EXPECT_TRUE(agent_.running()) << "a bad reload must not stop the agent";
  EXPECT_TRUE(processAlive(pid)) << "a refused config changed the node labels";
  EXPECT_EQ(getJson("/status")["node"]["labels"]["role"], "blue");
}

TEST_F(NodeChangeTest, NoExecuteTaintEvictsAndTolerationSecondsDelays) {
  writeManifest("plain.json", daemonSet("plain", {"sleep"}));
  Json patient = daemonSet("patient", {"sleep"});
  podSpec(patient)["tolerations"] = Json::array(
      {{{"key", "maintenance"}, {"operator", "Exists"}, {"effect", "NoExecute"}, {"tolerationSeconds", 2}}});
  writeManifest("patient.json", patient);
  Json forever = daemonSet("forever", {"sleep"});
  podSpec(forever)["tolerations"] =
      Json::array({{{"key", "maintenance"}, {"operator", "Exists"}, {"effect", "NoExecute"}}});
  writeManifest("forever.json", forever);
  startAgent();
  Json plainPod = waitRunning("plain"), patientPod = waitRunning("patient"), foreverPod = waitRunning("forever");
  ASSERT_FALSE(plainPod.is_null());
  ASSERT_FALSE(patientPod.is_null());
  ASSERT_FALSE(foreverPod.is_null());
  int plainPid = pidOf(mainStatus(plainPod));
  int patientPid = pidOf(mainStatus(patientPod));
  int foreverPid = pidOf(mainStatus(foreverPod));

  writeConfig("node:\n  taints:\n  - key: maintenance\n    value: now\n    effect: NoExecute\n");
  auto tainted = Clock::now();
  agent_.signal(SIGHUP);
  EXPECT_TRUE(waitUntil([&] { return !processAlive(plainPid); })) << "an untolerated NoExecute taint did not evict";
  ASSERT_TRUE(waitUntil([&] { return !processAlive(patientPid); })) << "tolerationSeconds never ran out";
  EXPECT_GE(secondsSince(tainted), 1.6) << "evicted before tolerationSeconds (2 s)";
  EXPECT_TRUE(processAlive(foreverPid)) << "a pod tolerating the taint forever was evicted";
  EXPECT_TRUE(waitUntil([&] { return podsOf("plain").empty() && podsOf("patient").empty(); }));
  // Evicted pods stay away while the taint is there.
  ASSERT_TRUE(waitPasses());
  EXPECT_TRUE(daemonProcesses("plain").empty());
  EXPECT_TRUE(daemonProcesses("patient").empty());
}

TEST_F(NodeChangeTest, NoScheduleTaintKeepsRunningPods) {
  writeManifest("plain.json", daemonSet("plain", {"sleep"}));
  startAgent();
  Json pod = waitRunning("plain");
  ASSERT_FALSE(pod.is_null());
  int pid = pidOf(mainStatus(pod));
  writeConfig("node:\n  taints:\n  - key: dedicated\n    value: storage\n    effect: NoSchedule\n");
  agent_.signal(SIGHUP);
  ASSERT_TRUE(waitUntil([&] { return !getJson("/status")["node"]["taints"].empty(); }));
  ASSERT_TRUE(waitPasses());
  EXPECT_TRUE(processAlive(pid)) << "NoSchedule must not evict a running pod";
  EXPECT_EQ(podsOf("plain").size(), 1u);
}

}  // namespace
}  // namespace daemonlet::e2e
