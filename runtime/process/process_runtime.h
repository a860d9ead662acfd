#pragma once
// ProcessRuntime: containers as host processes, all parented by one shim host
// per state directory (shim_host.h), which the runtime starts on demand and
// talks to over <stateDir>/shim.sock. The agent never holds a container's pipes
// and is never its parent, so containers keep running, and keep logging, while
// the agent is down.
//
// State: one JSON record per container in options.stateDir, written atomically
// before start() returns; the shim adds <id>.exit.json when the container exits.
// list() trusts a record only if its pid is alive with the recorded start time
// (and, with cgroups, still in the recorded cgroup). A live process carrying our
// environment marker but no readable record comes back as kUnknown only when
// its parent is the connected shim host (a child of ours): the marker is set by
// the process itself and any local user can plant it, so it never suffices on
// its own (issue 9 H2). Two live instances of one container are never both
// kept: the newer stays, the other is stopped.
//
// Exit detection: a pidfd per running container, watched by the io_context; the
// exit status comes from the exit record the shim host writes, announced on its
// socket (or, for records from an older per-container shim, by that shim's exit).
//
// Threading: as Runtime (runtime/runtime.h): one io_context thread.
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "agent/base/atomic_file.h"
#include "agent/base/log_throttle.h"
#include "runtime/process/container_record.h"
#include "runtime/process/pod_scopes.h"
#include "runtime/process/shim_host_client.h"
#include "runtime/process/shim_protocol.h"
#include "runtime/runtime.h"

namespace daemonlet::runtime::process {

struct ProcessRuntimeOptions {
  std::string stateDir;  // container records; created when missing
  std::string logDir;    // root of the default log paths (/var/log/pods)
  // The shim host's argv prefix: {"/usr/bin/daemonlet", "shim"} or {".../daemonlet-shim"}.
  std::vector<std::string> shimCommand;
  // cgroup v2 directory for containers; empty: no cgroups (limits not applied).
  // defaultCgroupRoot() (cgroup_v2.h) picks one when the host has cgroup v2.
  std::string cgroupRoot;
  // False when cgroupRoot is a tracking-only hierarchy (trackingCgroupRoot() in
  // cgroup_v2.h): containers are placed there, their limits are not written.
  bool cgroupLimits = true;
  std::int64_t logMaxBytes = 10 * 1024 * 1024;
  int logMaxFiles = 5;
  // How long a start may take to be reported (the host execs the container
  // and waits for the exec to succeed), and a new host to get ready.
  std::chrono::milliseconds shimReportTimeout{10'000};
  // After a container exits, how long to wait for the host to record the status.
  std::chrono::milliseconds exitRecordTimeout{5'000};
  // fsync each record (start and exit) before relying on it. Off by default:
  // each fsync costs a journal commit on the start and restart paths, which
  // dominated restart latency
  // and serialised cold starts (bench/README.md). Records are then renamed into
  // place whole (an agent or shim crash never loses or tears one) and a
  // background DeferredSync (agent/base/atomic_file.h) syncs the state
  // directory's filesystem after each quiet spell, within about a second. What a
  // power loss in that second can cost is harmless: records describe processes
  // that die with the host, and a record from an earlier boot is recognised by
  // its boot id and never matched to a live process.
  bool syncRecords = false;
  // The open-files soft limit containers start with: the agent raised its own
  // to the hard limit (agent/base/file_limit.h), and the shim host it starts
  // inherits the raised one. 0: whatever the shim host was started with.
  std::uint64_t containerFileLimit = 0;
  // Test only (unset in the agent): start()'s reports are held until the
  // test calls the function this is handed, so a report can arrive after its
  // shimReportTimeout deterministically (ShimHostClient::setReportHold).
  ShimHostClient::ReportHold holdStartReports;
  // The node's IP: host processes share the node's network, so it is every
  // pod's IP (probes). Empty: 127.0.0.1.
  std::string hostIP;
  // systemd's manager when it is the service manager: pods then run in
  // transient scopes (pod_scopes.h) and cgroupRoot/cgroupLimits are not used.
  // Null: pods are placed under cgroupRoot as above. Not owned; outlives us.
  systemd::UnitManager* units = nullptr;
};

class ProcessRuntime final : public Runtime {
 public:
  ProcessRuntime(boost::asio::io_context& io, ProcessRuntimeOptions options);
  ~ProcessRuntime() override;  // containers keep running
  ProcessRuntime(const ProcessRuntime&) = delete;
  ProcessRuntime& operator=(const ProcessRuntime&) = delete;

  const std::string& name() const override;
  // The shim's report is read on the io_context: starts overlap. Host
  // processes have no image to pull: a start never waits.
  void start(const ContainerStartRequest& request, StartCallback done) override;
  base::Status stop(const std::string& containerId, std::chrono::milliseconds grace, StopCallback done) override;
  int stopPod(const std::string& podUid, std::chrono::milliseconds grace) override;
  base::Status removePod(const std::string& podUid) override;
  // Local files and /proc only, so no pool: read in a posted call, then `done`.
  void list(ListCallback done) override;
  // On the host, with the environment the container started with (its
  // markers left out, so the command is never taken for the container) and its
  // workingDir, as the agent's user (host_exec.h).
  std::shared_ptr<ExecHandle> exec(const std::string& containerId, const std::vector<std::string>& command,
                                   std::chrono::milliseconds timeout, ExecCallback done) override;
  std::string podIP(const std::string& podUid) const override;
  void setEventHandler(ContainerEventHandler handler) override;

 private:
  struct Tracked;

  base::Result<ShimSpec> prepareSpec(const ContainerStartRequest& request);
  base::Result<ContainerStatus> completeStart(const ContainerStartRequest& request, const ShimSpec& spec,
                                              const ShimReport& report);
  void noteSecurityOutcome(const ShimSpec& spec, const ShimReport& report);
  Tracked* find(const std::string& containerId);
  Tracked& track(ContainerRecord record, ContainerState state);
  void watch(Tracked& tracked);
  void retryWatch(Tracked& tracked, const std::string& why);
  void stopDuplicateInstances();
  void onContainerGone(const std::string& id);
  void onExitRecorded(const std::string& id);
  void onHostLost();
  void finishExit(const std::string& id);
  void markExited(Tracked& tracked);
  void signalGroup(Tracked& tracked, int signal);
  ContainerStatus statusOf(const Tracked& tracked) const;
  // list()'s answer: adopts records and marked processes, stops duplicates.
  std::vector<ContainerStatus> listNow();
  void adoptRecordsFromDisk();
  void adoptMarkedProcesses();
  void pruneOlderInstances(const std::string& podUid, const std::string& containerName, const std::string& keepId);
  void forget(const std::string& id);
  // The pod's directory name under options_.cgroupRoot.
  std::string podCgroupKey(const std::string& podUid) const;

  boost::asio::io_context& io_;
  ProcessRuntimeOptions options_;
  std::string bootId_;
  base::DeferredSync recordSync_;  // when !options_.syncRecords
  ShimHostClient host_;
  std::unique_ptr<PodScopes> scopes_;  // when options_.units is set
  ContainerEventHandler exitHandler_;
  base::LogThrottle logThrottle_;
  std::map<std::string, std::unique_ptr<Tracked>> containers_;  // by record id
  pid_t outdatedHostPid_ = 0;  // the last shim host found to ignore ShimSpec::security
  std::uint64_t outdatedHostStartTime_ = 0;
  // Handlers still queued when we are destroyed check this before touching us.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace daemonlet::runtime::process
