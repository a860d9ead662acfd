#include "agent/sources/kube_node_info.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "agent/model/taint_json.h"
#include "agent/model/json_string_field.h"

namespace daemonlet::sources {
namespace {

bool sameTaint(const model::Taint& a, const model::Taint& b) {
  return a.key == b.key && a.value == b.value && a.effect == b.effect;
}

}  // namespace

KubeNodeInfo kubeNodeInfoFromObject(const model::Json& node) {
  KubeNodeInfo info;
  info.found = true;
  if (!node.is_object()) return info;
  auto metadata = node.find("metadata");
  if (metadata != node.end() && metadata->is_object()) {
    info.name = model::jsonStringField(*metadata, "name");
    info.resourceVersion = model::jsonStringField(*metadata, "resourceVersion");
    auto labels = metadata->find("labels");
    if (labels != metadata->end() && labels->is_object()) {
      for (const auto& [key, value] : labels->items()) {
        if (value.is_string()) info.labels[key] = value.get<std::string>();
      }
    }
  }
  auto spec = node.find("spec");
  if (spec != node.end() && spec->is_object()) {
    auto unschedulable = spec->find("unschedulable");
    info.unschedulable = unschedulable != spec->end() && unschedulable->is_boolean() && unschedulable->get<bool>();
    auto taints = spec->find("taints");
    if (taints != spec->end() && taints->is_array()) {
      for (const model::Json& taint : *taints) {
        if (!taint.is_object()) continue;
        model::Taint parsed{model::jsonStringField(taint, "key"), model::jsonStringField(taint, "value"), model::jsonStringField(taint, "effect")};
        if (!parsed.key.empty() && !parsed.effect.empty()) info.taints.push_back(std::move(parsed));
      }
    }
  }
  return info;
}

bool sameNodeIdentity(const KubeNodeInfo& a, const KubeNodeInfo& b) {
  return a.found == b.found && a.name == b.name && a.labels == b.labels && a.unschedulable == b.unschedulable &&
         std::equal(a.taints.begin(), a.taints.end(), b.taints.begin(), b.taints.end(), sameTaint);
}

bool isAgentOwnedLabel(const std::string& key) {
  static constexpr std::array<std::string_view, 5> kOwned = {"kubernetes.io/hostname", "kubernetes.io/os",
                                                             "kubernetes.io/arch", "beta.kubernetes.io/os",
                                                             "beta.kubernetes.io/arch"};
  return std::find(kOwned.begin(), kOwned.end(), key) != kOwned.end();
}

model::Node mergeNodeIdentity(const model::Node& local, const KubeNodeInfo& remote) {
  if (!remote.found) return local;
  model::Node merged = local;

  for (const auto& [key, value] : remote.labels) {
    if (isAgentOwnedLabel(key)) continue;
    merged.metadata.labels.emplace(key, value);  // emplace keeps an existing (local) value
  }

  for (const model::Taint& taint : remote.taints) {
    bool shadowed = std::any_of(merged.taints.begin(), merged.taints.end(), [&](const model::Taint& existing) {
      return existing.key == taint.key && existing.effect == taint.effect;
    });
    if (!shadowed) merged.taints.push_back(taint);
  }

  if (merged.raw.is_object()) {
    model::Json labels = model::Json::object();
    for (const auto& [key, value] : merged.metadata.labels) labels[key] = value;
    merged.raw["metadata"]["labels"] = std::move(labels);
    if (merged.taints.empty()) {
      if (merged.raw.contains("spec") && merged.raw["spec"].is_object()) merged.raw["spec"].erase("taints");
    } else {
      merged.raw["spec"]["taints"] = model::taintsToJson(merged.taints);
    }
  }
  return merged;
}

}  // namespace daemonlet::sources
