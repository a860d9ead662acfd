// KubeEndpointSource: list, watch events, bookmarks, selectors, pagination,
// node following and authentication against the fake API server.
#include "kube_source_fixture.h"

namespace daemonlet::sources {
namespace {

TEST_F(KubeSourceTest, InitialListPublishesEveryDaemonSetWithTheListResourceVersion) {
  server_.applyDaemonSet(makeDaemonSetObject("ops", "logs", "logs:1"));
  server_.applyDaemonSet(makeDaemonSetObject("ops", "metrics", "metrics:1"));
  startSource();
  ASSERT_TRUE(waitForSnapshot([](const auto& s) { return s.daemonSets.size() == 2; }));
  EndpointSnapshot snapshot = recorder_.lastSnapshot();
  EXPECT_EQ(snapshot.resourceVersion, server_.resourceVersion());
  EXPECT_EQ(snapshot.url, server_.url() + "/apis/apps/v1/daemonsets");
  EXPECT_EQ(snapshot.daemonSets[0].origin, "endpoint:" + snapshot.url);
  EXPECT_TRUE(snapshot.errors.empty());
  ASSERT_TRUE(recorder_.waitFor([&] { return !recorder_.health().empty() && recorder_.health().back().connected; }));
  EndpointHealth health = recorder_.lastHealth();
  EXPECT_EQ(health.mode, "kubernetes");
  EXPECT_EQ(health.consecutiveFailures, 0);
  ASSERT_TRUE(waitForWatches(1));
  auto watch = server_.requests().back();
  EXPECT_EQ(watch.params["resourceVersion"], snapshot.resourceVersion);
  EXPECT_EQ(watch.params["allowWatchBookmarks"], "true");
  long timeout = std::stol(watch.params["timeoutSeconds"]);
  EXPECT_GE(timeout, 300);  // spread into [T, 2T)
  EXPECT_LT(timeout, 600);
}

TEST_F(KubeSourceTest, AddedModifiedDeletedFlowThroughToSnapshots) {
  server_.applyDaemonSet(makeDaemonSetObject("ops", "a", "a:1"));
  server_.applyDaemonSet(makeDaemonSetObject("ops", "b", "b:1"));
  startSource();
  ASSERT_TRUE(waitForSnapshot([](const auto& s) { return s.daemonSets.size() == 2; }));
  const auto before = revisions(recorder_.lastSnapshot());
  ASSERT_TRUE(waitForWatches(1));

  server_.applyDaemonSet(makeDaemonSetObject("ops", "c", "c:1"));
  ASSERT_TRUE(waitForSnapshot([](const auto& s) { return s.daemonSets.size() == 3; }));
  EXPECT_EQ(recorder_.lastSnapshot().resourceVersion, server_.resourceVersion());

  server_.applyDaemonSet(makeDaemonSetObject("ops", "a", "a:2"));
  ASSERT_TRUE(waitForSnapshot([&](const auto& s) { return revisions(s)["ops/a"] != before.at("ops/a"); }));
  auto after = revisions(recorder_.lastSnapshot());
  EXPECT_EQ(after["ops/b"], before.at("ops/b"));  // untouched items keep their revision

  server_.deleteDaemonSet("ops", "b");
  ASSERT_TRUE(waitForSnapshot([](const auto& s) { return !hasDaemonSet(s, "ops/b") && s.daemonSets.size() == 2; }));
  EXPECT_EQ(daemonSetLists(), 1);  // all of it over the one watch
}

TEST_F(KubeSourceTest, StatusOnlyChangesPublishNothingAndBurstsAreDebounced) {
  options_.debounce = std::chrono::milliseconds(300);
  options_.burstSnapshots = 1;
  server_.applyDaemonSet(makeDaemonSetObject("ops", "a", "a:1"));
  startSource();
  ASSERT_TRUE(waitForSnapshot([](const auto& s) { return s.daemonSets.size() == 1; }));
  ASSERT_TRUE(waitForWatches(1));
  const std::size_t afterList = recorder_.snapshotCount();

  auto withStatus = makeDaemonSetObject("ops", "a", "a:1");
  withStatus["status"] = {{"numberReady", 1}};
  server_.applyDaemonSet(withStatus);  // a controller's status write: nothing to run differently
  for (int i = 0; i < 5; ++i) server_.applyDaemonSet(makeDaemonSetObject("ops", "burst" + std::to_string(i), "x:1"));
  ASSERT_TRUE(waitForSnapshot([](const auto& s) { return s.daemonSets.size() == 6; }));
  // The first change goes out at once (or joins the list's window); the other
  // four wait for the window and share one snapshot.
  EXPECT_LE(recorder_.snapshotCount(), afterList + 2);  // five events, at most two snapshots
}

// A few changes in quick succession go out at once (the burst allowance); only
// a storm beyond it waits for the window.
TEST_F(KubeSourceTest, ChangesInQuickSuccessionWithinTheBurstAreNotHeld) {
  options_.debounce = std::chrono::seconds(60);
  options_.burstSnapshots = 3;
  server_.applyDaemonSet(makeDaemonSetObject("ops", "a", "a:1"));
  startSource();
  ASSERT_TRUE(waitForSnapshot([](const auto& s) { return s.daemonSets.size() == 1; }));
  ASSERT_TRUE(waitForWatches(1));
  for (int i = 0; i < 3; ++i) {
    server_.applyDaemonSet(makeDaemonSetObject("ops", "quick" + std::to_string(i), "q:1"));
    const std::size_t wanted = 2 + static_cast<std::size_t>(i);
    ASSERT_TRUE(waitForSnapshot([wanted](const auto& s) { return s.daemonSets.size() == wanted; }))
        << "change " << i << " was held for the window";
  }
  // The bucket is empty now: the next change waits for the (minute-long) window.
  server_.applyDaemonSet(makeDaemonSetObject("ops", "storm", "s:1"));
  EXPECT_FALSE(waitForSnapshot([](const auto& s) { return s.daemonSets.size() == 5; }, std::chrono::milliseconds(500)));
}

TEST_F(KubeSourceTest, AChangeAfterAQuietSpellIsNotHeldForTheDebounce) {
  // A window far longer than the wait below: a change held for it fails the wait.
  options_.debounce = std::chrono::seconds(60);
  server_.applyDaemonSet(makeDaemonSetObject("ops", "a", "a:1"));
  startSource();
  ASSERT_TRUE(waitForSnapshot([](const auto& s) { return s.daemonSets.size() == 1; }));
  ASSERT_TRUE(waitForWatches(1));
  server_.applyDaemonSet(makeDaemonSetObject("ops", "b", "b:1"));
  EXPECT_TRUE(waitForSnapshot([](const auto& s) { return s.daemonSets.size() == 2; }));
}

TEST_F(KubeSourceTest, BookmarkAdvancesTheResourceVersionWithoutASnapshot) {
  options_.labelSelector = "fleet=edge";
  server_.applyDaemonSet(makeDaemonSetObject("ops", "a", "a:1", {{"fleet", "edge"}}));
  startSource();
  ASSERT_TRUE(waitForSnapshot([](const auto& s) { return s.daemonSets.size() == 1; }));
  ASSERT_TRUE(waitForWatches(1));
  const std::size_t snapshots = recorder_.snapshotCount();

  // A change this watch does not see, then a bookmark that covers it.
  server_.applyDaemonSet(makeDaemonSetObject("ops", "other", "o:1", {{"fleet", "core"}}));
  const std::string bookmarkVersion = server_.resourceVersion();
  // The next watch shows the resourceVersion the source holds: drop the stream
  // once the bookmark is written (a drop asked for at the same moment would win
  // over it). The source reads what was written before the cut, but may see the
  // cut first: retry until the rewatch uses the bookmark's version.
  bool resumedFromBookmark = false;
  for (int attempt = 0; attempt < 20 && !resumedFromBookmark; ++attempt) {
    const std::uint64_t written = server_.bookmarksWritten();
    server_.requestBookmarks();
    ASSERT_TRUE(waitForServer([&] { return server_.bookmarksWritten() > written; })) << "no bookmark was written";
    const int watches = daemonSetWatches();
    server_.dropWatches();
    ASSERT_TRUE(waitForWatches(watches + 1));
    resumedFromBookmark = server_.requests().back().params["resourceVersion"] == bookmarkVersion;
  }
  EXPECT_TRUE(resumedFromBookmark);
  EXPECT_EQ(recorder_.snapshotCount(), snapshots);
  EXPECT_EQ(daemonSetLists(), 1);
}

TEST_F(KubeSourceTest, PaginatedListFollowsContinueTokens) {
  options_.listPageSize = 3;
  for (int i = 0; i < 7; ++i) server_.applyDaemonSet(makeDaemonSetObject("ops", "ds" + std::to_string(i), "x:1"));
  startSource();
  ASSERT_TRUE(waitForSnapshot([](const auto& s) { return s.daemonSets.size() == 7; }));
  EXPECT_EQ(daemonSetLists(), 3);
  int withContinue = countRequests([](const auto& r) { return r.isList() && r.params.count("continue"); });
  EXPECT_EQ(withContinue, 2);
  EXPECT_EQ(recorder_.lastSnapshot().resourceVersion, server_.resourceVersion());
}

TEST_F(KubeSourceTest, ExpiredContinueTokenRestartsTheListFromTheFirstPage) {
  options_.listPageSize = 2;
  for (int i = 0; i < 5; ++i) server_.applyDaemonSet(makeDaemonSetObject("ops", "ds" + std::to_string(i), "x:1"));
  server_.expireNextContinueTokens(1);
  startSource();
  ASSERT_TRUE(waitForSnapshot([](const auto& s) { return s.daemonSets.size() == 5; }));
  // page 1, continue -> 410, then pages 1..3 again
  EXPECT_EQ(daemonSetLists(), 5);
  EXPECT_EQ(countRequests([](const auto& r) { return r.isList() && r.status == 410; }), 1);
  EXPECT_EQ(recorder_.snapshotCount(), 1u);  // no partial list was published
}

TEST_F(KubeSourceTest, LabelSelectorAndNamespaceLimitTheSet) {
  options_.labelSelector = "fleet=edge,tier!=test";
  options_.namespace_ = "ops";
  server_.applyDaemonSet(makeDaemonSetObject("ops", "a", "a:1", {{"fleet", "edge"}}));
  server_.applyDaemonSet(makeDaemonSetObject("ops", "b", "b:1", {{"fleet", "edge"}, {"tier", "test"}}));
  server_.applyDaemonSet(makeDaemonSetObject("ops", "c", "c:1", {{"fleet", "core"}}));
  server_.applyDaemonSet(makeDaemonSetObject("other", "d", "d:1", {{"fleet", "edge"}}));
  startSource();
  ASSERT_TRUE(waitForSnapshot([](const auto& s) { return s.daemonSets.size() == 1; }));
  EXPECT_TRUE(hasDaemonSet(recorder_.lastSnapshot(), "ops/a"));
  EXPECT_EQ(recorder_.lastSnapshot().url,
            server_.url() + "/apis/apps/v1/namespaces/ops/daemonsets?labelSelector=fleet%3Dedge%2Ctier%21%3Dtest");
  ASSERT_TRUE(waitForWatches(1));

  // Relabelled into the selector: arrives as ADDED; out of it: as DELETED.
  server_.applyDaemonSet(makeDaemonSetObject("ops", "c", "c:1", {{"fleet", "edge"}}));
  ASSERT_TRUE(waitForSnapshot([](const auto& s) { return hasDaemonSet(s, "ops/c") && s.daemonSets.size() == 2; }));
  server_.applyDaemonSet(makeDaemonSetObject("ops", "a", "a:1", {{"fleet", "core"}}));
  ASSERT_TRUE(waitForSnapshot([](const auto& s) { return !hasDaemonSet(s, "ops/a") && s.daemonSets.size() == 1; }));
}

TEST_F(KubeSourceTest, FollowsTheNodeObject) {
  options_.nodeName = "n1";
  startSource();
  ASSERT_TRUE(recorder_.waitFor([&] { return !recorder_.nodes().empty(); }));
  EXPECT_FALSE(recorder_.lastNode().found);  // not registered yet
  EXPECT_EQ(recorder_.lastNode().name, "n1");

  server_.applyNode(makeNodeObject("n2", {{"rack", "r2"}}));  // another node: not ours
  server_.applyNode(makeNodeObject("n1", {{"rack", "r1"}}));
  ASSERT_TRUE(recorder_.waitFor([&] { return recorder_.nodes().back().found; }));
  EXPECT_EQ(recorder_.lastNode().labels, (model::StringMap{{"rack", "r1"}}));

  auto tainted = makeNodeObject("n1", {{"rack", "r1"}}, {{{"key", "gpu"}, {"effect", "NoSchedule"}}}, true);
  server_.applyNode(tainted);
  ASSERT_TRUE(recorder_.waitFor([&] { return recorder_.nodes().back().taints.size() == 1; }));
  EXPECT_TRUE(recorder_.lastNode().unschedulable);
  const std::size_t delivered = recorder_.nodeCount();

  tainted["status"] = {{"conditions", {{{"type", "Ready"}, {"status", "True"}}}}};
  server_.applyNode(tainted);  // a heartbeat: same identity, no callback
  server_.deleteNode("n1");
  ASSERT_TRUE(recorder_.waitFor([&] { return !recorder_.nodes().back().found; }));
  EXPECT_EQ(recorder_.nodeCount(), delivered + 1);
}

TEST_F(KubeSourceTest, NodeThatExistsAtStartIsReportedFromTheList) {
  server_.applyNode(makeNodeObject("n1", {{"zone", "z1"}}));
  options_.nodeName = "n1";
  startSource();
  ASSERT_TRUE(recorder_.waitFor([&] { return !recorder_.nodes().empty(); }));
  EXPECT_TRUE(recorder_.lastNode().found);
  EXPECT_EQ(recorder_.lastNode().labels.at("zone"), "z1");
  EXPECT_EQ(countRequests([](const auto& r) {
              return r.isList() && r.path == "/api/v1/nodes" && r.params.at("fieldSelector") == "metadata.name=n1";
            }),
            1);
}

TEST_F(KubeSourceTest, BearerTokenIsSentAndAWrongOneIsReportedUntilRotated) {
  FakeKubeApiServer secured(serverOptions(0, "s3cret"));
  ASSERT_TRUE(secured.start());
  secured.applyDaemonSet(makeDaemonSetObject("ops", "a", "a:1"));
  options_.server = secured.url();
  options_.client.bearerTokenFile = writeFile("token", "wrong\n");
  startSource();
  ASSERT_TRUE(recorder_.waitFor([&] {
    return !recorder_.health().empty() && recorder_.health().back().consecutiveFailures >= 2;
  }));
  EndpointHealth health = recorder_.lastHealth();
  EXPECT_FALSE(health.connected);
  EXPECT_NE(health.lastError.find("401"), std::string::npos) << health.lastError;
  EXPECT_EQ(recorder_.snapshotCount(), 0u);  // a failure never looks like "empty"

  std::ofstream(options_.client.bearerTokenFile) << "s3cret\n";  // rotation
  ASSERT_TRUE(waitForSnapshot([](const auto& s) { return s.daemonSets.size() == 1; }));
  ASSERT_TRUE(recorder_.waitFor([&] { return recorder_.health().back().connected; }));
  source_->stop();
  secured.stop();
}

TEST_F(KubeSourceTest, StopIsPromptWhileAWatchIsOpen) {
  startSource();
  ASSERT_TRUE(waitForWatches(1));
  auto started = std::chrono::steady_clock::now();
  source_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
}

}  // namespace
}  // namespace daemonlet::sources

namespace daemonlet::sources {
namespace {

// TLS: the fake serves https with a certificate the test makes; the source
// verifies it against that CA file (verification is always on).
TEST(KubeSourceTlsTest, FollowsAnHttpsApiServerVerifiedWithACaFile) {
  auto dir = std::filesystem::temp_directory_path() / ("kube_tls_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string cert = (dir / "server.crt").string();
  const std::string key = (dir / "server.key").string();
  const std::string command = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
                              "-addext subjectAltName=IP:127.0.0.1 -keyout " + key + " -out " + cert +
                              " >/dev/null 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << "openssl is needed to make the test certificate";
  fakekube::FakeKubeApiServerOptions serverOptions;
  serverOptions.tlsCertFile = cert;
  serverOptions.tlsKeyFile = key;
  FakeKubeApiServer server(serverOptions);
  ASSERT_TRUE(server.start());
  server.applyDaemonSet(makeDaemonSetObject("ops", "a", "a:1"));
  ASSERT_EQ(server.url().rfind("https://", 0), 0u);

  Recorder recorder;
  daemonlet::testing::RunningLoop loop;
  KubeEndpointOptions options;
  options.server = server.url();
  options.client.tls.caFile = cert;
  options.backoffInitial = std::chrono::milliseconds(20);
  KubeEndpointSource source(options, recorder.callbacks(), recorder.nodeCallback(), nullptr, loop.timers(),
                            loop.pool());
  source.start();
  ASSERT_TRUE(recorder.waitFor([&] { return !recorder.snapshots().empty(); }));
  server.applyDaemonSet(makeDaemonSetObject("ops", "b", "b:1"));  // and the watch works over TLS
  ASSERT_TRUE(recorder.waitFor([&] { return recorder.snapshots().back().daemonSets.size() == 2; }));
  source.stop();
  server.stop();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace daemonlet::sources
