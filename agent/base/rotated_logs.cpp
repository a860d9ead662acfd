#include "agent/base/rotated_logs.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <vector>

namespace daemonlet::base {

std::string rotatedLogPath(const std::string& path, std::int64_t unixNano) {
  time_t seconds = static_cast<time_t>(unixNano / 1'000'000'000);
  tm utc{};
  gmtime_r(&seconds, &utc);
  char suffix[48];
  std::snprintf(suffix, sizeof suffix, "%04d%02d%02d-%02d%02d%02d.%09lld", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<long long>(unixNano % 1'000'000'000));
  return path + "." + suffix;
}

void removeOldRotatedLogs(const std::string& path, int keep) {
  namespace fs = std::filesystem;
  const fs::path current(path);
  const std::string prefix = current.filename().string() + ".";
  std::vector<fs::path> rotated;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(current.parent_path(), ec)) {
    if (entry.path().filename().string().rfind(prefix, 0) == 0) rotated.push_back(entry.path());
  }
  std::sort(rotated.begin(), rotated.end());
  const std::size_t kept = static_cast<std::size_t>(std::max(keep, 0));
  for (std::size_t i = 0; i + kept < rotated.size(); ++i) fs::remove(rotated[i], ec);
}

}  // namespace daemonlet::base
