#pragma once
// The Kubernetes objects this node serves, built from one status snapshot: its
// pods (core/v1 Pod), its DaemonSets with a node-local status (apps/v1), the
// node itself and the namespaces in use. Keys are "namespace/name" ("name" for
// cluster-scoped objects). Objects carry no resourceVersion: the history
// (object_history.h) stamps that when an object changes.
#include <chrono>
#include <map>
#include <string>

#include "agent/model/types.h"
#include "agent/status/status_snapshot.h"

namespace daemonlet::kubeapi {

using ObjectMap = std::map<std::string, model::Json>;

// When each object was first seen, for creationTimestamp where the snapshot has
// none (DaemonSets, the node, namespaces): stable from one snapshot to the next.
class FirstSeen {
 public:
  std::string timestampOf(const std::string& key, std::chrono::system_clock::time_point now);

 private:
  std::map<std::string, std::string> times_;
};

// Notes when each DaemonSet, the node and each namespace was first seen, as
// building their objects does: KubeApi builds them only when asked for, and
// calls this at every snapshot so an object's age does not start at the first request.
void noteFirstSeen(const status::StatusSnapshot& snapshot, FirstSeen& firstSeen);

ObjectMap podObjects(const status::StatusSnapshot& snapshot);
ObjectMap daemonSetObjects(const status::StatusSnapshot& snapshot, FirstSeen& firstSeen);
ObjectMap nodeObjects(const status::StatusSnapshot& snapshot, FirstSeen& firstSeen);
ObjectMap namespaceObjects(const status::StatusSnapshot& snapshot, FirstSeen& firstSeen);

std::string objectKey(const std::string& namespace_, const std::string& name);

}  // namespace daemonlet::kubeapi
