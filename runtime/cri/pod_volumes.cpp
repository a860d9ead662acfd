#include "runtime/cri/pod_volumes.h"
#include "runtime/cri/invalid_field.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <linux/magic.h>

namespace daemonlet::runtime::cri {
namespace {

namespace fs = std::filesystem;

std::string volumeField(std::size_t index) { return "spec.volumes[" + std::to_string(index) + "]"; }

base::Error ioError(const std::string& field, const std::string& why) {
  return base::makeError(base::ErrorCode::kIo, why, field);
}

// Why a node without an API server cannot provide a volume kind.
std::string unsupportedKindReason(const std::string& kind) {
  if (kind == "configMap" || kind == "secret") {
    return "a " + std::string(kind == "secret" ? "Secret" : "ConfigMap") +
           " volume needs the object from an API server, which this node agent does not have; put the files on "
           "the node and use a hostPath volume";
  }
  if (kind == "projected") {
    return "a projected volume (service account token, ConfigMap, Secret) needs an API server, which this node "
           "agent does not have";
  }
  if (kind == "downwardAPI") {
    return "downwardAPI volumes are not supported by this node agent; use env valueFrom.fieldRef";
  }
  if (kind == "persistentVolumeClaim" || kind == "ephemeral") {
    return "a volume claim needs a PersistentVolume bound by the control plane, which this node agent does not have";
  }
  if (kind == "csi") return "CSI volumes need a CSI driver registered through the kubelet, which this node agent is not";
  return "the " + kind + " volume plugin is not available on this node agent (supported: hostPath, emptyDir)";
}

bool isSupportedKind(const std::string& kind) { return kind == "hostPath" || kind == "emptyDir"; }

base::Status checkHostPathType(const model::HostPathVolumeSource& source, const std::string& field) {
  const std::string& type = source.type;
  const std::string& path = source.path;
  const std::string typeField = field + ".hostPath.type";
  if (type.empty()) return base::Ok{};
  struct stat st {};
  const bool exists = ::stat(path.c_str(), &st) == 0;
  auto failed = [&](const char* what) {
    return invalidField(typeField, "hostPath type check failed: " + path + " is not " + what);
  };
  if (type == "DirectoryOrCreate" || type == "Directory") {
    if (!exists && type == "DirectoryOrCreate") {
      std::error_code ec;
      fs::create_directories(path, ec);
      if (!ec) ::chmod(path.c_str(), 0755);
      if (ec) return ioError(typeField, "cannot create directory " + path + ": " + ec.message());
      return base::Ok{};
    }
    return exists && S_ISDIR(st.st_mode) ? base::Status(base::Ok{}) : failed("a directory");
  }
  if (type == "FileOrCreate" || type == "File") {
    if (!exists && type == "FileOrCreate") {
      // Like the kubelet: the file only, not its parent directories.
      std::ofstream create(path, std::ios::app);
      if (!create) return ioError(typeField, "cannot create file " + path + ": " + std::strerror(errno));
      ::chmod(path.c_str(), 0644);
      return base::Ok{};
    }
    return exists && S_ISREG(st.st_mode) ? base::Status(base::Ok{}) : failed("a file");
  }
  if (type == "Socket") return exists && S_ISSOCK(st.st_mode) ? base::Status(base::Ok{}) : failed("a socket file");
  if (type == "CharDevice") return exists && S_ISCHR(st.st_mode) ? base::Status(base::Ok{}) : failed("a character device");
  if (type == "BlockDevice") return exists && S_ISBLK(st.st_mode) ? base::Status(base::Ok{}) : failed("a block device");
  return invalidField(typeField, "\"" + type + "\" is an invalid volume type");
}

bool isTmpfs(const std::string& path) {
  struct statfs st {};
  return ::statfs(path.c_str(), &st) == 0 && st.f_type == TMPFS_MAGIC;
}

base::Status prepareEmptyDir(const model::EmptyDirVolumeSource& source, const std::string& path,
                             const std::string& field) {
  if (!source.medium.empty() && source.medium != "Memory") {
    return invalidField(field + ".emptyDir.medium", "medium \"" + source.medium + "\" is not supported (\"\" or Memory)");
  }
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) return ioError(field + ".emptyDir", "cannot create " + path + ": " + ec.message());
  if (source.medium == "Memory" && !isTmpfs(path)) {
    std::string options = "mode=0777";
    if (source.sizeLimit && source.sizeLimit->value() > 0) options += ",size=" + std::to_string(source.sizeLimit->value());
    if (::mount("tmpfs", path.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
      const int error = errno;
      return ioError(field + ".emptyDir.medium",
                     "Memory needs a tmpfs mounted at " + path + ", which failed: " + std::strerror(error) +
                         (error == EPERM ? " (the agent needs CAP_SYS_ADMIN to mount it)" : ""));
    }
  }
  // World-writable as the kubelet makes it: the container's user is unknown here.
  ::chmod(path.c_str(), 0777);
  return base::Ok{};
}

}  // namespace

std::vector<std::string> unsupportedVolumeReasons(const model::PodSpec& spec) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < spec.volumes.size(); ++i) {
    for (const std::string& kind : spec.volumes[i].sourceKinds) {
      if (!isSupportedKind(kind)) out.push_back(volumeField(i) + "." + kind + ": " + unsupportedKindReason(kind));
    }
  }
  return out;
}

std::string emptyDirPath(const std::string& stateDir, const std::string& podUid, const std::string& volumeName) {
  return stateDir + "/pods/" + podUid + "/volumes/kubernetes.io~empty-dir/" + volumeName;
}

base::Result<PodVolumes> preparePodVolumes(const model::PodSpec& spec, const std::string& podUid,
                                           const std::string& stateDir) {
  // Every refusal is named before anything is made on the node.
  if (auto reasons = unsupportedVolumeReasons(spec); !reasons.empty()) {
    const auto colon = reasons.front().find(": ");
    return invalidField(reasons.front().substr(0, colon), reasons.front().substr(colon + 2));
  }
  PodVolumes volumes;
  for (std::size_t i = 0; i < spec.volumes.size(); ++i) {
    const model::Volume& volume = spec.volumes[i];
    const std::string field = volumeField(i);
    PreparedVolume prepared;
    if (volume.hostPath) {
      if (auto checked = checkHostPathType(*volume.hostPath, field); !checked) return checked.error();
      prepared.hostPath = volume.hostPath->path;
    } else if (volume.emptyDir) {
      prepared.hostPath = emptyDirPath(stateDir, podUid, volume.name);
      prepared.emptyDir = true;
      if (auto made = prepareEmptyDir(*volume.emptyDir, prepared.hostPath, field); !made) return made.error();
    } else {
      return invalidField(field, "has no volume source");
    }
    volumes.byName[volume.name] = std::move(prepared);
  }
  return volumes;
}

base::Status removePodVolumes(const std::string& stateDir, const std::string& podUid) {
  const fs::path podDir = fs::path(stateDir) / "pods" / podUid;
  const fs::path emptyDirs = podDir / "volumes" / "kubernetes.io~empty-dir";
  std::error_code ec;
  for (fs::directory_iterator it(emptyDirs, ec), end; !ec && it != end; it.increment(ec)) {
    // A Memory volume's tmpfs first, so its pages are freed and remove_all
    // below stays on our own file system.
    if (isTmpfs(it->path()) && !isTmpfs(emptyDirs) && ::umount2(it->path().c_str(), MNT_DETACH) != 0) {
      return ioError(it->path().string(), std::string("cannot unmount the Memory emptyDir: ") + std::strerror(errno));
    }
  }
  ec.clear();
  fs::remove_all(podDir / "volumes", ec);
  if (ec) return ioError((podDir / "volumes").string(), "cannot remove the pod's volumes: " + ec.message());
  fs::remove(podDir, ec);  // only when empty: other parts may keep files there
  return base::Ok{};
}

}  // namespace daemonlet::runtime::cri
