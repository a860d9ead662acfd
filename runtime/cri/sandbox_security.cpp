#include "runtime/cri/sandbox_security.h"

#include <algorithm>
#include <string_view>

namespace daemonlet::runtime::cri {
namespace {

namespace v1 = ::runtime::v1;

// pkg/kubelet/sysctl/safe_sysctls.go: namespaced and isolated from the node.
constexpr std::string_view kSafeSysctls[] = {
    "kernel.shm_rmid_forced",     "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",  "net.ipv4.ip_unprivileged_port_start", "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_rmem",         "net.ipv4.tcp_wmem",
};

bool startsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool isIpcSysctl(std::string_view name) {
  return startsWith(name, "kernel.shm") || startsWith(name, "kernel.msg") || name == "kernel.sem" ||
         startsWith(name, "fs.mqueue.");
}

bool anyPrivileged(const model::PodSpec& spec) {
  auto privileged = [](const model::Container& c) {
    return c.securityContext && c.securityContext->privileged.value_or(false);
  };
  return std::any_of(spec.containers.begin(), spec.containers.end(), privileged) ||
         std::any_of(spec.initContainers.begin(), spec.initContainers.end(), privileged);
}

}  // namespace

v1::NamespaceOption podNamespaces(const model::PodSpec& spec, const model::Json* rawPodSpec) {
  v1::NamespaceOption options;
  options.set_network(spec.hostNetwork ? v1::NODE : v1::POD);
  options.set_ipc(spec.hostIPC ? v1::NODE : v1::POD);
  options.set_pid(spec.hostPID ? v1::NODE : shareProcessNamespace(rawPodSpec) ? v1::POD : v1::CONTAINER);
  return options;
}

base::Result<v1::LinuxSandboxSecurityContext> sandboxSecurityContext(const model::PodSpec& spec,
                                                                    const model::Json* rawPodSpec) {
  v1::LinuxSandboxSecurityContext security;
  *security.mutable_namespace_options() = podNamespaces(spec, rawPodSpec);
  security.set_privileged(anyPrivileged(spec));
  security.mutable_seccomp()->set_profile_type(v1::SecurityProfile::RuntimeDefault);
  if (spec.securityContext) {
    const model::PodSecurityContext& pod = *spec.securityContext;
    if (pod.runAsUser) security.mutable_run_as_user()->set_value(*pod.runAsUser);
    if (pod.runAsGroup) security.mutable_run_as_group()->set_value(*pod.runAsGroup);
    if (pod.fsGroup) security.add_supplemental_groups(*pod.fsGroup);
    for (std::int64_t group : pod.supplementalGroups) security.add_supplemental_groups(group);
  }
  return security;
}

base::Result<std::vector<Sysctl>> allowedSysctls(const model::PodSpec& spec, const model::Json* rawPodSpec) {
  auto sysctls = podSysctls(rawPodSpec);
  if (!sysctls) return sysctls.error();
  for (std::size_t i = 0; i < sysctls->size(); ++i) {
    std::string name = (*sysctls)[i].name;
    std::replace(name.begin(), name.end(), '/', '.');  // "net/ipv4/..." is the same sysctl
    std::string why;
    if (spec.hostNetwork && startsWith(name, "net.")) {
      why = "\"" + name + "\" not allowed with host net enabled";
    } else if (spec.hostIPC && isIpcSysctl(name)) {
      why = "\"" + name + "\" not allowed with host ipc enabled";
    } else if (std::find(std::begin(kSafeSysctls), std::end(kSafeSysctls), name) == std::end(kSafeSysctls)) {
      why = "\"" + name + "\" not allowlisted";
    }
    if (!why.empty()) {
      return base::makeError(base::ErrorCode::kInvalidArgument, "forbidden sysctl: " + why,
                             "spec.securityContext.sysctls[" + std::to_string(i) + "].name");
    }
    (*sysctls)[i].name = name;
  }
  return sysctls;
}

}  // namespace daemonlet::runtime::cri
