#include "runtime/process/cgroup_v2.h"

#include <signal.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "runtime/process/file_io.h"
#include "runtime/process/proc_fs.h"

namespace daemonlet::runtime::process {
namespace {

constexpr long kCgroup2SuperMagic = 0x63677270;
constexpr long kCgroupSuperMagic = 0x27e0eb;  // cgroup v1
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

base::Status removePodCgroups(const std::string& root, const std::string& podUid) {
  if (root.empty() || podUid.empty()) return base::Ok{};
  const std::string podDir = root + "/" + podUid;
  std::error_code ec;
  std::string busy;
  for (const auto& entry : std::filesystem::directory_iterator(podDir, ec)) {
    // Cgroup directories go with rmdir only.
    if (entry.is_directory(ec) && ::rmdir(entry.path().c_str()) != 0 && errno != ENOENT && busy.empty()) {
      busy = entry.path().string();
    }
  }
  if (::rmdir(podDir.c_str()) != 0 && errno != ENOENT && busy.empty()) busy = podDir;
  if (busy.empty()) return base::Ok{};
  return base::makeError(base::ErrorCode::kUnavailable, "processes of the pod are still in its cgroup", busy);
}

bool killCgroup(const std::string& path) {
  if (path.empty()) return false;
  if (writeExistingFile(path + "/cgroup.kill", "1").has_value()) return true;
  // v1: no cgroup.kill. A process killed between our read and its fork cannot
  // fork any more, so a few rounds empty the cgroup.
  bool killedAny = false;
  for (int round = 0; round < 8; ++round) {
    auto procs = readWholeFile(path + "/cgroup.procs");
    if (!procs) return killedAny;
    std::vector<std::string_view> pids = splitWords(*procs);
    if (pids.empty()) return killedAny;
    for (std::string_view pid : pids) {
      long value = std::strtol(std::string(pid).c_str(), nullptr, 10);
      if (value > 1 && value != ::getpid()) killedAny = ::kill(static_cast<pid_t>(value), SIGKILL) == 0 || killedAny;
    }
  }
  return killedAny;
}

bool cgroupHasProcesses(const std::string& path) {
  if (path.empty()) return false;
  auto procs = readWholeFile(path + "/cgroup.procs");
  return procs && !splitWords(*procs).empty();
}

void killPodCgroups(const std::string& root, const std::string& podUid) {
  if (root.empty() || podUid.empty()) return;
  const std::string podDir = root + "/" + podUid;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(podDir, ec)) {
    if (entry.is_directory(ec)) killCgroup(entry.path().string());
  }
  killCgroup(podDir);
}

base::Result<std::string> trackingCgroupRoot(const std::string& runDir) {
  std::string base;
  for (const char* unified : {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"}) {
    if (isCgroup2(unified)) {
      base = unified;
      break;
    }
  }
  std::string why;
  if (!base.empty()) {
    const std::string root = base + "/daemonlet";
    std::error_code ec;
    std::filesystem::create_directories(root, ec);
    if (!ec) return root;
    why = "cannot create " + root + ": " + ec.message();
  }
  // No writable unified hierarchy: a named v1 hierarchy of our own, with no
  // controllers, only membership (mounting the same name again joins it).
  const std::string mountPoint = runDir + "/cgroup";
  std::error_code ec;
  std::filesystem::create_directories(mountPoint, ec);
  struct statfs fs {};
  bool mounted = ::statfs(mountPoint.c_str(), &fs) == 0 && static_cast<long>(fs.f_type) == kCgroupSuperMagic;
  if (!mounted && ::mount("cgroup", mountPoint.c_str(), "cgroup", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                          "none,name=daemonlet") != 0) {
    if (!why.empty()) why += "; ";
    return base::makeError(base::ErrorCode::kUnavailable,
                           why + "cannot mount a name=daemonlet cgroup hierarchy: " + std::strerror(errno), mountPoint);
  }
  return mountPoint;
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
