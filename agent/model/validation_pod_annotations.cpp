// ValidatePodSpecificAnnotations: the template annotations the API server gives
// meaning to (mirror pod, deletion cost, seccomp and AppArmor profiles).
#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "agent/model/validation_internal.h"

namespace daemonlet::model::validation_detail {
namespace {

const char* const kMirrorPod = "kubernetes.io/config.mirror";
const char* const kDeletionCost = "controller.kubernetes.io/pod-deletion-cost";
const char* const kSeccompPod = "seccomp.security.alpha.kubernetes.io/pod";
const char* const kSeccompContainerPrefix = "container.seccomp.security.alpha.kubernetes.io/";
const char* const kAppArmorPrefix = "container.apparmor.security.beta.kubernetes.io/";

bool startsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

bool isInt32(const std::string& s) {
  // strconv.ParseInt(s, 10, 32): optional sign, decimal digits only.
  std::size_t i = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
  if (i == s.size()) return false;
  for (std::size_t j = i; j < s.size(); ++j)
    if (s[j] < '0' || s[j] > '9') return false;
  errno = 0;
  const long long v = std::strtoll(s.c_str(), nullptr, 10);
  return errno == 0 && v >= -2147483648LL && v <= 2147483647LL;
}

void validateSeccompProfile(const std::string& profile, const std::string& path, FieldErrors& out) {
  if (profile == "runtime/default" || profile == "docker/default" || profile == "unconfined") return;
  if (startsWith(profile, "localhost/")) {
    const std::string local = profile.substr(10);
    if (!local.empty() && local.front() == '/') out.push_back(invalid(path, quote(local), "must be a relative path"));
    std::size_t start = 0;
    while (true) {
      const std::size_t slash = local.find('/', start);
      if (local.substr(start, slash == std::string::npos ? std::string::npos : slash - start) == "..") {
        out.push_back(invalid(path, quote(local), "must not contain '..'"));
        break;
      }
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    return;
  }
  out.push_back(invalid(path, quote(profile), "must be a valid seccomp profile"));
}

bool hasContainer(const PodSpec& spec, const std::string& name) {
  auto named = [&](const Container& c) { return c.name == name; };
  return std::any_of(spec.containers.begin(), spec.containers.end(), named) ||
         std::any_of(spec.initContainers.begin(), spec.initContainers.end(), named);
}

}  // namespace

void validatePodSpecificAnnotations(const StringMap& annotations, const PodSpec& spec, const std::string& path,
                                    FieldErrors& out) {
  if (auto it = annotations.find(kMirrorPod); it != annotations.end() && spec.nodeName.empty())
    out.push_back(invalid(key(path, kMirrorPod), quote(it->second), "must set spec.nodeName if mirror pod annotation is set"));
  if (auto it = annotations.find(kDeletionCost); it != annotations.end() && !isInt32(it->second))
    out.push_back(invalid(key(path, kDeletionCost), quote(it->second), "must be a 32bit integer"));
  if (auto it = annotations.find(kSeccompPod); it != annotations.end())
    validateSeccompProfile(it->second, child(path, kSeccompPod), out);
  for (const auto& [k, v] : annotations) {
    if (startsWith(k, kSeccompContainerPrefix)) validateSeccompProfile(v, child(path, k), out);
    if (startsWith(k, kAppArmorPrefix)) {
      const std::string container = k.substr(std::string(kAppArmorPrefix).size());
      if (!hasContainer(spec, container)) out.push_back(invalid(key(path, k), quote(container), "container not found"));
      if (!v.empty() && v != "runtime/default" && v != "unconfined" && !startsWith(v, "localhost/"))
        out.push_back(invalid(key(path, k), quote(v), "invalid AppArmor profile name: " + quote(v)));
    }
  }
}

}  // namespace daemonlet::model::validation_detail
