#include "runtime/cri/cri_containers.h"

#include <algorithm>

#include "runtime/cri/cri_labels.h"

namespace daemonlet::runtime::cri {
namespace {

namespace v1 = ::runtime::v1;

Labels labelsOf(const google::protobuf::Map<std::string, std::string>& map) {
  return Labels(map.begin(), map.end());
}

CriContainerState stateOf(v1::ContainerState state) {
  switch (state) {
    case v1::CONTAINER_CREATED: return CriContainerState::kCreated;
    case v1::CONTAINER_RUNNING: return CriContainerState::kRunning;
    case v1::CONTAINER_EXITED: return CriContainerState::kExited;
    default: return CriContainerState::kUnknown;
  }
}

base::Status ignoreNotFound(base::Status status) {
  if (!status && status.error().code == base::ErrorCode::kNotFound) return base::Ok{};
  return status;
}

template <typename Response>
base::Status statusOf(const base::Result<Response>& result) {
  if (!result) return result.error();
  return base::Ok{};
}

}  // namespace

CriContainerView viewOf(const v1::Container& container) {
  CriContainerView view;
  view.id = container.id();
  view.podSandboxId = container.pod_sandbox_id();
  view.labels = labelsOf(container.labels());
  view.annotations = labelsOf(container.annotations());
  view.attempt = container.metadata().attempt();
  view.state = stateOf(container.state());
  view.createdAtNs = container.created_at();
  view.image = container.image().image();
  view.imageRef = container.image_ref();
  return view;
}

CriContainerView viewOf(const v1::ContainerStatus& status) {
  CriContainerView view;
  view.id = status.id();
  view.labels = labelsOf(status.labels());
  view.annotations = labelsOf(status.annotations());
  view.attempt = status.metadata().attempt();
  view.state = stateOf(status.state());
  view.createdAtNs = status.created_at();
  view.startedAtNs = status.started_at();
  view.finishedAtNs = status.finished_at();
  view.exitCode = status.exit_code();
  view.reason = status.reason();
  view.message = status.message();
  view.image = status.image().image();
  view.imageRef = status.image_ref();
  view.logPath = status.log_path();
  return view;
}

base::Result<std::vector<CriContainerView>> listOurContainers(const CriClient& client, const std::string& agentId,
                                                              const std::string& podUid) {
  v1::ListContainersRequest request;
  auto* selector = request.mutable_filter()->mutable_label_selector();
  (*selector)[labels::kManagedBy] = labels::kManagedByValue;
  (*selector)[labels::kAgent] = agentId;
  if (!podUid.empty()) (*selector)[labels::kPodUid] = podUid;
  auto response = client.call("ListContainers", &v1::RuntimeService::Stub::ListContainers, request);
  if (!response) return response.error();
  std::vector<CriContainerView> views;
  for (const auto& container : response->containers()) views.push_back(viewOf(container));
  return views;
}

base::Result<CriContainerView> containerStatus(const CriClient& client, const std::string& criId) {
  v1::ContainerStatusRequest request;
  request.set_container_id(criId);
  auto response = client.call("ContainerStatus", &v1::RuntimeService::Stub::ContainerStatus, request);
  if (!response) return response.error();
  CriContainerView view = viewOf(response->status());
  return view;
}

base::Result<CriContainerView> launchContainer(const CriClient& client, const ContainerLaunch& launch,
                                               std::chrono::milliseconds startTimeout) {
  const std::string& name = launch.config->metadata().name();
  const std::uint32_t attempt = launch.config->metadata().attempt();
  auto existing = listOurContainers(client, launch.agentId, launch.podUid);
  if (!existing) return existing.error();
  std::string createdId;
  std::vector<const CriContainerView*> earlierExits;  // of this container, other attempts
  for (const auto& view : *existing) {
    auto label = view.labels.find(labels::kContainerName);
    if (label == view.labels.end() || label->second != name) continue;
    if (view.podSandboxId != launch.sandboxId || view.attempt != attempt) {
      if (view.state == CriContainerState::kExited) earlierExits.push_back(&view);
      continue;
    }
    if (view.state == CriContainerState::kRunning) return containerStatus(client, view.id);
    if (view.state == CriContainerState::kCreated) {
      createdId = view.id;
      continue;
    }
    auto removed = ignoreNotFound(removeContainer(client, view.id));
    if (!removed) return removed.error();
  }
  if (createdId.empty()) {
    v1::CreateContainerRequest create;
    create.set_pod_sandbox_id(launch.sandboxId);
    *create.mutable_config() = *launch.config;
    *create.mutable_sandbox_config() = *launch.sandboxConfig;
    auto created = client.call("CreateContainer", &v1::RuntimeService::Stub::CreateContainer, create);
    if (!created) {
      base::Error error = created.error();
      error.context = "CreateContainer";
      return error;
    }
    createdId = created->container_id();
  }
  v1::StartContainerRequest start;
  start.set_container_id(createdId);
  auto started = client.call("StartContainer", &v1::RuntimeService::Stub::StartContainer, start, startTimeout);
  if (!started) {
    base::Error error = started.error();
    error.context = "StartContainer";
    // Nothing is left behind a failed start; during an outage the created
    // container stays and the next start takes it over.
    if (error.code != base::ErrorCode::kUnavailable) (void)removeContainer(client, createdId);
    return error;
  }
  // As the kubelet's garbage collection: of the earlier instances only the
  // latest stays (its log, its exit status), so restarts leave no trail.
  std::sort(earlierExits.begin(), earlierExits.end(),
            [](const CriContainerView* a, const CriContainerView* b) { return a->createdAtNs < b->createdAtNs; });
  for (std::size_t i = 0; i + 1 < earlierExits.size(); ++i) (void)removeContainer(client, earlierExits[i]->id);
  return containerStatus(client, createdId);
}

base::Status stopContainer(const CriClient& client, const std::string& criId, std::chrono::seconds grace) {
  v1::StopContainerRequest request;
  request.set_container_id(criId);
  request.set_timeout(grace.count());
  // The call returns once the container is gone: the grace plus the kill.
  auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(grace) + client.defaultTimeout();
  return ignoreNotFound(statusOf(client.call("StopContainer", &v1::RuntimeService::Stub::StopContainer, request,
                                             timeout)));
}

base::Status removeContainer(const CriClient& client, const std::string& criId) {
  v1::RemoveContainerRequest request;
  request.set_container_id(criId);
  return statusOf(client.call("RemoveContainer", &v1::RuntimeService::Stub::RemoveContainer, request));
}

base::Status reopenContainerLog(const CriClient& client, const std::string& criId) {
  v1::ReopenContainerLogRequest request;
  request.set_container_id(criId);
  return statusOf(client.call("ReopenContainerLog", &v1::RuntimeService::Stub::ReopenContainerLog, request));
}

}  // namespace daemonlet::runtime::cri
