#include "agent/reconciler/start_request.h"

#include <algorithm>

#include "agent/model/pod_rules.h"
#include "agent/reconciler/host_security.h"
#include "runtime/runtime_set.h"

namespace daemonlet::reconciler {

std::chrono::seconds deletionGracePeriod(const PodState& pod) {
  if (pod.deletionGrace) return *pod.deletionGrace;
  if (!pod.daemonSet) return std::chrono::seconds(model::kDefaultTerminationGracePeriodSeconds);
  return model::terminationGracePeriod(pod.daemonSet->spec.template_.spec);
}

std::chrono::seconds terminationGrace(const PodState& pod) {
  constexpr std::chrono::seconds kKubeletMinimumGrace{1};
  return std::max(deletionGracePeriod(pod), kKubeletMinimumGrace);
}

const model::Container* containerSpec(const PodState& pod, const ContainerSlot& slot) {
  if (!pod.daemonSet) return nullptr;
  const model::PodSpec& spec = pod.daemonSet->spec.template_.spec;
  const auto& list = slot.init ? spec.initContainers : spec.containers;
  auto found = std::find_if(list.begin(), list.end(), [&](const auto& c) { return c.name == slot.name; });
  return found == list.end() ? nullptr : &*found;
}

base::Result<runtime::ContainerStartRequest> containerStartRequest(const PodState& pod,
                                                                   const ContainerSlot& slot,
                                                                   const NodeFacts& node) {
  const model::Container* container = containerSpec(pod, slot);
  if (!container) {
    return base::makeError(base::ErrorCode::kNotFound, "the pod's spec has no such container", slot.name);
  }
  const model::PodSpec& spec = pod.daemonSet->spec.template_.spec;
  const auto& list = slot.init ? spec.initContainers : spec.containers;
  ContainerRef ref{slot.init, static_cast<std::size_t>(container - list.data())};

  // An env error is named before a security refusal: it is what the kubelet
  // reports first.
  ResolvedContainer resolved = resolveContainer(*container, node.env);
  if (!resolved.error.empty()) {
    // Named as the pod's other refusals are ("spec.containers[0].env[2]..."), from the pod spec.
    const std::string field = model::containerFieldPath(slot.init, ref.index) + "." + resolved.errorField;
    return base::makeError(base::ErrorCode::kInvalidArgument, resolved.error, field);
  }
  // Only the host runtime refuses what a host process cannot honour; a CRI
  // runtime isolates the container and reports its own refusals.
  base::Result<runtime::ContainerSecurity> security =
      runtime::runsOnHost(spec) ? hostContainerSecurity(*pod.daemonSet, ref, node.nodeMemoryBytes, node.agentIsRoot)
                                : base::Result<runtime::ContainerSecurity>(
                                      containerSecurity(*pod.daemonSet, ref, node.nodeMemoryBytes));
  if (!security) return security.error();

  runtime::ContainerStartRequest request;
  request.pod = pod.ref;
  // Shares the pod's DaemonSet (an aliasing pointer): no copy per container.
  request.podSpec = std::shared_ptr<const model::PodSpec>(pod.daemonSet, &spec);
  request.daemonSet = pod.daemonSet;
  request.container = *container;
  request.container.command = resolved.command;
  request.container.args = resolved.args;
  request.init = slot.init;
  request.restartCount = slot.starts;
  request.env = std::move(resolved.env);
  request.security = std::move(*security);
  auto pick = [](const auto& own, const auto& podLevel) { return own ? own : podLevel; };
  std::optional<std::int64_t> podUser, podGroup;
  if (spec.securityContext) {
    podUser = spec.securityContext->runAsUser;
    podGroup = spec.securityContext->runAsGroup;
  }
  const auto& own = container->securityContext;
  request.runAsUser = pick(own ? own->runAsUser : std::nullopt, podUser);
  request.runAsGroup = pick(own ? own->runAsGroup : std::nullopt, podGroup);
  if (auto memory = container->resources.limits.find("memory"); memory != container->resources.limits.end()) {
    request.limits.memoryBytes = memory->second.value();
  }
  if (auto cpu = container->resources.limits.find("cpu"); cpu != container->resources.limits.end()) {
    request.limits.cpuMillis = cpu->second.milliValue();
  }
  request.terminationGracePeriod = terminationGrace(pod);
  return request;
}

}  // namespace daemonlet::reconciler
