#pragma once
// Host pods in transient systemd scopes (systemd/scope_request.h), when systemd
// is the service manager: each pod's processes in daemonlet-pod-<uid>.scope,
// the shim host in daemonlet-shim.scope, both in daemonlet.slice and so
// outside daemonlet.service: stopping, killing or restarting the agent's unit
// never reaches them, and the pod's limits are the scope's unit properties.
//
// systemd makes a scope only around a running process, and a container must be
// in its cgroups before it execs (or a child it forks at once could escape).
// So an anchor comes first: a tiny process (the shim binary in --hold mode)
// that systemd puts in the scope (StartTransientUnit with its PID, or
// AttachProcessesToUnit when the scope exists). The container then joins the
// anchor's cgroup in every hierarchy, its own sub-cgroup (the scope is
// delegated) in the tracking one, and the anchor leaves once the container
// runs. A scope whose processes have all ended is collected by systemd; the
// pod's next start makes it again. Scopes outlive the agent: a restarted agent
// finds its pods where they were.
//
// Threading: the host runtime's io_context; every call blocks on systemd's
// answer (milliseconds).
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "agent/base/result.h"
#include "runtime/process/unique_fd.h"
#include "runtime/runtime.h"
#include "systemd/unit_manager.h"

namespace daemonlet::runtime::process {

// Where a starting container goes, and the anchor holding its scope meanwhile.
struct ScopePlacement {
  std::string cgroupPath;                     // its own directory, in the tracking hierarchy
  std::vector<std::string> otherCgroupPaths;  // the scope's directory in each v1 hierarchy
  pid_t anchor = 0;
  UniqueFd anchorRelease;  // closing it lets the anchor exit
};

class PodScopes {
 public:
  // `trackingMount`: the mounted hierarchy where each container gets its own
  // directory (the unified one, else systemd's name=systemd one).
  // `anchorCommand`: the shim's argv prefix; "--hold" is appended.
  PodScopes(systemd::UnitManager& units, std::string trackingMount, std::vector<std::string> anchorCommand);

  // The directory holding the pods' scopes in the tracking hierarchy, and a
  // pod's name in it: the host runtime's cgroup root and pod key.
  std::string cgroupRoot() const;
  static std::string podKey(const std::string& podUid);

  base::Result<ScopePlacement> prepare(const PodRef& pod, const std::string& containerName,
                                       const systemd::ScopeLimits& limits);
  // After the container started (or failed to): the anchor exits and is reaped.
  static void release(ScopePlacement& placement);

  // Once the pod is gone (its containers ended): the scope is stopped.
  base::Status removePod(const std::string& podUid);

  // Moves a shim host into daemonlet-shim.scope (once per host process).
  void placeShimHost(pid_t shimPid);

 private:
  systemd::UnitManager& units_;
  std::string trackingMount_;
  std::vector<std::string> anchorCommand_;
  pid_t placedShim_ = 0;
};

// The hierarchy PodScopes tracks containers in: the cgroup2 mount
// (/sys/fs/cgroup on unified hosts, /sys/fs/cgroup/unified on hybrid ones),
// else systemd's own v1 hierarchy; empty when neither is mounted.
std::string scopeTrackingMount();

}  // namespace daemonlet::runtime::process
