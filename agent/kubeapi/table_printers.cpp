#include "agent/kubeapi/table_printers.h"

#include <algorithm>

#include "agent/base/rfc3339.h"
#include "agent/kubeapi/human_time.h"
#include "runtime/container_reasons.h"

namespace daemonlet::kubeapi {
namespace {

using model::Json;
using Time = std::chrono::system_clock::time_point;

Json column(const char* name, const char* type, const char* description, int priority = 0, const char* format = "") {
  return {{"name", name}, {"type", type}, {"format", format}, {"description", description}, {"priority", priority}};
}

std::string text(const Json& object, const char* key, const char* fallback = "<none>") {
  if (object.is_object() && object.contains(key) && object[key].is_string() && !object[key].get<std::string>().empty()) {
    return object[key].get<std::string>();
  }
  return fallback;
}

const Json& child(const Json& object, const char* key) {
  static const Json empty = Json::object();
  return object.is_object() && object.contains(key) ? object[key] : empty;
}

std::string joined(const std::vector<std::string>& parts, const char* separator = ",") {
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : separator) + part;
  return out;
}

// A terminated container's reason, or its signal or exit code when it has none.
std::string terminatedReason(const Json& terminated) {
  std::string reason = text(terminated, "reason", "");
  if (!reason.empty()) return reason;
  if (terminated.value("signal", 0) != 0) return "Signal:" + std::to_string(terminated.value("signal", 0));
  return "ExitCode:" + std::to_string(terminated.value("exitCode", 0));
}

bool podInitializedConditionTrue(const Json& status) {
  const Json& conditions = child(status, "conditions");
  if (!conditions.is_array()) return false;
  for (const Json& condition : conditions) {
    if (text(condition, "type", "") == "Initialized") return text(condition, "status", "") == "True";
  }
  return false;
}

// While init containers run, STATUS says so as kubectl's printer does: the first
// init container not done names it ("Init:1/3", "Init:CrashLoopBackOff",
// "Init:ExitCode:2"); completed ones and started sidecars are passed over. Empty
// when initialization is not what the pod is doing.
std::string initReason(const Json& pod) {
  const Json& initSpecs = child(child(pod, "spec"), "initContainers");
  const Json& statuses = child(child(pod, "status"), "initContainerStatuses");
  if (!statuses.is_array()) return "";
  const std::size_t total = initSpecs.is_array() ? initSpecs.size() : statuses.size();
  for (std::size_t i = 0; i < statuses.size(); ++i) {
    const Json& container = statuses[i];
    const Json& state = child(container, "state");
    const bool sidecar = initSpecs.is_array() && i < initSpecs.size() &&
                         text(initSpecs[i], "restartPolicy", "") == "Always";
    if (state.contains("terminated") && state["terminated"].value("exitCode", 0) == 0 && !sidecar) continue;
    if (sidecar && container.value("started", false)) continue;
    if (state.contains("terminated")) return "Init:" + terminatedReason(state["terminated"]);
    const std::string waiting = state.contains("waiting") ? text(state["waiting"], "reason", "") : "";
    if (!waiting.empty() && waiting != runtime::reasons::kPodInitializing) return "Init:" + waiting;
    return "Init:" + std::to_string(i) + "/" + std::to_string(total);
  }
  return "";
}

// The container whose state names the pod's STATUS, as kubectl's pod printer reads it.
std::string podReason(const Json& pod) {
  const Json& status = child(pod, "status");
  std::string reason = text(status, "phase", "Unknown");
  if (status.contains("reason") && status["reason"].is_string()) reason = status["reason"].get<std::string>();
  const std::string initializing = initReason(pod);
  if (!initializing.empty()) reason = initializing;
  const Json& statuses = child(status, "containerStatuses");
  bool running = false;
  if (statuses.is_array() && (initializing.empty() || podInitializedConditionTrue(status))) {
    for (auto it = statuses.rbegin(); it != statuses.rend(); ++it) {
      const Json& state = child(*it, "state");
      if (state.contains("waiting") && !text(state["waiting"], "reason", "").empty()) {
        reason = state["waiting"]["reason"].get<std::string>();
      } else if (state.contains("terminated")) {
        reason = terminatedReason(state["terminated"]);
      } else if (state.contains("running") && it->value("ready", false)) {
        running = true;
      }
    }
  }
  if (reason == runtime::reasons::kCompleted && running) reason = "Running";
  if (child(pod, "metadata").contains("deletionTimestamp")) reason = "Terminating";
  return reason;
}

Json podCells(const Json& pod, Time now) {
  const Json& status = child(pod, "status");
  const Json& statuses = child(status, "containerStatuses");
  int total = static_cast<int>(child(child(pod, "spec"), "containers").size());
  int ready = 0;
  long long restarts = 0;
  Time lastRestart{};  // the epoch: none yet
  if (statuses.is_array()) {
    total = std::max<int>(total, static_cast<int>(statuses.size()));
    for (const auto& s : statuses) {
      ready += s.value("ready", false) ? 1 : 0;
      restarts += s.value("restartCount", 0);
      const Json& last = child(child(s, "lastState"), "terminated");
      if (last.contains("finishedAt") && last["finishedAt"].is_string()) {
        auto finished = base::parseRfc3339(last["finishedAt"].get<std::string>());
        if (finished && *finished > lastRestart) lastRestart = *finished;
      }
    }
  }
  std::string restartText = std::to_string(restarts);
  if (restarts > 0 && lastRestart != Time{}) restartText += " (" + humanDuration(now - lastRestart) + " ago)";
  const Json& metadata = child(pod, "metadata");
  return Json::array({text(metadata, "name", ""), std::to_string(ready) + "/" + std::to_string(total), podReason(pod),
                      restartText, ageOf(child(metadata, "creationTimestamp"), now), text(status, "podIP"),
                      text(child(pod, "spec"), "nodeName"), text(status, "nominatedNodeName"), "<none>"});
}

std::string labelsText(const Json& labels) {
  std::vector<std::string> parts;
  if (labels.is_object()) {
    for (const auto& [key, value] : labels.items()) parts.push_back(key + "=" + value.get<std::string>());
  }
  std::sort(parts.begin(), parts.end());
  return parts.empty() ? "<none>" : joined(parts);
}

std::string selectorText(const Json& selector) {
  std::vector<std::string> parts;
  for (const auto& [key, value] : child(selector, "matchLabels").items()) parts.push_back(key + "=" + value.get<std::string>());
  std::sort(parts.begin(), parts.end());
  const Json& expressions = child(selector, "matchExpressions");
  if (expressions.is_array()) {
    for (const auto& e : expressions) {
      std::string op = text(e, "operator", "");
      std::string key = text(e, "key", "");
      std::vector<std::string> values;
      for (const auto& v : child(e, "values")) values.push_back(v.get<std::string>());
      if (op == "In") parts.push_back(key + " in (" + joined(values) + ")");
      else if (op == "NotIn") parts.push_back(key + " notin (" + joined(values) + ")");
      else if (op == "Exists") parts.push_back(key);
      else if (op == "DoesNotExist") parts.push_back("!" + key);
    }
  }
  return parts.empty() ? "<none>" : joined(parts);
}

Json daemonSetCells(const Json& ds, Time now) {
  const Json& status = child(ds, "status");
  const Json& podSpec = child(child(child(ds, "spec"), "template"), "spec");
  std::vector<std::string> names, images;
  for (const auto& c : child(podSpec, "containers")) {
    names.push_back(text(c, "name", ""));
    images.push_back(text(c, "image", ""));
  }
  const Json& metadata = child(ds, "metadata");
  return Json::array({text(metadata, "name", ""), status.value("desiredNumberScheduled", 0),
                      status.value("currentNumberScheduled", 0), status.value("numberReady", 0),
                      status.value("updatedNumberScheduled", 0), status.value("numberAvailable", 0),
                      labelsText(child(podSpec, "nodeSelector")), ageOf(child(metadata, "creationTimestamp"), now),
                      joined(names), joined(images), selectorText(child(child(ds, "spec"), "selector"))});
}

std::string addressOf(const Json& node, const char* type) {
  for (const auto& a : child(child(node, "status"), "addresses")) {
    if (text(a, "type", "") == type) return text(a, "address");
  }
  return "<none>";
}

Json nodeCells(const Json& node, Time now) {
  const Json& metadata = child(node, "metadata");
  std::string ready = "Unknown";
  for (const auto& c : child(child(node, "status"), "conditions")) {
    if (text(c, "type", "") == "Ready") ready = text(c, "status", "") == "True" ? "Ready" : "NotReady";
  }
  if (child(node, "spec").value("unschedulable", false)) ready += ",SchedulingDisabled";
  std::vector<std::string> roles;
  const std::string rolePrefix = "node-role.kubernetes.io/";
  for (const auto& [key, value] : child(metadata, "labels").items()) {
    if (key.rfind(rolePrefix, 0) == 0 && key.size() > rolePrefix.size()) roles.push_back(key.substr(rolePrefix.size()));
    if (key == "kubernetes.io/role" && value.is_string()) roles.push_back(value.get<std::string>());
  }
  std::sort(roles.begin(), roles.end());
  const Json& info = child(child(node, "status"), "nodeInfo");
  return Json::array({text(metadata, "name", ""), ready, roles.empty() ? "<none>" : joined(roles),
                      ageOf(child(metadata, "creationTimestamp"), now), text(info, "kubeletVersion", ""),
                      addressOf(node, "InternalIP"), addressOf(node, "ExternalIP"), text(info, "osImage", "<unknown>"),
                      text(info, "kernelVersion", "<unknown>"), text(info, "containerRuntimeVersion", "<unknown>")});
}

Json eventCells(const Json& event, Time now) {
  std::string first = ageOf(child(event, "firstTimestamp"), now);
  std::string last = event.contains("lastTimestamp") && event["lastTimestamp"].is_string()
                         ? ageOf(event["lastTimestamp"], now) : first;
  const Json& involved = child(event, "involvedObject");
  std::string kind = text(involved, "kind", "");
  std::transform(kind.begin(), kind.end(), kind.begin(), [](unsigned char c) { return std::tolower(c); });
  std::string target = text(involved, "name", "").empty() ? kind : kind + "/" + text(involved, "name", "");
  const Json& source = child(event, "source");
  std::string sourceText = text(source, "component", "");
  if (!text(source, "host", "").empty()) sourceText += ", " + text(source, "host", "");
  long long count = event.value("count", 0);
  return Json::array({last, text(event, "type", ""), text(event, "reason", ""), target, text(involved, "fieldPath", ""),
                      sourceText, text(event, "message", ""), first, count == 0 ? 1 : count,
                      text(child(event, "metadata"), "name", "")});
}

Json namespaceCells(const Json& ns, Time now) {
  const Json& metadata = child(ns, "metadata");
  return Json::array({text(metadata, "name", ""), text(child(ns, "status"), "phase", ""),
                      ageOf(child(metadata, "creationTimestamp"), now)});
}

}  // namespace

model::Json tableColumns(const std::string& resource) {
  const char* nameDoc = "Name must be unique within a namespace.";
  const char* ageDoc = "CreationTimestamp is a timestamp representing the server time when this object was created.";
  if (resource == "pods") {
    return Json::array({column("Name", "string", nameDoc, 0, "name"),
                        column("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
                        column("Status", "string", "The aggregate status of the containers in this pod."),
                        column("Restarts", "string", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
                        column("Age", "string", ageDoc),
                        column("IP", "string", "IP address allocated to the pod.", 1),
                        column("Node", "string", "Name of the Node this pod runs on.", 1),
                        column("Nominated Node", "string", "nominatedNodeName is set when this pod preempts other pods on the node.", 1),
                        column("Readiness Gates", "string", "If specified, all readiness gates will be evaluated for pod readiness.", 1)});
  }
  if (resource == "daemonsets") {
    return Json::array({column("Name", "string", nameDoc, 0, "name"),
                        column("Desired", "integer", "The total number of nodes that should be running the daemon pod."),
                        column("Current", "integer", "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod."),
                        column("Ready", "integer", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready."),
                        column("Up-to-date", "integer", "The total number of nodes that are running updated daemon pod"),
                        column("Available", "integer", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available."),
                        column("Node Selector", "string", "NodeSelector is a selector which must be true for the pod to fit on a node."),
                        column("Age", "string", ageDoc),
                        column("Containers", "string", "Names of each container in the template.", 1),
                        column("Images", "string", "Images referenced by each container in the template.", 1),
                        column("Selector", "string", "A label query over pods that are managed by the daemon set.", 1)});
  }
  if (resource == "nodes") {
    return Json::array({column("Name", "string", nameDoc, 0, "name"),
                        column("Status", "string", "The status of the node"),
                        column("Roles", "string", "The roles of the node"),
                        column("Age", "string", ageDoc),
                        column("Version", "string", "Kubelet Version reported by the node."),
                        column("Internal-IP", "string", "List of addresses reachable to the node.", 1),
                        column("External-IP", "string", "List of addresses reachable to the node.", 1),
                        column("OS-Image", "string", "OS Image reported by the node from /etc/os-release.", 1),
                        column("Kernel-Version", "string", "Kernel Version reported by the node.", 1),
                        column("Container-Runtime", "string", "Container Runtime Version reported by the node.", 1)});
  }
  if (resource == "events") {
    return Json::array({column("Last Seen", "string", "Time when last occurrence of this event was recorded."),
                        column("Type", "string", "Type of this event (Normal, Warning)."),
                        column("Reason", "string", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
                        column("Object", "string", "The object that this event is about."),
                        column("Subobject", "string", "The subobject that this event is about (fieldPath).", 1),
                        column("Source", "string", "The component reporting this event.", 1),
                        column("Message", "string", "A human-readable description of the status of this operation."),
                        column("First Seen", "string", "The time at which the event was first recorded.", 1),
                        column("Count", "string", "The number of times this event has occurred.", 1),
                        column("Name", "string", nameDoc, 1, "name")});
  }
  return Json::array({column("Name", "string", nameDoc, 0, "name"),
                      column("Status", "string", "The status of the namespace"), column("Age", "string", ageDoc)});
}

model::Json tableCells(const std::string& resource, const model::Json& object, Time now) {
  if (resource == "pods") return podCells(object, now);
  if (resource == "daemonsets") return daemonSetCells(object, now);
  if (resource == "nodes") return nodeCells(object, now);
  if (resource == "events") return eventCells(object, now);
  return namespaceCells(object, now);
}

model::Json table(const std::string& resource, const std::vector<model::Json>& objects, const std::string& includeObject,
                  Time now) {
  Json rows = Json::array();
  for (const auto& object : objects) {
    Json rowObject = includeObject == "Object"
                         ? object
                         : Json{{"kind", "PartialObjectMetadata"}, {"apiVersion", "meta.k8s.io/v1"}, {"metadata", child(object, "metadata")}};
    Json row = {{"cells", tableCells(resource, object, now)}, {"object", rowObject}};
    if (includeObject == "None") row.erase("object");
    rows.push_back(row);
  }
  return {{"kind", "Table"}, {"apiVersion", "meta.k8s.io/v1"}, {"metadata", Json::object()},
          {"columnDefinitions", tableColumns(resource)}, {"rows", rows}};
}

}  // namespace daemonlet::kubeapi
