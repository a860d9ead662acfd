// ProcessRuntime: finding containers again after an agent restart (list), and
// forgetting them (remove, pruning of old instances).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <set>
#include <tuple>

#include <boost/asio/post.hpp>

#include "agent/base/log.h"
#include "runtime/process/file_io.h"
#include "runtime/process/cgroup_v2.h"
#include "runtime/process/proc_fs.h"
#include "runtime/process/process_runtime.h"
#include "runtime/process/tracked_container.h"

namespace daemonlet::runtime::process {
namespace {

constexpr std::string_view kRecordSuffix = ".json";
constexpr std::string_view kExitSuffix = ".exit.json";

bool endsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// Record ids named by the files in the state directory (exit records and temp
// files excluded).
std::vector<std::string> recordIdsOnDisk(const std::string& stateDir) {
  std::vector<std::string> ids;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(stateDir, ec)) {
    std::string name = entry.path().filename().string();
    if (!endsWith(name, kRecordSuffix) || endsWith(name, kExitSuffix)) continue;
    ids.push_back(name.substr(0, name.size() - kRecordSuffix.size()));
  }
  return ids;
}

// With cgroups, a live pid must also still sit in the container's cgroup.
bool inRecordedCgroup(const ContainerRecord& record) {
  return record.cgroupMembership.empty() || cgroupV2PathOf(record.pid) == record.cgroupMembership;
}

// Written by us (root, in our own state directory), not planted by another user.
bool ownedByUs(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && info.st_uid == ::geteuid();
}

// Which of two live instances of one container is kept: one with a record
// over one found by its marker alone, then the later start (ids cannot order
// them: "_10_" sorts before "_9_").
bool preferredInstance(const ContainerRecord& a, bool aRecorded, const ContainerRecord& b, bool bRecorded) {
  if (aRecorded != bRecorded) return aRecorded;
  if (a.restartCount != b.restartCount) return a.restartCount > b.restartCount;
  return a.startedAtUnixNano > b.startedAtUnixNano;
}

}  // namespace

void ProcessRuntime::list(ListCallback done) {
  // Local files and /proc only, so no pool: read when the posted call runs,
  // which gives the state as it is when `done` hears of it (an exit posted
  // before this answer is not listed running again).
  boost::asio::post(io_, [this, alive = std::weak_ptr<bool>(alive_), done = std::move(done)]() mutable {
    if (alive.lock()) done(listNow());
  });
}

std::vector<ContainerStatus> ProcessRuntime::listNow() {
  adoptRecordsFromDisk();
  adoptMarkedProcesses();
  stopDuplicateInstances();
  std::vector<const Tracked*> listed;
  for (const auto& [id, tracked] : containers_) {
    if (!tracked->duplicate) listed.push_back(tracked.get());
  }
  // Oldest instance of each container first, so a caller that keeps the last
  // status per container keeps the newest: ordering by id put restart 10
  // before restart 9, and the exited 9th then hid the running 10th (a second
  // copy was started beside it).
  std::stable_sort(listed.begin(), listed.end(), [](const Tracked* a, const Tracked* b) {
    const ContainerRecord& x = a->record;
    const ContainerRecord& y = b->record;
    return std::tie(x.pod.uid, x.containerName, x.init, x.restartCount, x.startedAtUnixNano) <
           std::tie(y.pod.uid, y.containerName, y.init, y.restartCount, y.startedAtUnixNano);
  });
  std::vector<ContainerStatus> statuses;
  for (const Tracked* tracked : listed) statuses.push_back(statusOf(*tracked));
  return statuses;
}

void ProcessRuntime::stopDuplicateInstances() {
  std::map<std::tuple<std::string, std::string, bool>, Tracked*> keep;
  std::vector<Tracked*> doomed;
  for (auto& [id, tracked] : containers_) {
    if (tracked->state == ContainerState::kExited || tracked->duplicate || tracked->record.pod.uid.empty()) continue;
    const ContainerRecord& r = tracked->record;
    auto [it, inserted] = keep.try_emplace({r.pod.uid, r.containerName, r.init}, tracked.get());
    if (inserted) continue;
    Tracked* other = it->second;
    if (preferredInstance(r, tracked->recordOnDisk, other->record, other->recordOnDisk)) {
      doomed.push_back(other);
      it->second = tracked.get();
    } else {
      doomed.push_back(tracked.get());
    }
  }
  for (Tracked* tracked : doomed) {
    tracked->duplicate = true;
    base::logWarning("two live instances of one container; stopping the older",
                     {{"container", tracked->record.id}, {"pid", std::to_string(tracked->record.pid)}});
    (void)stop(tracked->record.id, std::chrono::seconds(tracked->record.terminationGracePeriodSeconds), nullptr);
  }
}

int ProcessRuntime::stopPod(const std::string& podUid, std::chrono::milliseconds grace) {
  std::vector<std::string> running;
  for (const auto& [id, tracked] : containers_) {
    if (tracked->record.pod.uid == podUid && tracked->state != ContainerState::kExited) running.push_back(id);
  }
  std::set<std::string> runningNames;
  for (const auto& id : running) {
    runningNames.insert(containers_.at(id)->record.containerName);
    (void)stop(id, grace, nullptr);
  }
  // Processes that left every container's group but not its cgroup, of
  // containers with no running instance (a running one's cgroup holds it too,
  // and is killed when it exits, after its grace period).
  if (!options_.cgroupRoot.empty()) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(options_.cgroupRoot + "/" + podCgroupKey(podUid), ec)) {
      if (entry.is_directory(ec) && !runningNames.count(entry.path().filename().string())) {
        killCgroup(entry.path().string());
      }
    }
  }
  return static_cast<int>(running.size());
}

void ProcessRuntime::adoptRecordsFromDisk() {
  for (const std::string& id : recordIdsOnDisk(options_.stateDir)) {
    auto known = containers_.find(id);
    if (known != containers_.end() && known->second->recordOnDisk) continue;
    const std::string path = recordPath(options_.stateDir, id);
    if (!ownedByUs(path)) {
      base::logError("ignoring a container record not written by the agent's user", {{"file", path}});
      continue;
    }
    auto text = readWholeFile(path);
    auto record = text ? decodeRecord(*text) : base::Result<ContainerRecord>(text.error());
    if (!record || record->id != id) {
      // Its process, if alive, is still found through the marker below.
      base::logError("skipping unreadable container record",
                     {{"file", path}, {"error", record ? "id does not match file name" : record.error().describe()}});
      continue;
    }
    if (known != containers_.end()) containers_.erase(known);  // a marker-only entry, now explained
    bool sameBoot = record->bootId.empty() || record->bootId == bootId_;
    // A /proc we cannot read (EMFILE) is no exit: watch() retries and decides.
    Liveness liveness = sameBoot ? processLiveness(record->pid, record->pidStartTime) : Liveness::kGone;
    bool alive = liveness == Liveness::kUnknown || (liveness == Liveness::kAlive && inRecordedCgroup(*record));
    // A container that just exited while its shim still writes the exit record is
    // watched like a live one: its exit then arrives through the exit handler.
    bool exiting = sameBoot && !alive && !fileExists(exitRecordPath(options_.stateDir, id)) &&
                   isSameLiveProcess(record->shimPid, record->shimStartTime);
    Tracked& tracked =
        track(std::move(*record), alive || exiting ? ContainerState::kRunning : ContainerState::kExited);
    if (alive || exiting) {
      base::logInfo("adopted running container", {{"container", id}, {"pid", std::to_string(tracked.record.pid)}});
      watch(tracked);
    } else {
      markExited(tracked);
    }
  }
}

void ProcessRuntime::adoptMarkedProcesses() {
  // One entry per marker value: the container's main process leads its group.
  std::map<std::string, MarkedProcess> leaders;
  // Only the connected host's children can be ours (checked again below):
  // with no host connected there is nothing to look for.
  const pid_t hostPid = host_.connectedHostPid();
  for (auto& process : findChildrenWithEnvironment(hostPid, kContainerIdMarker, kStateDirMarker, options_.stateDir)) {
    auto [it, inserted] = leaders.emplace(process.value, process);
    bool leads = process.pid == process.stat.processGroup;
    bool currentLeads = it->second.pid == it->second.stat.processGroup;
    if (!inserted && leads && !currentLeads) it->second = process;
  }
  for (const auto& [id, process] : leaders) {
    if (containers_.count(id) != 0) continue;
    // The marker is the process's own word: any user can set it. Only a child
    // of the shim host we are connected to (started by it, so by us) is ours.
    std::uint64_t parentStart = 0;
    if (auto parent = readProcStat(process.stat.parentPid)) parentStart = parent->startTime;
    if (!host_.isConnectedHost(process.stat.parentPid, parentStart)) {
      auto verdict = logThrottle_.allow("marker:" + id, std::chrono::steady_clock::now());
      if (verdict.log) {
        base::logWarning("ignoring a process that carries our container marker but was not started by our shim host",
                         {{"container", id}, {"pid", std::to_string(process.pid)},
                          {"uid", std::to_string(processUid(process.pid))}, {"parent", std::to_string(process.stat.parentPid)}});
      }
      continue;
    }
    auto parts = parseRecordId(id);
    ContainerRecord record;
    record.id = id;
    record.pid = process.pid;
    record.pidStartTime = process.stat.startTime;
    record.processGroup = process.stat.processGroup;
    // The shim is the container's parent; if it is gone the parent is init and
    // its start time will not match a shim's exit record anyway.
    record.shimPid = process.stat.parentPid;
    if (auto parent = readProcStat(process.stat.parentPid)) record.shimStartTime = parent->startTime;
    if (parts) {
      record.pod.uid = parts->podUid;
      record.containerName = parts->containerName;
      record.restartCount = parts->restartCount;
    }
    base::logWarning("found a live container without a readable record; reporting it as Unknown",
                     {{"container", id}, {"pid", std::to_string(process.pid)}});
    Tracked& tracked = track(std::move(record), ContainerState::kUnknown);
    tracked.recordOnDisk = false;
    watch(tracked);
  }
}

base::Status ProcessRuntime::removePod(const std::string& podUid) {
  std::vector<std::string> ids;
  for (const auto& [id, tracked] : containers_) {
    if (tracked->record.pod.uid != podUid) continue;
    if (tracked->state != ContainerState::kExited) {
      return base::makeError(base::ErrorCode::kInvalidArgument, "container still running; stop it first", id);
    }
    ids.push_back(id);
  }
  // Files of records we could not read still name their pod.
  for (const std::string& id : recordIdsOnDisk(options_.stateDir)) {
    auto parts = parseRecordId(id);
    if (parts && parts->podUid == podUid && containers_.count(id) == 0) ids.push_back(id);
  }
  // What is left in the pod's cgroups (detached children of exited
  // containers) ends with the pod; a cgroup that cannot be emptied keeps the
  // pod, and the caller retries with back-off.
  killPodCgroups(options_.cgroupRoot, podCgroupKey(podUid));
  if (auto emptied = removePodCgroups(options_.cgroupRoot, podCgroupKey(podUid)); !emptied) return emptied.error();
  if (scopes_ != nullptr) {
    if (auto stopped = scopes_->removePod(podUid); !stopped) return stopped.error();
  }
  // The pod's log directory, when its containers logged in the default layout
  // (a caller-chosen log path is the caller's to clean).
  std::optional<std::string> logDir;
  for (const std::string& id : ids) {
    auto it = containers_.find(id);
    if (it == containers_.end() || it->second->record.pod.name.empty()) continue;
    const ContainerRecord& r = it->second->record;
    std::filesystem::path expected = defaultContainerLogPath(options_.logDir, r.pod, r.containerName, r.restartCount);
    if (!options_.logDir.empty() && std::filesystem::path(r.logPath) == expected) {
      logDir = expected.parent_path().parent_path().string();
    }
  }
  for (const std::string& id : ids) forget(id);
  if (logDir) {
    std::error_code ec;
    std::filesystem::remove_all(*logDir, ec);
    if (ec) base::logWarning("cannot remove the pod's log directory", {{"dir", *logDir}, {"error", ec.message()}});
  }
  return base::Ok{};
}

void ProcessRuntime::pruneOlderInstances(const std::string& podUid, const std::string& containerName,
                                         const std::string& keepId) {
  // Keep the newest exited instance: it is the container's lastState.
  std::vector<Tracked*> exited;
  for (auto& [id, tracked] : containers_) {
    if (id != keepId && tracked->state == ContainerState::kExited && tracked->record.pod.uid == podUid &&
        tracked->record.containerName == containerName) {
      exited.push_back(tracked.get());
    }
  }
  if (exited.size() <= 1) return;
  std::sort(exited.begin(), exited.end(), [](const Tracked* a, const Tracked* b) {
    return a->record.startedAtUnixNano < b->record.startedAtUnixNano;
  });
  std::vector<std::string> doomed;
  for (size_t i = 0; i + 1 < exited.size(); ++i) doomed.push_back(exited[i]->record.id);
  for (const auto& id : doomed) forget(id);
}

void ProcessRuntime::forget(const std::string& id) {
  ::unlink(recordPath(options_.stateDir, id).c_str());
  ::unlink(exitRecordPath(options_.stateDir, id).c_str());
  containers_.erase(id);
}

}  // namespace daemonlet::runtime::process
