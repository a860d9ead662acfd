#include <cstdio>

#include "agent/outbound/http_client.h"

namespace daemonlet::outbound {

std::string expandUrlTemplate(std::string_view urlTemplate, std::string_view nodeName) {
  // RFC 3986 unreserved characters stay; everything else is %XX, so a node name
  // can never add a path segment, query or fragment to the URL.
  std::string encoded;
  for (unsigned char c : nodeName) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      encoded += static_cast<char>(c);
    } else {
      char buffer[4];
      std::snprintf(buffer, sizeof buffer, "%%%02X", c);
      encoded += buffer;
    }
  }
  constexpr std::string_view kPlaceholder = "{node}";
  std::string out;
  std::size_t position = 0;
  while (true) {
    std::size_t found = urlTemplate.find(kPlaceholder, position);
    if (found == std::string_view::npos) break;
    out.append(urlTemplate.substr(position, found - position));
    out += encoded;
    position = found + kPlaceholder.size();
  }
  out.append(urlTemplate.substr(position));
  return out;
}

std::string Response::header(const std::string& lowerCaseName) const {
  auto found = headers.find(lowerCaseName);
  return found == headers.end() ? std::string() : found->second;
}

std::string_view failureKindName(FailureKind kind) {
  switch (kind) {
    case FailureKind::kConfig:
      return "config";
    case FailureKind::kConnect:
      return "connect";
    case FailureKind::kTimeout:
      return "timeout";
    case FailureKind::kTls:
      return "tls";
    case FailureKind::kTooLarge:
      return "too-large";
    case FailureKind::kTruncated:
      return "truncated";
    case FailureKind::kProtocol:
      return "protocol";
    case FailureKind::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

}  // namespace daemonlet::outbound
