#pragma once
// URLs of the Kubernetes API requests the agent makes (API Concepts: LIST with
// limit/continue, WATCH with resourceVersion/allowWatchBookmarks/timeoutSeconds).
// Pure string building.
#include <cstddef>
#include <string>
#include <string_view>

namespace daemonlet::sources {

// RFC 3986 percent-encoding of a query value (unreserved characters kept).
std::string percentEncode(std::string_view value);

// "https://host:6443/" -> "https://host:6443"
std::string trimServerUrl(std::string_view server);

// /apis/apps/v1/daemonsets or /apis/apps/v1/namespaces/NS/daemonsets
std::string daemonSetCollectionPath(const std::string& namespace_);
inline constexpr std::string_view kNodeCollectionPath = "/api/v1/nodes";

struct CollectionQuery {
  std::string labelSelector;  // "" = everything
  std::string fieldSelector;  // "" = everything
};

// LIST: resourceVersion is left unset, which asks for a consistent (quorum)
// read; `limit` 0 means no pagination.
std::string kubeListUrl(const std::string& server, const std::string& path, const CollectionQuery& query,
                        std::size_t limit, const std::string& continueToken);

// WATCH from `resourceVersion` (the list's or the last event's), with bookmarks.
std::string kubeWatchUrl(const std::string& server, const std::string& path, const CollectionQuery& query,
                         const std::string& resourceVersion, long timeoutSeconds);

}  // namespace daemonlet::sources
