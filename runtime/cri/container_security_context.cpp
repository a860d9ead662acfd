#include "runtime/cri/container_security_context.h"

#include "runtime/cri/raw_pod_fields.h"

namespace daemonlet::runtime::cri {
namespace {

namespace v1 = ::runtime::v1;

// pkg/securitycontext/util.go: the paths the kubelet asks the runtime to hide
// or make read-only unless procMount is Unmasked (the Docker/moby defaults).
constexpr const char* kMaskedPaths[] = {
    "/proc/asound",     "/proc/acpi",        "/proc/kcore",       "/proc/keys",
    "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
    "/proc/scsi",       "/sys/firmware",     "/sys/devices/virtual/powercap",
};
constexpr const char* kReadonlyPaths[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};

const model::SecurityContext* ownContext(const SecurityInputs& in) {
  return in.container->securityContext ? &*in.container->securityContext : nullptr;
}
const model::PodSecurityContext* podContext(const SecurityInputs& in) {
  return in.spec->securityContext ? &*in.spec->securityContext : nullptr;
}

// The container's value, else the pod's (DetermineEffectiveSecurityContext).
template <typename T>
std::optional<T> effective(const std::optional<T>* own, const std::optional<T>* pod) {
  if (own && *own) return *own;
  if (pod && *pod) return *pod;
  return std::nullopt;
}

std::optional<std::int64_t> effectiveRunAsUser(const SecurityInputs& in) {
  const auto* own = ownContext(in);
  const auto* pod = podContext(in);
  return effective<std::int64_t>(own ? &own->runAsUser : nullptr, pod ? &pod->runAsUser : nullptr);
}

base::Status setSeccomp(const SecurityInputs& in, v1::LinuxContainerSecurityContext& out) {
  const std::string ownField = in.containerField + ".securityContext";
  auto own = seccompProfileOf(rawMember(in.rawContainer, "securityContext"), ownField);
  if (!own) return own.error();
  auto pod = seccompProfileOf(rawMember(in.rawPodSpec, "securityContext"), "spec.securityContext");
  if (!pod) return pod.error();
  const std::optional<SeccompProfile>& profile = *own ? *own : *pod;
  v1::SecurityProfile* seccomp = out.mutable_seccomp();
  if (!profile || profile->type == "Unconfined") {
    seccomp->set_profile_type(v1::SecurityProfile::Unconfined);
  } else if (profile->type == "RuntimeDefault") {
    seccomp->set_profile_type(v1::SecurityProfile::RuntimeDefault);
  } else {
    seccomp->set_profile_type(v1::SecurityProfile::Localhost);
    seccomp->set_localhost_ref(in.seccompProfileRoot + "/" + profile->localhostProfile);
  }
  return base::Ok{};
}

// An image that names no user runs as root: the kubelet reads it as uid 0.
ImageUser imageUserOf(const SecurityInputs& in) {
  ImageUser user = in.imageUser;
  if (!user.uid && user.username.empty()) user.uid = 0;
  return user;
}

std::string formatPod(const PodRef& pod) { return pod.name + "_" + pod.namespace_ + "(" + pod.uid + ")"; }

}  // namespace

base::Result<v1::LinuxContainerSecurityContext> containerSecurityContext(const SecurityInputs& in) {
  DL_ASSERT(in.spec && in.container && in.pod, "containerSecurityContext needs the pod, its spec and the container");
  v1::LinuxContainerSecurityContext out;
  const model::SecurityContext* own = ownContext(in);
  const model::PodSecurityContext* pod = podContext(in);

  if (auto user = effectiveRunAsUser(in)) {
    out.mutable_run_as_user()->set_value(*user);
  } else if (const ImageUser image = imageUserOf(in); image.uid) {
    out.mutable_run_as_user()->set_value(*image.uid);
  } else {
    out.set_run_as_username(image.username);
  }
  if (auto group = effective<std::int64_t>(own ? &own->runAsGroup : nullptr, pod ? &pod->runAsGroup : nullptr)) {
    out.mutable_run_as_group()->set_value(*group);
  }
  if (pod) {
    if (pod->fsGroup) out.add_supplemental_groups(*pod->fsGroup);
    for (std::int64_t group : pod->supplementalGroups) out.add_supplemental_groups(group);
  }
  if (own) {
    out.set_privileged(own->privileged.value_or(false));
    out.set_readonly_rootfs(own->readOnlyRootFilesystem.value_or(false));
    out.set_no_new_privs(own->allowPrivilegeEscalation.has_value() && !*own->allowPrivilegeEscalation);
    if (own->capabilities) {
      for (const auto& cap : own->capabilities->add) out.mutable_capabilities()->add_add_capabilities(cap);
      for (const auto& cap : own->capabilities->drop) out.mutable_capabilities()->add_drop_capabilities(cap);
    }
  }
  if (!own || own->procMount != "Unmasked") {
    for (const char* path : kMaskedPaths) out.add_masked_paths(path);
    for (const char* path : kReadonlyPaths) out.add_readonly_paths(path);
  }
  if (auto seccomp = setSeccomp(in, out); !seccomp) return seccomp.error();
  *out.mutable_namespace_options() = in.namespaces;
  return out;
}

base::Status verifyRunAsNonRoot(const SecurityInputs& in) {
  const model::SecurityContext* own = ownContext(in);
  const model::PodSecurityContext* pod = podContext(in);
  const bool ownAsks = own && own->runAsNonRoot;
  const auto nonRoot = effective<bool>(own ? &own->runAsNonRoot : nullptr, pod ? &pod->runAsNonRoot : nullptr);
  if (!nonRoot.value_or(false)) return base::Ok{};
  const std::string field =
      ownAsks ? in.containerField + ".securityContext.runAsNonRoot" : "spec.securityContext.runAsNonRoot";
  const std::string where = " (pod: \"" + formatPod(*in.pod) + "\", container: " + in.container->name + ")";
  auto refuse = [&](const std::string& why) {
    return base::makeError(base::ErrorCode::kInvalidArgument, why + where, field);
  };
  if (auto user = effectiveRunAsUser(in)) {
    if (*user == 0) return refuse("container's runAsUser breaks non-root policy");
    return base::Ok{};
  }
  const ImageUser image = imageUserOf(in);
  if (image.uid && *image.uid == 0) return refuse("container has runAsNonRoot and image will run as root");
  if (!image.uid) {
    return refuse("container has runAsNonRoot and image has non-numeric user (" + image.username +
                  "), cannot verify user is non-root");
  }
  return base::Ok{};
}

}  // namespace daemonlet::runtime::cri
