#include "runtime/cri/container_log_rotation.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <vector>

namespace daemonlet::runtime::cri {
namespace {

// Fixed width, so rotated names sort by time (the host runtime's format).
std::string rotationSuffix(base::WallTime now) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  time_t seconds = static_cast<time_t>(ns / 1'000'000'000);
  tm utc{};
  gmtime_r(&seconds, &utc);
  char text[48];
  std::snprintf(text, sizeof text, "%04d%02d%02d-%02d%02d%02d.%09lld", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<long long>(ns % 1'000'000'000));
  return text;
}

}  // namespace

bool logNeedsRotation(const std::string& path, const LogRotationLimits& limits) {
  if (limits.maxBytes <= 0) return false;
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  return !ec && static_cast<std::int64_t>(size) > limits.maxBytes;
}

base::Status rotateLogFile(const std::string& path, const LogRotationLimits& limits, base::WallTime now) {
  std::string rotated = path + "." + rotationSuffix(now);
  if (::rename(path.c_str(), rotated.c_str()) != 0) {
    return base::makeError(base::ErrorCode::kIo, std::string("cannot rotate: ") + std::strerror(errno), path);
  }
  removeOldRotatedLogs(path, std::max(limits.maxFiles - 1, 0));
  return base::Ok{};
}

void removeOldRotatedLogs(const std::string& path, int keep) {
  namespace fs = std::filesystem;
  fs::path current(path);
  const std::string prefix = current.filename().string() + ".";
  std::vector<fs::path> rotated;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(current.parent_path(), ec)) {
    if (entry.path().filename().string().rfind(prefix, 0) == 0) rotated.push_back(entry.path());
  }
  std::sort(rotated.begin(), rotated.end());
  for (std::size_t i = 0; i + static_cast<std::size_t>(keep) < rotated.size(); ++i) fs::remove(rotated[i], ec);
}

}  // namespace daemonlet::runtime::cri
