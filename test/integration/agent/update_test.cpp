// Template changes: RollingUpdate without surge (old stops, then new starts),
// with surge (new starts and becomes ready before old stops), and OnDelete (the
// old pod stays until it is deleted through the local API with the token).
#include "test/integration/agent/agent_fixture.h"

namespace daemonlet::e2e {
namespace {

// DELETE of a pod without the token from a child running as nobody (the agent
// trusts root and its own user by their loopback socket: caller_authority.h).
// True when it was answered 401. The caller must be root.
bool deleteAsNobodyRefused(int port, const std::string& name) {
  pid_t child = fork();
  if (child == 0) {
    if (setgid(65534) != 0 || setuid(65534) != 0) _exit(3);
    httplib::Client client("127.0.0.1", port);
    auto res = client.Delete(("/api/v1/namespaces/default/pods/" + name).c_str());
    _exit(res && res->status == 401 ? 0 : 1);
  }
  int status = 0;
  return waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

using UpdateTest = AgentE2eTest;

void setVersion(Json& ds, const std::string& version) {
  mainContainer(ds)["env"].push_back({{"name", "VERSION"}, {"value", version}});
}

void setRollingUpdate(Json& ds, int maxSurge, int maxUnavailable) {
  ds["spec"]["updateStrategy"] = {{"type", "RollingUpdate"},
                                  {"rollingUpdate", {{"maxSurge", maxSurge}, {"maxUnavailable", maxUnavailable}}}};
}

// A readiness probe that passes once `file` exists.
void setReadinessFile(Json& ds, const fs::path& file) {
  mainContainer(ds)["readinessProbe"] = countedFileProbe(file);
}

TEST_F(UpdateTest, RollingUpdateWithoutSurgeStopsOldThenStartsNew) {
  Json v1 = daemonSet("roll", {"sleep"});
  setVersion(v1, "1");
  setRollingUpdate(v1, 0, 1);
  writeManifest("roll.json", v1);
  startAgent();
  Json old = waitRunning("roll");
  ASSERT_FALSE(old.is_null());
  int oldPid = pidOf(mainStatus(old));
  std::string oldRevision = revisionOf(old);

  Json v2 = daemonSet("roll", {"sleep"});
  setVersion(v2, "2");
  setRollingUpdate(v2, 0, 1);
  writeManifest("roll.json", v2);

  // Sample until the new revision runs; no sample may show both processes alive.
  bool bothAlive = false;
  Json fresh;
  ASSERT_TRUE(waitUntil([&] {
    auto pods = podsOf("roll");
    for (const auto& pod : pods) {
      if (revisionOf(pod) == oldRevision || !isRunning(pod)) continue;
      int pid = pidOf(mainStatus(pod));
      if (processAlive(pid) && processAlive(oldPid)) bothAlive = true;
      if (pods.size() == 1) fresh = pod;
    }
    return !fresh.is_null();
  })) << "the new revision never ran alone";
  EXPECT_FALSE(bothAlive) << "maxSurge 0: the new pod started while the old one still ran";
  EXPECT_FALSE(processAlive(oldPid));
  EXPECT_NE(fresh["metadata"]["uid"], old["metadata"]["uid"]);
  EXPECT_EQ(daemonProcesses("roll").size(), 1u);
}

TEST_F(UpdateTest, RollingUpdateWithSurgeKeepsOldUntilNewIsReady) {
  writeFile(filePath("ready-v1"), "");
  Json v1 = daemonSet("surge", {"sleep"});
  setVersion(v1, "1");
  setRollingUpdate(v1, 1, 0);
  setReadinessFile(v1, filePath("ready-v1"));
  writeManifest("surge.json", v1);
  startAgent();
  Json old;
  ASSERT_TRUE(waitUntil([&] {
    auto pod = onlyPod("surge");
    if (!pod || !podReady(*pod)) return false;
    old = *pod;
    return true;
  })) << "v1 never became ready";
  int oldPid = pidOf(mainStatus(old));
  std::string oldRevision = revisionOf(old);

  Json v2 = daemonSet("surge", {"sleep"});
  setVersion(v2, "2");
  setRollingUpdate(v2, 1, 0);
  setReadinessFile(v2, filePath("ready-v2"));  // not there yet: v2 stays unready
  writeManifest("surge.json", v2);

  Json fresh;
  ASSERT_TRUE(waitUntil([&] {
    for (const auto& pod : podsOf("surge")) {
      if (revisionOf(pod) != oldRevision && isRunning(pod)) fresh = pod;
    }
    return !fresh.is_null();
  })) << "the surge pod never started";
  int newPid = pidOf(mainStatus(fresh));
  EXPECT_TRUE(processAlive(oldPid)) << "the old pod stopped before the new one started";
  EXPECT_TRUE(processAlive(newPid));
  EXPECT_EQ(podsOf("surge").size(), 2u) << "both pods are listed during the surge";

  // While the new pod is not ready (its probe failing), the old one keeps running.
  ASSERT_TRUE(waitProbeAttempts(filePath("ready-v2"), 2));
  ASSERT_TRUE(waitPasses());
  EXPECT_TRUE(processAlive(oldPid)) << "the old pod stopped although the new one never became ready";
  EXPECT_EQ(daemonProcesses("surge").size(), 2u);

  writeFile(filePath("ready-v2"), "");
  ASSERT_TRUE(waitUntil([&] { return !processAlive(oldPid); })) << "the old pod was not stopped after new was ready";
  ASSERT_TRUE(waitUntil([&] {
    auto pod = onlyPod("surge");
    return pod && revisionOf(*pod) != oldRevision && podReady(*pod) && pidOf(mainStatus(*pod)) == newPid;
  })) << "the new pod is not the only, ready one";
  EXPECT_TRUE(processAlive(newPid));
}

TEST_F(UpdateTest, OnDeleteWaitsForAnAuthorizedDelete) {
  Json v1 = daemonSet("ondelete", {"sleep"});
  setVersion(v1, "1");
  v1["spec"]["updateStrategy"] = {{"type", "OnDelete"}};
  writeManifest("ondelete.json", v1);
  startAgent();
  Json old = waitRunning("ondelete");
  ASSERT_FALSE(old.is_null());
  int oldPid = pidOf(mainStatus(old));
  std::string oldRevision = revisionOf(old);

  Json v2 = v1;
  mainContainer(v2)["env"].back()["value"] = "2";
  writeManifest("ondelete.json", v2);
  // The agent sees the new revision, but must not roll.
  ASSERT_TRUE(waitUntil([&] {
    Json status = getJson("/status");
    return !status["daemonSets"].empty() && status["daemonSets"][0]["revision"] != oldRevision;
  })) << "the edit was never picked up";
  ASSERT_TRUE(waitPasses());
  auto still = onlyPod("ondelete");
  ASSERT_TRUE(still.has_value());
  EXPECT_EQ(revisionOf(*still), oldRevision);
  EXPECT_EQ(pidOf(mainStatus(*still)), oldPid);
  EXPECT_TRUE(processAlive(oldPid));

  std::string name = old["metadata"]["name"];
  if (::geteuid() == 0) {
    EXPECT_TRUE(deleteAsNobodyRefused(port_, name));
  }
  ASSERT_TRUE(waitPasses());
  EXPECT_TRUE(processAlive(oldPid)) << "an unauthorized DELETE stopped the pod";
  EXPECT_EQ(deletePod("no-such-pod", true), 404);

  EXPECT_EQ(deletePod(name, true), 200);
  EXPECT_TRUE(waitUntil([&] { return !processAlive(oldPid); })) << "the deleted pod still runs";
  Json fresh;
  ASSERT_TRUE(waitUntil([&] {
    auto pod = onlyPod("ondelete");
    if (!pod || revisionOf(*pod) == oldRevision || !isRunning(*pod)) return false;
    fresh = *pod;
    return true;
  })) << "no pod of the new revision after the delete";
  EXPECT_TRUE(processAlive(pidOf(mainStatus(fresh))));
  EXPECT_EQ(daemonProcesses("ondelete").size(), 1u);
}

TEST_F(UpdateTest, AgentRestartDuringASurgeKeepsBothPodsAndTheOrder) {
  writeFile(filePath("ready-v1"), "");
  Json v1 = daemonSet("surge", {"sleep"});
  setVersion(v1, "1");
  setRollingUpdate(v1, 1, 0);
  setReadinessFile(v1, filePath("ready-v1"));
  writeManifest("surge.json", v1);
  startAgent();
  Json old;
  ASSERT_TRUE(waitUntil([&] {
    auto pod = onlyPod("surge");
    if (!pod || !podReady(*pod)) return false;
    old = *pod;
    return true;
  }));
  int oldPid = pidOf(mainStatus(old));
  std::string oldRevision = revisionOf(old);
  Json v2 = daemonSet("surge", {"sleep"});
  setVersion(v2, "2");
  setRollingUpdate(v2, 1, 0);
  setReadinessFile(v2, filePath("ready-v2"));
  writeManifest("surge.json", v2);
  int newPid = 0;
  ASSERT_TRUE(waitUntil([&] {
    for (const auto& pod : podsOf("surge")) {
      if (revisionOf(pod) != oldRevision && isRunning(pod)) newPid = pidOf(mainStatus(pod));
    }
    return newPid > 0;
  }));

  restartAgentAfterKill();
  // The new pod is still not ready, so the adopted old one must keep running.
  ASSERT_TRUE(waitProbeAttempts(filePath("ready-v2"), probeAttempts(filePath("ready-v2")) + 2));
  ASSERT_TRUE(waitPasses());
  EXPECT_TRUE(processAlive(oldPid)) << "after adoption the unready surge pod was taken as ready";
  EXPECT_TRUE(processAlive(newPid));
  EXPECT_EQ(daemonProcesses("surge").size(), 2u);
  for (const auto& pod : podsOf("surge")) {
    if (revisionOf(pod) != oldRevision) {
      EXPECT_FALSE(podReady(pod)) << "adopted as Ready without a passing probe";
    }
  }

  writeFile(filePath("ready-v2"), "");
  EXPECT_TRUE(waitUntil([&] { return !processAlive(oldPid); })) << "the update did not finish after adoption";
  EXPECT_TRUE(waitUntil([&] {
    auto pod = onlyPod("surge");
    return pod && pidOf(mainStatus(*pod)) == newPid && podReady(*pod);
  }));
}

}  // namespace
}  // namespace daemonlet::e2e
