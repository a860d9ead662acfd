#include "agent/kubeapi/discovery.h"

#include <cctype>

namespace daemonlet::kubeapi {
using model::Json;

const std::vector<ServedResource>& servedResources() {
  static const std::vector<ServedResource> resources = {
      {"v1", "pods", "pod", "Pod", true, {"delete", "get", "list", "watch"}, {"po"}, {"all"}},
      {"v1", "pods/log", "", "Pod", true, {"get"}, {}, {}},
      {"v1", "nodes", "node", "Node", false, {"get", "list", "watch"}, {"no"}, {}},
      {"v1", "events", "event", "Event", true, {"get", "list", "watch"}, {"ev"}, {}},
      {"v1", "namespaces", "namespace", "Namespace", false, {"get", "list"}, {"ns"}, {}},
      {"apps/v1", "daemonsets", "daemonset", "DaemonSet", true, {"get", "list", "watch"}, {"ds"}, {"all"}},
      {"apps/v1", "daemonsets/status", "", "DaemonSet", true, {"get"}, {}, {}},
  };
  return resources;
}

model::Json versionDocument(const std::string& agentVersion) {
  // gitVersion carries the agent's own version as build metadata, which
  // kubectl's skew check ignores.
  std::string build = agentVersion.empty() ? "daemonlet" : "daemonlet." + agentVersion;
  for (char& c : build) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') c = '-';
  }
  return {{"major", "1"},
          {"minor", "32"},
          {"gitVersion", std::string(kKubernetesVersion) + "+" + build},
          {"gitCommit", ""},
          {"gitTreeState", ""},
          {"buildDate", ""},
          {"goVersion", ""},
          {"compiler", "gcc"},
          {"platform", "linux/amd64"}};
}

model::Json coreVersionsDocument(const std::string& serverAddress) {
  return {{"kind", "APIVersions"},
          {"versions", Json::array({"v1"})},
          {"serverAddressByClientCIDRs", Json::array({{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", serverAddress}}})}};
}

model::Json groupListDocument() {
  Json version = {{"groupVersion", "apps/v1"}, {"version", "v1"}};
  return {{"kind", "APIGroupList"},
          {"apiVersion", "v1"},
          {"groups", Json::array({{{"name", "apps"}, {"versions", Json::array({version})}, {"preferredVersion", version}}})}};
}

model::Json resourceListDocument(const std::string& groupVersion) {
  Json resources = Json::array();
  for (const auto& r : servedResources()) {
    if (r.groupVersion != groupVersion) continue;
    Json entry = {{"name", r.name}, {"singularName", r.singularName}, {"namespaced", r.namespaced},
                  {"kind", r.kind}, {"verbs", r.verbs}};
    if (!r.shortNames.empty()) entry["shortNames"] = r.shortNames;
    if (!r.categories.empty()) entry["categories"] = r.categories;
    resources.push_back(entry);
  }
  if (resources.empty()) return Json();
  return {{"kind", "APIResourceList"}, {"apiVersion", "v1"}, {"groupVersion", groupVersion}, {"resources", resources}};
}

}  // namespace daemonlet::kubeapi
