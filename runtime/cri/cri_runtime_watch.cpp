// CriRuntime after the start: stops, removal, exec, the pod's IP and log
// rotation. Listing (adoption) is in cri_runtime_list.cpp. Exits as they happen are in cri_runtime_exits.cpp.
#include "agent/base/log.h"
#include "agent/base/retry_backoff.h"
#include "runtime/cri/container_log_rotation.h"
#include "runtime/cri/cri_client.h"
#include "runtime/cri/cri_containers.h"
#include "runtime/cri/cri_runtime.h"
#include "runtime/cri/cri_runtime_offloop.h"
#include "runtime/cri/pod_sandbox.h"

namespace daemonlet::runtime::cri {
namespace {

// The kubelet checks container logs for rotation every 10 s.
constexpr std::chrono::seconds kLogCheckInterval{10};

std::chrono::seconds graceSeconds(std::chrono::milliseconds grace) {
  return std::chrono::ceil<std::chrono::seconds>(grace);
}

class CriExecHandle final : public ExecHandle {
 public:
  explicit CriExecHandle(ExecCallback done) : done_(std::move(done)) {}
  void cancel() override { finish({false, "cancelled"}); }
  void finish(ExecResult result) {
    if (!done_) return;
    ExecCallback done = std::move(done_);
    done_ = nullptr;
    done(std::move(result));
  }

 private:
  ExecCallback done_;
};

}  // namespace

base::Status CriRuntime::stop(const std::string& containerId, std::chrono::milliseconds grace, StopCallback done) {
  const std::string id = criIdOf(containerId);
  auto it = containers_.find(id);
  if (it == containers_.end()) {
    return base::makeError(base::ErrorCode::kNotFound, "no such container", containerId);
  }
  if (it->second.status.state == ContainerState::kExited) {
    ContainerStatus status = it->second.status;
    boost::asio::post(loop_, [done = std::move(done), status] { done(status); });
    return base::Ok{};
  }
  it->second.stopWaiters.push_back(std::move(done));
  // A stop under way keeps its deadline unless this one's is earlier; then
  // StopContainer again with the shorter timeout (containerd kills at the
  // earlier of the two).
  const auto deadline = std::chrono::steady_clock::now() + graceSeconds(grace);
  if (it->second.killDeadline && *it->second.killDeadline <= deadline) return base::Ok{};
  it->second.killDeadline = deadline;
  offLoop(
      [client = client_, id, grace]() -> base::Result<CriContainerView> {
        auto stopped = stopContainer(*client, id, graceSeconds(grace));
        if (!stopped) return stopped.error();
        return containerStatus(*client, id);
      },
      [this, id, deadline](base::Result<CriContainerView> view) {
        auto it = containers_.find(id);
        if (it == containers_.end()) return;
        if (!view) {
          // The next stop asks containerd again.
          if (it->second.killDeadline == deadline) it->second.killDeadline.reset();
          base::logWarning("cannot stop a container; its exit will be seen when the runtime answers",
                           {{"container", toContainerId(id)}, {"error", view.error().describe()}});
          return;
        }
        // Usually the exit event was first; otherwise this is the exit.
        ContainerStatus exited = it->second.status;
        applyExit(exited, view->exitCode, toContainerStatus(*view).finishedAt.value_or(base::WallTime{}),
                  view->reason);
        finishExit(id, exited);
      });
  return base::Ok{};
}

int CriRuntime::stopPod(const std::string& podUid, std::chrono::milliseconds grace) {
  int stopping = 0;
  for (auto& [id, tracked] : containers_) {
    if (tracked.status.pod.uid != podUid || tracked.status.state != ContainerState::kRunning) continue;
    if (stop(toContainerId(id), grace, [](const ContainerStatus&) {})) ++stopping;
  }
  // Instances this runtime holds no record of (left by an earlier agent and not
  // yet listed): found by the pod's label, watched, then stopped.
  offLoop([client = client_, agentId = options_.agentId, podUid] {
            return listOurContainers(*client, agentId, podUid);
          },
          [this, grace](base::Result<std::vector<CriContainerView>> listed) {
            if (!listed) return;
            for (const auto& view : *listed) {
              if (view.state != CriContainerState::kRunning || containers_.count(view.id)) continue;
              containers_[view.id] = Tracked{toContainerStatus(view), {}};
              (void)stop(toContainerId(view.id), grace, [](const ContainerStatus&) {});
            }
          });
  return stopping;
}

base::Status CriRuntime::removePod(const std::string& podUid) {
  for (const auto& [id, tracked] : containers_) {
    if (tracked.status.pod.uid == podUid && tracked.status.state == ContainerState::kRunning) {
      return base::makeError(base::ErrorCode::kInvalidArgument, "a container of the pod still runs",
                             tracked.status.containerId);
    }
  }
  for (auto it = containers_.begin(); it != containers_.end();) {
    if (it->second.status.pod.uid != podUid) {
      ++it;
      continue;
    }
    oomKills_.forget(it->first);
    it = containers_.erase(it);
  }
  sandboxes_.erase(podUid);
  podIPs_.erase(podUid);
  removePodSandboxAndFiles(podUid, 0);
  return base::Ok{};
}

void CriRuntime::removePodSandboxAndFiles(const std::string& podUid, int attempt) {
  offLoop(
      [client = client_, options = options_, podUid]() -> base::Status {
        // RemovePodSandbox removes the sandbox's containers with it.
        auto removed = removePodSandboxes(*client, options.agentId, podUid);
        if (!removed) return removed;
        return removePodFiles(options, podUid);
      },
      [this, podUid, attempt](base::Status removed) {
        if (removed) return;
        // Seen under load: StopPodSandbox fails to kill a container whose exit
        // containerd has not finished processing. Looking again shortly works.
        if (attempt + 1 >= kSandboxRemovalAttempts) {
          base::logWarning("cannot remove a pod's sandbox and files; left to the sandbox GC",
                         {{"pod", podUid}, {"attempts", std::to_string(attempt + 1)},
                          {"error", removed.error().describe()}});
          return;
        }
        const auto delay = base::doublingStep(std::chrono::seconds(1), std::chrono::seconds(30),
                                              static_cast<std::uint64_t>(attempt + 1));
        base::logWarning("cannot remove a pod's sandbox and files",
                         {{"pod", podUid},
                          {"error", removed.error().describe()},
                          {"retryIn", std::to_string(delay.count()) + "ms"}});
        auto timer = std::make_shared<boost::asio::steady_timer>(loop_, delay);
        std::weak_ptr<bool> alive = alive_;
        timer->async_wait([this, alive, timer, podUid, attempt](const boost::system::error_code& ec) {
          if (!ec && !alive.expired()) removePodSandboxAndFiles(podUid, attempt + 1);
        });
      });
}

std::shared_ptr<ExecHandle> CriRuntime::exec(const std::string& containerId, const std::vector<std::string>& command,
                                             std::chrono::milliseconds timeout, ExecCallback done) {
  auto handle = std::make_shared<CriExecHandle>(std::move(done));
  const std::string id = criIdOf(containerId);
  offLoop(
      [client = client_, id, command, timeout]() -> ExecResult {
        ::runtime::v1::ExecSyncRequest request;
        request.set_container_id(id);
        for (const auto& word : command) request.add_cmd(word);
        request.set_timeout(std::max<std::int64_t>(1, graceSeconds(timeout).count()));
        auto response = client->call("ExecSync", &::runtime::v1::RuntimeService::Stub::ExecSync, request,
                                     timeout + client->defaultTimeout());
        if (!response) return ExecResult{false, response.error().describe()};
        if (response->exit_code() == 0) return ExecResult{true, ""};
        std::string output = response->stderr().empty() ? response->stdout() : response->stderr();
        if (output.size() > 1024) output.resize(1024);
        return ExecResult{false, "command exited " + std::to_string(response->exit_code()) +
                                     (output.empty() ? "" : ": " + output)};
      },
      [handle](ExecResult result) { handle->finish(std::move(result)); });
  return handle;
}

std::string CriRuntime::podIP(const std::string& podUid) const {
  auto it = podIPs_.find(podUid);
  if (it != podIPs_.end() && !it->second.empty()) return it->second;
  return options_.hostIP.empty() ? "127.0.0.1" : options_.hostIP;
}

void CriRuntime::scheduleLogRotation() {
  if (options_.maxLogBytes <= 0) return;
  logTimer_.expires_after(kLogCheckInterval);
  std::weak_ptr<bool> alive = alive_;
  logTimer_.async_wait([this, alive](const boost::system::error_code& ec) {
    if (ec || alive.expired()) return;
    rotateLogs();
    scheduleLogRotation();
  });
}

void CriRuntime::rotateLogs() {
  std::vector<std::pair<std::string, std::string>> running;  // id, log path
  for (const auto& [id, tracked] : containers_) {
    if (tracked.status.state == ContainerState::kRunning && !tracked.status.logPath.empty()) {
      running.emplace_back(id, tracked.status.logPath);
    }
  }
  if (running.empty()) return;
  LogRotationLimits limits{options_.maxLogBytes, options_.maxLogFiles};
  offLoop(
      [client = client_, running, limits, now = clock_.wallNow()] {
        int rotated = 0;
        for (const auto& [id, path] : running) {
          if (!logNeedsRotation(path, limits)) continue;
          auto renamed = rotateLogFile(path, limits, now);
          if (!renamed) continue;
          // Until the reopen the container writes on into the renamed file.
          auto reopened = reopenContainerLog(*client, id);
          if (!reopened) {
            base::logWarning("cannot reopen a rotated container log",
                             {{"container", toContainerId(id)}, {"error", reopened.error().describe()}});
          }
          ++rotated;
        }
        return rotated;
      },
      [](int) {});
}

}  // namespace daemonlet::runtime::cri
