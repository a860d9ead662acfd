// CriRuntime's exits as they happen: containerd's exit and OOM events, the hold
// that gives an exit by SIGKILL its true reason, and the relists under the event
// stream.
#include "agent/base/log.h"
#include "agent/base/retry_backoff.h"
#include "runtime/cri/cri_client.h"
#include "runtime/cri/cri_containers.h"
#include "runtime/cri/cri_runtime.h"
#include "runtime/cri/cri_runtime_offloop.h"
#include "runtime/cri/pod_sandbox.h"
#include "runtime/cri/task_exit_event.h"
#include "runtime/container_reasons.h"

namespace daemonlet::runtime::cri {
namespace {

constexpr std::size_t kMaxUnclaimedExits = 256;
// The safety net under containerd's event stream: a relist this often finds
// exits the stream did not deliver.
constexpr std::chrono::seconds kExitRelistInterval{30};
// Right after containerd comes back it is still recovering its shims: one whose
// connection drops is cleaned up and its exit published moments after containerd
// answers, often before the agent has resubscribed, and the CRI shows the
// container exited only once its own event loop has caught up. So after an
// outage the relist runs every second for a while (measured here: the exit
// showed ~0.2-1 s after the stream was back), then falls back to the interval.
// (CriRuntime::kRecoveryRelists of them).
constexpr std::chrono::seconds kRecoveryRelistInterval{1};
// The kernel's OOM killer sends SIGKILL: the runtime reports 128 + 9.
constexpr std::uint32_t kExitBySigkill = 137;
// An exit by SIGKILL without its OOM event waits this long before each look at
// the CRI's status, at most kKilledExitChecks times (about half a second in all):
// see settleKilledExit.
constexpr std::chrono::milliseconds kKilledExitHold{100};
constexpr int kKilledExitChecks = 5;

}  // namespace

void CriRuntime::onTaskExit(const TaskExit& exit) {
  auto it = containers_.find(exit.containerId);
  if (it == containers_.end()) {
    // A sandbox's pause process: its pod needs a new sandbox for the next start.
    for (auto slot = sandboxes_.begin(); slot != sandboxes_.end(); ++slot) {
      if (slot->second.ready && slot->second.ready->id == exit.containerId) {
        slot->second.ready.reset();
        break;
      }
    }
    if (unclaimedExits_.size() >= kMaxUnclaimedExits) unclaimedExits_.erase(unclaimedExits_.begin());
    unclaimedExits_[exit.containerId] = EarlyExit{static_cast<int>(exit.exitStatus), exit.exitedAt, exit.reason};
    return;
  }
  if (it->second.status.state == ContainerState::kExited) {
    oomKills_.forget(exit.containerId);
    return;
  }
  if (exit.exitStatus == kExitBySigkill && it->second.mayBeOomKilled && exit.reason != reasons::kOOMKilled &&
      !oomKills_.contains(exit.containerId)) {
    settleKilledExit(exit, 0);
    return;
  }
  ContainerStatus exited = it->second.status;
  applyExit(exited, static_cast<int>(exit.exitStatus), exit.exitedAt, exit.reason);
  finishExit(exit.containerId, exited);
}

void CriRuntime::onTaskOom(const TaskOom& oom) {
  auto it = containers_.find(oom.containerId);
  // An exit already reported keeps its reason: a second exit of the same
  // container would count as a second restart.
  if (it != containers_.end() && it->second.status.state == ContainerState::kExited) return;
  // Marked also when not tracked: a container killed before its start's answer
  // is in (finishStart), and sandboxes and others' containers, which age out.
  oomKills_.mark(oom.containerId);
  if (it != containers_.end()) {
    base::logInfo("the kernel's OOM killer acted in a container",
                  {{"container", toContainerId(oom.containerId)}, {"pod", it->second.status.pod.uid}});
  }
}

// containerd publishes the OOM event from the cgroup's OOM notification and the
// exit from the shim's reaper: two paths, so the OOM event can come after the
// exit (or never, once the cgroup is gone first; containerd 2 reads the
// cgroup's oom_kill counter on exit for that reason). Reporting such an exit at
// once would show "Error", and the reconciler restarts on that report, so a
// later correction would be a second exit. The exit is held instead: a late OOM
// event lands in oomKills_ meanwhile, and containerd's CRI plugin, which sets
// OOMKilled in its own status from the same event, is asked until it has seen
// the exit too (its status turns EXITED only after it deleted the task). A kill
// by anyone else (kill -9, a stop past its grace) costs the same short hold,
// and an unanswered CRI call ends the hold with what is known. A container
// started without a memory limit is not held: it has no limit of its own to
// hit, so only the node's OOM killer can take it, which is rare, and then a
// late OOM event leaves "Error"; in exchange its restart after a kill -9 stays
// as fast as the exit event allows (the hold cost 0.1-0.2 s a restart here).
void CriRuntime::settleKilledExit(const TaskExit& exit, int checks) {
  auto timer = std::make_shared<boost::asio::steady_timer>(loop_, kKilledExitHold);
  std::weak_ptr<bool> alive = alive_;
  timer->async_wait([this, alive, timer, exit, checks](const boost::system::error_code& ec) {
    if (ec || alive.expired()) return;
    offLoop([client = client_, id = exit.containerId] { return containerStatus(*client, id); },
            [this, exit, checks](base::Result<CriContainerView> view) {
              auto it = containers_.find(exit.containerId);
              if (it == containers_.end() || it->second.status.state == ContainerState::kExited) return;
              const bool criSawExit = view && view->state == CriContainerState::kExited;
              const bool oomKilled = oomKills_.contains(exit.containerId) ||
                                     (criSawExit && view->reason == reasons::kOOMKilled);
              if (!oomKilled && view && !criSawExit && checks + 1 < kKilledExitChecks) {
                settleKilledExit(exit, checks + 1);
                return;
              }
              ContainerStatus exited = it->second.status;
              applyExit(exited, static_cast<int>(exit.exitStatus), exit.exitedAt,
                        oomKilled ? reasons::kOOMKilled : exit.reason);
              finishExit(exit.containerId, exited);
            });
  });
}

void CriRuntime::finishExit(const std::string& criId, const ContainerStatus& exited) {
  const bool oomKilled = oomKills_.take(criId);
  auto it = containers_.find(criId);
  if (it == containers_.end() || it->second.status.state == ContainerState::kExited) return;
  it->second.status = exited;
  // The OOM event came (whichever way this exit was found): the kubelet's reason,
  // whatever the exit code (the killed process may be one the container's own
  // process waited for), unless nothing is known of the exit itself.
  if (oomKilled && exited.exitCode) it->second.status.reason = reasons::kOOMKilled;
  const ContainerStatus reported = it->second.status;
  std::vector<StopCallback> waiters = std::move(it->second.stopWaiters);
  it->second.stopWaiters.clear();
  emit(reported);
  for (auto& waiter : waiters) waiter(reported);
}

void CriRuntime::relistExits() {
  // The event stream broke (containerd restarting): exits may have been missed.
  // Nothing is concluded while the runtime cannot answer.
  offLoop([client = client_, agentId = options_.agentId] { return listOurContainers(*client, agentId, {}); },
          [this](base::Result<std::vector<CriContainerView>> listed) {
            if (!listed) {
              // Down or restarting: nothing is concluded; look again soon.
              scheduleRelist(base::doublingStep(std::chrono::milliseconds(500), std::chrono::seconds(30),
                                                static_cast<std::uint64_t>(++relistFailures_)));
              return;
            }
            relistFailures_ = 0;
            if (recoveryRelistsLeft_ > 0) {
              --recoveryRelistsLeft_;
              scheduleRelist(kRecoveryRelistInterval);
            } else {
              scheduleRelist(kExitRelistInterval);
            }
            std::map<std::string, CriContainerState> states;
            for (const auto& view : *listed) states[view.id] = view.state;
            for (auto& [id, tracked] : containers_) {
              if (tracked.status.state != ContainerState::kRunning) continue;
              auto state = states.find(id);
              if (state != states.end() && state->second == CriContainerState::kRunning) continue;
              offLoop([client = client_, id = id] { return containerStatus(*client, id); },
                      [this, id = id](base::Result<CriContainerView> view) {
                        auto it = containers_.find(id);
                        if (it == containers_.end()) return;
                        ContainerStatus exited = it->second.status;
                        if (view && view->state == CriContainerState::kExited) {
                          // The CRI's own reason: OOMKilled when containerd saw the OOM event.
                          applyExit(exited, view->exitCode, toContainerStatus(*view).finishedAt.value_or(
                                                                base::WallTime{}),
                                    view->reason);
                        } else if (!view && view.error().code == base::ErrorCode::kNotFound) {
                          exited.state = ContainerState::kExited;
                          exited.reason = reasons::kContainerStatusUnknown;
                          exited.message = "the container is gone from the runtime";
                        } else {
                          return;
                        }
                        finishExit(id, exited);
                      });
            }
          });
}

void CriRuntime::scheduleRelist(std::chrono::milliseconds delay) {
  relistTimer_.expires_after(delay);
  std::weak_ptr<bool> alive = alive_;
  relistTimer_.async_wait([this, alive](const boost::system::error_code& ec) {
    if (!ec && !alive.expired()) relistExits();
  });
}

}  // namespace daemonlet::runtime::cri
