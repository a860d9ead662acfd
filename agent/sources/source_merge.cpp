#include "agent/sources/source_merge.h"

#include <map>

#include "agent/sources/manifest_set.h"

namespace daemonlet::sources {

std::string endpointOriginLabel(const std::string& url, EndpointOrigin how) {
  return (how == EndpointOrigin::kCache ? "cache:" : "endpoint:") + url;
}

SourceSnapshot mergeSources(const SourceSnapshot& manifestDirectory, const std::optional<EndpointSnapshot>& endpoint,
                            EndpointOrigin how) {
  SourceSnapshot merged = manifestDirectory;
  if (!endpoint) return merged;

  std::map<std::string, std::string> localOrigins;  // namespace/name -> "file:..."
  for (const auto& sourced : manifestDirectory.daemonSets) {
    localOrigins.emplace(daemonSetKey(*sourced.daemonSet), sourced.origin);
  }
  const std::string origin = endpointOriginLabel(endpoint->url, how);
  for (const auto& sourced : endpoint->daemonSets) {
    const std::string key = daemonSetKey(*sourced.daemonSet);
    if (auto local = localOrigins.find(key); local != localOrigins.end()) {
      std::string file = local->second.starts_with("file:") ? local->second.substr(5) : local->second;
      merged.notices.push_back({origin, "DaemonSet " + key + " (revision " + sourced.revision +
                                            ") is overridden on this node by the local manifest " + file});
      continue;
    }
    SourcedDaemonSet copy = sourced;
    copy.origin = origin;
    merged.daemonSets.push_back(std::move(copy));
  }
  for (const auto& error : endpoint->errors) merged.errors.push_back({origin, error.message});
  return merged;
}

}  // namespace daemonlet::sources
