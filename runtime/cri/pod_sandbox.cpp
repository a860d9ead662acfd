#include "runtime/cri/pod_sandbox.h"

#include <filesystem>

#include "runtime/cri/cri_labels.h"
#include "runtime/cri/dns_config.h"
#include "runtime/cri/raw_pod_fields.h"
#include "runtime/cri/sandbox_config.h"

namespace daemonlet::runtime::cri {
namespace {

namespace v1 = ::runtime::v1;

// The node's resolver: hostNetwork pods and dnsPolicy Default use it.
constexpr const char* kResolvConf = "/etc/resolv.conf";

void ownedFilter(google::protobuf::Map<std::string, std::string>* selector, const std::string& agentId,
                 const std::string& podUid) {
  (*selector)[labels::kManagedBy] = labels::kManagedByValue;
  (*selector)[labels::kAgent] = agentId;
  if (!podUid.empty()) (*selector)[labels::kPodUid] = podUid;
}

}  // namespace

std::string runtimeHandlerOf(const model::PodSpec& spec) {
  if (!spec.runtimeClassName || *spec.runtimeClassName == "host") return {};
  return *spec.runtimeClassName;
}

base::Result<std::vector<v1::PodSandbox>> listOurSandboxes(const CriClient& client, const std::string& agentId,
                                                           const std::string& podUid) {
  v1::ListPodSandboxRequest request;
  ownedFilter(request.mutable_filter()->mutable_label_selector(), agentId, podUid);
  auto response = client.call("ListPodSandbox", &v1::RuntimeService::Stub::ListPodSandbox, request);
  if (!response) return response.error();
  return std::vector<v1::PodSandbox>(response->items().begin(), response->items().end());
}

base::Result<std::vector<std::string>> sandboxIPs(const CriClient& client, const std::string& sandboxId) {
  v1::PodSandboxStatusRequest request;
  request.set_pod_sandbox_id(sandboxId);
  auto response = client.call("PodSandboxStatus", &v1::RuntimeService::Stub::PodSandboxStatus, request);
  if (!response) return response.error();
  std::vector<std::string> ips;
  const auto& network = response->status().network();
  if (!network.ip().empty()) ips.push_back(network.ip());
  for (const auto& extra : network.additional_ips()) ips.push_back(extra.ip());
  return ips;
}

base::Result<PodSandbox> ensurePodSandbox(const CriClient& client, const PodRef& pod, const model::PodSpec& spec,
                                          const model::DaemonSet* daemonSet, const CriRuntimeOptions& options) {
  auto existing = listOurSandboxes(client, options.agentId, pod.uid);
  if (!existing) return existing.error();
  const v1::PodSandbox* ready = nullptr;
  std::uint32_t nextAttempt = 0;
  for (const auto& sandbox : *existing) {
    if (sandbox.state() == v1::SANDBOX_READY && (!ready || sandbox.created_at() > ready->created_at())) {
      ready = &sandbox;
    }
    nextAttempt = std::max(nextAttempt, sandbox.metadata().attempt() + 1);
  }

  SandboxInputs inputs;
  inputs.pod = pod;
  inputs.spec = &spec;
  inputs.rawPodSpec = rawPodSpecOf(daemonSet);
  if (daemonSet != nullptr) {
    inputs.labels = daemonSet->spec.template_.metadata.labels;
    inputs.annotations = daemonSet->spec.template_.metadata.annotations;
  }
  inputs.attempt = ready ? ready->metadata().attempt() : nextAttempt;
  inputs.node.nodeName = options.nodeName;
  inputs.node.logDir = options.logDir;
  inputs.node.cgroupParent = options.cgroupParent;
  inputs.node.agentId = options.agentId;
  // A node without resolv.conf gives its pods no resolver rather than no pods.
  auto hostDns = readHostDns(kResolvConf);
  if (hostDns) inputs.node.hostDns = *hostDns;

  auto volumes = preparePodVolumes(spec, pod.uid, options.stateDir);
  if (!volumes) return volumes.error();
  auto config = makeSandboxConfig(inputs);
  if (!config) return config.error();

  PodSandbox result;
  result.config = std::move(*config);
  result.hostNetwork = spec.hostNetwork;
  result.volumes = std::move(*volumes);
  if (ready) {
    result.id = ready->id();
  } else {
    v1::RunPodSandboxRequest request;
    *request.mutable_config() = result.config;
    request.set_runtime_handler(runtimeHandlerOf(spec));
    // A sandbox start runs the pause container and, for a pod network, CNI:
    // well over the quick calls' deadline on a loaded node.
    auto response = client.call("RunPodSandbox", &v1::RuntimeService::Stub::RunPodSandbox, request,
                                std::max(client.defaultTimeout(), std::chrono::milliseconds(120'000)));
    if (!response) return response.error();
    result.id = response->pod_sandbox_id();
  }
  if (!spec.hostNetwork) {
    auto ips = sandboxIPs(client, result.id);
    if (!ips) return ips.error();
    result.ips = std::move(*ips);
  }
  return result;
}

base::Status removeSandbox(const CriClient& client, const std::string& sandboxId) {
  v1::StopPodSandboxRequest stop;
  stop.set_pod_sandbox_id(sandboxId);
  auto stopped = client.call("StopPodSandbox", &v1::RuntimeService::Stub::StopPodSandbox, stop);
  if (!stopped && stopped.error().code != base::ErrorCode::kNotFound) return stopped.error();
  v1::RemovePodSandboxRequest remove;
  remove.set_pod_sandbox_id(sandboxId);
  auto removed = client.call("RemovePodSandbox", &v1::RuntimeService::Stub::RemovePodSandbox, remove);
  if (!removed && removed.error().code != base::ErrorCode::kNotFound) return removed.error();
  return base::Ok{};
}

base::Status removePodSandboxes(const CriClient& client, const std::string& agentId, const std::string& podUid) {
  auto sandboxes = listOurSandboxes(client, agentId, podUid);
  if (!sandboxes) return sandboxes.error();
  for (const auto& sandbox : *sandboxes) {
    if (auto removed = removeSandbox(client, sandbox.id()); !removed) return removed;
  }
  return base::Ok{};
}

base::Status removePodFiles(const CriRuntimeOptions& options, const std::string& podUid) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const std::string suffix = "_" + podUid;
  for (const auto& entry : fs::directory_iterator(options.logDir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      fs::remove_all(entry.path(), ec);
    }
  }
  return removePodVolumes(options.stateDir, podUid);
}

}  // namespace daemonlet::runtime::cri
