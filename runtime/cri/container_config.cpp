#include "runtime/cri/container_config.h"

#include <algorithm>

#include "runtime/cri/container_env_order.h"
#include "runtime/cri/cri_labels.h"
#include "runtime/cri/raw_pod_fields.h"
#include "agent/model/pod_rules.h"

namespace daemonlet::runtime::cri {
namespace {

namespace v1 = ::runtime::v1;

// pkg/kubelet/cm: CPU shares from milli-CPUs (cgroup v1 cpu.shares bounds) and
// the CFS quota from a limit over the default 100 ms period.
constexpr std::int64_t kMinShares = 2;
constexpr std::int64_t kMaxShares = 262144;
constexpr std::int64_t kSharesPerCpu = 1024;
constexpr std::int64_t kQuotaPeriod = 100000;  // microseconds
constexpr std::int64_t kMinQuota = 1000;

std::int64_t milliCpuToShares(std::int64_t milli) {
  if (milli <= 0) return kMinShares;
  return std::clamp(milli * kSharesPerCpu / 1000, kMinShares, kMaxShares);
}

std::int64_t milliCpuToQuota(std::int64_t milli) {
  if (milli <= 0) return 0;
  return std::max(milli * kQuotaPeriod / 1000, kMinQuota);
}

std::optional<const model::Quantity*> quantity(const std::map<std::string, model::Quantity>& list, const char* name) {
  auto it = list.find(name);
  if (it == list.end()) return std::nullopt;
  return &it->second;
}

v1::LinuxContainerResources resourcesOf(const ContainerStartRequest& request) {
  const model::ResourceRequirements& resources = request.container.resources;
  v1::LinuxContainerResources out;
  // A limit without a request stands for the request, as the API server defaults it.
  std::int64_t requestMilli = 0;
  if (auto cpu = quantity(resources.requests, "cpu")) {
    requestMilli = (*cpu)->milliValue();
  } else if (auto limit = quantity(resources.limits, "cpu")) {
    requestMilli = (*limit)->milliValue();
  }
  out.set_cpu_shares(milliCpuToShares(requestMilli));
  const std::int64_t limitMilli = request.limits.cpuMillis.value_or(0);
  out.set_cpu_period(kQuotaPeriod);
  out.set_cpu_quota(milliCpuToQuota(limitMilli));
  if (request.limits.memoryBytes && *request.limits.memoryBytes > 0) {
    out.set_memory_limit_in_bytes(*request.limits.memoryBytes);
    // No swap beyond the limit (the kubelet's NoSwap), in cgroup v1 terms the
    // runtime translates for v2.
    out.set_memory_swap_limit_in_bytes(*request.limits.memoryBytes);
  }
  if (request.security.oomScoreAdj) out.set_oom_score_adj(*request.security.oomScoreAdj);
  return out;
}

void addLabels(const ContainerStartRequest& request, const std::string& agentId, v1::ContainerConfig& config) {
  auto& out = *config.mutable_labels();
  out[labels::kPodName] = request.pod.name;
  out[labels::kPodNamespace] = request.pod.namespace_;
  out[labels::kPodUid] = request.pod.uid;
  out[labels::kContainerName] = request.container.name;
  out[labels::kManagedBy] = labels::kManagedByValue;
  out[labels::kAgent] = agentId;
  out[labels::kDaemonSetName] = request.pod.daemonSetName;
  out[labels::kDaemonSetUid] = request.pod.daemonSetUid;
  out[labels::kRevision] = request.pod.revision;
  if (request.init) out[labels::kInit] = "true";
}

void addAnnotations(const ContainerStartRequest& request, v1::ContainerConfig& config) {
  auto& out = *config.mutable_annotations();
  out[labels::kRestartCount] = std::to_string(request.restartCount);
  out[labels::kTerminationMessagePath] = request.container.terminationMessagePath;
  out[labels::kTerminationGracePeriod] = std::to_string(request.terminationGracePeriod.count());
  // The revision stands for the kubelet's container hash: a changed template is a new container.
  out[labels::kContainerHash] = request.pod.revision;
}

// The agent's id, as the sandbox carries it: one ownership mark for both.
std::string agentIdOf(const v1::PodSandboxConfig& sandbox) {
  auto it = sandbox.labels().find(labels::kAgent);
  return it == sandbox.labels().end() ? std::string() : it->second;
}

}  // namespace

base::Result<v1::ContainerConfig> makeContainerConfig(const ContainerInputs& inputs) {
  DL_ASSERT(inputs.request && inputs.sandbox, "makeContainerConfig needs the start request and the sandbox");
  const ContainerStartRequest& request = *inputs.request;
  const model::Container& container = request.container;
  static const model::PodSpec kNoSpec;
  const model::PodSpec& spec = request.podSpec ? *request.podSpec : kNoSpec;
  const auto index = containerIndex(spec, request.init, container.name);
  const model::Container* specContainer =
      index ? &(request.init ? spec.initContainers : spec.containers)[*index] : nullptr;

  SecurityInputs security;
  security.pod = &request.pod;
  security.spec = &spec;
  security.container = &container;
  security.rawPodSpec = inputs.rawPodSpec;
  security.rawContainer = index ? rawContainer(inputs.rawPodSpec, request.init, *index) : nullptr;
  security.containerField = model::containerFieldPath(request.init, index.value_or(0));
  security.imageUser = inputs.imageUser;
  security.namespaces = inputs.sandbox->linux().security_context().namespace_options();
  security.seccompProfileRoot = inputs.seccompProfileRoot;
  if (auto nonRoot = verifyRunAsNonRoot(security); !nonRoot) return nonRoot.error();
  auto securityContext = containerSecurityContext(security);
  if (!securityContext) return securityContext.error();

  v1::ContainerConfig config;
  config.mutable_metadata()->set_name(container.name);
  config.mutable_metadata()->set_attempt(static_cast<std::uint32_t>(request.restartCount));
  config.mutable_image()->set_image(inputs.imageRef.empty() ? container.image : inputs.imageRef);
  config.mutable_image()->set_user_specified_image(container.image);

  const ContainerProcess process = containerProcess(request, specContainer, inputs.podIPs);
  for (const auto& part : process.command) config.add_command(part);
  for (const auto& part : process.args) config.add_args(part);
  config.set_working_dir(container.workingDir);
  for (const auto& [name, value] : process.env) {
    v1::KeyValue* env = config.add_envs();
    env->set_key(name);
    env->set_value(value);
  }
  for (const v1::Mount& mount : inputs.mounts) *config.add_mounts() = mount;
  addLabels(request, agentIdOf(*inputs.sandbox), config);
  addAnnotations(request, config);
  config.set_log_path(containerLogFileName(container.name, request.restartCount));
  config.set_stdin(container.stdin_);
  config.set_tty(container.tty);

  v1::LinuxContainerConfig* linux = config.mutable_linux();
  *linux->mutable_resources() = resourcesOf(request);
  *linux->mutable_security_context() = std::move(*securityContext);
  return config;
}

}  // namespace daemonlet::runtime::cri
