#include "runtime/process/process_runtime.h"

#include <signal.h>
#include "runtime/process/pidfd.h"

#include <cstring>
#include <filesystem>

#include <boost/asio/post.hpp>

#include "agent/base/log.h"
#include "runtime/process/file_io.h"
#include "runtime/process/cgroup_v2.h"
#include "runtime/process/host_exec.h"
#include "runtime/process/proc_fs.h"
#include "runtime/process/shim_security_request.h"
#include "runtime/process/tracked_container.h"
#include "runtime/runtime_set.h"
#include "runtime/container_reasons.h"

namespace daemonlet::runtime::process {
namespace {

constexpr int kUnknownExitCode = 137;  // what the kubelet reports when the status is lost

// A pod scope's limits are its container's. A pod of several containers gets
// none at the scope level (its scope is made by whichever starts first; the
// kubelet's sum-of-limits pod cgroup is not done here).
systemd::ScopeLimits scopeLimitsFor(const ContainerStartRequest& request) {
  if (request.podSpec && request.podSpec->containers.size() + request.podSpec->initContainers.size() > 1) return {};
  return {request.limits.memoryBytes, request.limits.cpuMillis};
}

std::string hostContainerId(pid_t pid) { return "host://" + std::to_string(pid); }

// The handle of an exec that failed before it ran.
class NothingToCancel : public ExecHandle {
 public:
  void cancel() override {}
};

std::vector<std::string> containerEnvironment(const ContainerStartRequest& request, const std::string& id,
                                              const std::string& stateDir) {
  std::vector<std::string> env;
  bool hasPath = false;
  for (const auto& [name, value] : request.env) {
    if (name == kContainerIdMarker || name == kStateDirMarker) continue;  // ours, not overridable
    hasPath = hasPath || name == "PATH";
    env.push_back(name + "=" + value);
  }
  if (!hasPath) env.push_back(std::string("PATH=") + kDefaultPath);
  env.push_back(std::string(kContainerIdMarker) + "=" + id);
  env.push_back(std::string(kStateDirMarker) + "=" + stateDir);
  return env;
}

std::vector<std::string> shimCommandWithOptions(const ProcessRuntimeOptions& options) {
  std::vector<std::string> command = options.shimCommand;
  if (options.containerFileLimit > 0 && !command.empty()) {
    command.insert(command.end(), {"--container-nofile", std::to_string(options.containerFileLimit)});
  }
  return command;
}

}  // namespace

ProcessRuntime::ProcessRuntime(boost::asio::io_context& io, ProcessRuntimeOptions options)
    : io_(io),
      options_(std::move(options)),
      bootId_(currentBootId()),
      recordSync_(options_.stateDir),
      host_(io, shimCommandWithOptions(options_), options_.stateDir + "/shim.sock", options_.shimReportTimeout) {
  std::error_code ec;
  std::filesystem::create_directories(options_.stateDir, ec);
  if (ec) base::logError("cannot create runtime state directory", {{"dir", options_.stateDir}, {"error", ec.message()}});
  host_.setExitNotice([this](const std::string& id) { onExitRecorded(id); });
  host_.setDisconnected([this] { onHostLost(); });
  host_.setReportHold(options_.holdStartReports);
  // Before list() adopts anything: the exits of containers a running host
  // parents must reach us.
  host_.connectIfRunning();
  if (options_.units != nullptr) {
    const std::string tracking = scopeTrackingMount();
    scopes_ = std::make_unique<PodScopes>(*options_.units, tracking, options_.shimCommand);
    options_.cgroupRoot = scopes_->cgroupRoot();
    options_.cgroupLimits = false;  // systemd writes them, as the scope's properties
    base::logInfo("host pods run in systemd scopes", {{"slice", systemd::kDaemonletSlice}, {"tracking", tracking}});
  } else if (options_.cgroupRoot.empty() || !options_.cgroupLimits) {
    base::logWarning("host runtime without cgroup v2: container resource limits are not applied",
                     {{"hint", "cgroup v1 hosts are not supported for limits; containers still run"},
                      {"tracking", options_.cgroupRoot.empty() ? "process groups only" : options_.cgroupRoot}});
  }
}

ProcessRuntime::~ProcessRuntime() { *alive_ = false; }

std::string ProcessRuntime::podCgroupKey(const std::string& podUid) const {
  return scopes_ != nullptr ? PodScopes::podKey(podUid) : podUid;
}

void ProcessRuntime::setEventHandler(ContainerEventHandler handler) { exitHandler_ = std::move(handler); }

const std::string& ProcessRuntime::name() const {
  static const std::string kName = kHostRuntimeName;
  return kName;
}

std::string ProcessRuntime::podIP(const std::string& /*podUid*/) const {
  return options_.hostIP.empty() ? std::string("127.0.0.1") : options_.hostIP;
}

base::Result<ShimSpec> ProcessRuntime::prepareSpec(const ContainerStartRequest& request) {
  const model::Container& container = request.container;
  if (container.command.empty() && container.args.empty()) {
    return base::makeError(base::ErrorCode::kInvalidArgument,
                           "the host runtime needs command (there is no image entrypoint)", container.name);
  }
  ShimSpec spec;
  spec.id = makeRecordId(request.pod.uid, container.name, request.restartCount);
  spec.recordDir = options_.stateDir;
  spec.argv = container.command;
  spec.argv.insert(spec.argv.end(), container.args.begin(), container.args.end());
  spec.env = containerEnvironment(request, spec.id, options_.stateDir);
  spec.workingDir = container.workingDir;
  resolveShimIdentity(request, spec);
  spec.logPath = request.logPath.empty()
                     ? defaultContainerLogPath(options_.logDir, request.pod, container.name, request.restartCount)
                     : request.logPath;
  spec.logMaxBytes = options_.logMaxBytes;
  spec.logMaxFiles = options_.logMaxFiles;
  spec.syncExitRecord = options_.syncRecords;
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(spec.logPath).parent_path(), ec);
  if (scopes_ == nullptr && !options_.cgroupRoot.empty()) {
    std::vector<std::string> warnings;
    auto cgroup = prepareContainerCgroup(
        options_.cgroupRoot, podCgroupKey(request.pod.uid), container.name,
        options_.cgroupLimits ? request.limits.memoryBytes : std::nullopt,
        options_.cgroupLimits ? request.limits.cpuMillis : std::nullopt, warnings);
    for (const auto& warning : warnings) base::logWarning(warning, {{"container", spec.id}});
    if (cgroup) {
      spec.cgroupPath = *cgroup;
    } else {
      base::logWarning("container runs without a cgroup", {{"container", spec.id}, {"error", cgroup.error().describe()}});
    }
  }
  return spec;
}

void ProcessRuntime::start(const ContainerStartRequest& request, StartCallback done) {
  auto spec = prepareSpec(request);
  std::shared_ptr<ScopePlacement> placement;
  if (spec && scopes_ != nullptr) {
    auto placed = scopes_->prepare(request.pod, request.container.name, scopeLimitsFor(request));
    if (placed) {
      placement = std::make_shared<ScopePlacement>(std::move(placed).value());
      spec->cgroupPath = placement->cgroupPath;
      spec->extraCgroupPaths = placement->otherCgroupPaths;
    } else {
      spec = placed.error();
    }
  }
  if (!spec) {
    boost::asio::post(io_, [done = std::move(done), error = spec.error()] { done(error); });
    return;
  }
  host_.startAsync(*spec, [this, alive = std::weak_ptr<bool>(alive_), request, spec = *spec, placement,
                           done = std::move(done)](base::Result<ShimReport> report) {
    // The container is in its scope (or never started): the anchor may go.
    if (placement) PodScopes::release(*placement);
    if (!alive.lock()) {
      // The runtime is gone (agent shutting down): the container, if it
      // started, runs on unrecorded and is found again by its marker.
      return;
    }
    if (!report) return done(report.error());
    done(completeStart(request, spec, *report));
  });
}

void ProcessRuntime::noteSecurityOutcome(const ShimSpec& spec, const ShimReport& report) {
  for (const auto& warning : report.warnings) base::logWarning(warning, {{"container", spec.id}});
  if (report.securityApplied) return;
  // A host started by an earlier agent (it outlives agent upgrades while it
  // parents containers) ignores ShimSpec::security: this container runs with
  // the host's capabilities and oom_score_adj. Said once per host; the host
  // exits once its last container has, and the next start gets a new one.
  if (report.shimPid == outdatedHostPid_ && report.shimStartTime == outdatedHostStartTime_) return;
  outdatedHostPid_ = report.shimPid;
  outdatedHostStartTime_ = report.shimStartTime;
  base::logError(
      "shim host predates security settings: containers it starts keep its capabilities, groups and "
      "oom_score_adj (runAsNonRoot and runAsUser still apply)",
      {{"shimPid", std::to_string(report.shimPid)},
       {"container", spec.id},
       {"hint", "stop the daemons of this node once (or reboot) so a current shim host parents them"}});
}

base::Result<ContainerStatus> ProcessRuntime::completeStart(const ContainerStartRequest& request,
                                                            const ShimSpec& spec, const ShimReport& report) {
  noteSecurityOutcome(spec, report);
  if (scopes_ != nullptr) scopes_->placeShimHost(report.shimPid);
  ContainerRecord record;
  record.id = spec.id;
  record.pod = request.pod;
  record.containerName = request.container.name;
  record.init = request.init;
  record.restartCount = request.restartCount;
  record.pid = report.pid;
  record.pidStartTime = report.pidStartTime;
  record.processGroup = report.pid;
  record.shimPid = report.shimPid;
  record.shimStartTime = report.shimStartTime;
  record.startedAtUnixNano = report.startedAtUnixNano;
  record.logPath = spec.logPath;
  record.workingDir = request.container.workingDir;
  record.cgroupPath = report.cgroupPath;
  if (!record.cgroupPath.empty()) record.cgroupMembership = cgroupV2PathOf(record.pid);
  record.terminationGracePeriodSeconds = request.terminationGracePeriod.count();
  record.bootId = bootId_;
  auto written = base::writeFileAtomically(recordPath(options_.stateDir, record.id), encodeRecord(record), 0600,
                                           options_.syncRecords ? base::FileDurability::kSynced
                                                                : base::FileDurability::kRenameOnly);
  if (!written) {
    // Without a record a restarted agent could not adopt it: better no container.
    ::kill(-record.processGroup, SIGKILL);
    return written.error();
  }
  if (!options_.syncRecords) recordSync_.request();
  Tracked& tracked = track(std::move(record), ContainerState::kRunning);
  watch(tracked);
  ContainerStatus status = statusOf(tracked);
  pruneOlderInstances(request.pod.uid, request.container.name, spec.id);
  return status;
}

ProcessRuntime::Tracked& ProcessRuntime::track(ContainerRecord record, ContainerState state) {
  auto tracked = std::make_unique<Tracked>();
  tracked->record = std::move(record);
  tracked->state = state;
  Tracked& ref = *tracked;
  containers_[ref.record.id] = std::move(tracked);
  return ref;
}

void ProcessRuntime::watch(Tracked& tracked) {
  const std::string id = tracked.record.id;
  int pidfd = openPidfd(tracked.record.pid);
  if (pidfd < 0 && errno != ESRCH) {
    // EMFILE, ENFILE, ENOMEM: our failure, not the container's exit.
    return retryWatch(tracked, std::string("pidfd_open: ") + std::strerror(errno));
  }
  // Checked after opening: from here on the pidfd pins this very process, so a
  // start time that still matches now cannot belong to a recycled pid.
  Liveness liveness = pidfd < 0 ? Liveness::kGone : processLiveness(tracked.record.pid, tracked.record.pidStartTime);
  if (liveness == Liveness::kUnknown) {
    ::close(pidfd);
    return retryWatch(tracked, "cannot read /proc/" + std::to_string(tracked.record.pid) + "/stat");
  }
  if (liveness == Liveness::kGone) {
    if (pidfd >= 0) ::close(pidfd);
    boost::asio::post(io_, [this, alive = std::weak_ptr<bool>(alive_), id] {
      if (alive.lock()) onContainerGone(id);
    });
    return;
  }
  if (tracked.watchRetry.failures() > 0) {
    logThrottle_.clear("watch:" + id);
    base::logInfo("watching container again",
                  {{"container", id}, {"failed_attempts", std::to_string(tracked.watchRetry.failures())}});
  }
  tracked.watchRetry.succeeded();
  tracked.watchRetryTimer.reset();
  tracked.containerWatch = std::make_unique<boost::asio::posix::stream_descriptor>(io_, pidfd);
  tracked.containerWatch->async_wait(boost::asio::posix::stream_descriptor::wait_read,
                                     [this, alive = std::weak_ptr<bool>(alive_), id](boost::system::error_code ec) {
                                       if (!alive.lock() || ec == boost::asio::error::operation_aborted) return;
                                       onContainerGone(id);
                                     });
}

void ProcessRuntime::retryWatch(Tracked& tracked, const std::string& why) {
  const std::string id = tracked.record.id;
  auto delay = tracked.watchRetry.failed(std::chrono::steady_clock::now());
  auto verdict = logThrottle_.allow("watch:" + id, std::chrono::steady_clock::now());
  if (verdict.log) {
    base::logWarning("cannot watch container; it stays running, retrying",
                     {{"container", id}, {"error", why}, {"retry_in", std::to_string(delay.count()) + "ms"},
                      {"suppressed", base::suppressedNote(verdict.suppressed)}});
  }
  tracked.watchRetryTimer = std::make_unique<boost::asio::steady_timer>(io_, delay);
  tracked.watchRetryTimer->async_wait([this, alive = std::weak_ptr<bool>(alive_), id](boost::system::error_code ec) {
    if (!alive.lock() || ec == boost::asio::error::operation_aborted) return;
    auto it = containers_.find(id);
    if (it == containers_.end() || it->second->containerGone || it->second->containerWatch) return;
    watch(*it->second);
  });
}

void ProcessRuntime::onContainerGone(const std::string& id) {
  auto it = containers_.find(id);
  if (it == containers_.end() || it->second->containerGone) return;
  Tracked& tracked = *it->second;
  tracked.containerGone = true;
  if (fileExists(exitRecordPath(options_.stateDir, id))) return finishExit(id);
  auto alive = std::weak_ptr<bool>(alive_);
  // The connected host announces the record on its socket (onExitRecorded). A
  // per-container shim of an earlier version writes the record and then exits:
  // its exit is the cue. No live shim at all: nobody will write it.
  if (!host_.isConnectedHost(tracked.record.shimPid, tracked.record.shimStartTime)) {
    int shimfd = tracked.record.shimPid > 0 ? openPidfd(tracked.record.shimPid) : -1;
    if (shimfd < 0 || !isSameLiveProcess(tracked.record.shimPid, tracked.record.shimStartTime)) {
      if (shimfd >= 0) ::close(shimfd);
      return finishExit(id);
    }
    tracked.shimWatch = std::make_unique<boost::asio::posix::stream_descriptor>(io_, shimfd);
    tracked.shimWatch->async_wait(boost::asio::posix::stream_descriptor::wait_read,
                                  [this, alive, id](boost::system::error_code ec) {
                                    if (!alive.lock() || ec == boost::asio::error::operation_aborted) return;
                                    finishExit(id);
                                  });
  }
  tracked.shimTimer = std::make_unique<boost::asio::steady_timer>(io_, options_.exitRecordTimeout);
  tracked.shimTimer->async_wait([this, alive, id](boost::system::error_code ec) {
    if (!alive.lock() || ec == boost::asio::error::operation_aborted) return;
    base::logWarning("shim did not record the container's exit in time", {{"container", id}});
    finishExit(id);
  });
}

void ProcessRuntime::onExitRecorded(const std::string& id) {
  auto it = containers_.find(id);
  if (it == containers_.end() || it->second->state == ContainerState::kExited) return;
  // The notice can overtake our own pidfd wake-up; either one finishes the exit.
  it->second->containerGone = true;
  finishExit(id);
}

void ProcessRuntime::onHostLost() {
  // Exits the host had not recorded yet never will be: finish them now.
  std::vector<std::string> waiting;
  for (const auto& [id, tracked] : containers_) {
    if (tracked->containerGone && tracked->state != ContainerState::kExited) waiting.push_back(id);
  }
  for (const auto& id : waiting) finishExit(id);
}

void ProcessRuntime::markExited(Tracked& tracked) {
  auto text = readWholeFile(exitRecordPath(options_.stateDir, tracked.record.id));
  auto exit = text ? decodeExitRecord(*text) : base::Result<ExitRecord>(text.error());
  if (exit) tracked.exit = *exit;
  // The shim wrote it without fsync (see ProcessRuntimeOptions::syncRecords).
  if (exit && !options_.syncRecords) recordSync_.request();
  tracked.state = ContainerState::kExited;
  tracked.containerGone = true;
}

void ProcessRuntime::finishExit(const std::string& id) {
  auto it = containers_.find(id);
  if (it == containers_.end() || it->second->state == ContainerState::kExited) return;
  Tracked& tracked = *it->second;
  markExited(tracked);
  tracked.containerWatch.reset();
  tracked.shimWatch.reset();
  tracked.killTimer.reset();
  tracked.shimTimer.reset();
  tracked.watchRetryTimer.reset();
  ContainerStatus status = statusOf(tracked);
  std::vector<StopCallback> waiters = std::move(tracked.stopWaiters);
  tracked.stopWaiters.clear();
  // The handlers may start, stop or remove containers: `tracked` is not used after this.
  if (exitHandler_) exitHandler_(status);
  for (auto& waiter : waiters) waiter(status);
}

base::Status ProcessRuntime::stop(const std::string& containerId, std::chrono::milliseconds grace,
                                  StopCallback done) {
  Tracked* tracked = find(containerId);
  if (tracked == nullptr) return base::makeError(base::ErrorCode::kNotFound, "no such container", containerId);
  if (tracked->state == ContainerState::kExited) {
    boost::asio::post(io_, [done = std::move(done), status = statusOf(*tracked)] {
      if (done) done(status);
    });
    return base::Ok{};
  }
  if (done) tracked->stopWaiters.push_back(std::move(done));
  // A stop already under way keeps its SIGKILL deadline unless this one's is
  // earlier (a deletion that shortened the grace period): a longer grace never
  // delays the kill, a shorter one brings it forward.
  const auto deadline = std::chrono::steady_clock::now() + grace;
  const bool stopping = tracked->killTimer != nullptr;
  if (stopping && tracked->killTimer->expiry() <= deadline) return base::Ok{};
  if (grace.count() <= 0) {
    signalGroup(*tracked, SIGKILL);
    // Expired already: no later stop moves it.
    tracked->killTimer = std::make_unique<boost::asio::steady_timer>(io_, std::chrono::steady_clock::now());
    return base::Ok{};
  }
  if (!stopping) signalGroup(*tracked, SIGTERM);
  const std::string id = tracked->record.id;
  // Replacing the timer cancels the later deadline's wait.
  tracked->killTimer = std::make_unique<boost::asio::steady_timer>(io_, deadline);
  tracked->killTimer->async_wait([this, alive = std::weak_ptr<bool>(alive_), id](boost::system::error_code ec) {
    if (!alive.lock() || ec == boost::asio::error::operation_aborted) return;
    auto it = containers_.find(id);
    if (it == containers_.end() || it->second->containerGone) return;
    base::logInfo("grace period over, killing container", {{"container", id}});
    signalGroup(*it->second, SIGKILL);
  });
  return base::Ok{};
}

void ProcessRuntime::signalGroup(Tracked& tracked, int signal) {
  if (tracked.containerGone) return;
  if (!tracked.containerWatch) {
    // Not watched yet (our own descriptors ran out): the start time still
    // tells this process from a later one with its pid.
    if (isSameLiveProcess(tracked.record.pid, tracked.record.pidStartTime)) ::kill(-tracked.record.processGroup, signal);
    if (signal == SIGKILL) killCgroup(tracked.record.cgroupPath);
    return;
  }
  // While the group leader's pidfd shows it alive (or unreaped), its pid, and so
  // the group id, cannot have been reused: signalling -pgid is safe.
  int pidfd = tracked.containerWatch->native_handle();
  if (signalPidfd(pidfd, 0) != 0) return;
  if (::kill(-tracked.record.processGroup, signal) != 0) signalPidfd(pidfd, signal);
  if (signal == SIGKILL) killCgroup(tracked.record.cgroupPath);
}

std::shared_ptr<ExecHandle> ProcessRuntime::exec(const std::string& containerId,
                                                 const std::vector<std::string>& command,
                                                 std::chrono::milliseconds timeout, ExecCallback done) {
  HostExecRequest request;
  request.command = command;
  std::string problem;
  const Tracked* tracked = find(containerId);
  if (tracked == nullptr || tracked->state == ContainerState::kExited) {
    problem = "container " + containerId + " is not running";
  } else if (auto environment = processEnvironment(tracked->record.pid); !environment) {
    problem = "cannot read the container's environment: " + environment.error().describe();
  } else {
    for (const std::string& variable : *environment) {
      auto equals = variable.find('=');
      if (equals == std::string::npos) continue;
      std::string name = variable.substr(0, equals);
      if (name == kContainerIdMarker || name == kStateDirMarker) continue;
      request.env.emplace(std::move(name), variable.substr(equals + 1));
    }
    request.workingDir = tracked->record.workingDir;
  }
  if (problem.empty()) return startHostExec(io_, request, timeout, std::move(done));
  // Never call back from inside exec(): the caller may not be ready for it.
  boost::asio::post(io_, [problem, done = std::move(done)] { done(ExecResult{false, problem}); });
  return std::make_shared<NothingToCancel>();
}

ProcessRuntime::Tracked* ProcessRuntime::find(const std::string& containerId) {
  // A pid may appear twice (an old exited instance, a new one): the live one wins.
  Tracked* exited = nullptr;
  for (auto& [id, tracked] : containers_) {
    if (hostContainerId(tracked->record.pid) != containerId && id != containerId) continue;
    if (tracked->state != ContainerState::kExited) return tracked.get();
    exited = tracked.get();
  }
  return exited;
}

ContainerStatus ProcessRuntime::statusOf(const Tracked& tracked) const {
  const ContainerRecord& r = tracked.record;
  ContainerStatus status;
  status.containerId = hostContainerId(r.pid);
  status.pod = r.pod;
  status.containerName = r.containerName;
  status.init = r.init;
  status.state = tracked.state;
  status.pid = r.pid;
  status.startedAt = fromUnixNano(r.startedAtUnixNano);
  status.restartCount = r.restartCount;
  status.logPath = r.logPath;
  if (tracked.state != ContainerState::kExited) return status;
  if (tracked.exit) {
    const ExitRecord& e = *tracked.exit;
    status.finishedAt = fromUnixNano(e.finishedAtUnixNano);
    status.exitCode = e.exitCode;
    status.signal = e.signal;
    status.reason = e.oomKilled ? reasons::kOOMKilled : e.exitCode == 0 ? reasons::kCompleted : reasons::kError;
    if (e.signal != 0) {
      status.message = "terminated by signal " + std::to_string(e.signal) + " (" + ::strsignal(e.signal) + ")";
    }
  } else {
    status.exitCode = kUnknownExitCode;
    status.reason = reasons::kContainerStatusUnknown;
    status.message = "the container exited but its shim did not record how";
  }
  return status;
}

}  // namespace daemonlet::runtime::process
