#include "runtime/process/cgroup_v2.h"

#include <sys/statfs.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "runtime/process/atomic_file.h"
#include "runtime/process/proc_fs.h"

namespace daemonlet::runtime::process {
namespace {

constexpr long kCgroup2SuperMagic = 0x63677270;
constexpr std::int64_t kCpuPeriodMicros = 100'000;

void enableControllers(const std::string& dir, std::vector<std::string>& warnings) {
  for (const char* controller : {"+memory", "+cpu"}) {
    auto written = writeExistingFile(dir + "/cgroup.subtree_control", controller);
    if (!written) warnings.push_back("cannot enable " + std::string(controller + 1) + " controller: " +
                                     written.error().describe());
  }
}

}  // namespace

bool isCgroup2(const std::string& path) {
  struct statfs fs {};
  return ::statfs(path.c_str(), &fs) == 0 && static_cast<long>(fs.f_type) == kCgroup2SuperMagic;
}

std::string defaultCgroupRoot() { return isCgroup2("/sys/fs/cgroup") ? "/sys/fs/cgroup/daemonlet" : ""; }

base::Result<std::string> prepareContainerCgroup(const std::string& root, const std::string& podUid,
                                                 const std::string& containerName,
                                                 std::optional<std::int64_t> memoryMaxBytes,
                                                 std::optional<std::int64_t> cpuMaxMillis,
                                                 std::vector<std::string>& warnings) {
  const std::string podDir = root + "/" + podUid;
  const std::string containerDir = podDir + "/" + containerName;
  std::error_code ec;
  std::filesystem::create_directories(containerDir, ec);
  if (ec) return base::makeError(base::ErrorCode::kIo, "create cgroup: " + ec.message(), containerDir);
  // Limits need the controllers enabled on every level above the leaf.
  if (memoryMaxBytes || cpuMaxMillis) {
    enableControllers(root, warnings);
    enableControllers(podDir, warnings);
  }
  if (memoryMaxBytes) {
    auto written = writeExistingFile(containerDir + "/memory.max", std::to_string(*memoryMaxBytes));
    if (!written) warnings.push_back("memory limit not applied: " + written.error().describe());
  }
  if (cpuMaxMillis) {
    // cpu.max is "<quota> <period>" in microseconds: 1000m = one full CPU per period.
    std::int64_t quota = std::max<std::int64_t>(*cpuMaxMillis * kCpuPeriodMicros / 1000, 1000);
    auto written =
        writeExistingFile(containerDir + "/cpu.max", std::to_string(quota) + " " + std::to_string(kCpuPeriodMicros));
    if (!written) warnings.push_back("cpu limit not applied: " + written.error().describe());
  }
  return containerDir;
}

void removePodCgroups(const std::string& root, const std::string& podUid) {
  if (root.empty() || podUid.empty()) return;
  const std::string podDir = root + "/" + podUid;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(podDir, ec)) {
    if (entry.is_directory(ec)) ::rmdir(entry.path().c_str());  // cgroup dirs go with rmdir only
  }
  ::rmdir(podDir.c_str());
}

bool killCgroup(const std::string& path) {
  return !path.empty() && writeExistingFile(path + "/cgroup.kill", "1").has_value();
}

long long cgroupOomKillCount(const std::string& path) {
  if (path.empty()) return 0;
  auto events = readWholeFile(path + "/memory.events");
  if (!events) return 0;
  std::vector<std::string_view> words = splitWords(*events);
  for (std::size_t i = 0; i + 1 < words.size(); i += 2) {
    if (words[i] == "oom_kill") return std::strtoll(std::string(words[i + 1]).c_str(), nullptr, 10);
  }
  return 0;
}

}  // namespace daemonlet::runtime::process
