#include "runtime/cri/container_log_rotation.h"

#include "agent/base/rotated_logs.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <vector>

namespace daemonlet::runtime::cri {

bool logNeedsRotation(const std::string& path, const LogRotationLimits& limits) {
  if (limits.maxBytes <= 0) return false;
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  return !ec && static_cast<std::int64_t>(size) > limits.maxBytes;
}

base::Status rotateLogFile(const std::string& path, const LogRotationLimits& limits, base::WallTime now) {
  const auto unixNano = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  const std::string rotated = base::rotatedLogPath(path, unixNano);
  if (::rename(path.c_str(), rotated.c_str()) != 0) {
    return base::makeError(base::ErrorCode::kIo, std::string("cannot rotate: ") + std::strerror(errno), path);
  }
  base::removeOldRotatedLogs(path, std::max(limits.maxFiles - 1, 0));
  return base::Ok{};
}


}  // namespace daemonlet::runtime::cri
