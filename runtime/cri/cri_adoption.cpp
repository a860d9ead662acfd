#include "runtime/cri/cri_adoption.h"

#include <charconv>
#include <cstring>
#include <map>
#include <tuple>

#include "runtime/cri/cri_labels.h"
#include "runtime/container_reasons.h"

namespace daemonlet::runtime::cri {
namespace {

std::string valueOf(const Labels& labels, const char* key) {
  auto it = labels.find(key);
  return it == labels.end() ? std::string() : it->second;
}

base::WallTime fromUnixNano(std::int64_t ns) {
  return base::WallTime(std::chrono::duration_cast<base::WallTime::duration>(std::chrono::nanoseconds(ns)));
}

}  // namespace

std::string toContainerId(const std::string& criId) { return kContainerIdPrefix + criId; }

std::string criIdOf(const std::string& containerId) {
  const std::string prefix = kContainerIdPrefix;
  if (containerId.rfind(prefix, 0) == 0) return containerId.substr(prefix.size());
  if (containerId.find("://") != std::string::npos) return {};
  return containerId;
}

bool ownedBy(const Labels& labels, const std::string& agentId) {
  return valueOf(labels, labels::kManagedBy) == labels::kManagedByValue && !agentId.empty() &&
         valueOf(labels, labels::kAgent) == agentId;
}

PodRef podRefFromLabels(const Labels& labels) {
  PodRef pod;
  pod.namespace_ = valueOf(labels, labels::kPodNamespace);
  pod.name = valueOf(labels, labels::kPodName);
  pod.uid = valueOf(labels, labels::kPodUid);
  pod.daemonSetName = valueOf(labels, labels::kDaemonSetName);
  pod.daemonSetUid = valueOf(labels, labels::kDaemonSetUid);
  pod.revision = valueOf(labels, labels::kRevision);
  return pod;
}

int restartCountOf(const CriContainerView& view) {
  std::string text = valueOf(view.annotations, labels::kRestartCount);
  int count = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), count);
  if (!text.empty() && ec == std::errc() && end == text.data() + text.size() && count >= 0) return count;
  return static_cast<int>(view.attempt);
}

std::string exitReasonOf(int exitCode, const std::string& criReason) {
  if (criReason == reasons::kOOMKilled) return criReason;
  return exitCode == 0 ? reasons::kCompleted : reasons::kError;
}

void applyExit(ContainerStatus& status, int exitCode, base::WallTime finishedAt, const std::string& criReason) {
  status.state = ContainerState::kExited;
  status.exitCode = exitCode;
  if (finishedAt.time_since_epoch().count() > 0) status.finishedAt = finishedAt;
  status.reason = exitReasonOf(exitCode, criReason);
  status.signal = 0;
  status.message.clear();
  // Runtimes report a signal's death as 128+signal, as the kubelet shows it.
  if (exitCode > 128 && exitCode < 128 + 65) {
    status.signal = exitCode - 128;
    status.message = "terminated by signal " + std::to_string(status.signal) + " (" + ::strsignal(status.signal) + ")";
  }
}

ContainerStatus toContainerStatus(const CriContainerView& view) {
  ContainerStatus status;
  status.containerId = toContainerId(view.id);
  status.pod = podRefFromLabels(view.labels);
  status.containerName = valueOf(view.labels, labels::kContainerName);
  status.init = valueOf(view.labels, labels::kInit) == "true";
  status.restartCount = restartCountOf(view);
  status.logPath = view.logPath;
  status.image = view.image;
  status.imageId = view.imageRef;
  if (view.startedAtNs > 0) status.startedAt = fromUnixNano(view.startedAtNs);
  switch (view.state) {
    case CriContainerState::kCreated:
      status.state = ContainerState::kWaiting;
      status.reason = reasons::kContainerCreating;
      break;
    case CriContainerState::kRunning:
      status.state = ContainerState::kRunning;
      break;
    case CriContainerState::kExited:
      applyExit(status, view.exitCode, fromUnixNano(view.finishedAtNs), view.reason);
      if (!view.message.empty()) status.message = view.message;
      break;
    case CriContainerState::kUnknown:
      status.state = ContainerState::kUnknown;
      break;
  }
  return status;
}

std::vector<ContainerStatus> adoptContainers(const std::vector<CriContainerView>& views,
                                             const std::string& agentId) {
  std::vector<ContainerStatus> result;
  // Per pod uid and container name: whether one runs, and the latest exit.
  using Key = std::pair<std::string, std::string>;
  std::map<Key, bool> live;
  std::map<Key, ContainerStatus> latestExit;
  for (const auto& view : views) {
    if (!ownedBy(view.labels, agentId) || view.state == CriContainerState::kCreated) continue;
    ContainerStatus status = toContainerStatus(view);
    Key key{status.pod.uid, status.containerName};
    if (status.state == ContainerState::kExited) {
      auto it = latestExit.find(key);
      if (it == latestExit.end() || std::tie(it->second.restartCount, it->second.finishedAt) <
                                        std::tie(status.restartCount, status.finishedAt)) {
        latestExit[key] = std::move(status);
      }
      continue;
    }
    if (status.state == ContainerState::kRunning || status.state == ContainerState::kUnknown) live[key] = true;
    result.push_back(std::move(status));
  }
  for (auto& [key, status] : latestExit) {
    if (!live.count(key)) result.push_back(std::move(status));
  }
  return result;
}

}  // namespace daemonlet::runtime::cri
