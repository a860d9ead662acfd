#pragma once
// A pod's volumes on a static node, made into CRI mounts the way the kubelet's
// volume manager and kuberuntime do it:
//   - hostPath, with its `type` checked before the pod starts: "" (no check),
//     DirectoryOrCreate (made 0755 when missing), Directory, FileOrCreate (made
//     0644 empty when missing), File, Socket, CharDevice, BlockDevice;
//   - emptyDir, a directory <stateDir>/pods/<uid>/volumes/kubernetes.io~empty-dir/<name>
//     (mode 0777, as the kubelet makes it); medium Memory mounts a tmpfs there,
//     which needs mount privileges: without them it is an error naming the field;
//   - every other volume kind (configMap, secret, projected, downwardAPI,
//     persistentVolumeClaim, csi, ...) needs objects or drivers a node without an
//     API server does not have: the pod is refused, naming the volume's field.
// Mounts: readOnly, subPath (inside the volume; missing → created as the kubelet
// does, a directory), subPathExpr ($(VAR) from the container's env),
// mountPropagation (None/HostToContainer/Bidirectional → PROPAGATION_PRIVATE/
// HOST_TO_CONTAINER/BIDIRECTIONAL; Bidirectional only for privileged containers).
//
// Touches the file system (creates directories, stats paths); no clock.
#include <map>
#include <string>
#include <vector>

#include "agent/base/result.h"
#include "agent/model/types.h"
#include "runtime/cri/cri_proto_fwd.h"

namespace daemonlet::runtime::cri {

struct PreparedVolume {
  std::string hostPath;  // what containers mount (the hostPath, or the emptyDir directory)
  bool emptyDir = false;
};

struct PodVolumes {
  std::map<std::string, PreparedVolume> byName;
};

// Why each volume of the pod cannot be provided on this node, one line each
// ("spec.volumes[2].configMap: ..."); empty: all can. Pure: for validate,
// explain and tests.
std::vector<std::string> unsupportedVolumeReasons(const model::PodSpec& spec);

// The emptyDir directory of a pod's volume.
std::string emptyDirPath(const std::string& stateDir, const std::string& podUid, const std::string& volumeName);

// Checks and prepares every volume of the pod, as the kubelet does before any
// of its containers starts. The error (kInvalidArgument for the spec, kIo for
// the file system) names the field: "spec.volumes[0].hostPath.type: hostPath
// type check failed: /run/x is not a directory".
base::Result<PodVolumes> preparePodVolumes(const model::PodSpec& spec, const std::string& podUid,
                                           const std::string& stateDir);

// The container's mounts. `env` is the container's resolved environment
// (subPathExpr). `privileged` allows Bidirectional propagation. Errors name the
// field: "spec.containers[1].volumeMounts[0].subPath: must not contain '..'".
base::Result<std::vector<::runtime::v1::Mount>> containerMounts(const model::PodSpec& spec,
                                                                 const model::Container& container,
                                                                 const PodVolumes& volumes,
                                                                 const std::map<std::string, std::string>& env,
                                                                 bool privileged);

// Removes the pod's emptyDir volumes (unmounting a Memory one first); a pod
// without any is fine.
base::Status removePodVolumes(const std::string& stateDir, const std::string& podUid);

}  // namespace daemonlet::runtime::cri
