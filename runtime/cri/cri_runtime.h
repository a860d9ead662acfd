#pragma once
// CriRuntime: pods as CRI sandboxes and containers on containerd (or any CRI
// runtime), the way the kubelet's kuberuntime runs them.
//
// Start, per container: the pod's sandbox (one per pod uid, shared by its
// containers; a NOTREADY one is replaced by a new attempt), the image per its
// pull policy with the kubelet's per-image back-off (ErrImagePull, then
// ImagePullBackOff with retryAfter), CreateContainer, StartContainer. Waiting
// states reach the event handler ("ContainerCreating", "Pulling"). Before a
// create, an instance of the same pod, name and attempt is looked for, so a
// start repeated after an outage or an agent crash never runs two copies.
//
// Ownership: everything is labelled with this agent's id (cri_labels.h); list,
// stop and remove touch only those objects, so a kubelet on the same containerd
// is never disturbed. Adoption is list(): the pod is rebuilt from the labels.
//
// Exits come from containerd's event stream (exit_watcher.h) as they happen;
// each (re)subscription is followed by a relist, for the exits no stream saw,
// and a relist every 30 s is the safety net. An exit after an OOM event of the
// container reads "OOMKilled", as the kubelet shows it; an exit by SIGKILL
// without one is held up to about half a second for a late OOM event or the
// CRI's own OOMKilled (cri_runtime_exits.cpp says why). A runtime outage
// (calls fail UNAVAILABLE) never reports a container exited: starts complete
// kWaiting "RuntimeUnavailable", naming the socket, with retryAfter.
//
// Sandbox GC: every options.sandboxGcPeriod (a minute), the sandboxes of ours
// no pod needs any more are stopped and removed (sandbox_gc.h has the rule;
// cri_runtime_gc.cpp runs it), so a removal that gave up, or a sandbox an
// agent killed mid-start or mid-removal left, does not stay.
//
// Logs: containerd writes them but does not rotate; a timer on the io_context
// rotates each running container's file past maxLogBytes (rename, then
// ReopenContainerLog), keeping maxLogFiles.
//
// Threading: as Runtime (runtime/runtime.h). Every CRI call runs on a
// BlockingPool and its result is posted back to the io_context; the io_context
// never waits on the network, list() included (cri_runtime_list.cpp).
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/loop/blocking_pool.h"
#include "runtime/cri/cri_adoption.h"
#include "runtime/cri/cri_runtime_options.h"
#include "runtime/cri/image_pull_backoff.h"
#include "runtime/cri/oom_kill_marks.h"
#include "runtime/cri/registry_credentials.h"
#include "runtime/runtime.h"

namespace daemonlet::runtime::cri {

class CriClient;
class ExitWatcher;
struct PodSandbox;
struct TaskExit;
struct TaskOom;

class CriRuntime final : public Runtime {
 public:
  CriRuntime(boost::asio::io_context& loop, CriRuntimeOptions options);
  ~CriRuntime() override;  // containers keep running
  CriRuntime(const CriRuntime&) = delete;
  CriRuntime& operator=(const CriRuntime&) = delete;

  const std::string& name() const override;
  void start(const ContainerStartRequest& request, StartCallback done) override;
  // StopContainer with the grace; the exit reaches the event handler first.
  base::Status stop(const std::string& containerId, std::chrono::milliseconds grace, StopCallback done) override;
  int stopPod(const std::string& podUid, std::chrono::milliseconds grace) override;
  // Refused while a container of the pod runs; otherwise the pod's sandboxes
  // and containers (ours only), its log directory and emptyDir volumes are
  // removed in the background.
  base::Status removePod(const std::string& podUid) override;
  // ListContainers and the ContainerStatus calls off the loop, then merged
  // with what is tracked when the answer is back (cri_runtime_list.cpp).
  void list(ListCallback done) override;
  // ExecSync in the container; cancel() reports at once, the call itself ends
  // at its timeout.
  std::shared_ptr<ExecHandle> exec(const std::string& containerId, const std::vector<std::string>& command,
                                   std::chrono::milliseconds timeout, ExecCallback done) override;
  // The sandbox's IP; the node's for hostNetwork pods (their sandbox has none).
  std::string podIP(const std::string& podUid) const override;
  void setEventHandler(ContainerEventHandler handler) override;

 private:
  struct Tracked {
    ContainerStatus status;
    std::vector<StopCallback> stopWaiters;
    // False for a container started here without a memory limit: its SIGKILL
    // exit is not held for an OOM reason (settleKilledExit). Adopted ones: unknown.
    bool mayBeOomKilled = true;
    // When the StopContainer under way kills (now + its timeout at the call):
    // a later stop calls again only when its own deadline is earlier, as the
    // kubelet's shortened grace period does, so passes do not pile up calls
    // that each hold a thread for the whole grace period.
    std::optional<std::chrono::steady_clock::time_point> killDeadline{};
  };
  using SandboxReady = std::function<void(base::Result<std::shared_ptr<const PodSandbox>>)>;
  struct SandboxSlot {
    std::shared_ptr<const PodSandbox> ready;
    std::vector<SandboxReady> waiters;  // non-empty while one is being made
  };
  struct StartOutcome;
  struct Listing;

  // Runs `work` on the pool and `then` with its result on the io_context,
  // unless this runtime is gone by then.
  template <typename Work, typename Then>
  void offLoop(Work work, Then then);

  void withSandbox(const std::shared_ptr<const ContainerStartRequest>& request, SandboxReady ready);
  void launch(const std::shared_ptr<const ContainerStartRequest>& request,
              const std::shared_ptr<const PodSandbox>& sandbox, StartCallback done);
  void finishStart(const std::shared_ptr<const ContainerStartRequest>& request, StartOutcome outcome,
                   StartCallback done);
  ContainerStatus waiting(const ContainerStartRequest& request, std::string reason, std::string message,
                          std::optional<std::chrono::milliseconds> retryAfter) const;
  std::chrono::milliseconds outageRetry();
  void emit(const ContainerStatus& status);
  void onTaskExit(const TaskExit& exit);
  void onTaskOom(const TaskOom& oom);
  // An exit by SIGKILL without an OOM event yet: reported once its reason is
  // settled; `checks` is how many CRI answers were asked for already.
  void settleKilledExit(const TaskExit& exit, int checks);
  // Records the exit (OOMKilled when the container was marked) and tells the
  // event handler, then the stops waiting for it.
  void finishExit(const std::string& criId, const ContainerStatus& exited);
  // list()'s answer from the CRI's: adopts what is not tracked, reports what is.
  std::vector<ContainerStatus> mergeListing(Listing listing, const std::map<std::string, bool>& trackedAtRequest);
  void relistExits();
  void scheduleRelist(std::chrono::milliseconds delay);
  // Removes a stopped pod's sandbox (and with it its containers), logs and
  // emptyDir volumes; retried with back-off when containerd refuses (it may
  // still be processing the exits of the pod's containers), then left to the
  // sandbox GC.
  void removePodSandboxAndFiles(const std::string& podUid, int attempt);
  void scheduleLogRotation();
  void rotateLogs();
  // The sandbox GC (cri_runtime_gc.cpp): list off the loop, decide on it,
  // remove off it, log on it, then the next round.
  void scheduleSandboxGc();
  void collectSandboxes();
  void finishedStarting(const std::string& podUid);

  boost::asio::io_context& loop_;
  CriRuntimeOptions options_;
  std::shared_ptr<CriClient> client_;
  std::shared_ptr<const RegistryCredentials> credentials_;
  ImagePullBackoff pullBackoff_;
  base::SystemClock clock_;
  int outageFailures_ = 0;
  ContainerEventHandler handler_;
  std::map<std::string, Tracked> containers_;     // by CRI id
  std::map<std::string, SandboxSlot> sandboxes_;  // by pod uid
  std::map<std::string, std::string> podIPs_;     // by pod uid: the sandbox's IP, empty for the node's
  // Starts whose callback has not run yet, by pod uid: the sandbox GC leaves
  // such pods alone.
  std::map<std::string, int> startsInFlight_;
  // Pods whose READY sandbox the GC is removing right now: a start for one
  // waits (ContainerCreating, retried) rather than reuse a sandbox about to go.
  std::set<std::string> gcRemovingPods_;
  // Exits of ids not tracked yet: a container that exits before its start's
  // answer is back. Bounded: sandboxes' and other agents' exits land here too.
  struct EarlyExit {
    int exitCode = 0;
    base::WallTime exitedAt{};
    std::string reason;  // the CRI's, when the event carried it
  };
  std::map<std::string, EarlyExit> unclaimedExits_;
  // Containers (and ids not tracked yet) the OOM killer acted in, until their
  // exit is reported or they are removed.
  OomKillMarks oomKills_;
  boost::asio::steady_timer logTimer_;
  boost::asio::steady_timer relistTimer_;  // retries a relist while the runtime is down
  int relistFailures_ = 0;  // in a row: the retry backs off
  boost::asio::steady_timer gcTimer_;  // the sandbox GC's next round
  bool gcScheduled_ = false;           // from the first successful list on
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::unique_ptr<ExitWatcher> exitWatcher_;
  bool eventStreamLost_ = false;
  // Quick relists due after the stream came back (cri_runtime_exits.cpp says why).
  static constexpr int kRecoveryRelists = 10;
  // Tries at removing a stopped pod's sandbox: 1 s, 2 s, 4 s, ... apart (about a minute in all).
  static constexpr int kSandboxRemovalAttempts = 7;
  int recoveryRelistsLeft_ = 0;
  // Last: destroyed first, so its jobs are done before anything they use goes.
  loop::BlockingPool pool_;
};

}  // namespace daemonlet::runtime::cri
