// Builds the upward NodeReport from a status snapshot (see node_report.h).
#include "agent/status/node_report.h"

#include <algorithm>

#include "agent/model/taint_json.h"
#include "agent/status/status_json.h"

namespace daemonlet::status {
namespace {

using model::Json;

// When a container last ended: its current termination if it is terminated now,
// else the previous one. Containers that never ended have none.
std::optional<WallTime> lastTerminationTime(const ContainerView& c) {
  if (c.state == "terminated" && c.finishedAt) return c.finishedAt;
  return c.lastFinishedAt;
}

Json podReportJson(const PodView& pod) {
  std::int64_t restarts = 0;
  const ContainerView* lastExited = nullptr;
  for (const auto& c : pod.containers) {
    restarts += c.restartCount;
    if (!c.lastExitCode) continue;
    // The most recent termination wins; one without a time only when nothing better is known.
    if (lastExited == nullptr ||
        lastTerminationTime(c).value_or(WallTime{}) > lastTerminationTime(*lastExited).value_or(WallTime{})) {
      lastExited = &c;
    }
  }
  return {{"name", pod.name},
          {"uid", pod.uid},
          {"revision", pod.revision},
          {"phase", pod.phase},
          {"ready", pod.ready},
          {"available", pod.available},
          {"terminating", pod.terminating},
          {"restarts", restarts},
          {"lastExitCode", lastExited ? Json(*lastExited->lastExitCode) : Json(nullptr)},
          {"lastExitReason", lastExited ? Json(lastExited->lastExitReason) : Json(nullptr)},
          {"startTime", optionalTimeJson(pod.startTime)}};
}

// A DaemonSet's pods: by the uids the reconciler recorded, falling back to the
// owner name for snapshots that carry no uids.
Json podsOf(const StatusSnapshot& snapshot, const DaemonSetView& ds) {
  Json pods = Json::array();
  for (const auto& pod : snapshot.pods) {
    const bool owned = ds.podUids.empty()
                           ? pod.namespace_ == ds.namespace_ && pod.daemonSetName == ds.name
                           : std::find(ds.podUids.begin(), ds.podUids.end(), pod.uid) != ds.podUids.end();
    if (owned) pods.push_back(podReportJson(pod));
  }
  return pods;
}

Json withoutVolatileFields(const Json& report) {
  if (!report.is_object()) return report;
  Json copy = report;
  copy.erase("reportTime");
  copy.erase("sequence");
  copy.erase("statusSequence");
  return copy;
}

}  // namespace

model::Json buildNodeReport(const StatusSnapshot& snapshot, std::uint64_t reportSequence,
                            WallTime reportTime, const std::vector<RecentEvent>& events) {
  Json node = {{"name", snapshot.node.name},
               {"labels", snapshot.node.labels},
               {"taints", model::taintsToJson(snapshot.node.taints)},
               {"hostIP", snapshot.node.hostIP}};
  Json daemonSets = Json::array();
  for (const auto& ds : snapshot.daemonSets) {
    daemonSets.push_back({{"namespace", ds.namespace_},
                          {"name", ds.name},
                          {"origin", ds.origin},
                          {"revision", ds.revision},
                          {"shouldRun", ds.shouldRun},
                          {"shouldContinueRunning", ds.shouldContinueRunning},
                          {"reasons", ds.reasons},
                          {"state", ds.state},
                          {"pods", podsOf(snapshot, ds)}});
  }
  Json errors = Json::array();
  for (const auto& error : snapshot.sourceErrors) {
    errors.push_back({{"source", error.origin}, {"message", error.message}});
  }
  Json recentEvents = Json::array();
  const std::size_t skipped = events.size() > kMaxReportedEvents ? events.size() - kMaxReportedEvents : 0;
  for (auto it = events.begin() + static_cast<std::ptrdiff_t>(skipped); it != events.end(); ++it) {
    Json involved = {{"kind", it->objectKind}, {"namespace", it->objectNamespace}, {"name", it->objectName}};
    if (!it->fieldPath.empty()) involved["fieldPath"] = it->fieldPath;
    recentEvents.push_back({{"type", it->type},
                            {"reason", it->reason},
                            {"message", it->message},
                            {"count", it->count},
                            {"firstTimestamp", it->firstTimestamp},
                            {"lastTimestamp", it->lastTimestamp},
                            {"involvedObject", std::move(involved)}});
  }
  return {{"apiVersion", std::string(kNodeReportApiVersion)},
          {"kind", std::string(kNodeReportKind)},
          {"node", std::move(node)},
          {"agentVersion", snapshot.agentVersion},
          {"reportTime", formatTime(reportTime)},
          {"sequence", reportSequence},
          {"statusSequence", snapshot.sequence},
          {"synced", snapshot.synced},
          {"daemonSets", std::move(daemonSets)},
          {"sourceErrors", std::move(errors)},
          {"recentEvents", std::move(recentEvents)}};
}

bool sameContent(const model::Json& a, const model::Json& b) {
  return withoutVolatileFields(a) == withoutVolatileFields(b);
}

}  // namespace daemonlet::status
