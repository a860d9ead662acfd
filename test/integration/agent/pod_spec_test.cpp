// What the pod spec asks of a host process: init containers run to completion
// first (a failing one is retried and holds the main container back), env
// values and $(VAR) references in args, the working directory; a manual DELETE
// restarts a pod of the same revision.
#include <ctime>
#include <iomanip>
#include <sstream>

#include "test/integration/agent/agent_fixture.h"

namespace daemonlet::e2e {
namespace {

using PodSpecTest = AgentE2eTest;

Json initContainer(const std::string& name, const std::vector<std::string>& args, const std::string& marker) {
  return {{"name", name},
          {"image", "host"},
          {"command", Json::array({kHelper})},
          {"args", args},
          {"env", Json::array({{{"name", kMarkerVariable}, {"value", marker}}})}};
}

TEST_F(PodSpecTest, InitContainersRunToCompletionBeforeTheMainOne) {
  Json ds = daemonSet("inits", {"sleep"});
  podSpec(ds)["initContainers"] = Json::array(
      {initContainer("first", {"print", "1", "first"}, marker_), initContainer("second", {"exit", "0"}, marker_)});
  writeManifest("inits.json", ds);
  startAgent();
  Json pod;
  ASSERT_TRUE(waitUntil([&] {
    auto p = onlyPod("inits");
    if (!p || !isRunning(*p)) return false;
    pod = *p;
    return true;
  })) << "the main container never ran";
  const Json& inits = pod["status"]["initContainerStatuses"];
  ASSERT_EQ(inits.size(), 2u) << pod["status"].dump();
  for (const auto& init : inits) {
    SCOPED_TRACE(init.value("name", ""));
    ASSERT_TRUE(init["state"].contains("terminated")) << init.dump();
    EXPECT_EQ(init["state"]["terminated"]["exitCode"], 0);
  }
  bool initialized = false;
  for (const auto& c : pod["status"]["conditions"]) initialized |= c["type"] == "Initialized" && c["status"] == "True";
  EXPECT_TRUE(initialized);
}

TEST_F(PodSpecTest, FailingInitContainerIsRetriedAndHoldsTheMainContainerBack) {
  writeConfig("restartBackoff:\n  initial: 1s\n  max: 1s\n");
  Json ds = daemonSet("blocked", {"sleep"});
  podSpec(ds)["initContainers"] = Json::array({initContainer("gate", {"exit", "1"}, marker_)});
  writeManifest("blocked.json", ds);
  startAgent();
  Json pod;
  ASSERT_TRUE(waitUntil([&] {
    auto p = onlyPod("blocked");
    if (!p || !p->at("status").contains("initContainerStatuses")) return false;
    pod = *p;
    return pod["status"]["initContainerStatuses"][0]["restartCount"].get<int>() >= 2;
  })) << "the failing init container was not retried";
  EXPECT_EQ(pod["status"]["phase"], "Pending");
  EXPECT_TRUE(daemonProcesses("blocked").empty()) << "the main container started although init failed";
  EXPECT_FALSE(mainStatus(pod)["state"].contains("running"));
}

TEST_F(PodSpecTest, EnvReferencesAndWorkingDirectoryReachTheProcess) {
  fs::create_directories(filePath("work"));
  Json ds = daemonSet("envy", {"show-env", "GREETING", "POD_NAME", "POD_NAMESPACE", "$(GREETING)-expanded"});
  mainContainer(ds)["env"].push_back({{"name", "GREETING"}, {"value", "hello"}});
  mainContainer(ds)["env"].push_back(
      {{"name", "POD_NAME"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "metadata.name"}}}}}});
  mainContainer(ds)["env"].push_back(
      {{"name", "POD_NAMESPACE"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "metadata.namespace"}}}}}});
  mainContainer(ds)["workingDir"] = filePath("work").string();
  writeManifest("envy.json", ds);
  startAgent();
  Json pod = waitRunning("envy");
  ASSERT_FALSE(pod.is_null());
  fs::path log = root_ / "logs" /
                 ("default_" + pod["metadata"]["name"].get<std::string>() + "_" +
                  pod["metadata"]["uid"].get<std::string>()) /
                 "main" / "0.log";
  ASSERT_TRUE(waitUntil([&] { return readFile(log).find("uid=") != std::string::npos; })) << readFile(log);
  std::string content = readFile(log);
  EXPECT_NE(content.find("stdout F GREETING=hello\n"), std::string::npos) << content;
  EXPECT_NE(content.find("stdout F POD_NAME=" + pod["metadata"]["name"].get<std::string>() + "\n"),
            std::string::npos)
      << content;
  EXPECT_NE(content.find("stdout F POD_NAMESPACE=default\n"), std::string::npos) << content;
  // $(GREETING) in args expands to the variable's value.
  EXPECT_NE(content.find("stdout F hello-expanded unset\n"), std::string::npos) << content;
  EXPECT_NE(content.find("stdout F cwd=" + filePath("work").string() + "\n"), std::string::npos) << content;
}

TEST_F(PodSpecTest, ManualDeleteReplacesThePodWithTheSameRevision) {
  writeManifest("manual.json", daemonSet("manual", {"sleep"}));
  startAgent();
  Json pod = waitRunning("manual");
  ASSERT_FALSE(pod.is_null());
  int pid = pidOf(mainStatus(pod));
  ASSERT_EQ(deletePod(pod["metadata"]["name"], true), 200);
  Json fresh;
  ASSERT_TRUE(waitUntil([&] {
    auto p = onlyPod("manual");
    if (!p || p->at("metadata").at("uid") == pod["metadata"]["uid"] || !isRunning(*p)) return false;
    fresh = *p;
    return true;
  })) << "no replacement pod after DELETE";
  EXPECT_FALSE(processAlive(pid));
  EXPECT_EQ(revisionOf(fresh), revisionOf(pod));
  EXPECT_EQ(mainStatus(fresh)["restartCount"], 0) << "a new pod starts its count at zero";
  EXPECT_EQ(daemonProcesses("manual").size(), 1u);
}

TEST_F(PodSpecTest, RemovingAManifestDuringBackoffCancelsTheRestart) {
  writeConfig("restartBackoff:\n  initial: 3s\n  max: 3s\n");
  writeManifest("flaky.json", daemonSet("flaky", {"exit", "2"}));
  startAgent();
  // Restart 1 is immediate; then it waits 3 s in backoff.
  std::string backoffUntil;
  ASSERT_TRUE(waitUntil([&] {
    auto p = onlyPod("flaky");
    if (!p || mainStatus(*p)["restartCount"].get<int>() < 1 || isRunning(*p)) return false;
    Json status = getJson("/status");
    for (const auto& ds : status["daemonSets"]) {
      for (const auto& pod : ds["pods"]) {
        Json until = pod["containers"][0].value("backoffUntil", Json());
        if (until.is_string()) backoffUntil = until;
      }
    }
    return !backoffUntil.empty();
  })) << "never reached the backoff";
  removeManifest("flaky.json");
  EXPECT_TRUE(waitUntil([&] { return podsOf("flaky").empty(); })) << "the pod outlived its manifest";
  // Past the backoff (the status gives whole seconds, rounded down) and a pass after it.
  std::tm end{};
  std::istringstream(backoffUntil) >> std::get_time(&end, "%Y-%m-%dT%H:%M:%SZ");
  auto backoffEnd = std::chrono::system_clock::from_time_t(::timegm(&end)) + 1s;
  ASSERT_TRUE(waitUntil([&] { return std::chrono::system_clock::now() >= backoffEnd; })) << backoffUntil;
  ASSERT_TRUE(waitPasses());
  EXPECT_TRUE(podsOf("flaky").empty());
  EXPECT_TRUE(daemonProcesses("flaky").empty()) << "restarted after its manifest was removed";
}

TEST_F(PodSpecTest, OnlyTheCrashedContainerOfAPodRestarts) {
  Json ds = daemonSet("pair", {"sleep"});
  Json second = mainContainer(ds);
  second["name"] = "second";
  podSpec(ds)["containers"].push_back(second);
  writeManifest("pair.json", ds);
  startAgent();
  std::map<std::string, int> pids;
  ASSERT_TRUE(waitUntil([&] {
    auto pod = onlyPod("pair");
    if (!pod || pod->at("status").at("containerStatuses").size() != 2) return false;
    pids.clear();
    for (const auto& c : pod->at("status").at("containerStatuses")) {
      if (!c.at("state").contains("running")) return false;
      pids[c.at("name").get<std::string>()] = pidOf(c);
    }
    return pids.size() == 2 && processAlive(pids["main"]) && processAlive(pids["second"]);
  })) << "both containers never ran";
  EXPECT_EQ(daemonProcesses("pair").size(), 2u);

  ASSERT_EQ(::kill(pids["second"], SIGKILL), 0);
  EXPECT_TRUE(waitUntil([&] {
    auto pod = onlyPod("pair");
    if (!pod) return false;
    for (const auto& c : pod->at("status").at("containerStatuses")) {
      if (c.at("name") == "second" && c.at("restartCount") == 1 && c.at("state").contains("running") &&
          processAlive(pidOf(c))) {
        return true;
      }
    }
    return false;
  })) << "the crashed container was not restarted";
  auto pod = onlyPod("pair");
  ASSERT_TRUE(pod.has_value());
  for (const auto& c : pod->at("status").at("containerStatuses")) {
    if (c.at("name") != "main") continue;
    EXPECT_EQ(c.at("restartCount"), 0);
    EXPECT_EQ(pidOf(c), pids["main"]) << "the healthy container was restarted too";
  }
  EXPECT_TRUE(processAlive(pids["main"]));
}

}  // namespace
}  // namespace daemonlet::e2e
