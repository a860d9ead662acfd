// Fleet view: tables of node reports -> the kubectl-style DaemonSet columns.
#include "agent/fleet/fleet_view.h"

#include <gtest/gtest.h>

namespace daemonlet::fleet {
namespace {

using status::ReportedDaemonSet;
using status::ReportedPod;

using std::chrono::minutes;
using std::chrono::seconds;

const WallTime kNow = WallTime(seconds(1'700'000'000));
constexpr seconds kStaleAfter = minutes(5);

// One node's view of the DaemonSet "ns/ds" in a compact form.
struct NodeLine {
  std::string node;
  seconds age;           // how old the node's report is
  std::string revision;  // the DaemonSet revision the node knows
  bool shouldRun;
  bool hasPod;
  std::string podRevision = "r2";
  bool ready = true;
  bool available = true;
};

NodeReport reportFor(const NodeLine& line) {
  NodeReport report;
  report.nodeName = line.node;
  report.reportTime = kNow - line.age;
  ReportedDaemonSet ds;
  ds.namespace_ = "ns";
  ds.name = "ds";
  ds.revision = line.revision;
  ds.shouldRun = line.shouldRun;
  ds.shouldContinueRunning = line.shouldRun;
  if (line.hasPod) {
    ReportedPod pod;
    pod.name = "ds-" + line.node;
    pod.revision = line.podRevision;
    pod.phase = "Running";
    pod.ready = line.ready;
    pod.available = line.available;
    ds.pods.push_back(pod);
  }
  report.daemonSets.push_back(ds);
  return report;
}

struct Columns {
  int desired, current, ready, upToDate, available, misscheduled, stale;
};

void expectColumns(const FleetDaemonSetRow& row, const Columns& want) {
  EXPECT_EQ(row.desired, want.desired) << "DESIRED";
  EXPECT_EQ(row.current, want.current) << "CURRENT";
  EXPECT_EQ(row.ready, want.ready) << "READY";
  EXPECT_EQ(row.upToDate, want.upToDate) << "UP-TO-DATE";
  EXPECT_EQ(row.available, want.available) << "AVAILABLE";
  EXPECT_EQ(row.misscheduled, want.misscheduled) << "MISSCHEDULED";
  EXPECT_EQ(row.stale, want.stale) << "STALE";
}

TEST(FleetViewTest, ComputesDaemonSetColumnsLikeTheController) {
  struct Case {
    const char* name;
    std::vector<NodeLine> nodes;
    Columns want;
    std::string newestRevision;
  };
  const Case cases[] = {
      {"all healthy",
       {{"a", seconds(10), "r2", true, true}, {"b", seconds(20), "r2", true, true}},
       {2, 2, 2, 2, 2, 0, 0},
       "r2"},
      {"one node without its pod",
       {{"a", seconds(10), "r2", true, true}, {"b", seconds(20), "r2", true, false}},
       {2, 1, 1, 1, 1, 0, 0},
       "r2"},
      {"not ready and ready-but-not-available",
       {{"a", seconds(10), "r2", true, true, "r2", false, false},
        {"b", seconds(20), "r2", true, true, "r2", true, false}},
       {2, 2, 1, 2, 0, 0, 0},
       "r2"},
      {"node not selected counts nowhere",
       {{"a", seconds(10), "r2", true, true}, {"b", seconds(20), "r2", false, false}},
       {1, 1, 1, 1, 1, 0, 0},
       "r2"},
      {"pod on a node where it should not run is misscheduled",
       {{"a", seconds(10), "r2", true, true}, {"b", seconds(20), "r2", false, true}},
       {1, 1, 1, 1, 1, 1, 0},
       "r2"},
      {"rollout in progress: newest revision from the freshest report",
       {{"a", seconds(5), "r3", true, true, "r3"},
        {"b", seconds(20), "r2", true, true, "r2"},
        {"c", seconds(30), "r3", true, true, "r2"}},
       {3, 3, 3, 1, 3, 0, 0},
       "r3"},
      {"stale node still counts, flagged",
       {{"a", seconds(10), "r2", true, true}, {"b", minutes(6), "r2", true, true}},
       {2, 2, 2, 2, 2, 0, 1},
       "r2"},
      {"stale report is not the newest revision's source",
       {{"a", minutes(10), "r9", true, true, "r9"}, {"b", seconds(20), "r2", true, true}},
       {2, 2, 2, 1, 2, 0, 1},
       "r2"},
      {"exactly at the threshold is not stale",
       {{"a", minutes(5), "r2", true, true}},
       {1, 1, 1, 1, 1, 0, 0},
       "r2"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<NodeReport> reports;
    for (const auto& line : c.nodes) reports.push_back(reportFor(line));
    const FleetStatus status = computeFleetStatus(reports, kNow, kStaleAfter);
    ASSERT_EQ(status.daemonSets.size(), 1u);
    const FleetDaemonSetRow& row = status.daemonSets[0];
    EXPECT_EQ(row.namespace_, "ns");
    EXPECT_EQ(row.name, "ds");
    EXPECT_EQ(row.nodes, static_cast<int>(c.nodes.size()));
    EXPECT_EQ(row.newestRevision, c.newestRevision);
    expectColumns(row, c.want);
  }
}

TEST(FleetViewTest, ListsStaleAndMisscheduledNodesAndNewestReport) {
  std::vector<NodeReport> reports = {reportFor({"c", minutes(7), "r2", false, true}),
                                     reportFor({"a", minutes(9), "r2", true, true}),
                                     reportFor({"b", seconds(3), "r2", true, true})};
  const FleetStatus status = computeFleetStatus(reports, kNow, kStaleAfter);
  EXPECT_EQ(status.nodes, 3);
  EXPECT_EQ(status.staleNodes, (std::vector<std::string>{"a", "c"}));
  const FleetDaemonSetRow& row = status.daemonSets.at(0);
  EXPECT_EQ(row.staleNodes, (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(row.misscheduledNodes, (std::vector<std::string>{"c"}));
  EXPECT_EQ(row.newestReportTime, kNow - seconds(3));
}

TEST(FleetViewTest, OldestPodOnANodeDecides) {
  NodeReport report = reportFor({"a", seconds(1), "r2", true, true, "r2", true, true});
  ReportedPod older = report.daemonSets[0].pods[0];
  older.name = "ds-a-old";
  older.revision = "r1";
  older.ready = false;
  older.available = false;
  older.startTime = kNow - minutes(60);
  report.daemonSets[0].pods[0].startTime = kNow - minutes(1);
  report.daemonSets[0].pods.push_back(older);
  const FleetDaemonSetRow row = computeFleetStatus({report}, kNow, kStaleAfter).daemonSets.at(0);
  expectColumns(row, {1, 1, 0, 0, 0, 0, 0});
}

TEST(FleetViewTest, FinishedTerminatingPodsDoNotCount) {
  NodeReport report = reportFor({"a", seconds(1), "r2", false, true});
  report.daemonSets[0].pods[0].terminating = true;
  report.daemonSets[0].pods[0].phase = "Succeeded";
  const FleetDaemonSetRow row = computeFleetStatus({report}, kNow, kStaleAfter).daemonSets.at(0);
  EXPECT_EQ(row.misscheduled, 0);
}

TEST(FleetViewTest, SeparatesDaemonSetsAndSortsThem) {
  NodeReport a = reportFor({"a", seconds(1), "r2", true, true});
  ReportedDaemonSet other = a.daemonSets[0];
  other.namespace_ = "kube-system";
  other.name = "agent";
  other.pods.clear();
  a.daemonSets.push_back(other);
  NodeReport b = reportFor({"b", seconds(1), "r2", true, true});
  const FleetStatus status = computeFleetStatus({a, b}, kNow, kStaleAfter);
  ASSERT_EQ(status.daemonSets.size(), 2u);
  EXPECT_EQ(status.daemonSets[0].namespace_, "kube-system");
  expectColumns(status.daemonSets[0], {1, 0, 0, 0, 0, 0, 0});
  EXPECT_EQ(status.daemonSets[1].name, "ds");
  expectColumns(status.daemonSets[1], {2, 2, 2, 2, 2, 0, 0});
}

TEST(FleetViewTest, KeepsOnlyTheNewestReportPerNode) {
  NodeReport old = reportFor({"a", minutes(3), "r1", true, false});
  NodeReport fresh = reportFor({"a", seconds(3), "r2", true, true});
  NodeReport other = reportFor({"b", seconds(3), "r2", true, true});
  const auto kept = newestReportPerNode({fresh, other, old});
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[0].nodeName, "a");
  EXPECT_EQ(kept[0].reportTime, fresh.reportTime);
  EXPECT_EQ(kept[1].nodeName, "b");
}

TEST(FleetViewTest, JsonCarriesControllerFieldNames) {
  const auto status = computeFleetStatus({reportFor({"a", seconds(1), "r2", true, true, "r2", true, false})},
                                         kNow, kStaleAfter);
  const model::Json json = fleetStatusJson(status);
  EXPECT_EQ(json["nodes"], 1);
  const model::Json& ds = json["daemonSets"][0];
  EXPECT_EQ(ds["desiredNumberScheduled"], 1);
  EXPECT_EQ(ds["numberReady"], 1);
  EXPECT_EQ(ds["numberAvailable"], 0);
  EXPECT_EQ(ds["numberUnavailable"], 1);
  EXPECT_EQ(ds["newestRevision"], "r2");
}

}  // namespace
}  // namespace daemonlet::fleet
