#include "agent/reconciler/host_security.h"

#include <algorithm>
#include <cctype>

#include "agent/decision/qos.h"
#include "runtime/linux_capabilities.h"
#include "runtime/runtime_set.h"
#include "agent/model/pod_rules.h"

namespace daemonlet::reconciler {
namespace {

using model::Json;

const Json* member(const Json* obj, const char* key) {
  if (!obj || !obj->is_object()) return nullptr;
  auto it = obj->find(key);
  return (it == obj->end() || it->is_null()) ? nullptr : &*it;
}

const Json* rawPodSpec(const model::DaemonSet& ds) {
  return member(member(member(&ds.raw, "spec"), "template"), "spec");
}

// "ALL" in add or drop, in any case, as containerd reads it.
bool isAll(const std::string& name) {
  return name.size() == 3 && std::toupper(static_cast<unsigned char>(name[0])) == 'A' &&
         std::toupper(static_cast<unsigned char>(name[1])) == 'L' &&
         std::toupper(static_cast<unsigned char>(name[2])) == 'L';
}

bool containsAll(const std::vector<std::string>& names) {
  return std::any_of(names.begin(), names.end(), isAll);
}

std::string containerPath(ContainerRef ref) {
  return "spec.template." + model::containerFieldPath(ref.init, ref.index);
}

const model::Container* containerOf(const model::PodSpec& spec, ContainerRef ref) {
  const auto& list = ref.init ? spec.initContainers : spec.containers;
  return ref.index < list.size() ? &list[ref.index] : nullptr;
}

// A Localhost seccomp or AppArmor profile in one securityContext (raw JSON:
// the model keeps profiles there only).
void refuseLocalhostProfiles(const Json* securityContext, const std::string& path,
                             std::vector<std::string>& out) {
  for (const char* field : {"seccompProfile", "appArmorProfile"}) {
    const Json* type = member(member(securityContext, field), "type");
    if (type && type->is_string() && type->get<std::string>() == "Localhost") {
      out.push_back(path + "." + field + ".type: Localhost profiles are not loaded by the host runtime");
    }
  }
}

void podRefusals(const model::DaemonSet& ds, bool agentIsRoot, std::vector<std::string>& out) {
  const model::PodSpec& spec = ds.spec.template_.spec;
  if (spec.runtimeClassName && !spec.runtimeClassName->empty() &&
      *spec.runtimeClassName != runtime::kHostRuntimeName) {
    out.push_back(
        "spec.template.spec.runtimeClassName: \"" + *spec.runtimeClassName +
        "\" needs a container runtime; this agent runs host processes only (runtimeClassName \"host\")");
  }
  refuseLocalhostProfiles(member(rawPodSpec(ds), "securityContext"), "spec.template.spec.securityContext",
                          out);
}

void runAsNonRootRefusal(const model::PodSpec& spec, const model::Container& c, const std::string& path,
                         bool agentIsRoot, std::vector<std::string>& out) {
  const model::SecurityContext* own = c.securityContext ? &*c.securityContext : nullptr;
  const model::PodSecurityContext* pod = spec.securityContext ? &*spec.securityContext : nullptr;
  // The container's field wins over the pod's. References, not copies: gcc's
  // -Wmaybe-uninitialized misreads a copied optional chosen by ?: at -Os.
  static const std::optional<bool> kUnsetBool;
  static const std::optional<std::int64_t> kUnsetUser;
  const std::optional<bool>& nonRoot = own && own->runAsNonRoot ? own->runAsNonRoot
                                       : pod                    ? pod->runAsNonRoot
                                                                : kUnsetBool;
  if (!nonRoot.value_or(false)) return;
  const std::optional<std::int64_t>& user = own && own->runAsUser ? own->runAsUser
                                            : pod                 ? pod->runAsUser
                                                                  : kUnsetUser;
  const std::string field = own && own->runAsNonRoot ? path + ".securityContext.runAsNonRoot"
                                                     : "spec.template.spec.securityContext.runAsNonRoot";
  if (user && *user == 0) {
    out.push_back(field + ": container's runAsUser breaks non-root policy (runAsUser 0)");
  } else if (!user && agentIsRoot) {
    out.push_back(field +
                  ": container has runAsNonRoot and would run as root (no runAsUser; the host process "
                  "inherits the agent's user, root)");
  }
}

void capabilityRefusals(const model::Container& c, const std::string& path, std::vector<std::string>& out) {
  if (!c.securityContext || !c.securityContext->capabilities) return;
  const model::Capabilities& caps = *c.securityContext->capabilities;
  for (const auto* list : {&caps.add, &caps.drop}) {
    const char* name = list == &caps.add ? "add" : "drop";
    for (std::size_t i = 0; i < list->size(); ++i) {
      const std::string& cap = (*list)[i];
      if (isAll(cap) || runtime::capabilityNumber(cap)) continue;
      std::string hint =
          cap.rfind("CAP_", 0) == 0 || cap.rfind("cap_", 0) == 0 ? " (write it without CAP_)" : "";
      out.push_back(path + ".securityContext.capabilities." + name + "[" + std::to_string(i) +
                    "]: unknown capability \"" + cap + "\"" + hint);
    }
  }
}

void volumeMountRefusals(const model::PodSpec& spec, const model::Container& c, const std::string& path,
                         std::vector<std::string>& out) {
  for (std::size_t i = 0; i < c.volumeMounts.size(); ++i) {
    const model::VolumeMount& mount = c.volumeMounts[i];
    auto volume = std::find_if(spec.volumes.begin(), spec.volumes.end(),
                               [&](const model::Volume& v) { return v.name == mount.name; });
    std::string why;
    if (volume == spec.volumes.end() || !volume->hostPath) {
      why = "only hostPath volumes can be used by a host process (no mount namespace)";
    } else if (volume->hostPath->path != mount.mountPath) {
      why = "a host process sees hostPath " + volume->hostPath->path + " at its own path only, not at " +
            mount.mountPath;
    } else if (mount.readOnly) {
      why = "readOnly cannot be enforced for a host process";
    } else if (!mount.subPath.empty() || !mount.subPathExpr.empty()) {
      why = "subPath cannot be honoured for a host process";
    }
    if (!why.empty()) out.push_back(path + ".volumeMounts[" + std::to_string(i) + "]: " + why);
  }
}

std::vector<std::string> containerRefusals(const model::DaemonSet& ds, ContainerRef ref, bool agentIsRoot) {
  std::vector<std::string> out;
  const model::PodSpec& spec = ds.spec.template_.spec;
  const model::Container* c = containerOf(spec, ref);
  if (!c) return out;
  const std::string path = containerPath(ref);
  runAsNonRootRefusal(spec, *c, path, agentIsRoot, out);
  if (c->securityContext && c->securityContext->readOnlyRootFilesystem.value_or(false)) {
    out.push_back(
        path + ".securityContext.readOnlyRootFilesystem: a host process shares the host's root filesystem");
  }
  volumeMountRefusals(spec, *c, path, out);
  capabilityRefusals(*c, path, out);
  const Json* rawList = member(rawPodSpec(ds), ref.init ? "initContainers" : "containers");
  if (rawList && rawList->is_array() && ref.index < rawList->size()) {
    refuseLocalhostProfiles(member(&(*rawList)[ref.index], "securityContext"), path + ".securityContext",
                            out);
  }
  return out;
}

runtime::CapabilitySet namedSet(const std::vector<std::string>& names) {
  runtime::CapabilitySet set = 0;
  for (const auto& name : names) {
    if (auto number = runtime::capabilityNumber(name)) set |= runtime::capabilityBit(*number);
  }
  return set;
}

// containerd's CRI order (WithCapabilities): add ALL, then drop ALL, then the
// named adds, then the named drops; a name in both lists ends up dropped.
runtime::ContainerSecurity securityOf(const model::PodSpec& spec, const model::Container& c) {
  runtime::ContainerSecurity out;
  const model::SecurityContext* sc = c.securityContext ? &*c.securityContext : nullptr;
  out.privileged = sc && sc->privileged.value_or(false);
  // allowPrivilegeEscalation defaults to true; privileged implies it.
  out.noNewPrivileges = sc && !out.privileged && sc->allowPrivilegeEscalation == false;
  if (sc && sc->capabilities) {
    const model::Capabilities& caps = *sc->capabilities;
    if (containsAll(caps.add)) out.capabilities = runtime::allKnownCapabilities();
    if (containsAll(caps.drop)) out.capabilities = 0;
    out.addedCapabilities = containsAll(caps.add) ? runtime::allKnownCapabilities() : namedSet(caps.add);
    out.capabilities |= namedSet(caps.add);
    out.capabilities &= ~namedSet(caps.drop);
  }
  if (spec.securityContext) {
    out.supplementalGroups = spec.securityContext->supplementalGroups;
    if (spec.securityContext->fsGroup) out.supplementalGroups.push_back(*spec.securityContext->fsGroup);
  }
  return out;
}

}  // namespace

std::vector<std::string> hostRuntimeRefusals(const model::DaemonSet& ds, ContainerRef container,
                                             bool agentIsRoot) {
  std::vector<std::string> out;
  podRefusals(ds, agentIsRoot, out);
  auto own = containerRefusals(ds, container, agentIsRoot);
  out.insert(out.end(), own.begin(), own.end());
  return out;
}

std::vector<std::string> hostRuntimeRefusals(const model::DaemonSet& ds, bool agentIsRoot) {
  std::vector<std::string> out;
  podRefusals(ds, agentIsRoot, out);
  const model::PodSpec& spec = ds.spec.template_.spec;
  for (bool init : {true, false}) {
    std::size_t count = init ? spec.initContainers.size() : spec.containers.size();
    for (std::size_t i = 0; i < count; ++i) {
      auto own = containerRefusals(ds, ContainerRef{init, i}, agentIsRoot);
      out.insert(out.end(), own.begin(), own.end());
    }
  }
  return out;
}

runtime::ContainerSecurity containerSecurity(const model::DaemonSet& ds, ContainerRef container,
                                             std::int64_t nodeMemoryBytes) {
  const model::PodSpec& spec = ds.spec.template_.spec;
  const model::Container* c = containerOf(spec, container);
  if (!c) return {};
  runtime::ContainerSecurity security = securityOf(spec, *c);
  security.oomScoreAdj = decision::containerOomScoreAdj(spec, *c, nodeMemoryBytes);
  return security;
}

base::Result<runtime::ContainerSecurity> hostContainerSecurity(const model::DaemonSet& ds,
                                                               ContainerRef container,
                                                               std::int64_t nodeMemoryBytes,
                                                               bool agentIsRoot) {
  std::vector<std::string> refusals = hostRuntimeRefusals(ds, container, agentIsRoot);
  if (!refusals.empty()) {
    std::string message;
    for (const auto& refusal : refusals) message += (message.empty() ? "" : "; ") + refusal;
    return base::makeError(base::ErrorCode::kInvalidArgument, message);
  }
  if (!containerOf(ds.spec.template_.spec, container)) {
    return base::makeError(base::ErrorCode::kInvalidArgument, "no such container");
  }
  return containerSecurity(ds, container, nodeMemoryBytes);
}

}  // namespace daemonlet::reconciler
