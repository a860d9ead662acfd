// End to end through a real nginx: UpwardReporters PUT node reports over HTTPS
// (CA-verified, bearer token) into nginx's WebDAV reports directory, and
// `daemonlet fleet status` reads them back, from the directory and from nginx's
// JSON listing.
#include <gtest/gtest.h>

#include <fstream>

#include "agent/status/node_report.h"
#include "agent/status/upward_reporter.h"
#include "test/integration/support/nginx_server.h"
#include "test/integration/support/run_command.h"
#include "test/support/running_loop.h"

namespace daemonlet::status {
namespace {

namespace fs = std::filesystem;
using daemonlet::testing::CommandResult;
using daemonlet::testing::NginxServer;
using daemonlet::testing::runCommand;
using model::Json;
using std::chrono::milliseconds;

std::shared_ptr<StatusSnapshot> nodeSnapshot(const std::string& node, bool shouldRun, bool hasPod, bool ready,
                                             const std::string& revision) {
  auto s = std::make_shared<StatusSnapshot>();
  s->sequence = 1;
  s->synced = true;
  s->agentVersion = "test";
  s->node.name = node;
  DaemonSetView ds;
  ds.namespace_ = "kube-system";
  ds.name = "log-shipper";
  ds.revision = revision;
  ds.shouldRun = shouldRun;
  ds.shouldContinueRunning = shouldRun;
  ds.state = "Running";
  if (hasPod) {
    PodView pod;
    pod.uid = node + "-uid";
    pod.name = "log-shipper-" + node;
    pod.namespace_ = "kube-system";
    pod.daemonSetName = "log-shipper";
    pod.revision = revision;
    pod.phase = "Running";
    pod.ready = ready;
    pod.available = ready;
    ds.podUids.push_back(pod.uid);
    s->pods.push_back(pod);
  }
  s->daemonSets.push_back(ds);
  return s;
}

bool waitForFile(const fs::path& path, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(path);
    std::stringstream content;
    content << in.rdbuf();
    if (in && parseNodeReport(content.str(), path.string())) return true;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return false;
}

class FleetNginxTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(nginx_.start()) << nginx_.lastError(); }
  void TearDown() override {
    if (HasFailure()) std::cerr << "nginx error log:\n" << nginx_.errorLogTail() << "\n";
  }

  UpwardReporter::Options reporterOptions(const std::string& node) {
    UpwardReporter::Options o;
    o.urlTemplate = nginx_.httpsUrl("/reports/nodes/{node}/status");
    o.nodeName = node;
    o.client.tls.caFile = nginx_.caFile().string();
    o.client.bearerTokenFile = nginx_.tokenFile().string();
    o.debounce = milliseconds(20);
    o.heartbeat = std::chrono::hours(1);
    o.backoffInitial = milliseconds(100);
    o.backoffMax = milliseconds(500);
    return o;
  }

  // Runs a node's reporter until its report has landed in nginx's directory.
  void reportNode(const std::string& node, std::shared_ptr<StatusSnapshot> snapshot) {
    SnapshotStore store;
    store.publish(std::move(snapshot));
    daemonlet::testing::RunningLoop loop;
    UpwardReporter reporter(reporterOptions(node), store, loop.timers(), loop.pool());
    reporter.start();
    ASSERT_TRUE(waitForFile(nginx_.reportsDir() / "nodes" / node / "status", std::chrono::seconds(15)))
        << "no report from " << node << "; reporter error: " << reporter.health().lastError;
    reporter.stop();
  }

  CommandResult fleet(std::vector<std::string> args) {
    args.insert(args.begin(), {DAEMONLET_BINARY_PATH, "fleet", "status"});
    return runCommand(args, {}, std::chrono::seconds(30));
  }

  NginxServer nginx_;
};

TEST_F(FleetNginxTest, ReportsPutThroughWebDavAreSummarisedFromDirectoryAndUrl) {
  reportNode("node-a", nodeSnapshot("node-a", true, true, true, "r1"));
  reportNode("node-b", nodeSnapshot("node-b", true, true, false, "r1"));
  reportNode("node-c", nodeSnapshot("node-c", false, true, true, "r1"));   // misscheduled
  reportNode("node-d", nodeSnapshot("node-d", true, false, false, "r1"));  // pod missing

  // From the directory nginx wrote (files named `status`, no extension).
  CommandResult dir = fleet({"--reports", nginx_.reportsDir().string(), "-o", "json"});
  ASSERT_EQ(dir.exitCode, 0) << dir.err;
  Json json = Json::parse(dir.out, nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << dir.out;
  EXPECT_EQ(json["nodes"], 4);
  ASSERT_EQ(json["daemonSets"].size(), 1u);
  const Json& ds = json["daemonSets"][0];
  EXPECT_EQ(ds["name"], "log-shipper");
  EXPECT_EQ(ds["desiredNumberScheduled"], 3);
  EXPECT_EQ(ds["currentNumberScheduled"], 2);
  EXPECT_EQ(ds["numberReady"], 1);
  EXPECT_EQ(ds["updatedNumberScheduled"], 2);
  EXPECT_EQ(ds["numberAvailable"], 1);
  EXPECT_EQ(ds["numberMisscheduled"], 1);
  EXPECT_EQ(ds["numberStale"], 0);

  // The table operators read.
  CommandResult table = fleet({"--reports", nginx_.reportsDir().string()});
  ASSERT_EQ(table.exitCode, 0) << table.err;
  EXPECT_NE(table.out.find("NAMESPACE"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("MISSCHEDULED"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("log-shipper"), std::string::npos) << table.out;

  // The same through nginx's JSON listing over HTTPS with the token.
  CommandResult url = fleet({"--reports", nginx_.httpsUrl("/reports/"), "--ca-file", nginx_.caFile().string(),
                             "--token-file", nginx_.tokenFile().string(), "-o", "json"});
  ASSERT_EQ(url.exitCode, 0) << url.err;
  Json fromUrl = Json::parse(url.out, nullptr, false);
  ASSERT_FALSE(fromUrl.is_discarded()) << url.out;
  EXPECT_EQ(fromUrl["daemonSets"], json["daemonSets"]);
}

TEST_F(FleetNginxTest, StaleAndBrokenReportsAreFlaggedAndSkipped) {
  reportNode("node-a", nodeSnapshot("node-a", true, true, true, "r2"));
  // An old report from a node that went quiet, and a damaged file.
  const Json old = buildNodeReport(*nodeSnapshot("node-z", true, true, true, "r1"), 9,
                                   std::chrono::system_clock::now() - std::chrono::hours(1));
  fs::create_directories(nginx_.reportsDir() / "nodes" / "node-z");
  std::ofstream(nginx_.reportsDir() / "nodes" / "node-z" / "status") << old.dump();
  std::ofstream(nginx_.reportsDir() / "broken.json") << "{\"kind\": \"NodeRep";
  std::ofstream(nginx_.reportsDir() / "README") << "not a report, ignored";

  CommandResult run =
      fleet({"--reports", nginx_.reportsDir().string(), "--stale-after", "10m", "-o", "json"});
  ASSERT_EQ(run.exitCode, 0) << run.err;
  EXPECT_NE(run.err.find("broken.json"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("README"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("node-z"), std::string::npos) << "stale warning expected: " << run.err;
  Json json = Json::parse(run.out, nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << run.out;
  const Json& ds = json["daemonSets"][0];
  EXPECT_EQ(ds["desiredNumberScheduled"], 2);
  EXPECT_EQ(ds["numberStale"], 1);
  EXPECT_EQ(ds["staleNodes"], Json::array({"node-z"}));
  EXPECT_EQ(ds["newestRevision"], "r2");
  EXPECT_EQ(ds["updatedNumberScheduled"], 1);

  // A longer threshold: nothing is stale.
  CommandResult lenient =
      fleet({"--reports", nginx_.reportsDir().string(), "--stale-after", "2h", "-o", "json"});
  ASSERT_EQ(lenient.exitCode, 0) << lenient.err;
  EXPECT_EQ(Json::parse(lenient.out)["daemonSets"][0]["numberStale"], 0);
}

TEST_F(FleetNginxTest, ExitCodes) {
  const fs::path empty = nginx_.root() / "empty-reports";
  fs::create_directories(empty);
  EXPECT_EQ(fleet({"--reports", empty.string()}).exitCode, 1);
  EXPECT_EQ(fleet({"--reports", (nginx_.root() / "missing").string()}).exitCode, 1);
  EXPECT_EQ(fleet({}).exitCode, 2);
  EXPECT_EQ(fleet({"--reports", empty.string(), "--stale-after", "soon"}).exitCode, 2);
  EXPECT_EQ(fleet({"--reports", empty.string(), "-o", "yaml"}).exitCode, 2);
  // Without the token nginx answers 401: nothing could be read.
  CommandResult denied =
      fleet({"--reports", nginx_.httpsUrl("/reports/"), "--ca-file", nginx_.caFile().string()});
  EXPECT_EQ(denied.exitCode, 1);
  EXPECT_NE(denied.err.find("401"), std::string::npos) << denied.err;
}

}  // namespace
}  // namespace daemonlet::status
