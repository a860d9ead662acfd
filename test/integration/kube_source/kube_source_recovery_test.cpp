// KubeEndpointSource when the watch breaks: 410 Gone -> relist that converges
// without changing unchanged items; a dropped stream -> re-watch from the last
// resourceVersion without a relist; the seed's last good versions.
#include <algorithm>

#include "agent/base/log.h"
#include "kube_source_fixture.h"

namespace daemonlet::sources {
namespace {

TEST_F(KubeSourceTest, ExpiredWatchRelistsAndAnUnchangedSetGivesAnEqualSnapshot) {
  server_.applyDaemonSet(makeDaemonSetObject("ops", "a", "a:1"));
  server_.applyDaemonSet(makeDaemonSetObject("ops", "b", "b:1"));
  startSource();
  ASSERT_TRUE(waitForSnapshot([](const auto& s) { return s.daemonSets.size() == 2; }));
  const EndpointSnapshot first = recorder_.lastSnapshot();
  ASSERT_TRUE(waitForWatches(1));

  server_.expireWatches();  // ERROR event: Status code 410, reason Expired
  ASSERT_TRUE(recorder_.waitFor([&] { return recorder_.snapshots().size() >= 2; }));
  const EndpointSnapshot relisted = recorder_.lastSnapshot();
  EXPECT_EQ(daemonSetLists(), 2);
  EXPECT_EQ(revisions(relisted), revisions(first));  // the reconciler has nothing to do
  EXPECT_EQ(relisted.errors.size(), first.errors.size());
  EXPECT_EQ(relisted.url, first.url);
  ASSERT_TRUE(waitForWatches(2));
  EXPECT_EQ(server_.requests().back().params["resourceVersion"], relisted.resourceVersion);
}

TEST_F(KubeSourceTest, ExpiredWatchRelistConvergesOnChangesMadeMeanwhile) {
  server_.applyDaemonSet(makeDaemonSetObject("ops", "a", "a:1"));
  server_.applyDaemonSet(makeDaemonSetObject("ops", "b", "b:1"));
  startSource();
  ASSERT_TRUE(waitForSnapshot([](const auto& s) { return s.daemonSets.size() == 2; }));
  const auto before = revisions(recorder_.lastSnapshot());
  ASSERT_TRUE(waitForWatches(1));

  server_.dropWatches();  // the source is cut off while things change
  server_.deleteDaemonSet("ops", "a");
  server_.applyDaemonSet(makeDaemonSetObject("ops", "c", "c:1"));
  server_.expireWatches();  // ... and its resourceVersion is compacted away
  ASSERT_TRUE(waitForSnapshot([](const auto& s) {
    return s.daemonSets.size() == 2 && hasDaemonSet(s, "ops/b") && hasDaemonSet(s, "ops/c");
  }));
  EXPECT_EQ(revisions(recorder_.lastSnapshot())["ops/b"], before.at("ops/b"));
  EXPECT_EQ(recorder_.lastSnapshot().resourceVersion, server_.resourceVersion());
}

// Records the warnings about failures and the "watch expired" lines while a test runs.
class ExpiryLog : public base::LogSink {
 public:
  ExpiryLog() { base::setLogSink(this); }  // before the source starts any thread
  ~ExpiryLog() override { base::setLogSink(nullptr); }
  void write(base::LogLevel level, std::string_view message,
             std::initializer_list<base::LogField> fields) override {
    std::lock_guard lock(mutex_);
    std::string line(message);
    for (const auto& [key, value] : fields) {
      if (key == "collection") line += " collection=" + value;
    }
    if (level == base::LogLevel::kWarning && message.find("failed") != std::string_view::npos)
      failures_.push_back(line);
    if (message == "kubernetes watch expired; relisting") expired_.push_back(line);
  }
  std::vector<std::string> failures() {
    std::lock_guard lock(mutex_);
    return failures_;
  }
  std::vector<std::string> expired() {
    std::lock_guard lock(mutex_);
    return expired_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> failures_, expired_;
};

// The node follower and the DaemonSet source share one list/watch loop: an
// expired Node watch is relisted like an expired DaemonSet watch, as routine
// (an info line, no failure warning), and the new watch works.
TEST_F(KubeSourceTest, ExpiredNodeWatchRelistsLikeTheDaemonSetWatch) {
  ExpiryLog log;
  server_.applyDaemonSet(makeDaemonSetObject("ops", "a", "a:1"));
  server_.applyNode(makeNodeObject("n1", {{"zone", "z1"}}));
  options_.nodeName = "n1";
  startSource();
  auto nodeRequests = [&](bool watch) {
    return countRequests(
        [watch](const auto& r) { return (watch ? r.isWatch() : r.isList()) && r.path == "/api/v1/nodes"; });
  };
  auto eventually = [](const std::function<bool()>& condition) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!condition() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling, not an assertion delay
    }
    return condition();
  };
  ASSERT_TRUE(eventually([&] { return daemonSetWatches() >= 1 && nodeRequests(true) >= 1; }));

  server_.expireWatches();  // each live watch gets an ERROR event with code 410
  ASSERT_TRUE(eventually([&] { return daemonSetLists() == 2 && nodeRequests(false) == 2; }));
  ASSERT_TRUE(eventually([&] { return daemonSetWatches() >= 2 && nodeRequests(true) >= 2; }));
  server_.applyNode(makeNodeObject("n1", {{"zone", "z2"}}));
  ASSERT_TRUE(recorder_.waitFor([&] {
    return recorder_.nodes().back().labels == model::StringMap{{"zone", "z2"}};
  }));
  source_->stop();

  std::vector<std::string> expired = log.expired();
  std::sort(expired.begin(), expired.end());
  EXPECT_EQ(expired, (std::vector<std::string>{
                         "kubernetes watch expired; relisting collection=" + source_->collectionUrl(),
                         "kubernetes watch expired; relisting collection=node n1"}));
  EXPECT_TRUE(log.failures().empty()) << ::testing::PrintToString(log.failures());
}

TEST_F(KubeSourceTest, DropAndCompactionRacingTheRewatchStillConverges) {
  server_.applyDaemonSet(makeDaemonSetObject("ops", "a", "a:1"));
  startSource();
  ASSERT_TRUE(waitForSnapshot([](const auto& s) { return s.daemonSets.size() == 1; }));
  ASSERT_TRUE(waitForWatches(1));
  // History moves on and is compacted while the source re-watches: whether the
  // re-watch wins (events) or loses (ERROR 410, relist), the result is the same.
  server_.applyDaemonSet(makeDaemonSetObject("ops", "z", "z:1", {}));
  ASSERT_TRUE(waitForSnapshot([](const auto& s) { return s.daemonSets.size() == 2; }));
  server_.dropWatches();
  server_.applyDaemonSet(makeDaemonSetObject("ops", "y", "y:1"));
  server_.compactHistory();
  ASSERT_TRUE(waitForSnapshot([](const auto& s) { return s.daemonSets.size() == 3; }));
  EXPECT_EQ(recorder_.lastSnapshot().resourceVersion, server_.resourceVersion());
}

TEST_F(KubeSourceTest, DroppedStreamRewatchesFromTheLastResourceVersionWithoutRelisting) {
  server_.applyDaemonSet(makeDaemonSetObject("ops", "a", "a:1"));
  startSource();
  ASSERT_TRUE(waitForSnapshot([](const auto& s) { return s.daemonSets.size() == 1; }));
  ASSERT_TRUE(waitForWatches(1));
  server_.applyDaemonSet(makeDaemonSetObject("ops", "b", "b:1"));
  ASSERT_TRUE(waitForSnapshot([](const auto& s) { return s.daemonSets.size() == 2; }));
  const std::string lastSeen = recorder_.lastSnapshot().resourceVersion;
  const std::size_t snapshots = recorder_.snapshotCount();

  server_.dropWatches();
  ASSERT_TRUE(waitForWatches(2));
  EXPECT_EQ(server_.requests().back().params["resourceVersion"], lastSeen);
  EXPECT_EQ(daemonSetLists(), 1);
  EXPECT_EQ(recorder_.snapshotCount(), snapshots);  // nothing changed, nothing published

  server_.applyDaemonSet(makeDaemonSetObject("ops", "c", "c:1"));  // the new watch works
  ASSERT_TRUE(waitForSnapshot([](const auto& s) { return s.daemonSets.size() == 3; }));
  EXPECT_EQ(daemonSetLists(), 1);
}

TEST_F(KubeSourceTest, ServerDownThenUpRecoversWithBackoff) {
  const int port = server_.port();
  server_.applyDaemonSet(makeDaemonSetObject("ops", "a", "a:1"));
  server_.stop();
  startSource();
  ASSERT_TRUE(recorder_.waitFor([&] {
    return !recorder_.health().empty() && recorder_.health().back().consecutiveFailures >= 3;
  }));
  EXPECT_FALSE(recorder_.lastHealth().connected);
  EXPECT_EQ(recorder_.snapshotCount(), 0u);

  FakeKubeApiServer again(serverOptions(port, ""));
  ASSERT_TRUE(again.start());
  again.applyDaemonSet(makeDaemonSetObject("ops", "a", "a:1"));
  ASSERT_TRUE(waitForSnapshot([](const auto& s) { return s.daemonSets.size() == 1; }));
  ASSERT_TRUE(recorder_.waitFor([&] { return recorder_.health().back().connected; }));
  source_->stop();
  again.stop();
}

TEST_F(KubeSourceTest, SeedSuppliesTheLastGoodVersionOfAnItemTheServerServesInvalid) {
  // The cache's snapshot: a valid "a".
  server_.applyDaemonSet(makeDaemonSetObject("ops", "a", "a:1"));
  startSource();
  ASSERT_TRUE(waitForSnapshot([](const auto& s) { return s.daemonSets.size() == 1; }));
  const EndpointSnapshot seed = recorder_.lastSnapshot();
  source_->stop();

  // Now the server has a broken "a" (no containers) and a valid "b".
  auto broken = makeDaemonSetObject("ops", "a", "a:2");
  broken["spec"]["template"]["spec"]["containers"] = fakekube::Json::array();
  server_.applyDaemonSet(broken);
  server_.applyDaemonSet(makeDaemonSetObject("ops", "b", "b:1"));
  Recorder second;
  KubeEndpointSource source(options_, second.callbacks(), second.nodeCallback(), &seed, loop_.timers(),
                            loop_.pool());
  source.start();
  ASSERT_TRUE(second.waitFor([&] { return !second.snapshots().empty(); }));
  EndpointSnapshot snapshot = second.lastSnapshot();
  EXPECT_EQ(revisions(snapshot), (std::map<std::string, std::string>{{"ops/a", revisions(seed).at("ops/a")},
                                                                     {"ops/b", revisions(snapshot)["ops/b"]}}));
  EXPECT_FALSE(snapshot.errors.empty());
  EXPECT_NE(snapshot.resourceVersion, seed.resourceVersion);  // listed, not resumed from the seed
  source.stop();
}

}  // namespace
}  // namespace daemonlet::sources
