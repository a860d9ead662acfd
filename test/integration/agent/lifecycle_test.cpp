// Daemons start, write CRI logs, are restarted after any exit (with the
// configured backoff), and are stopped — with SIGKILL after the grace period
// when they ignore SIGTERM — when their manifest goes away.
#include <regex>

#include "test/integration/agent/agent_fixture.h"

namespace daemonlet::e2e {
namespace {

using LifecycleTest = AgentE2eTest;

TEST_F(LifecycleTest, DaemonStartsWithDownwardEnvAndCriLogs) {
  writeManifest("env.json", daemonSet("env", {"show-env", "NODE_NAME"}));
  startAgent();
  Json pod = waitRunning("env");
  ASSERT_FALSE(pod.is_null()) << "the daemon never ran";
  EXPECT_EQ(pod["status"]["phase"], "Running");
  EXPECT_EQ(pod["spec"]["nodeName"], "n1");
  EXPECT_EQ(mainStatus(pod)["restartCount"], 0);
  EXPECT_EQ(daemonProcesses("env").size(), 1u);

  // <logDir>/<namespace>_<pod>_<uid>/<container>/0.log
  fs::path log = root_ / "logs" /
                 ("default_" + pod["metadata"]["name"].get<std::string>() + "_" +
                  pod["metadata"]["uid"].get<std::string>()) /
                 "main" / "0.log";
  ASSERT_TRUE(waitUntil([&] { return readFile(log).find("cwd=") != std::string::npos; }))
      << "no complete output in " << log;
  std::string content = readFile(log);
  EXPECT_NE(content.find(" stdout F NODE_NAME=n1\n"), std::string::npos) << content;
  static const std::regex kCriLine(
      R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d) (stdout|stderr) [FP] .*)");
  std::istringstream lines(content);
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    ++count;
    EXPECT_TRUE(std::regex_match(line, kCriLine)) << "not a CRI log line: " << line;
  }
  EXPECT_GE(count, 3);
}

TEST_F(LifecycleTest, KillNineIsRepairedAtOnceAndCounted) {
  writeManifest("victim.json", daemonSet("victim", {"sleep"}));
  startAgent();
  Json pod = waitRunning("victim");
  ASSERT_FALSE(pod.is_null());
  int oldPid = pidOf(mainStatus(pod));
  std::string uid = pod["metadata"]["uid"];

  ASSERT_EQ(::kill(oldPid, SIGKILL), 0);
  // The first restart after a crash has no backoff (kubelet semantics).
  Json restarted = waitRestarted("victim", oldPid, 5s);
  ASSERT_FALSE(restarted.is_null()) << "not restarted after kill -9";
  EXPECT_EQ(restarted["metadata"]["uid"], uid) << "the container restarts in place, not a new pod";
  EXPECT_EQ(mainStatus(restarted)["restartCount"], 1);
  EXPECT_EQ(mainStatus(restarted)["lastState"]["terminated"]["exitCode"], 137);
  EXPECT_EQ(daemonProcesses("victim").size(), 1u);

  std::string metrics = getText("/metrics");
  static const std::regex kRestarts(R"((^|\n)daemonlet_container_restarts_total(\{[^}]*\})? ([0-9.e+]+))");
  std::smatch match;
  ASSERT_TRUE(std::regex_search(metrics, match, kRestarts)) << metrics;
  EXPECT_GE(std::stod(match[3].str()), 1.0);
}

TEST_F(LifecycleTest, CleanExitIsRestartedToo) {
  writeConfig("restartBackoff:\n  initial: 1s\n  max: 1s\n");
  writeManifest("oneshot.json", daemonSet("oneshot", {"exit", "0"}));
  startAgent();
  Json seen;
  ASSERT_TRUE(waitUntil([&] {
    auto pod = onlyPod("oneshot");
    if (!pod || mainStatus(*pod)["restartCount"].get<int>() < 2) return false;
    seen = *pod;
    return true;
  })) << "exit 0 was not restarted (restartPolicy Always)";
  EXPECT_EQ(seen["status"]["phase"], "Running");
  const Json& last = mainStatus(seen)["lastState"];
  if (last.contains("terminated")) {
    EXPECT_EQ(last["terminated"]["exitCode"], 0);
  }
}

TEST_F(LifecycleTest, CrashLoopDelaysFollowTheBackoff) {
  writeConfig("restartBackoff:\n  initial: 1s\n  max: 4s\n  multiplier: 2\n");
  writeManifest("crasher.json", daemonSet("crasher", {"exit", "3"}));
  startAgent();
  // When each restart count was first seen; the waits before restarts 1..5 are
  // 0, 1, 2, 4, 4 (capped) seconds.
  std::map<int, Clock::time_point> firstSeen;
  ASSERT_TRUE(waitUntil(
      [&] {
        if (auto pod = onlyPod("crasher")) {
          int count = mainStatus(*pod)["restartCount"];
          firstSeen.try_emplace(count, Clock::now());
        }
        return firstSeen.count(5) > 0;
      },
      30s))
      << "the crash loop did not reach 5 restarts";
  const double expected[] = {1, 2, 4, 4};  // gap from restart n to n+1
  for (int n = 1; n <= 4; ++n) {
    SCOPED_TRACE("restart " + std::to_string(n) + " -> " + std::to_string(n + 1));
    ASSERT_TRUE(firstSeen.count(n)) << "restart count " << n << " never seen";
    double gap = std::chrono::duration<double>(firstSeen[n + 1] - firstSeen[n]).count();
    EXPECT_GE(gap, 0.8 * expected[n - 1]);
  }
  Json status = getJson("/status");
  const Json& container = status["daemonSets"][0]["pods"][0]["containers"][0];
  EXPECT_EQ(container["lastExitCode"], 3) << container.dump();
}

TEST_F(LifecycleTest, RemovedManifestStopsEverythingAndLeavesNothing) {
  writeManifest("gone.json", daemonSet("gone", {"spawn-child"}));
  writeManifest("stays.json", daemonSet("stays", {"sleep"}));
  startAgent();
  Json pod = waitRunning("gone");
  ASSERT_FALSE(pod.is_null());
  ASSERT_FALSE(waitRunning("stays").is_null());
  int pid = pidOf(mainStatus(pod));
  // spawn-child forks a grandchild in the same process group: it must go too.
  ASSERT_TRUE(waitUntil([&] { return daemonProcesses("gone").size() == 2; })) << "the child never started";

  removeManifest("gone.json");
  EXPECT_TRUE(waitUntil([&] { return podsOf("gone").empty(); })) << "the pod is still listed";
  EXPECT_TRUE(waitUntil([&] { return !processAlive(pid); })) << "the daemon still runs";
  EXPECT_TRUE(waitUntil([&] { return daemonProcesses("gone").empty(); })) << "an orphan survived";
  // No shim or other helper process of that pod is left either.
  EXPECT_TRUE(waitUntil([&] { return processesWith(pod["metadata"]["uid"].get<std::string>()).empty(); }));
  EXPECT_FALSE(waitRunning("stays").is_null()) << "the other DaemonSet was disturbed";
  Json status = getJson("/status");
  for (const auto& ds : status["daemonSets"]) EXPECT_NE(ds["name"], "gone");
}

TEST_F(LifecycleTest, DaemonIgnoringSigtermIsKilledAfterTheGracePeriod) {
  Json ds = daemonSet("stubborn", {"ignore-sigterm"});
  podSpec(ds)["terminationGracePeriodSeconds"] = 1;
  writeManifest("stubborn.json", ds);
  startAgent();
  Json pod = waitRunning("stubborn");
  ASSERT_FALSE(pod.is_null());
  int pid = pidOf(mainStatus(pod));
  // "ready" is printed after SIGTERM is ignored: only then is the test meaningful.
  ASSERT_TRUE(waitUntil([&] {
    for (const auto& entry : fs::recursive_directory_iterator(root_ / "logs")) {
      if (entry.is_regular_file() && readFile(entry.path()).find("stdout F ready") != std::string::npos) return true;
    }
    return false;
  })) << "the daemon never said ready";

  auto removed = Clock::now();
  removeManifest("stubborn.json");
  ASSERT_TRUE(waitUntil([&] { return !processAlive(pid); })) << "never killed";
  double took = secondsSince(removed);
  EXPECT_GE(took, 0.8) << "killed before the 1 s grace period ran out";
  EXPECT_TRUE(waitUntil([&] { return podsOf("stubborn").empty(); }));
}

}  // namespace
}  // namespace daemonlet::e2e
