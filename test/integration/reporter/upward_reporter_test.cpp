// UpwardReporter against a real HTTP server (in-process cpp-httplib): when it
// sends, what, how it retries, and that it stays bounded and stoppable.
#include "agent/status/upward_reporter.h"

#include <gtest/gtest.h>

#include <mutex>

#include "agent/status/node_report.h"
#include "test/integration/reporter/recording_server.h"
#include "test/support/running_loop.h"

namespace daemonlet::status {
namespace {

using daemonlet::testing::countWithStatus;
using daemonlet::testing::RecordingServer;
using std::chrono::milliseconds;
using Puts = std::vector<RecordingServer::Put>;
using model::Json;

std::shared_ptr<StatusSnapshot> snapshotWithRevision(const std::string& revision,
                                                     std::uint64_t sequence = 1) {
  auto s = std::make_shared<StatusSnapshot>();
  s->sequence = sequence;
  s->synced = true;
  s->agentVersion = "test";
  s->node.name = "node-a";
  DaemonSetView ds;
  ds.namespace_ = "kube-system";
  ds.name = "log-shipper";
  ds.revision = revision;
  ds.shouldRun = true;
  ds.shouldContinueRunning = true;
  ds.state = "Running";
  s->daemonSets.push_back(ds);
  return s;
}

// The server records a PUT before the reporter has read the answer: health lags a little.
ReporterHealth waitForHealth(const UpwardReporter& reporter,
                             const std::function<bool(const ReporterHealth&)>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  ReporterHealth health = reporter.health();
  while (!done(health) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(10));
    health = reporter.health();
  }
  return health;
}

std::string revisionIn(const RecordingServer::Put& put) {
  return put.body["daemonSets"][0]["revision"].get<std::string>();
}

class UpwardReporterTest : public ::testing::Test {
 protected:
  UpwardReporter::Options options(milliseconds debounce, milliseconds heartbeat, milliseconds backoffInitial,
                                  milliseconds backoffMax) {
    UpwardReporter::Options o;
    o.urlTemplate = server_.urlTemplate();
    o.nodeName = "node-a";
    o.debounce = debounce;
    o.heartbeat = heartbeat;
    o.backoffInitial = backoffInitial;
    o.backoffMax = backoffMax;
    o.client.connectTimeout = milliseconds(2000);
    o.client.requestTimeout = milliseconds(30000);
    return o;
  }
  // Publishes through the store, then cues the connected reporter, as the agent
  // runner does after each reconcile pass (Reconciler::onPublish).
  void publish(std::shared_ptr<StatusSnapshot> snapshot) {
    store_.publish(std::move(snapshot));
    if (connected_) connected_->snapshotPublished();
  }
  void connect(UpwardReporter& reporter) { connected_ = &reporter; }
  void TearDown() override { connected_ = nullptr; }

  RecordingServer server_;
  SnapshotStore store_;
  UpwardReporter* connected_ = nullptr;
  daemonlet::testing::RunningLoop loop_;
};

TEST_F(UpwardReporterTest, SendsOnStartAndAfterEachChange) {
  publish(snapshotWithRevision("r1"));
  UpwardReporter reporter(
      options(milliseconds(50), std::chrono::hours(1), milliseconds(100), milliseconds(1000)), store_,
      loop_.timers(), loop_.pool());
  connect(reporter);
  reporter.start();
  ASSERT_TRUE(server_.waitFor([](const Puts& p) { return p.size() >= 1; }));
  Puts puts = server_.puts();
  EXPECT_EQ(puts[0].path, "/nodes/node-a/status");
  EXPECT_EQ(puts[0].contentType, "application/json");
  EXPECT_EQ(puts[0].body["kind"], "NodeReport");
  EXPECT_EQ(puts[0].body["node"]["name"], "node-a");
  EXPECT_EQ(revisionIn(puts[0]), "r1");
  EXPECT_EQ(puts[0].body["sequence"], 1);

  publish(snapshotWithRevision("r2", 2));
  ASSERT_TRUE(server_.waitFor([](const Puts& p) { return p.size() >= 2; }));
  puts = server_.puts();
  EXPECT_EQ(revisionIn(puts[1]), "r2");
  EXPECT_EQ(puts[1].body["sequence"], 2);
  EXPECT_EQ(puts[1].body["statusSequence"], 2);
  const ReporterHealth health =
      waitForHealth(reporter, [](const ReporterHealth& h) { return h.reportsAccepted >= 2; });
  EXPECT_EQ(health.reportsAccepted, 2u);
  EXPECT_EQ(health.failures, 0u);
  EXPECT_TRUE(health.lastError.empty());
  EXPECT_TRUE(health.lastAccepted.has_value());
}

// The agent's recent events ride along; a new one is a change worth a report
// even when the snapshot says the same.
TEST_F(UpwardReporterTest, CarriesTheRecentEventsAndSendsWhenTheyChange) {
  std::mutex mutex;
  std::vector<RecentEvent> events = {{"Warning", "Unhealthy", "Liveness probe failed: timeout", 1,
                                      "2026-12-03T10:00:00Z", "2026-12-03T10:00:00Z", "Pod", "kube-system",
                                      "log-shipper-x7k2p", "spec.containers{main}"}};
  auto o = options(milliseconds(30), std::chrono::hours(1), milliseconds(100), milliseconds(1000));
  o.recentEvents = [&] {
    std::lock_guard lock(mutex);
    return events;
  };
  publish(snapshotWithRevision("r1"));
  UpwardReporter reporter(std::move(o), store_, loop_.timers(), loop_.pool());
  connect(reporter);
  reporter.start();
  ASSERT_TRUE(server_.waitFor([](const Puts& p) { return p.size() >= 1; }));
  const Json first = server_.puts()[0].body["recentEvents"];
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0]["reason"], "Unhealthy");
  EXPECT_EQ(first[0]["involvedObject"]["fieldPath"], "spec.containers{main}");

  {
    std::lock_guard lock(mutex);
    events[0].count = 2;
    events[0].lastTimestamp = "2026-12-03T10:00:10Z";
  }
  publish(snapshotWithRevision("r1", 2));  // the same status, one more failed probe
  ASSERT_TRUE(server_.waitFor([](const Puts& p) { return p.size() >= 2; }));
  EXPECT_EQ(server_.puts()[1].body["recentEvents"][0]["count"], 2);
}

TEST_F(UpwardReporterTest, BurstOfChangesIsDebouncedIntoFewReports) {
  publish(snapshotWithRevision("r0"));
  UpwardReporter reporter(
      options(milliseconds(300), std::chrono::hours(1), milliseconds(100), milliseconds(1000)), store_,
      loop_.timers(), loop_.pool());
  connect(reporter);
  reporter.start();
  ASSERT_TRUE(server_.waitFor([](const Puts& p) { return p.size() >= 1; }));
  for (int i = 1; i <= 50; ++i) publish(snapshotWithRevision("r" + std::to_string(i), i + 1));
  ASSERT_TRUE(server_.waitFor([](const Puts& p) { return !p.empty() && revisionIn(p.back()) == "r50"; }));
  // 50 publications inside one or two debounce windows: a handful of PUTs, not 50.
  EXPECT_LE(server_.puts().size(), 4u);
}

TEST_F(UpwardReporterTest, UnchangedSnapshotIsOnlyResentAsHeartbeat) {
  const milliseconds heartbeat(1500);
  publish(snapshotWithRevision("r1"));
  UpwardReporter reporter(options(milliseconds(30), heartbeat, milliseconds(100), milliseconds(1000)), store_,
                          loop_.timers(), loop_.pool());
  connect(reporter);
  reporter.start();
  ASSERT_TRUE(server_.waitFor([](const Puts& p) { return p.size() >= 1; }));
  // The reconciler keeps publishing passes that change nothing but their sequence.
  for (std::uint64_t seq = 2; seq < 8; ++seq) {
    publish(snapshotWithRevision("r1", seq));
    std::this_thread::sleep_for(milliseconds(100));  // paces the publisher; asserts below do not rely on it
  }
  ASSERT_TRUE(server_.waitFor([](const Puts& p) { return p.size() >= 2; }, std::chrono::seconds(10)));
  const Puts puts = server_.puts();
  // The second PUT is the heartbeat: no earlier than one heartbeat after the first.
  EXPECT_GE(puts[1].at - puts[0].at, heartbeat - milliseconds(50));
  EXPECT_TRUE(sameContent(puts[0].body, puts[1].body));
  EXPECT_EQ(puts[1].body["statusSequence"], 7);
  EXPECT_EQ(puts[1].body["sequence"], 2);
}

TEST_F(UpwardReporterTest, RetriesWithGrowingCappedBackoffThenSucceeds) {
  server_.failNext(6);
  publish(snapshotWithRevision("r1"));
  const milliseconds initial(100), cap(400);
  UpwardReporter reporter(options(milliseconds(10), std::chrono::hours(1), initial, cap), store_,
                          loop_.timers(), loop_.pool());
  connect(reporter);
  reporter.start();
  ASSERT_TRUE(
      server_.waitFor([](const Puts& p) { return countWithStatus(p, 200) >= 1; }, std::chrono::seconds(15)));
  const Puts puts = server_.puts();
  ASSERT_EQ(puts.size(), 7u);
  EXPECT_EQ(countWithStatus(puts, 500), 6);
  std::vector<milliseconds> gaps;
  for (std::size_t i = 1; i < puts.size(); ++i) {
    gaps.push_back(std::chrono::duration_cast<milliseconds>(puts[i].at - puts[i - 1].at));
  }
  // Nominal 100, 200, 400, 400, ... with ±20% jitter: the first three ranges do not overlap.
  EXPECT_GE(gaps[0], milliseconds(80));
  EXPECT_LT(gaps[0], gaps[1]);
  EXPECT_LT(gaps[1], gaps[2]);
  for (std::size_t i = 0; i < gaps.size(); ++i) {
    SCOPED_TRACE("gap " + std::to_string(i));
    EXPECT_LE(gaps[i], cap + milliseconds(200));  // the cap, plus scheduling slack on a busy machine
  }
  const ReporterHealth health =
      waitForHealth(reporter, [](const ReporterHealth& h) { return h.reportsAccepted >= 1; });
  EXPECT_EQ(health.failures, 6u);
  EXPECT_EQ(health.consecutiveFailures, 0u);
  EXPECT_EQ(health.reportsAccepted, 1u);
  EXPECT_TRUE(health.lastError.empty());
}

TEST_F(UpwardReporterTest, WhileDownOnlyTheLatestReportIsSentAfterRecovery) {
  server_.setFailing(true);
  publish(snapshotWithRevision("r0"));
  UpwardReporter reporter(
      options(milliseconds(10), std::chrono::hours(1), milliseconds(150), milliseconds(150)), store_,
      loop_.timers(), loop_.pool());
  connect(reporter);
  reporter.start();
  ASSERT_TRUE(server_.waitFor([](const Puts& p) { return p.size() >= 1; }));
  for (int i = 1; i <= 200; ++i) publish(snapshotWithRevision("r" + std::to_string(i), i + 1));
  ASSERT_TRUE(server_.waitFor([](const Puts& p) { return p.size() >= 3; }));  // still failing, still retrying
  {
    const ReporterHealth health = reporter.health();
    EXPECT_GE(health.consecutiveFailures, 2u);
    EXPECT_NE(health.lastError.find("500"), std::string::npos) << health.lastError;
  }
  server_.setFailing(false);
  ASSERT_TRUE(server_.waitFor([](const Puts& p) { return countWithStatus(p, 200) >= 1; }));
  // One more change afterwards proves nothing else was queued behind the recovery.
  publish(snapshotWithRevision("r201", 300));
  ASSERT_TRUE(server_.waitFor([](const Puts& p) { return countWithStatus(p, 200) >= 2; }));
  std::vector<std::string> accepted;
  std::size_t failed = 0;
  for (const auto& put : server_.puts()) {
    if (put.status == 200)
      accepted.push_back(revisionIn(put));
    else
      ++failed;
  }
  EXPECT_EQ(accepted, (std::vector<std::string>{"r200", "r201"}));
  EXPECT_LT(failed, 50u) << "retries follow the backoff, not the publications";
}

TEST_F(UpwardReporterTest, StopCancelsARequestInFlight) {
  server_.setHang(true);
  publish(snapshotWithRevision("r1"));
  UpwardReporter reporter(
      options(milliseconds(10), std::chrono::hours(1), milliseconds(100), milliseconds(1000)), store_,
      loop_.timers(), loop_.pool());
  connect(reporter);
  reporter.start();
  ASSERT_TRUE(server_.waitHanging());
  const auto before = std::chrono::steady_clock::now();
  reporter.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(3));
  EXPECT_FALSE(reporter.health().running);
  reporter.snapshotPublished();  // harmless after stop
}

TEST_F(UpwardReporterTest, UnreachableEndpointIsRetriedWithoutBlockingPublishers) {
  publish(snapshotWithRevision("r1"));
  UpwardReporter::Options o =
      options(milliseconds(10), std::chrono::hours(1), milliseconds(50), milliseconds(100));
  o.urlTemplate = "http://127.0.0.1:1/nodes/{node}/status";  // nothing listens on port 1
  UpwardReporter reporter(o, store_, loop_.timers(), loop_.pool());
  connect(reporter);
  reporter.start();
  const auto before = std::chrono::steady_clock::now();
  for (int i = 0; i < 1000; ++i) publish(snapshotWithRevision("r" + std::to_string(i), i + 2));
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(2));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (reporter.health().failures < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  const ReporterHealth health = reporter.health();
  EXPECT_GE(health.failures, 3u);
  EXPECT_EQ(health.reportsAccepted, 0u);
  EXPECT_NE(health.lastError.find("connect"), std::string::npos) << health.lastError;
}

// On a ManualClock the reporter's moments are the TimerQueue's deadlines: the
// test moves time and runs what is due, so the heartbeat is checked to the
// second without waiting a minute.
TEST_F(UpwardReporterTest, OnAManualClockTheHeartbeatIsDueExactlyOneIntervalAfterTheLastReport) {
  boost::asio::io_context io;
  base::ManualClock clock;
  loop::TimerQueue timers(io, clock);
  publish(snapshotWithRevision("r1"));
  UpwardReporter reporter(
      options(std::chrono::seconds(2), std::chrono::seconds(60), milliseconds(100), milliseconds(1000)),
      store_, timers, loop_.pool());
  const base::TimePoint started = clock.now();
  reporter.start();
  EXPECT_EQ(timers.nextDeadline(), started + std::chrono::seconds(2));  // the first report waits one debounce

  clock.advance(std::chrono::seconds(2));
  timers.runDue();
  ASSERT_TRUE(server_.waitFor([](const Puts& p) { return p.size() == 1; }));
  ASSERT_EQ(
      waitForHealth(reporter, [](const ReporterHealth& h) { return h.reportsAccepted == 1; }).reportsAccepted,
      1u);
  const base::TimePoint heartbeatAt = started + std::chrono::seconds(62);
  // The attempt ends on the pool, which then arms the heartbeat.
  const auto waitEnd = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (timers.nextDeadline() != heartbeatAt && std::chrono::steady_clock::now() < waitEnd) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  ASSERT_EQ(timers.nextDeadline(), heartbeatAt);

  clock.advance(std::chrono::seconds(59));
  timers.runDue();  // not due yet: nothing is handed to the pool
  EXPECT_EQ(timers.nextDeadline(), heartbeatAt);
  EXPECT_EQ(reporter.health().attempts, 1u);

  clock.advance(std::chrono::seconds(1));
  timers.runDue();  // unchanged content, but the heartbeat sends it anyway
  ASSERT_TRUE(server_.waitFor([](const Puts& p) { return p.size() == 2; }));
  EXPECT_EQ(revisionIn(server_.puts()[1]), "r1");
  reporter.stop();
}

}  // namespace
}  // namespace daemonlet::status
