#pragma once
// What the Kubernetes API says about this node (GET/WATCH /api/v1/nodes), and
// the rule that merges it with the node identity configured locally.
#include <string>
#include <vector>

#include "agent/model/types.h"

namespace daemonlet::sources {

struct KubeNodeInfo {
  bool found = false;  // false: the API server has no Node of that name (not registered)
  std::string name;
  model::StringMap labels;
  std::vector<model::Taint> taints;  // spec.taints (timeAdded dropped)
  bool unschedulable = false;        // spec.unschedulable
  std::string resourceVersion;
};

// Reads a core/v1 Node object (found = true). Unknown or malformed fields are
// skipped: a Node we cannot fully read still contributes what it can.
KubeNodeInfo kubeNodeInfoFromObject(const model::Json& node);

// Same existence, labels, taints and unschedulable (resourceVersion ignored):
// the source calls onNode only when this changes, not on every status heartbeat.
bool sameNodeIdentity(const KubeNodeInfo& a, const KubeNodeInfo& b);

// The agent-owned well-known labels: always taken from the local identity.
// kubernetes.io/hostname, kubernetes.io/os, kubernetes.io/arch and their
// beta.kubernetes.io/os|arch forms describe the machine the agent runs on.
bool isAgentOwnedLabel(const std::string& key);

// Merge rule (README "Kubernetes API mode"):
// - labels = remote ∪ local; on the same key the local value wins (the node's
//   own configuration is the operator's override), and the agent-owned
//   well-known labels (isAgentOwnedLabel) only ever come from local — a remote
//   value for them is ignored even when local has none.
// - taints = local ∪ remote, deduplicated by key+effect; on the same key+effect
//   the local taint (its value) wins.
// - unschedulable stays local: a cordon (remote spec.unschedulable) adds
//   nothing, since DaemonSet pods tolerate node.kubernetes.io/unschedulable.
// - name stays local. When remote.found is false the local identity is
//   returned unchanged. `raw` is the local raw with the merged labels/taints.
model::Node mergeNodeIdentity(const model::Node& local, const KubeNodeInfo& remote);

}  // namespace daemonlet::sources
