// Per-DaemonSet fleet counts from node reports (see fleet_view.h for the rules).
#include "agent/fleet/fleet_view.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "agent/status/status_json.h"

namespace daemonlet::fleet {
namespace {

using model::Json;
using status::ReportedDaemonSet;
using status::ReportedPod;
using DaemonSetKey = std::pair<std::string, std::string>;  // namespace, name

bool newerReport(const NodeReport& a, const NodeReport& b) {
  if (a.reportTime != b.reportTime) return a.reportTime > b.reportTime;
  return a.sequence > b.sequence;
}

// The controller ignores pods that were deleted and already finished.
bool counts(const ReportedPod& pod) {
  return !(pod.terminating && (pod.phase == "Succeeded" || pod.phase == "Failed"));
}

// The controller's choice when a node has several pods: the oldest.
const ReportedPod* oldestPod(const ReportedDaemonSet& ds) {
  const ReportedPod* oldest = nullptr;
  for (const auto& pod : ds.pods) {
    if (!counts(pod)) continue;
    if (oldest == nullptr) {
      oldest = &pod;
      continue;
    }
    const WallTime mine = pod.startTime.value_or(WallTime::max());
    const WallTime theirs = oldest->startTime.value_or(WallTime::max());
    if (mine < theirs || (mine == theirs && pod.name < oldest->name)) oldest = &pod;
  }
  return oldest;
}

struct Mention {
  const NodeReport* report;
  const ReportedDaemonSet* daemonSet;
};

FleetDaemonSetRow rowFor(const DaemonSetKey& key, const std::vector<Mention>& mentions, WallTime now,
                         std::chrono::seconds staleAfter) {
  FleetDaemonSetRow row;
  row.namespace_ = key.first;
  row.name = key.second;
  row.nodes = static_cast<int>(mentions.size());
  const Mention* freshest = nullptr;
  for (const auto& m : mentions) {
    if (freshest == nullptr || m.report->reportTime > freshest->report->reportTime ||
        (m.report->reportTime == freshest->report->reportTime &&
         m.report->nodeName > freshest->report->nodeName)) {
      freshest = &m;
    }
  }
  if (freshest != nullptr) {
    row.newestRevision = freshest->daemonSet->revision;
    row.newestReportTime = freshest->report->reportTime;
  }
  for (const auto& m : mentions) {
    const ReportedPod* pod = oldestPod(*m.daemonSet);
    if (now - m.report->reportTime > staleAfter) {
      ++row.stale;
      row.staleNodes.push_back(m.report->nodeName);
    }
    if (!m.daemonSet->shouldRun) {
      if (pod != nullptr) {
        ++row.misscheduled;
        row.misscheduledNodes.push_back(m.report->nodeName);
      }
      continue;
    }
    ++row.desired;
    if (pod == nullptr) continue;
    ++row.current;
    if (pod->ready) ++row.ready;
    if (pod->ready && pod->available) ++row.available;
    if (pod->revision == row.newestRevision) ++row.upToDate;
  }
  std::sort(row.staleNodes.begin(), row.staleNodes.end());
  std::sort(row.misscheduledNodes.begin(), row.misscheduledNodes.end());
  return row;
}

}  // namespace

std::vector<NodeReport> newestReportPerNode(std::vector<NodeReport> reports) {
  std::map<std::string, NodeReport> byNode;
  for (auto& report : reports) {
    auto it = byNode.find(report.nodeName);
    if (it == byNode.end()) {
      byNode.emplace(report.nodeName, std::move(report));
    } else if (newerReport(report, it->second)) {
      it->second = std::move(report);
    }
  }
  std::vector<NodeReport> out;
  out.reserve(byNode.size());
  for (auto& [name, report] : byNode) out.push_back(std::move(report));
  return out;
}

FleetStatus computeFleetStatus(const std::vector<NodeReport>& reports, WallTime now,
                               std::chrono::seconds staleAfter) {
  std::map<DaemonSetKey, std::vector<Mention>> mentions;
  std::set<std::string> nodes;
  std::set<std::string> staleNodes;
  for (const auto& report : reports) {
    nodes.insert(report.nodeName);
    if (now - report.reportTime > staleAfter) staleNodes.insert(report.nodeName);
    for (const auto& ds : report.daemonSets) mentions[{ds.namespace_, ds.name}].push_back({&report, &ds});
  }
  FleetStatus status;
  status.nodes = static_cast<int>(nodes.size());
  status.staleNodes.assign(staleNodes.begin(), staleNodes.end());
  for (const auto& [key, list] : mentions) status.daemonSets.push_back(rowFor(key, list, now, staleAfter));
  return status;
}

model::Json fleetStatusJson(const FleetStatus& status) {
  Json daemonSets = Json::array();
  for (const auto& row : status.daemonSets) {
    daemonSets.push_back({{"namespace", row.namespace_},
                          {"name", row.name},
                          {"desiredNumberScheduled", row.desired},
                          {"currentNumberScheduled", row.current},
                          {"numberReady", row.ready},
                          {"updatedNumberScheduled", row.upToDate},
                          {"numberAvailable", row.available},
                          {"numberUnavailable", row.desired - row.available},
                          {"numberMisscheduled", row.misscheduled},
                          {"numberStale", row.stale},
                          {"reportingNodes", row.nodes},
                          {"newestRevision", row.newestRevision},
                          {"newestReportTime", status::formatTime(row.newestReportTime)},
                          {"staleNodes", row.staleNodes},
                          {"misscheduledNodes", row.misscheduledNodes}});
  }
  return {{"nodes", status.nodes}, {"staleNodes", status.staleNodes}, {"daemonSets", std::move(daemonSets)}};
}

}  // namespace daemonlet::fleet
