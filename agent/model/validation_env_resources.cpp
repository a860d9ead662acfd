// Container env (ValidateEnv, validateEnvVarValueFrom and its selectors) and
// resources (ValidateContainerResources).
#include <algorithm>

#include "agent/model/validation_internal.h"

namespace daemonlet::model::validation_detail {
namespace {

// SplitMaybeSubscriptedPath: "metadata.labels['k']" -> ("metadata.labels", "k").
bool splitSubscript(const std::string& fieldPath, std::string& path, std::string& subscript) {
  if (fieldPath.size() < 2 || fieldPath.compare(fieldPath.size() - 2, 2, "']") != 0) return false;
  const std::size_t open = fieldPath.find("['");
  if (open == std::string::npos || open == 0) return false;
  path = fieldPath.substr(0, open);
  subscript = fieldPath.substr(open + 2, fieldPath.size() - open - 4);
  return true;
}

void validateFieldRef(const ObjectFieldSelector& fs, const std::string& path, FieldErrors& out) {
  if (fs.apiVersion.empty()) {
    out.push_back(required(child(path, "apiVersion")));
    return;
  }
  if (fs.fieldPath.empty()) {
    out.push_back(required(child(path, "fieldPath")));
    return;
  }
  // ConvertDownwardAPIFieldLabel first: version v1 and a known pod field.
  static const std::vector<std::string> kConvertible = {
      "metadata.annotations", "metadata.labels", "metadata.name",   "metadata.namespace", "metadata.uid",
      "spec.nodeName",        "spec.restartPolicy", "spec.serviceAccountName", "spec.schedulerName",
      "status.phase",         "status.hostIP",   "status.hostIPs",  "status.podIP",       "status.podIPs"};
  std::string base, subscript;
  const bool subscripted = splitSubscript(fs.fieldPath, base, subscript);
  std::string conversionError;
  if (fs.apiVersion != "v1") {
    conversionError = "unsupported pod version: " + fs.apiVersion;
  } else if (subscripted) {
    if (base != "metadata.annotations" && base != "metadata.labels")
      conversionError = "field label does not support subscript: " + base;
  } else if (std::find(kConvertible.begin(), kConvertible.end(), fs.fieldPath) == kConvertible.end()) {
    conversionError = "field label not supported: " + fs.fieldPath;
  }
  if (!conversionError.empty()) {
    out.push_back(invalid(child(path, "fieldPath"), quote(fs.fieldPath), "error converting fieldPath: " + conversionError));
    return;
  }
  if (subscripted) {
    std::string k = subscript;
    if (base == "metadata.annotations")
      std::transform(k.begin(), k.end(), k.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    addInvalid(out, path, quote(k), isQualifiedName(k));
    return;
  }
  static const std::vector<std::string> kEnvPaths = {"metadata.name", "metadata.namespace", "metadata.uid",
                                                     "spec.nodeName", "spec.serviceAccountName", "status.hostIP",
                                                     "status.hostIPs", "status.podIP", "status.podIPs"};
  if (std::find(kEnvPaths.begin(), kEnvPaths.end(), fs.fieldPath) == kEnvPaths.end()) {
    std::vector<std::string> sorted = kEnvPaths;
    std::sort(sorted.begin(), sorted.end());
    out.push_back(notSupported(child(path, "fieldPath"), quote(fs.fieldPath), sorted));
  }
}

void validateResourceFieldRef(const ResourceFieldSelector& fs, const std::string& path, FieldErrors& out) {
  static const std::vector<std::string> kSupported = {"limits.cpu",   "limits.ephemeral-storage",   "limits.memory",
                                                      "requests.cpu", "requests.ephemeral-storage", "requests.memory"};
  if (fs.resource.empty()) {
    out.push_back(required(child(path, "resource")));
  } else if (std::find(kSupported.begin(), kSupported.end(), fs.resource) == kSupported.end() &&
             fs.resource.rfind("limits.hugepages-", 0) != 0 && fs.resource.rfind("requests.hugepages-", 0) != 0) {
    out.push_back(notSupported(child(path, "resource"), quote(fs.resource), kSupported));
  }
}

void validateKeySelector(const KeySelector& s, const std::string& path, FieldErrors& out) {
  addInvalid(out, child(path, "name"), quote(s.name), nameIsDnsSubdomain(s.name, false));
  if (s.key.empty()) out.push_back(required(child(path, "key")));
  else addInvalid(out, child(path, "key"), quote(s.key), isConfigMapKey(s.key));
}

void validateValueFrom(const EnvVar& ev, const std::string& path, FieldErrors& out) {
  if (!ev.valueFrom) return;
  const EnvVarSource& src = *ev.valueFrom;
  int sources = 0;
  if (src.fieldRef) {
    ++sources;
    validateFieldRef(*src.fieldRef, child(path, "fieldRef"), out);
  }
  if (src.resourceFieldRef) {
    ++sources;
    validateResourceFieldRef(*src.resourceFieldRef, child(path, "resourceFieldRef"), out);
  }
  if (src.configMapKeyRef) {
    ++sources;
    validateKeySelector(*src.configMapKeyRef, child(path, "configMapKeyRef"), out);
  }
  if (src.secretKeyRef) {
    ++sources;
    validateKeySelector(*src.secretKeyRef, child(path, "secretKeyRef"), out);
  }
  if (sources == 0)
    out.push_back(invalid(path, quote(""),
                          "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"));
  else if (!ev.value.empty())
    out.push_back(invalid(path, quote(""), "may not be specified when `value` is not empty"));
  else if (sources > 1)
    out.push_back(invalid(path, quote(""), "may not have more than one field specified at a time"));
}

bool isNativeResource(const std::string& name) {
  return name.find('/') == std::string::npos || name.find("kubernetes.io/") != std::string::npos;
}
bool isHugePages(const std::string& name) { return name.rfind("hugepages-", 0) == 0; }
bool isExtendedResource(const std::string& name) {
  if (isNativeResource(name) || name.rfind("requests.", 0) == 0) return false;
  return isQualifiedName("requests." + name).empty();
}
bool overcommitAllowed(const std::string& name) { return isNativeResource(name) && !isHugePages(name); }

void validateResourceName(const std::string& name, const std::string& path, FieldErrors& out) {
  addInvalid(out, path, quote(name), isQualifiedName(name));
  if (name.find('/') == std::string::npos) {
    if (name != "cpu" && name != "memory" && name != "ephemeral-storage" && !isHugePages(name))
      out.push_back(invalid(path, quote(name), "must be a standard resource for containers"));
  } else if (!isNativeResource(name) && !isExtendedResource(name)) {
    out.push_back(invalid(path, quote(name), "doesn't follow extended resource name standard"));
  }
}

void validateQuantityValue(const std::string& name, const Quantity& q, const std::string& path, FieldErrors& out) {
  if (q.isNegative()) out.push_back(invalid(path, quote(q.canonical()), "must be greater than or equal to 0"));
  if (isExtendedResource(name) && q.milliValue() % 1000 != 0)
    out.push_back(invalid(path, quote(q.canonical()), "must be an integer"));
}

}  // namespace

void validateEnv(const std::vector<EnvVar>& env, const std::string& path, FieldErrors& out) {
  for (std::size_t i = 0; i < env.size(); ++i) {
    const std::string idx = index(path, i);
    if (env[i].name.empty()) out.push_back(required(child(idx, "name")));
    // RelaxedEnvironmentVariableValidation is on by default (GA in 1.34).
    addInvalid(out, child(idx, "name"), quote(env[i].name), isRelaxedEnvVarName(env[i].name));
    validateValueFrom(env[i], child(idx, "valueFrom"), out);
  }
}

void validateResources(const ResourceRequirements& r, const std::string& path, FieldErrors& out) {
  const std::string limPath = child(path, "limits");
  const std::string reqPath = child(path, "requests");
  bool cpuOrMemory = false, hugePages = false;
  for (const auto& [name, q] : r.limits) {
    validateResourceName(name, key(limPath, name), out);
    validateQuantityValue(name, q, key(limPath, name), out);
    if (isHugePages(name)) hugePages = true;
    if (name == "cpu" || name == "memory") cpuOrMemory = true;
  }
  for (const auto& [name, q] : r.requests) {
    validateResourceName(name, key(reqPath, name), out);
    validateQuantityValue(name, q, key(reqPath, name), out);
    if (isHugePages(name)) hugePages = true;
    if (name == "cpu" || name == "memory") cpuOrMemory = true;
    auto lim = r.limits.find(name);
    if (lim != r.limits.end()) {
      const int cmp = q.compare(lim->second);
      if (cmp != 0 && !overcommitAllowed(name))
        out.push_back(invalid(reqPath, quote(q.canonical()),
                              "must be equal to " + name + " limit of " + lim->second.canonical()));
      else if (cmp > 0)
        out.push_back(invalid(reqPath, quote(q.canonical()),
                              "must be less than or equal to " + name + " limit of " + lim->second.canonical()));
    } else if (!overcommitAllowed(name)) {
      out.push_back(required(limPath, "Limit must be set for non overcommitable resources"));
    }
  }
  if (hugePages && !cpuOrMemory) out.push_back(forbidden(path, "HugePages require cpu or memory"));
}

}  // namespace daemonlet::model::validation_detail
