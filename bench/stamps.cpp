#include "bench/stamps.h"

#include <time.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace daemonlet::bench {

std::int64_t monotonicNow() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000LL + now.tv_nsec;
}

std::vector<Stamp> readStamps(const std::string& path) {
  std::ifstream in(path);
  std::vector<Stamp> stamps;
  for (std::string line; std::getline(in, line);) {
    // getline also returns a last line without '\n'; stamp_daemon writes whole
    // lines in one write, so such a line cannot occur, but skip it if it does.
    if (in.eof()) break;
    std::istringstream words(line);
    Stamp stamp;
    if (words >> stamp.pid >> stamp.monotonicNs) stamps.push_back(stamp);
  }
  return stamps;
}

std::optional<Stamp> lastStamp(const std::string& path) {
  auto stamps = readStamps(path);
  if (stamps.empty()) return std::nullopt;
  return stamps.back();
}

std::optional<Stamp> firstStamp(const std::string& path) {
  auto stamps = readStamps(path);
  if (stamps.empty()) return std::nullopt;
  return stamps.front();
}

std::vector<std::string> stampFileNames(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file()) names.push_back(it->path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::set<pid_t> currentDaemonPids(const std::string& dir) {
  std::set<pid_t> pids;
  for (const auto& name : stampFileNames(dir)) {
    if (auto stamp = lastStamp(dir + "/" + name)) pids.insert(stamp->pid);
  }
  return pids;
}

}  // namespace daemonlet::bench
