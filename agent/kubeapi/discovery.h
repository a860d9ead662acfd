#pragma once
// The legacy discovery documents kubectl reads before anything else, listing
// exactly the resources and verbs this node serves (one table, kServedResources):
//   /version            version.Info
//   /api                APIVersions (core v1)
//   /api/v1             APIResourceList of core v1
//   /apis               APIGroupList (apps)
//   /apis/apps/v1       APIResourceList of apps/v1
#include <string>
#include <vector>

#include "agent/model/types.h"

namespace daemonlet::kubeapi {

struct ServedResource {
  std::string groupVersion;  // "v1" or "apps/v1"
  std::string name;          // plural, or "pods/log" for a subresource
  std::string singularName;
  std::string kind;
  bool namespaced = true;
  std::vector<std::string> verbs;
  std::vector<std::string> shortNames;
  std::vector<std::string> categories;
};

const std::vector<ServedResource>& servedResources();

// The Kubernetes minor release whose API this node speaks (version skew warnings).
inline constexpr const char* kKubernetesVersion = "v1.32.0";

model::Json versionDocument(const std::string& agentVersion);
model::Json coreVersionsDocument(const std::string& serverAddress);
model::Json groupListDocument();
// Empty (null) for a group version not served.
model::Json resourceListDocument(const std::string& groupVersion);

}  // namespace daemonlet::kubeapi
