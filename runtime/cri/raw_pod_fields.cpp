#include "runtime/cri/raw_pod_fields.h"
#include "runtime/cri/invalid_field.h"
#include "agent/model/pod_rules.h"

namespace daemonlet::runtime::cri {
const model::Json* rawMember(const model::Json* obj, const char* key) {
  if (!obj || !obj->is_object()) return nullptr;
  auto it = obj->find(key);
  return it == obj->end() || it->is_null() ? nullptr : &*it;
}

const model::Json* rawPodSpecOf(const model::DaemonSet* daemonSet) {
  if (daemonSet == nullptr) return nullptr;
  return rawMember(rawMember(rawMember(&daemonSet->raw, "spec"), "template"), "spec");
}

const model::Json* rawContainer(const model::Json* rawPodSpec, bool init, std::size_t index) {
  const model::Json* list = rawMember(rawPodSpec, init ? "initContainers" : "containers");
  if (!list || !list->is_array() || index >= list->size()) return nullptr;
  return &(*list)[index];
}

base::Result<std::vector<Sysctl>> podSysctls(const model::Json* rawPodSpec) {
  std::vector<Sysctl> out;
  const std::string field = "spec.securityContext.sysctls";
  const model::Json* list = rawMember(rawMember(rawPodSpec, "securityContext"), "sysctls");
  if (!list) return out;
  if (!list->is_array()) return invalidField(field, "must be a list");
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string at = field + "[" + std::to_string(i) + "]";
    const model::Json* name = rawMember(&(*list)[i], "name");
    const model::Json* value = rawMember(&(*list)[i], "value");
    if (!name || !name->is_string() || name->get<std::string>().empty()) return invalidField(at + ".name", "Required value");
    if (value && !value->is_string()) return invalidField(at + ".value", "must be a string");
    out.push_back({name->get<std::string>(), value ? value->get<std::string>() : ""});
  }
  return out;
}

bool shareProcessNamespace(const model::Json* rawPodSpec) {
  const model::Json* share = rawMember(rawPodSpec, "shareProcessNamespace");
  return share && share->is_boolean() && share->get<bool>();
}

base::Result<std::optional<SeccompProfile>> seccompProfileOf(const model::Json* rawSecurityContext,
                                                             const std::string& field) {
  const model::Json* profile = rawMember(rawSecurityContext, "seccompProfile");
  if (!profile) return std::optional<SeccompProfile>{};
  const std::string at = field + ".seccompProfile";
  const model::Json* type = rawMember(profile, "type");
  if (!type || !type->is_string()) return invalidField(at + ".type", "Required value");
  SeccompProfile out{type->get<std::string>(), {}};
  if (out.type != "RuntimeDefault" && out.type != "Unconfined" && out.type != "Localhost") {
    return invalidField(at + ".type", "Unsupported value: \"" + out.type + "\"");
  }
  const model::Json* local = rawMember(profile, "localhostProfile");
  if (out.type == "Localhost") {
    if (!local || !local->is_string() || local->get<std::string>().empty()) {
      return invalidField(at + ".localhostProfile", "Required value: must be set when seccomp type is Localhost");
    }
    out.localhostProfile = local->get<std::string>();
  }
  return std::optional<SeccompProfile>(out);
}

std::string containerFieldOf(const model::PodSpec& spec, const model::Container& container) {
  if (auto index = containerIndex(spec, false, container.name)) return model::containerFieldPath(false, *index);
  return model::containerFieldPath(true, containerIndex(spec, true, container.name).value_or(0));
}

std::optional<std::size_t> containerIndex(const model::PodSpec& spec, bool init, const std::string& name) {
  const auto& list = init ? spec.initContainers : spec.containers;
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (list[i].name == name) return i;
  }
  return std::nullopt;
}

}  // namespace daemonlet::runtime::cri
