#pragma once
// The complete HTTP responses the API front sends by itself, without routing:
// refusals decided from the request head (400, 401, 408, 411, 413, 414, 429,
// 431, 505) and the interim 100 Continue. Bodies are Kubernetes Status objects,
// as the routed errors are (http_api.cpp), so kubectl-style clients read them.
// Every answer says `Connection: close`: the front closes after it.
#include <string>

namespace daemonlet::status {

std::string frontAnswer(int status, const std::string& message);

inline constexpr const char* kContinueAnswer = "HTTP/1.1 100 Continue\r\n\r\n";

}  // namespace daemonlet::status
