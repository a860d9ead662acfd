#pragma once
// The fleet view: per-DaemonSet counts computed from many nodes' NodeReports,
// the way the Kubernetes DaemonSet controller computes a DaemonSet's status
// (pkg/controller/daemon, updateDaemonSetStatus), with each node's report
// standing in for the Node object plus its daemon pods:
//   DESIRED       nodes whose report says shouldRun
//   CURRENT       of those, nodes with at least one pod of the DaemonSet
//   READY         of those, nodes whose pod is ready
//   UP-TO-DATE    of those, nodes whose pod's revision is the newest revision
//   AVAILABLE     of those, nodes whose pod is available (ready for minReadySeconds)
//   MISSCHEDULED  nodes with a pod where shouldRun is false (also when a
//                 NoSchedule taint only lets the running copy stay)
//   STALE         nodes mentioning the DaemonSet whose report is older than the
//                 threshold; their data still counts, flagged here
// As in the controller, a node's "pod" is its oldest one (by start time, then
// name); pods that are terminating and already finished do not count.
// The "newest revision" of a DaemonSet is the revision given in the most
// recently sent report (largest reportTime, ties to the larger node name) among
// the reports that mention it: agents follow the same source, so the freshest
// report has seen the latest template.
// Only the newest report of each node counts (largest reportTime, then sequence).
//
// Pure: `now` is a parameter.
#include <chrono>
#include <string>
#include <vector>

#include "agent/model/types.h"
#include "agent/status/node_report.h"

namespace daemonlet::fleet {

using status::NodeReport;
using status::WallTime;

struct FleetDaemonSetRow {
  std::string namespace_;
  std::string name;
  int desired = 0;
  int current = 0;
  int ready = 0;
  int upToDate = 0;
  int available = 0;
  int misscheduled = 0;
  int stale = 0;
  int nodes = 0;  // reports that mention the DaemonSet
  std::string newestRevision;
  WallTime newestReportTime{};
  std::vector<std::string> staleNodes;         // sorted
  std::vector<std::string> misscheduledNodes;  // sorted
};

struct FleetStatus {
  std::vector<FleetDaemonSetRow> daemonSets;  // sorted by namespace, name
  int nodes = 0;                              // distinct nodes reporting
  std::vector<std::string> staleNodes;        // sorted
};

// Keeps the newest report per node name.
std::vector<NodeReport> newestReportPerNode(std::vector<NodeReport> reports);

FleetStatus computeFleetStatus(const std::vector<NodeReport>& reports, WallTime now,
                               std::chrono::seconds staleAfter);

// The machine-readable form printed by `daemonlet fleet status -o json`.
model::Json fleetStatusJson(const FleetStatus& status);

}  // namespace daemonlet::fleet
