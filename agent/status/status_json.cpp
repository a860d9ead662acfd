#include "agent/status/status_json.h"

#include "agent/base/rfc3339.h"
#include "agent/model/taint_json.h"

namespace daemonlet::status {
namespace {

using model::Json;

Json containerStatusJson(const ContainerView& c) {
  Json out = {{"name", c.name}, {"init", c.init}, {"image", c.image}, {"containerID", c.containerId},
              {"state", c.state}, {"ready", c.ready}, {"restartCount", c.restartCount}};
  if (!c.imageId.empty()) out["imageID"] = c.imageId;
  if (!c.reason.empty()) out["reason"] = c.reason;
  if (!c.message.empty()) out["message"] = c.message;
  out["startedAt"] = optionalTimeJson(c.startedAt);
  out["lastExitCode"] = c.lastExitCode ? Json(*c.lastExitCode) : Json(nullptr);
  if (!c.lastExitReason.empty()) out["lastExitReason"] = c.lastExitReason;
  out["backoffUntil"] = optionalTimeJson(c.backoffUntil);
  if (!c.logPath.empty()) out["logPath"] = c.logPath;
  return out;
}

// core/v1 ContainerState: exactly one of waiting/running/terminated.
Json kubeStateJson(const ContainerView& c) {
  if (c.state == "running") return {{"running", {{"startedAt", optionalTimeJson(c.startedAt)}}}};
  if (c.state == "terminated") {
    Json t = {{"exitCode", c.lastExitCode.value_or(0)}, {"reason", c.reason},
              {"startedAt", optionalTimeJson(c.startedAt)}, {"finishedAt", optionalTimeJson(c.finishedAt)}};
    if (!c.containerId.empty()) t["containerID"] = c.containerId;
    return {{"terminated", t}};
  }
  Json w = Json::object();
  if (!c.reason.empty()) w["reason"] = c.reason;
  if (!c.message.empty()) w["message"] = c.message;
  return {{"waiting", w}};
}

Json kubeLastStateJson(const ContainerView& c) {
  if (!c.lastExitCode || c.state == "terminated") return Json::object();
  return {{"terminated",
           {{"exitCode", *c.lastExitCode}, {"reason", c.lastExitReason},
            {"startedAt", optionalTimeJson(c.lastStartedAt)}, {"finishedAt", optionalTimeJson(c.lastFinishedAt)}}}};
}

Json kubeContainerStatusJson(const ContainerView& c) {
  Json out = {{"name", c.name},           {"image", c.image},
              {"imageID", c.imageId},     {"ready", c.ready},
              {"started", c.started},     {"restartCount", c.restartCount},
              {"state", kubeStateJson(c)}, {"lastState", kubeLastStateJson(c)}};
  if (!c.containerId.empty()) out["containerID"] = c.containerId;
  return out;
}

Json endpointJson(const EndpointView& e) {
  return {{"url", e.url},
          {"mode", e.mode},
          {"connected", e.connected},
          {"settled", e.settled},
          {"servingFromCache", e.servingFromCache},
          {"lastError", e.lastError},
          {"lastSuccess", optionalTimeJson(e.lastSuccess)},
          {"nextAttempt", optionalTimeJson(e.nextAttempt)},
          {"consecutiveFailures", e.consecutiveFailures},
          {"cacheFetchedAt", optionalTimeJson(e.cacheFetchedAt)},
          {"cacheError", e.cacheError},
          {"snapshotFetchedAt", optionalTimeJson(e.snapshotFetchedAt)},
          {"etag", e.etag},
          {"resourceVersion", e.resourceVersion},
          {"requests", e.requests},
          {"errors", e.errors},
          {"notModified", e.notModified},
          {"bytesReceived", e.bytesReceived}};
}

Json condition(const std::string& type, bool status) {
  return {{"type", type}, {"status", status ? "True" : "False"}};
}

}  // namespace

Json optionalTimeJson(const std::optional<WallTime>& time) { return time ? Json(formatTime(*time)) : Json(nullptr); }

std::string formatTime(WallTime time) { return base::formatRfc3339(time); }

model::Json statusJson(const StatusSnapshot& snapshot) {
  Json node = {{"name", snapshot.node.name}, {"labels", snapshot.node.labels},
               {"taints", model::taintsToJson(snapshot.node.taints)}};
  if (!snapshot.node.hostIP.empty()) node["hostIP"] = snapshot.node.hostIP;

  Json daemonSets = Json::array();
  for (const auto& ds : snapshot.daemonSets) {
    Json pods = Json::array();
    for (const auto& pod : snapshot.pods) {
      if (pod.namespace_ != ds.namespace_ || pod.daemonSetName != ds.name) continue;
      Json containers = Json::array();
      for (const auto& c : pod.containers) containers.push_back(containerStatusJson(c));
      pods.push_back({{"name", pod.name}, {"uid", pod.uid}, {"revision", pod.revision}, {"phase", pod.phase},
                      {"ready", pod.ready}, {"available", pod.available}, {"terminating", pod.terminating},
                      {"startTime", optionalTimeJson(pod.startTime)}, {"runtime", pod.runtime},
                      {"podIP", pod.podIP}, {"containers", containers}});
    }
    daemonSets.push_back({{"namespace", ds.namespace_}, {"name", ds.name}, {"source", ds.origin},
                          {"revision", ds.revision}, {"generation", ds.generation},
                          {"updateStrategy", ds.updateStrategy}, {"state", ds.state},
                          {"decision",
                           {{"shouldRun", ds.shouldRun},
                            {"shouldContinueRunning", ds.shouldContinueRunning},
                            {"reasons", ds.reasons}}},
                          {"pods", pods}});
  }
  Json errors = Json::array();
  for (const auto& error : snapshot.sourceErrors) errors.push_back({{"source", error.origin}, {"message", error.message}});
  Json notices = Json::array();
  for (const auto& notice : snapshot.sourceNotices) {
    notices.push_back({{"source", notice.origin}, {"message", notice.message}});
  }

  Json stateErrors = Json::array();
  for (const auto& error : snapshot.stateErrors) {
    stateErrors.push_back({{"file", error.origin}, {"message", error.message}});
  }

  return {{"agentVersion", snapshot.agentVersion},
          {"sequence", snapshot.sequence},
          {"generatedAt", formatTime(snapshot.generatedAt)},
          {"synced", snapshot.synced},
          {"node", node},
          {"daemonSets", daemonSets},
          {"sourceErrors", errors},
          {"sourceNotices", notices},
          {"stateErrors", stateErrors},
          {"sourcesComplete", snapshot.sourcesComplete},
          {"endpoint", snapshot.endpoint ? endpointJson(*snapshot.endpoint) : Json(nullptr)}};
}

model::Json podJson(const StatusSnapshot& snapshot, const PodView& pod) {
  Json labels = pod.labels;
  Json metadata = {{"name", pod.name},
                   {"namespace", pod.namespace_},
                   {"uid", pod.uid},
                   {"labels", labels},
                   {"ownerReferences",
                    Json::array({{{"apiVersion", "apps/v1"},
                                  {"kind", "DaemonSet"},
                                  {"name", pod.daemonSetName},
                                  {"uid", pod.daemonSetUid},
                                  {"controller", true},
                                  {"blockOwnerDeletion", true}}})}};
  if (pod.startTime) metadata["creationTimestamp"] = formatTime(*pod.startTime);
  // kubectl prints Terminating from deletionTimestamp, as the API server's printer does.
  if (pod.deletionTimestamp) metadata["deletionTimestamp"] = formatTime(*pod.deletionTimestamp);
  if (pod.deletionGracePeriodSeconds) metadata["deletionGracePeriodSeconds"] = *pod.deletionGracePeriodSeconds;

  Json containerStatuses = Json::array();
  Json initStatuses = Json::array();
  Json specContainers = Json::array();
  bool containersReady = true;
  for (const auto& c : pod.containers) {
    (c.init ? initStatuses : containerStatuses).push_back(kubeContainerStatusJson(c));
    if (!c.init) {
      specContainers.push_back({{"name", c.name}, {"image", c.image}});
      containersReady = containersReady && c.ready;
    }
  }
  Json status = {{"phase", pod.phase},
                 {"conditions",
                  Json::array({condition("PodScheduled", true), condition("Initialized", pod.initialized),
                               condition("ContainersReady", containersReady && !specContainers.empty()),
                               condition("Ready", pod.ready)})},
                 {"containerStatuses", containerStatuses}};
  if (!initStatuses.empty()) status["initContainerStatuses"] = initStatuses;
  if (!snapshot.node.hostIP.empty()) {
    status["hostIP"] = snapshot.node.hostIP;
    status["hostIPs"] = Json::array({{{"ip", snapshot.node.hostIP}}});
  }
  if (!pod.podIP.empty()) {
    status["podIP"] = pod.podIP;
    status["podIPs"] = Json::array({{{"ip", pod.podIP}}});
  }
  if (pod.startTime) status["startTime"] = formatTime(*pod.startTime);
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", metadata},
          {"spec", {{"nodeName", snapshot.node.name}, {"containers", specContainers}}},
          {"status", status}};
}

model::Json podListJson(const StatusSnapshot& snapshot) {
  Json items = Json::array();
  for (const auto& pod : snapshot.pods) items.push_back(podJson(snapshot, pod));
  return {{"apiVersion", "v1"},
          {"kind", "PodList"},
          {"metadata", {{"resourceVersion", std::to_string(snapshot.sequence)}}},
          {"items", items}};
}

}  // namespace daemonlet::status
