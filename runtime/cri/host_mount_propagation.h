#pragma once
// Whether this host can give a container the mount propagation it asks for,
// checked before the container is created so the refusal names the field.
// containerd (like the kubelet's runtimes) needs the host mount under a
// Bidirectional volume to be shared, and under a HostToContainer one to be
// shared or a slave; otherwise CreateContainer fails with a message that names
// no field. On hosts booted by systemd `/` is shared; in many containers and
// minimal VMs every mount is private.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/result.h"
#include "agent/model/types.h"
#include "runtime/cri/cri_proto_fwd.h"

namespace daemonlet::runtime::cri {

// One line of /proc/self/mountinfo, as far as propagation goes.
struct HostMount {
  std::string mountPoint;
  bool shared = false;  // optional field "shared:N"
  bool slave = false;   // optional field "master:N"
};

// The mount that holds `path` (absolute, already canonical): the last entry whose
// mount point is the longest whole-component prefix. Pure. nullopt when none does.
std::optional<HostMount> mountHolding(std::string_view mountinfo, const std::string& path);

// Every mount of `mounts` (one per volumeMounts entry of `container`, in order,
// as containerMounts() makes them) whose propagation the host mount under it
// cannot give; the error names spec.(init)containers[i].volumeMounts[j].mountPropagation.
// `mountinfo` is the text of /proc/self/mountinfo.
base::Status checkHostPropagation(const model::PodSpec& spec, const model::Container& container,
                                  const std::vector<::runtime::v1::Mount>& mounts, std::string_view mountinfo);

// The text of /proc/self/mountinfo ("" when unreadable: then nothing is checked).
std::string readHostMountInfo();

}  // namespace daemonlet::runtime::cri
