// `daemonlet run` in Kubernetes API mode against the fake-kube-apiserver
// process: DaemonSets listed and watched over TLS with a bearer token, changes
// rolled, watch loss and 410 recovered without restarts, the Node object
// followed (labels, NoExecute taints), and a lost server survived from the cache.
#include "test/integration/endpoint/kube_mode_fixture.h"

namespace daemonlet::e2e {
namespace {

TEST_F(KubeModeE2eTest, DaemonSetCreatedModifiedAndDeletedOnTheServer) {
  startKubeAgent();
  const Json a = daemonSet("a", {"sleep"});
  applyDaemonSet(a);
  const Json first = waitRunning("a", 15s);
  ASSERT_FALSE(first.is_null()) << "the DaemonSet created on the server did not start";
  const int firstPid = pidOf(mainStatus(first));
  const std::string firstRevision = revisionOf(first);
  EXPECT_FALSE(firstRevision.empty());

  applyDaemonSet(withTemplateAnnotation(a, "2"));
  const Json rolled = waitRestarted("a", firstPid, 15s);
  ASSERT_FALSE(rolled.is_null()) << "a template change on the server was not rolled";
  EXPECT_NE(revisionOf(rolled), firstRevision);
  EXPECT_TRUE(waitUntil([&] { return !processAlive(firstPid); }, 10s)) << "the old daemon outlived the roll";

  deleteDaemonSet("a");
  EXPECT_TRUE(waitUntil([&] { return daemonProcesses("a").empty() && podsOf("a").empty(); }, 15s))
      << "the DaemonSet deleted on the server still has a daemon";
  EXPECT_EQ(endpointStatus().value("lastError", "?"), "");
}

TEST_F(KubeModeE2eTest, DroppedAndExpiredWatchesAreResumedWithoutRestarts) {
  applyDaemonSet(daemonSet("a", {"sleep"}));
  startKubeAgent();
  const int pid = runningPid("a");
  ASSERT_GT(pid, 0);
  EXPECT_EQ(endpointStatus().value("mode", ""), "kubernetes") << getJson("/status").dump(1);
  ASSERT_TRUE(waitUntil([&] { return fakeState().value("liveWatches", 0) >= 1; }, 10s)) << "no watch opened";

  // The stream ends: the agent must watch again (from its resourceVersion).
  const int watchesBefore = daemonSetRequests("watch");
  controlPost("/__control/drop-watches");
  ASSERT_TRUE(waitUntil([&] { return daemonSetRequests("watch") > watchesBefore; }, 10s))
      << "no new watch after the stream was dropped";

  // History compacted and the watch told 410 Expired: the agent must list again.
  const int listsBefore = daemonSetRequests("list");
  controlPost("/__control/expire-watches");
  ASSERT_TRUE(waitUntil([&] { return daemonSetRequests("list") > listsBefore; }, 10s))
      << "no relist after 410 Expired";
  ASSERT_TRUE(waitUntil([&] { return fakeState().value("liveWatches", 0) >= 1; }, 10s))
      << "no watch after the relist";

  // The new watch delivers: a DaemonSet added now starts; a's daemon never restarted.
  applyDaemonSet(daemonSet("b", {"sleep"}));
  EXPECT_GT(runningPid("b"), 0) << "changes after the relist are not seen";
  const auto pod = onlyPod("a");
  ASSERT_TRUE(pod.has_value());
  EXPECT_EQ(pidOf(mainStatus(*pod)), pid) << "a was restarted by the watch recovery";
  EXPECT_TRUE(processAlive(pid));
  const Json endpoint = endpointStatus();
  EXPECT_EQ(endpoint.value("mode", ""), "kubernetes");
  EXPECT_TRUE(endpoint.value("connected", false)) << endpoint.dump(1);
}

TEST_F(KubeModeE2eTest, FollowNodeStartsOnANewLabelAndEvictsOnNoExecuteTaint) {
  writeKubeConfig(true);
  applyNode(nodeObject({{"kubernetes.io/hostname", "n1"}}));
  Json ds = daemonSet("edge", {"sleep"});
  podSpec(ds)["nodeSelector"] = {{"e2e.daemonlet.io/role", "edge"}};
  applyDaemonSet(ds);
  startKubeAgent();
  // The agent knows the DaemonSet and decided not to place it: the label is missing.
  ASSERT_TRUE(waitUntil([&] { return decisionOf("edge").contains("shouldRun"); }, 10s))
      << "the DaemonSet never reached the agent: " << getJson("/status").dump(1);
  EXPECT_FALSE(decisionOf("edge").value("shouldRun", true)) << decisionOf("edge").dump();
  EXPECT_TRUE(daemonProcesses("edge").empty()) << "the node lacks the label the DaemonSet selects";

  applyNode(nodeObject({{"kubernetes.io/hostname", "n1"}, {"e2e.daemonlet.io/role", "edge"}}));
  const int pid = runningPid("edge", 15s);
  ASSERT_GT(pid, 0) << "the label on the Node object did not place the DaemonSet";

  applyNode(nodeObject({{"kubernetes.io/hostname", "n1"}, {"e2e.daemonlet.io/role", "edge"}},
                       Json::array({{{"key", "e2e.daemonlet.io/evict"}, {"value", "now"}, {"effect", "NoExecute"}}})));
  EXPECT_TRUE(waitUntil([&] { return !processAlive(pid) && daemonProcesses("edge").empty(); }, 15s))
      << "a NoExecute taint on the Node object did not evict the daemon";
  EXPECT_FALSE(decisionOf("edge").value("shouldContinueRunning", true)) << decisionOf("edge").dump();
}

TEST_F(KubeModeE2eTest, AgentRestartedWithTheServerGoneAdoptsFromTheCache) {
  applyDaemonSet(daemonSet("a", {"sleep"}));
  applyDaemonSet(daemonSet("b", {"sleep"}));
  startKubeAgent();
  const int aPid = runningPid("a");
  const int bPid = runningPid("b");
  ASSERT_GT(aPid, 0);
  ASSERT_GT(bPid, 0);
  ASSERT_TRUE(waitUntil([&] { return !endpointStatus().value("servingFromCache", true); }, 10s));

  // The agent dies (its daemons stay) and the API server goes away meanwhile.
  agent_.signal(SIGKILL);
  ASSERT_TRUE(agent_.waitExit(5s).has_value());
  stopFake();
  ASSERT_TRUE(processAlive(aPid) && processAlive(bPid));

  startKubeAgent();
  ASSERT_TRUE(waitUntil([&] { return !endpointStatus().value("lastError", "").empty(); }, 10s))
      << "/status does not show the endpoint error: " << getJson("/status").dump(1);
  EXPECT_EQ(runningPid("a"), aPid) << "a was not adopted";
  EXPECT_EQ(runningPid("b"), bPid) << "b was not adopted";
  const Json endpoint = endpointStatus();
  EXPECT_TRUE(endpoint.value("servingFromCache", false)) << endpoint.dump(1);
  EXPECT_FALSE(endpoint.value("connected", true));
  EXPECT_EQ(endpoint.value("mode", ""), "kubernetes");
  EXPECT_TRUE(processAlive(aPid) && processAlive(bPid));
}

}  // namespace
}  // namespace daemonlet::e2e
