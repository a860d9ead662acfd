#pragma once
// Runtime: how the reconciler runs a pod's containers. Two implementations share
// this contract: ProcessRuntime (runtime/process/, host processes, the bootstrap
// path) and the CRI runtime (runtime/cri/, containerd).
//
// Which runtime runs a pod is named by its spec.runtimeClassName (RuntimeSet,
// runtime_set.h): "host" is ProcessRuntime; every other pod belongs to the CRI
// runtime and waits, saying why, while none is configured.
//
// Threading: every method is called on the reconciler's io_context thread, and
// every callback (start and stop completion, exec result, event handler) runs on
// that same thread. A
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
#include <memory>
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
  // The pod's spec: a CRI runtime makes the pod's sandbox from it (network,
  // DNS, pod security) before its first container. The host runtime's pod level
  // is the pod's cgroup directory and records, made on the first start.
  std::shared_ptr<const model::PodSpec> podSpec;
  // The pod's DaemonSet as read: the CRI runtime takes the template's labels
  // and annotations for the sandbox, and fields the model keeps only in raw
  // JSON (sysctls, seccomp profiles, dnsConfig) from its raw spec. Null in
  // requests built by hand (tests): those fields are then absent.
  std::shared_ptr<const model::DaemonSet> daemonSet;
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
  // Not running and not exited: being created, its image pulling, or a pull
  // failed (reason "ContainerCreating", "Pulling", "ErrImagePull",
  // "ImagePullBackOff"). Never an exit: it is not a crash and counts no restart.
  // Also a start refused before anything ran and not counted as a crash:
  // "CreateContainerConfigError", "CreateContainerError", "InvalidImageName",
  // "RuntimeUnavailable" (the runtime's endpoint cannot be reached).
  kWaiting,
  kRunning,
  kExited,
  // Found alive but its record is missing or unreadable: the caller decides to
  // adopt or stop it; it must never start a second copy beside it.
  kUnknown,
};
const char* containerStateName(ContainerState state);

struct ContainerStatus {
  // "host://<pid>" for host processes, "containerd://<id>" for CRI containers.
  std::string containerId;
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
  // status was lost), "StartError"; for kWaiting, why it waits. Empty while running.
  std::string reason;
  std::string message;  // human detail, e.g. "terminated by signal 9 (Killed)"
  int restartCount = 0;
  std::string logPath;
  // The image as the spec names it and the runtime's digest of it
  // ("docker.io/library/busybox@sha256:..."); empty for host processes.
  std::string image;
  std::string imageId;
  // kWaiting only: when the runtime expects a new start() could succeed (the
  // rest of an image pull's back-off, a reconnect to the runtime). Unset: the
  // caller's own retry cadence.
  std::optional<std::chrono::milliseconds> retryAfter;

  const std::string& revision() const { return pod.revision; }
};

using StopCallback = std::function<void(const ContainerStatus&)>;
// Exits, and the waiting states of starts in progress (kWaiting: "Pulling").
using ContainerEventHandler = std::function<void(const ContainerStatus&)>;

// The outcome of one command run in a container (exec probes).
struct ExecResult {
  bool success = false;  // it ran and exited 0
  std::string message;   // why not (exit code, signal, timeout, cannot run)
};
using ExecCallback = std::function<void(ExecResult)>;
// A command in flight. cancel() ends it early; its callback still runs once,
// reporting a failure the caller is expected to ignore.
class ExecHandle {
 public:
  virtual ~ExecHandle() = default;
  virtual void cancel() = 0;
};

class Runtime {
 public:
  virtual ~Runtime() = default;

  // The runtime's name as pods and the status say it ("host").
  virtual const std::string& name() const = 0;

  // Starts one container without blocking the io_context, so many starts
  // overlap (a cold start of 200 daemons) and an image pull never stalls the
  // loop. `done` runs once, on the io_context, never before start() returns:
  //   - a kRunning status: started; its record is in place (a crash of the
  //     agent right after cannot lose it) and its exits are reported from now;
  //   - a kWaiting status: not started and nothing left running (a pull
  //     failed: ErrImagePull); the caller tries again later, counting no
  //     restart;
  //   - an error: the start failed and nothing is left running (StartError).
  // Waiting states before `done` (Pulling) reach the event handler.
  using StartCallback = std::function<void(base::Result<ContainerStatus>)>;
  virtual void start(const ContainerStartRequest& request, StartCallback done) = 0;

  // SIGTERM to the container's process group, SIGKILL after `grace`; `done` runs
  // on the io_context once the container has exited (at once when it already
  // had). The event handler also gets this exit, before `done`. An unknown id
  // is an error and `done` is not called. A stop of a container already being
  // stopped moves the SIGKILL earlier when its deadline (now + grace) is
  // earlier, never later, as the kubelet's shortened grace period does.
  virtual base::Status stop(const std::string& containerId, std::chrono::milliseconds grace,
                            StopCallback done) = 0;

  // Stops everything of the pod that still runs, including instances the
  // caller holds no id for (a second copy found at adoption, a leftover whose
  // record was lost) and, for the host runtime, every other process still in
  // the pod's cgroup, with SIGTERM then SIGKILL after `grace`. Returns how many
  // containers are being stopped; each exit reaches the event handler.
  virtual int stopPod(const std::string& podUid, std::chrono::milliseconds grace) = 0;

  // Forgets a pod whose containers have all exited: records, pod-level
  // resources (cgroups, a sandbox) and the pod's log directory in the default
  // layout, as the kubelet removes a deleted pod's logs (1000 rollouts must
  // not leave 1000 directories). Fails, changing nothing, while one of its
  // containers, or a process in its cgroup, still runs.
  virtual base::Status removePod(const std::string& podUid) = 0;

  // Everything the runtime knows: running containers, the most recent exited
  // instance of each container, and live unknown ones. On a fresh Runtime this
  // adopts what an earlier agent left running; adopted containers are watched
  // from then on. Called again periodically (the reconciler's relist), it
  // reports exits whose event was lost.
  // Asynchronous, like start(): asking a CRI runtime takes network calls, each
  // up to its deadline, and the io_context must not wait on them. `done` runs
  // once, on the io_context, never before list() returns; when the Runtime is
  // destroyed first it may be dropped (callers guard their own lifetime). The
  // answer reflects the runtime's state when `done` runs: a container whose
  // exit the event handler already reported is listed exited (never reported
  // as a new exit), and one whose start completed meanwhile is listed as that
  // start answered. Several listings may be in flight; callers that want one
  // at a time keep track themselves.
  using ListCallback = std::function<void(base::Result<std::vector<ContainerStatus>>)>;
  virtual void list(ListCallback done) = 0;

  // Runs `command` in the container's context (exec probes): for the host
  // runtime, on the host with the container's environment and working
  // directory. A command that outlives `timeout` is killed and fails.
  virtual std::shared_ptr<ExecHandle> exec(const std::string& containerId, const std::vector<std::string>& command,
                                           std::chrono::milliseconds timeout, ExecCallback done) = 0;

  // The address the pod's probes reach it at (httpGet, tcpSocket, grpc): the
  // host runtime's pods share the node's network, so the host IP.
  virtual std::string podIP(const std::string& podUid) const = 0;

  // Called on the io_context each time a watched container exits, as soon as it
  // does (no polling), and when a start in progress changes its waiting state.
  virtual void setEventHandler(ContainerEventHandler handler) = 0;
};

// The CRI log layout, as the kubelet lays it out:
//   <logDir>/<namespace>_<name>_<uid>/<container>/<restartCount>.log
// podLogDirectory is the first part (a CRI sandbox's log_directory),
// containerLogFileName the rest (a CRI container's log_path, relative to it).
std::string podLogDirectory(const std::string& logDir, const PodRef& pod);
std::string containerLogFileName(const std::string& containerName, int restartCount);
std::string defaultContainerLogPath(const std::string& logDir, const PodRef& pod,
                                    const std::string& containerName, int restartCount);

}  // namespace daemonlet::runtime
