// A container's volumeMounts as CRI mounts (pod_volumes.h states the rules).
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <regex>

#include "runtime/cri/pod_volumes.h"
#include "runtime/cri/proto/api.pb.h"
#include "runtime/cri/raw_pod_fields.h"
#include "agent/model/var_references.h"
#include "runtime/cri/invalid_field.h"

namespace daemonlet::runtime::cri {
namespace {

namespace fs = std::filesystem;
namespace v1 = ::runtime::v1;

base::Result<v1::MountPropagation> propagationOf(const std::string& mode, bool privileged, const std::string& field) {
  if (mode.empty() || mode == "None") return v1::PROPAGATION_PRIVATE;
  if (mode == "HostToContainer") return v1::PROPAGATION_HOST_TO_CONTAINER;
  if (mode == "Bidirectional") {
    if (!privileged) return invalidField(field, "Bidirectional mount propagation is available only to privileged containers");
    return v1::PROPAGATION_BIDIRECTIONAL;
  }
  return invalidField(field, "invalid MountPropagation mode: \"" + mode + "\"");
}

// subPathExpr: every $(VAR) must name a variable with a value (the kubelet's
// ExpandContainerVolumeMounts), unlike command and args.
base::Result<std::string> expandSubPathExpr(const std::string& expr, const std::map<std::string, std::string>& env,
                                            const std::string& field) {
  static const std::regex reference(R"(\$\(([^)]*)\))");
  std::string missing;
  for (std::sregex_iterator it(expr.begin(), expr.end(), reference), end; it != end; ++it) {
    const std::size_t at = static_cast<std::size_t>(it->position(0));
    if (at > 0 && expr[at - 1] == '$') continue;  // "$$(X)" is an escaped literal
    auto value = env.find((*it)[1]);
    if (value == env.end() || value->second.empty()) missing += (missing.empty() ? "" : ", ") + (*it)[1].str();
  }
  if (!missing.empty()) return invalidField(field, "missing value for " + missing);
  return model::expandReferences(expr, env);
}

// The subPath inside its volume, made (as directories with the volume's mode)
// when missing, as the kubelet does before the runtime could make it with the
// wrong owner. A path that leaves the volume, also through a symlink, is refused.
base::Result<std::string> subPathOnHost(const std::string& volumePath, const std::string& subPath,
                                        const std::string& field) {
  const fs::path relative(subPath);
  if (relative.is_absolute()) return invalidField(field, "must be a relative path: " + subPath);
  for (const auto& part : relative) {
    if (part == "..") return invalidField(field, "must not contain '..': " + subPath);
  }
  std::error_code ec;
  const fs::path root = fs::weakly_canonical(volumePath, ec);
  if (ec) return base::makeError(base::ErrorCode::kIo, "cannot resolve the volume " + volumePath + ": " + ec.message(), field);
  const fs::path target = fs::weakly_canonical(root / relative, ec);
  if (ec) return base::makeError(base::ErrorCode::kIo, "cannot resolve " + subPath + ": " + ec.message(), field);
  const auto mismatch = std::mismatch(root.begin(), root.end(), target.begin(), target.end());
  if (mismatch.first != root.end()) return invalidField(field, subPath + " resolves outside its volume (through a symlink)");
  if (!fs::exists(target, ec)) {
    struct stat volumeStat {};
    const mode_t mode = ::stat(root.c_str(), &volumeStat) == 0 ? (volumeStat.st_mode & 07777) : 0755;
    fs::create_directories(target, ec);
    if (ec) return base::makeError(base::ErrorCode::kIo, "cannot create " + target.string() + ": " + ec.message(), field);
    for (fs::path made = target; made != root && made.has_relative_path(); made = made.parent_path()) {
      ::chmod(made.c_str(), mode);
    }
  }
  return (root / relative).string();
}

}  // namespace

base::Result<std::vector<v1::Mount>> containerMounts(const model::PodSpec& spec, const model::Container& container,
                                                     const PodVolumes& volumes,
                                                     const std::map<std::string, std::string>& env, bool privileged) {
  const std::string base = containerFieldOf(spec, container);
  std::vector<v1::Mount> mounts;
  for (std::size_t i = 0; i < container.volumeMounts.size(); ++i) {
    const model::VolumeMount& mount = container.volumeMounts[i];
    const std::string field = base + ".volumeMounts[" + std::to_string(i) + "]";
    auto volume = volumes.byName.find(mount.name);
    if (volume == volumes.byName.end()) {
      return invalidField(field + ".name", "cannot find volume \"" + mount.name + "\" to mount into container \"" +
                                          container.name + "\"");
    }
    std::string hostPath = volume->second.hostPath;
    std::string subPath = mount.subPath;
    if (!mount.subPathExpr.empty()) {
      auto expanded = expandSubPathExpr(mount.subPathExpr, env, field + ".subPathExpr");
      if (!expanded) return expanded.error();
      subPath = *expanded;
    }
    if (!subPath.empty()) {
      auto onHost = subPathOnHost(hostPath, subPath, field + (mount.subPathExpr.empty() ? ".subPath" : ".subPathExpr"));
      if (!onHost) return onHost.error();
      hostPath = *onHost;
    }
    auto propagation = propagationOf(mount.mountPropagation, privileged, field + ".mountPropagation");
    if (!propagation) return propagation.error();
    v1::Mount& out = mounts.emplace_back();
    out.set_container_path(!mount.mountPath.empty() && mount.mountPath.front() == '/' ? mount.mountPath
                                                                                      : "/" + mount.mountPath);
    out.set_host_path(hostPath);
    out.set_readonly(mount.readOnly);
    out.set_propagation(*propagation);
  }
  return mounts;
}

}  // namespace daemonlet::runtime::cri
