#include "agent/sources/kube_request_urls.h"

#include <cctype>

namespace daemonlet::sources {
namespace {

void appendParam(std::string& url, bool& first, std::string_view name, const std::string& value) {
  url += first ? '?' : '&';
  first = false;
  url += name;
  url += '=';
  url += percentEncode(value);
}

std::string collectionUrl(const std::string& server, const std::string& path, const CollectionQuery& query,
                          bool& first) {
  std::string url = trimServerUrl(server) + path;
  first = true;
  if (!query.labelSelector.empty()) appendParam(url, first, "labelSelector", query.labelSelector);
  if (!query.fieldSelector.empty()) appendParam(url, first, "fieldSelector", query.fieldSelector);
  return url;
}

}  // namespace

std::string percentEncode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

std::string trimServerUrl(std::string_view server) {
  while (!server.empty() && server.back() == '/') server.remove_suffix(1);
  return std::string(server);
}

std::string daemonSetCollectionPath(const std::string& namespace_) {
  if (namespace_.empty()) return "/apis/apps/v1/daemonsets";
  return "/apis/apps/v1/namespaces/" + percentEncode(namespace_) + "/daemonsets";
}

std::string kubeListUrl(const std::string& server, const std::string& path, const CollectionQuery& query,
                        std::size_t limit, const std::string& continueToken) {
  bool first = true;
  std::string url = collectionUrl(server, path, query, first);
  if (limit > 0) appendParam(url, first, "limit", std::to_string(limit));
  if (!continueToken.empty()) appendParam(url, first, "continue", continueToken);
  return url;
}

std::string kubeWatchUrl(const std::string& server, const std::string& path, const CollectionQuery& query,
                         const std::string& resourceVersion, long timeoutSeconds) {
  bool first = true;
  std::string url = collectionUrl(server, path, query, first);
  appendParam(url, first, "watch", "1");
  if (!resourceVersion.empty()) appendParam(url, first, "resourceVersion", resourceVersion);
  appendParam(url, first, "allowWatchBookmarks", "true");
  if (timeoutSeconds > 0) appendParam(url, first, "timeoutSeconds", std::to_string(timeoutSeconds));
  return url;
}

}  // namespace daemonlet::sources
