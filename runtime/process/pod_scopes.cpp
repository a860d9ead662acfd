#include "runtime/process/pod_scopes.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "agent/base/log.h"
#include "runtime/process/cgroup_membership.h"
#include "runtime/process/cgroup_v2.h"

extern char** environ;

namespace daemonlet::runtime::process {
namespace {

// The anchor: `<shim> --hold`, its stdin the read end of a pipe we keep the
// write end of; it exits at end of file (our close, or our death).
base::Result<ScopePlacement> spawnAnchor(const std::vector<std::string>& command) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return base::makeError(base::ErrorCode::kIo, std::string("pipe: ") + std::strerror(errno));
  }
  UniqueFd readEnd(fds[0]);
  ScopePlacement placement;
  placement.anchorRelease.reset(fds[1]);
  std::vector<std::string> argv = command;
  argv.push_back("--hold");
  std::vector<char*> args;
  for (auto& arg : argv) args.push_back(arg.data());
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, readEnd.get(), 0);
  int rc = ::posix_spawn(&placement.anchor, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return base::makeError(base::ErrorCode::kIo, std::string("spawn: ") + std::strerror(rc), argv[0]);
  return placement;
}

bool unitExists(const base::Error& error) {
  return error.code == base::ErrorCode::kInvalidArgument && error.message.find("UnitExists") != std::string::npos;
}

// Starts the scope around `pid`, or moves `pid` into it when it exists.
base::Status startOrJoin(systemd::UnitManager& units, const systemd::ScopeRequest& request) {
  auto started = units.startScope(request);
  if (started || !unitExists(started.error())) return started;
  return units.attachProcesses(request.unitName, request.pids);
}

}  // namespace

PodScopes::PodScopes(systemd::UnitManager& units, std::string trackingMount, std::vector<std::string> anchorCommand)
    : units_(units), trackingMount_(std::move(trackingMount)), anchorCommand_(std::move(anchorCommand)) {}

std::string PodScopes::cgroupRoot() const { return trackingMount_ + "/" + systemd::kDaemonletSlice; }

std::string PodScopes::podKey(const std::string& podUid) { return systemd::podScopeName(podUid); }

base::Result<ScopePlacement> PodScopes::prepare(const PodRef& pod, const std::string& containerName,
                                                const systemd::ScopeLimits& limits) {
  auto placement = spawnAnchor(anchorCommand_);
  if (!placement) return placement.error();
  systemd::ScopeRequest request;
  request.unitName = systemd::podScopeName(pod.uid);
  request.description = "daemonlet pod " + pod.namespace_ + "/" + pod.name;
  request.pids = {placement->anchor};
  request.delegate = true;
  request.limits = limits;
  auto placed = startOrJoin(units_, request);
  auto directories = placed ? cgroupDirectoriesOf(placement->anchor) : base::Result<std::vector<CgroupDirectory>>(placed.error());
  if (!directories) {
    ::kill(placement->anchor, SIGKILL);
    release(*placement);
    return directories.error();
  }
  // Only the hierarchies systemd placed the anchor in: in the others (v1
  // controllers it does not manage, read-only in a container) the container
  // stays where the shim host is, as a process systemd moved would.
  const std::string scopeSuffix = std::string("/") + systemd::kDaemonletSlice + "/" + request.unitName;
  for (const CgroupDirectory& directory : *directories) {
    const std::string& path = directory.path;
    if (path.size() < scopeSuffix.size() || path.compare(path.size() - scopeSuffix.size(), scopeSuffix.size(), scopeSuffix) != 0) {
      continue;
    }
    if (directory.path.rfind(trackingMount_ + "/", 0) == 0 && placement->cgroupPath.empty()) {
      placement->cgroupPath = directory.path + "/" + containerName;
    } else {
      placement->otherCgroupPaths.push_back(directory.path);
    }
  }
  std::error_code ec;
  if (!placement->cgroupPath.empty()) std::filesystem::create_directories(placement->cgroupPath, ec);
  if (placement->cgroupPath.empty() || ec) {
    ::kill(placement->anchor, SIGKILL);
    release(*placement);
    return base::makeError(base::ErrorCode::kIo, "cannot make the container's cgroup in its scope" +
                                                     (ec ? ": " + ec.message() : std::string()),
                           request.unitName);
  }
  return placement;
}

void PodScopes::release(ScopePlacement& placement) {
  placement.anchorRelease.reset();
  if (placement.anchor <= 0) return;
  while (::waitpid(placement.anchor, nullptr, 0) < 0 && errno == EINTR) {
  }
  placement.anchor = 0;
}

base::Status PodScopes::removePod(const std::string& podUid) { return units_.stopUnit(systemd::podScopeName(podUid)); }

void PodScopes::placeShimHost(pid_t shimPid) {
  if (shimPid <= 0 || shimPid == placedShim_) return;
  systemd::ScopeRequest request;
  request.unitName = systemd::kShimScope;
  request.description = "daemonlet shim host (parent of the host pods' processes)";
  request.pids = {shimPid};
  auto placed = startOrJoin(units_, request);
  if (!placed) {
    base::logWarning("shim host stays in the agent's unit; stopping the agent may stop it",
                     {{"shimPid", std::to_string(shimPid)}, {"error", placed.error().describe()}});
    return;
  }
  placedShim_ = shimPid;
}

std::string scopeTrackingMount() {
  for (const char* unified : {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"}) {
    if (isCgroup2(unified)) return unified;
  }
  std::error_code ec;
  if (std::filesystem::is_directory("/sys/fs/cgroup/systemd", ec)) return "/sys/fs/cgroup/systemd";
  return {};
}

}  // namespace daemonlet::runtime::process
