// ProcessRuntime: finding containers again after an agent restart (list), and
// forgetting them (remove, pruning of old instances).
#include <algorithm>
#include <filesystem>
#include <set>

#include "agent/base/log.h"
#include "runtime/process/atomic_file.h"
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

}  // namespace

base::Result<std::vector<ContainerStatus>> ProcessRuntime::list() {
  adoptRecordsFromDisk();
  adoptMarkedProcesses();
  std::vector<ContainerStatus> statuses;
  for (const auto& [id, tracked] : containers_) statuses.push_back(statusOf(*tracked));
  return statuses;
}

void ProcessRuntime::adoptRecordsFromDisk() {
  for (const std::string& id : recordIdsOnDisk(options_.stateDir)) {
    auto known = containers_.find(id);
    if (known != containers_.end() && known->second->recordOnDisk) continue;
    const std::string path = recordPath(options_.stateDir, id);
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
    bool alive = sameBoot && isSameLiveProcess(record->pid, record->pidStartTime) && inRecordedCgroup(*record);
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
  for (auto& process : findProcessesWithEnvironment(kContainerIdMarker, kStateDirMarker, options_.stateDir)) {
    auto [it, inserted] = leaders.emplace(process.value, process);
    bool leads = process.pid == process.stat.processGroup;
    bool currentLeads = it->second.pid == it->second.stat.processGroup;
    if (!inserted && leads && !currentLeads) it->second = process;
  }
  for (const auto& [id, process] : leaders) {
    if (containers_.count(id) != 0) continue;
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

base::Status ProcessRuntime::remove(const std::string& podUid) {
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
  for (const std::string& id : ids) forget(id);
  removePodCgroups(options_.cgroupRoot, podUid);
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
