// The agent's own failures: kill -9 of the agent leaves daemons running and a
// new agent adopts them (same pid, same restart count, no new process); corrupt
// state files never lead to a second copy.
#include "test/integration/agent/agent_fixture.h"

namespace daemonlet::e2e {
namespace {

class AdoptionTest : public AgentE2eTest {
 protected:
  bool containerLogsContain(const std::string& needle) const {
    std::error_code ec;
    for (const auto& entry : fs::recursive_directory_iterator(root_ / "logs", ec)) {
      if (entry.is_regular_file() && readFile(entry.path()).find(needle) != std::string::npos) return true;
    }
    return false;
  }
};

struct Observed {
  std::string uid;
  int pid = 0;
  int restartCount = 0;
};

TEST_F(AdoptionTest, KilledAgentLeavesDaemonsAndTheNextOneAdoptsThem) {
  writeManifest("a.json", daemonSet("a", {"sleep"}));
  writeManifest("b.json", daemonSet("b", {"serve-health", "0"}));
  startAgent();
  std::map<std::string, Observed> before;
  for (const std::string name : {"a", "b"}) {
    Json pod = waitRunning(name);
    ASSERT_FALSE(pod.is_null()) << name;
    before[name] = {pod["metadata"]["uid"], pidOf(mainStatus(pod)), 0};
  }
  // Give "a" a restart, so adoption must keep a non-zero count.
  ASSERT_EQ(::kill(before["a"].pid, SIGKILL), 0);
  Json restarted = waitRestarted("a", before["a"].pid);
  ASSERT_FALSE(restarted.is_null());
  before["a"] = {restarted["metadata"]["uid"], pidOf(mainStatus(restarted)), 1};

  agent_.signal(SIGKILL);
  ASSERT_TRUE(agent_.waitExit(5s).has_value());
  startAgent();
  ASSERT_TRUE(waitPasses()) << "no reconcile passes after the restart";  // a wrong agent starts copies here
  for (const auto& [name, seen] : before) EXPECT_TRUE(processAlive(seen.pid)) << name << " died with the agent";
  for (const auto& [name, seen] : before) {
    SCOPED_TRACE(name);
    auto pod = onlyPod(name);
    ASSERT_TRUE(pod.has_value()) << "not exactly one pod after adoption";
    EXPECT_EQ((*pod)["metadata"]["uid"], seen.uid);
    EXPECT_EQ(pidOf(mainStatus(*pod)), seen.pid) << "restarted instead of adopted";
    EXPECT_EQ(mainStatus(*pod)["restartCount"], seen.restartCount);
    EXPECT_TRUE(isRunning(*pod));
    EXPECT_TRUE(processAlive(seen.pid));
    EXPECT_EQ(daemonProcesses(name), std::vector<int>{seen.pid}) << "a second copy was started";
  }

  // The adopted daemon is still supervised: a crash is repaired.
  ASSERT_EQ(::kill(before["b"].pid, SIGKILL), 0);
  Json again = waitRestarted("b", before["b"].pid);
  ASSERT_FALSE(again.is_null()) << "an adopted daemon was not restarted after a crash";
  EXPECT_EQ(mainStatus(again)["restartCount"], 1);
}

TEST_F(AdoptionTest, CorruptStateFilesNeverDuplicateDaemons) {
  writeManifest("a.json", daemonSet("a", {"sleep"}));
  writeManifest("b.json", daemonSet("b", {"sleep"}));
  startAgent();
  ASSERT_FALSE(waitRunning("a").is_null());
  ASSERT_FALSE(waitRunning("b").is_null());

  agent_.signal(SIGKILL);
  ASSERT_TRUE(agent_.waitExit(5s).has_value());
  int truncated = 0;
  for (const char* dir : {"pods", "containers"}) {
    if (!fs::exists(root_ / "state" / dir)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(root_ / "state" / dir)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
      std::string content = readFile(entry.path());
      writeFile(entry.path(), content.substr(0, content.size() / 2));  // a torn write
      ++truncated;
    }
  }
  ASSERT_GE(truncated, 2) << "no state files found under " << root_ / "state";

  startAgent();
  ASSERT_TRUE(waitPasses()) << "no reconcile passes after the restart";
  for (const std::string name : {"a", "b"}) {
    SCOPED_TRACE(name);
    EXPECT_EQ(daemonProcesses(name).size(), 1u) << "not exactly one process for the daemon";
    Json pod = waitRunning(name);
    EXPECT_FALSE(pod.is_null()) << "the daemon is not running under the new agent";
  }
  // And it stays so (no late duplicate from a resync).
  ASSERT_TRUE(waitPasses());
  EXPECT_EQ(daemonProcesses("a").size(), 1u);
  EXPECT_EQ(daemonProcesses("b").size(), 1u);
}

TEST_F(AdoptionTest, ChangesWhileTheAgentWasDownAreCaughtUpOn) {
  writeManifest("dies.json", daemonSet("dies", {"sleep"}));
  writeManifest("removed.json", daemonSet("removed", {"sleep"}));
  writeManifest("kept.json", daemonSet("kept", {"sleep"}));
  startAgent();
  Json dies = waitRunning("dies"), removed = waitRunning("removed"), kept = waitRunning("kept");
  ASSERT_FALSE(dies.is_null());
  ASSERT_FALSE(removed.is_null());
  ASSERT_FALSE(kept.is_null());
  int diesPid = pidOf(mainStatus(dies)), removedPid = pidOf(mainStatus(removed)), keptPid = pidOf(mainStatus(kept));

  agent_.signal(SIGKILL);
  ASSERT_TRUE(agent_.waitExit(5s).has_value());
  ASSERT_EQ(::kill(diesPid, SIGKILL), 0);  // exits while nobody watches
  removeManifest("removed.json");          // removed while nobody watches
  ASSERT_TRUE(waitUntil([&] { return !processAlive(diesPid); }));

  startAgent();
  Json restarted = waitRestarted("dies", diesPid);
  ASSERT_FALSE(restarted.is_null()) << "a daemon that died while the agent was down was not restarted";
  EXPECT_EQ(mainStatus(restarted)["restartCount"], 1);
  EXPECT_EQ(restarted["metadata"]["uid"], dies["metadata"]["uid"]);
  EXPECT_TRUE(waitUntil([&] { return !processAlive(removedPid); })) << "the removed DaemonSet still runs";
  EXPECT_TRUE(waitUntil([&] { return podsOf("removed").empty(); }));
  auto stillKept = onlyPod("kept");
  ASSERT_TRUE(stillKept.has_value());
  EXPECT_EQ(pidOf(mainStatus(*stillKept)), keptPid);
  EXPECT_EQ(daemonProcesses("dies").size(), 1u);
  EXPECT_EQ(daemonProcesses("kept").size(), 1u);
}

TEST_F(AdoptionTest, StopInProgressAndEditWhileDownAreFinishedByTheNextAgent) {
  Json stubborn = daemonSet("stubborn", {"ignore-sigterm"});
  podSpec(stubborn)["terminationGracePeriodSeconds"] = 3;
  writeManifest("stubborn.json", stubborn);
  Json edited = daemonSet("edited", {"sleep"});
  writeManifest("edited.json", edited);
  startAgent();
  Json stubbornPod = waitRunning("stubborn"), editedPod = waitRunning("edited");
  ASSERT_FALSE(stubbornPod.is_null());
  ASSERT_FALSE(editedPod.is_null());
  int stubbornPid = pidOf(mainStatus(stubbornPod)), editedPid = pidOf(mainStatus(editedPod));
  ASSERT_TRUE(waitUntil([&] { return containerLogsContain("stdout F ready"); }))  // it ignores SIGTERM from here
      << "the stubborn daemon never said ready";

  removeManifest("stubborn.json");  // a stop with a 3 s grace period begins...
  ASSERT_TRUE(waitUntil([&] { return readFile(root_ / "agent.log").find("stopping pod") != std::string::npos; }));
  ASSERT_TRUE(processAlive(stubbornPid));
  agent_.signal(SIGKILL);  // ...and its agent dies in the middle
  ASSERT_TRUE(agent_.waitExit(5s).has_value());
  mainContainer(edited)["env"].push_back({{"name", "VERSION"}, {"value", "2"}});
  writeManifest("edited.json", edited);  // edited while nobody watches

  startAgent();
  EXPECT_TRUE(waitUntil([&] { return !processAlive(stubbornPid); }, 15s)) << "the interrupted stop never finished";
  EXPECT_TRUE(waitUntil([&] { return podsOf("stubborn").empty(); }));
  Json fresh;
  EXPECT_TRUE(waitUntil([&] {
    auto pod = onlyPod("edited");
    if (!pod || revisionOf(*pod) == revisionOf(editedPod) || !isRunning(*pod)) return false;
    fresh = *pod;
    return true;
  })) << "the edit made while the agent was down was not rolled out";
  EXPECT_FALSE(processAlive(editedPid));
  EXPECT_EQ(daemonProcesses("edited").size(), 1u);
}

}  // namespace
}  // namespace daemonlet::e2e
