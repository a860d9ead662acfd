#pragma once
// Runtime: how the reconciler runs a pod's containers. Two implementations share
// this contract: ProcessRuntime (runtime/process/, host processes, the bootstrap
// path) and the CRI runtime (runtime/cri/, containerd).
//
// Threading: every method is called on the reconciler's io_context thread, and
// every callback (stop completion, exit handler) runs on that same thread. A
// method may block only briefly (spawning a process, reading a few files);
// anything that waits (the grace period of a stop) completes asynchronously.
//
// Ownership: workloads outlive the Runtime object and the agent process. Each
// workload is stamped with its pod, container, revision and restart count, so a
// new Runtime on the same state finds them again through list() ("adoption")
// instead of starting copies.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/base/clock.h"
#include "agent/base/result.h"
#include "agent/model/pod_rules.h"
#include "agent/model/types.h"
#include "runtime/container_security.h"

namespace daemonlet::runtime {

// Which pod a container belongs to. uid is the key; the rest is carried so that a
// restarted agent can rebuild its view from list() alone.
struct PodRef {
  std::string namespace_;
  std::string name;
  std::string uid;
  std::string daemonSetName;
  std::string daemonSetUid;
  std::string revision;  // the pod template hash the pod was created from

  bool operator==(const PodRef&) const = default;
};

// Resource limits, already resolved from container.resources.limits by the
// caller; unset means unlimited.
struct ResourceLimits {
  std::optional<std::int64_t> memoryBytes;
  std::optional<std::int64_t> cpuMillis;
};

struct ContainerStartRequest {
  PodRef pod;
  model::Container container;  // command + args required for host processes
  bool init = false;           // an initContainer (runs to completion first)
  int restartCount = 0;
  // The complete environment, resolved by the caller (fieldRef values filled in,
  // container.env is not read again). The runtime adds only its own marker
  // variable and a default PATH when none is given.
  std::map<std::string, std::string> env;
  std::optional<std::int64_t> runAsUser;   // resolved from container + pod securityContext
  std::optional<std::int64_t> runAsGroup;  // unset with runAsUser: the user's primary group
  ContainerSecurity security;
  // Where stdout/stderr go in the CRI log format. Empty: the runtime's default,
  // <logDir>/<namespace>_<name>_<uid>/<container>/<restartCount>.log.
  std::string logPath;
  ResourceLimits limits;
  std::chrono::seconds terminationGracePeriod{model::kDefaultTerminationGracePeriodSeconds};
};

enum class ContainerState {
  kRunning,
  kExited,
  // Found alive but its record is missing or unreadable: the caller decides to
  // adopt or stop it; it must never start a second copy beside it.
  kUnknown,
};
const char* containerStateName(ContainerState state);

struct ContainerStatus {
  std::string containerId;  // "host://<pid>" for host processes
  PodRef pod;               // fields may be empty for kUnknown containers
  std::string containerName;
  bool init = false;
  ContainerState state = ContainerState::kUnknown;
  int pid = 0;
  base::WallTime startedAt{};
  std::optional<base::WallTime> finishedAt;
  // Kubernetes conventions: exit code, or 128+signal when killed by a signal.
  std::optional<int> exitCode;
  int signal = 0;  // the signal that ended it, 0 when it exited by itself
  // "Completed" (exit 0), "Error", "OOMKilled", "ContainerStatusUnknown" (the exit
  // status was lost), "StartError". Empty while running.
  std::string reason;
  std::string message;  // human detail, e.g. "terminated by signal 9 (Killed)"
  int restartCount = 0;
  std::string logPath;

  const std::string& revision() const { return pod.revision; }
};

using StopCallback = std::function<void(const ContainerStatus&)>;
using ExitHandler = std::function<void(const ContainerStatus&)>;

class Runtime {
 public:
  virtual ~Runtime() = default;

  // Starts one container and returns once it is running (or failed to start).
  // Its record is in place before this returns, so a crash of the agent right
  // after cannot lose it (whether it is also fsynced is the implementation's
  // choice: ProcessRuntime syncs records in the background, see its options).
  // An error means nothing is left running.
  virtual base::Result<ContainerStatus> start(const ContainerStartRequest& request) = 0;

  // The same without blocking the io_context while the container starts, so
  // many starts overlap (a cold start of 200 daemons). `done` gets what start()
  // would have returned, on the io_context thread; until then the container's
  // exits are not reported. Implementations without an asynchronous path keep
  // this default, which completes inline (`done` runs before startAsync
  // returns): callers must accept both.
  using StartCallback = std::function<void(base::Result<ContainerStatus>)>;
  virtual void startAsync(const ContainerStartRequest& request, StartCallback done) { done(start(request)); }

  // SIGTERM to the container's process group, SIGKILL after `grace`; `done` runs
  // on the io_context once the container has exited (at once when it already
  // had). The exit handler also fires for this exit, before `done`. An unknown id
  // is an error and `done` is not called.
  virtual base::Status stop(const std::string& containerId, std::chrono::milliseconds grace,
                            StopCallback done) = 0;

  // Everything the runtime knows: running containers, the most recent exited
  // instance of each container, and live unknown ones. On a fresh Runtime this
  // adopts what an earlier agent left running; adopted containers are watched
  // from then on (their exits reach the exit handler).
  virtual base::Result<std::vector<ContainerStatus>> list() = 0;

  virtual base::Result<ContainerStatus> inspect(const std::string& containerId) = 0;

  // Forgets a pod whose containers have all exited: records, runtime
  // resources (cgroups) and the pod's log directory in the default layout are
  // removed, as the kubelet removes a deleted pod's logs (1000 rollouts must
  // not leave 1000 directories). Fails, changing nothing, while one of its
  // containers, or a process in its cgroup, still runs.
  virtual base::Status remove(const std::string& podUid) = 0;

  // Stops every container of the pod that still runs, including instances the
  // caller holds no id for (a second copy found at adoption, a leftover whose
  // record was lost), and every other process still in the pod's cgroup, with
  // SIGTERM then SIGKILL after `grace`. Returns how many containers are being
  // stopped; each exit reaches the exit handler. The default knows of no such
  // leftovers.
  virtual int stopPodLeftovers(const std::string& /*podUid*/, std::chrono::milliseconds /*grace*/) { return 0; }

  // Called on the io_context each time a watched container exits, as soon as it
  // does (no polling).
  virtual void setExitHandler(ExitHandler handler) = 0;
};

// The default CRI log location, as the kubelet lays it out:
// <logDir>/<namespace>_<name>_<uid>/<container>/<restartCount>.log
std::string defaultContainerLogPath(const std::string& logDir, const PodRef& pod,
                                    const std::string& containerName, int restartCount);

}  // namespace daemonlet::runtime
