#include "agent/kubeapi/kube_objects.h"

#include <sys/utsname.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "agent/kubeapi/discovery.h"
#include "agent/model/taint_json.h"
#include "agent/status/status_json.h"

namespace daemonlet::kubeapi {
namespace {

using model::Json;

const status::DaemonSetView* ownerOf(const status::StatusSnapshot& snapshot, const status::PodView& pod) {
  for (const auto& ds : snapshot.daemonSets) {
    if (ds.namespace_ == pod.namespace_ && ds.name == pod.daemonSetName) return &ds;
  }
  return nullptr;
}

// The template's pod spec, for a pod of the DaemonSet's current revision (an
// older pod's spec is not kept: it shows its containers' names and images only).
Json templateSpecOf(const status::DaemonSetView* ds, const status::PodView& pod) {
  if (!ds || !ds->object || ds->revision != pod.revision) return Json();
  const Json& raw = ds->object->raw;
  if (!raw.contains("spec") || !raw["spec"].contains("template") || !raw["spec"]["template"].contains("spec")) return Json();
  return raw["spec"]["template"]["spec"];
}

std::string osImage() {
  std::ifstream in("/etc/os-release");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("PRETTY_NAME=", 0) != 0) continue;
    std::string value = line.substr(12);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    return value;
  }
  return "Linux";
}

// FirstSeen's keys: one home, for the builders and noteFirstSeen.
std::string daemonSetSeenKey(const status::DaemonSetView& ds) {
  return "daemonsets/" + objectKey(ds.namespace_, ds.name);
}
std::string nodeSeenKey(const std::string& name) { return "nodes/" + name; }
std::string namespaceSeenKey(const std::string& name) { return "namespaces/" + name; }

std::set<std::string> namespacesIn(const status::StatusSnapshot& snapshot) {
  std::set<std::string> names;
  for (const auto& ds : snapshot.daemonSets) names.insert(ds.namespace_);
  for (const auto& pod : snapshot.pods) names.insert(pod.namespace_);
  return names;
}

}  // namespace

void noteFirstSeen(const status::StatusSnapshot& snapshot, FirstSeen& firstSeen) {
  for (const auto& ds : snapshot.daemonSets) (void)firstSeen.timestampOf(daemonSetSeenKey(ds), snapshot.generatedAt);
  (void)firstSeen.timestampOf(nodeSeenKey(snapshot.node.name), snapshot.generatedAt);
  for (const auto& name : namespacesIn(snapshot)) {
    (void)firstSeen.timestampOf(namespaceSeenKey(name), snapshot.generatedAt);
  }
}

std::string FirstSeen::timestampOf(const std::string& key, std::chrono::system_clock::time_point now) {
  auto found = times_.find(key);
  if (found != times_.end()) return found->second;  // no formatting at every snapshot
  return times_.emplace(key, status::formatTime(now)).first->second;
}

std::string objectKey(const std::string& namespace_, const std::string& name) {
  return namespace_.empty() ? name : namespace_ + "/" + name;
}

ObjectMap podObjects(const status::StatusSnapshot& snapshot) {
  ObjectMap out;
  for (const auto& pod : snapshot.pods) {
    // Deleted with gracePeriodSeconds=0: the API server removes the object at
    // once (kubectl --force) while the node still stops what runs.
    if (pod.deletionGracePeriodSeconds == 0) continue;
    Json object = status::podJson(snapshot, pod);
    Json& metadata = object["metadata"];
    metadata["generateName"] = pod.daemonSetName + "-";
    Json spec = templateSpecOf(ownerOf(snapshot, pod), pod);
    if (spec.is_object()) {
      spec["nodeName"] = snapshot.node.name;
      object["spec"] = spec;
    }
    object["spec"]["restartPolicy"] = "Always";
    out.emplace(objectKey(pod.namespace_, pod.name), std::move(object));
  }
  return out;
}

ObjectMap daemonSetObjects(const status::StatusSnapshot& snapshot, FirstSeen& firstSeen) {
  ObjectMap out;
  for (const auto& ds : snapshot.daemonSets) {
    Json object = ds.object ? ds.object->raw : Json::object();
    if (!object.is_object()) object = Json::object();
    object.erase("status");
    object["apiVersion"] = "apps/v1";
    object["kind"] = "DaemonSet";
    Json& metadata = object["metadata"];
    if (!metadata.is_object()) metadata = Json::object();
    metadata["name"] = ds.name;
    metadata["namespace"] = ds.namespace_;
    metadata["uid"] = ds.uid;
    metadata["generation"] = ds.generation;
    std::string key = objectKey(ds.namespace_, ds.name);
    metadata["creationTimestamp"] = firstSeen.timestampOf(daemonSetSeenKey(ds), snapshot.generatedAt);
    if (!ds.updateStrategy.empty()) object["spec"]["updateStrategy"]["type"] = ds.updateStrategy;

    // This node's share of the DaemonSet's status: at most one pod is desired here.
    int current = 0, ready = 0, updated = 0, available = 0;
    for (const auto& pod : snapshot.pods) {
      if (pod.namespace_ != ds.namespace_ || pod.daemonSetName != ds.name || pod.terminating) continue;
      ++current;
      ready += pod.ready ? 1 : 0;
      updated += pod.revision == ds.revision ? 1 : 0;
      available += pod.available ? 1 : 0;
    }
    int desired = ds.shouldRun ? 1 : 0;
    int scheduled = desired > 0 ? std::min(current, 1) : 0;
    Json conditions = Json::array();
    object["status"] = {{"currentNumberScheduled", scheduled},
                        {"numberMisscheduled", desired > 0 ? 0 : std::min(current, 1)},
                        {"desiredNumberScheduled", desired},
                        {"numberReady", desired > 0 ? std::min(ready, 1) : 0},
                        {"observedGeneration", ds.generation},
                        {"updatedNumberScheduled", desired > 0 ? std::min(updated, 1) : 0},
                        {"numberAvailable", desired > 0 ? std::min(available, 1) : 0},
                        {"numberUnavailable", desired > 0 && available == 0 ? 1 : 0},
                        {"conditions", conditions}};
    out.emplace(key, std::move(object));
  }
  return out;
}

ObjectMap nodeObjects(const status::StatusSnapshot& snapshot, FirstSeen& firstSeen) {
  static const std::string image = osImage();
  utsname system{};
  (void)::uname(&system);
  const auto& node = snapshot.node;
  Json addresses = Json::array();
  if (!node.hostIP.empty()) addresses.push_back({{"type", "InternalIP"}, {"address", node.hostIP}});
  addresses.push_back({{"type", "Hostname"}, {"address", node.name}});
  Json object = {
      {"apiVersion", "v1"},
      {"kind", "Node"},
      {"metadata",
       {{"name", node.name},
        {"labels", node.labels},
        {"creationTimestamp", firstSeen.timestampOf(nodeSeenKey(node.name), snapshot.generatedAt)}}},
      {"spec", Json::object()},
      {"status",
       {{"conditions", Json::array({{{"type", "Ready"},
                                     {"status", snapshot.synced ? "True" : "False"},
                                     {"reason", snapshot.synced ? "DaemonletReady" : "FirstReconcilePending"},
                                     {"message", snapshot.synced ? "daemonlet is posting ready status"
                                                                 : "daemonlet has not finished its first pass"}}})},
        {"addresses", addresses},
        {"nodeInfo",
         {{"kubeletVersion", versionDocument(snapshot.agentVersion)["gitVersion"]},
          {"osImage", image},
          {"kernelVersion", system.release},
          {"operatingSystem", "linux"},
          {"architecture", "amd64"},
          {"containerRuntimeVersion", "daemonlet://" + snapshot.agentVersion}}}}}};
  if (!node.taints.empty()) object["spec"]["taints"] = model::taintsToJson(node.taints);
  ObjectMap out;
  out.emplace(node.name, std::move(object));
  return out;
}

ObjectMap namespaceObjects(const status::StatusSnapshot& snapshot, FirstSeen& firstSeen) {
  ObjectMap out;
  for (const auto& name : namespacesIn(snapshot)) {
    out.emplace(name, Json{{"apiVersion", "v1"},
                           {"kind", "Namespace"},
                           {"metadata",
                            {{"name", name},
                             {"creationTimestamp", firstSeen.timestampOf(namespaceSeenKey(name), snapshot.generatedAt)}}},
                           {"spec", {{"finalizers", Json::array({"kubernetes"})}}},
                           {"status", {{"phase", "Active"}}}});
  }
  return out;
}

}  // namespace daemonlet::kubeapi
