#pragma once
// HookRunner: runs one lifecycle handler (postStart or preStop) of a container,
// the way the kubelet's HandlerRunner does:
//   - exec: the command in the container, through its runtime's exec (host
//     runtime: on the host with the container's environment; CRI: ExecSync);
//     success is exit status 0;
//   - httpGet: a GET to host (default: the pod's IP), port (a number or the
//     name of one of the container's ports), path, scheme and headers; ANY
//     response succeeds, only a request that gets none fails (the kubelet does
//     not look at the status code of a hook's response);
//   - sleep: waits `seconds`, then succeeds;
//   - tcpSocket: not run. The API keeps it for compatibility only and the
//     kubelet's hook fails when it meets one; so does this one, saying why.
// A failure's message says which hook, container and pod, and why (with the
// command's output where the runtime reports it), like the kubelet's
// FailedPostStartHook / FailedPreStopHook events.
//
// Threading: run() and every callback on the io_context thread; HTTP requests
// run on the runner's own blocking pool, exec waits on the runtime's terms,
// sleep on a timer: nothing blocks the io_context.
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "agent/loop/blocking_pool.h"
#include "agent/model/types.h"
#include "runtime/runtime.h"

namespace daemonlet::lifecycle {

enum class HookKind { kPostStart, kPreStop };
// "PostStart" / "PreStop", as the kubelet's messages name them.
const char* hookName(HookKind kind);

// Runs a command in the container (Runtime::exec bound to its id).
using HookExec = std::function<std::shared_ptr<runtime::ExecHandle>(
    const std::vector<std::string>& command, std::chrono::milliseconds timeout, runtime::ExecCallback done)>;

struct HookTarget {
  std::string pod;   // "namespace/name", for messages
  std::string host;  // the pod's IP: where an httpGet without a host goes
  HookExec exec;
};

struct HookOutcome {
  bool success = false;
  std::string message;  // why it failed; empty on success
};
using HookCallback = std::function<void(HookOutcome)>;

// A hook in flight. cancel() ends it; its callback then does not run.
class HookRun {
 public:
  virtual ~HookRun() = default;
  virtual void cancel() = 0;
};

// postStart has no time limit in the kubelet: a hook that never returns keeps
// its container from being Running, as there.
inline constexpr std::chrono::milliseconds kNoHookLimit = std::chrono::hours(24 * 365);

class HookRunner {
 public:
  explicit HookRunner(boost::asio::io_context& io);
  ~HookRunner();
  HookRunner(const HookRunner&) = delete;
  HookRunner& operator=(const HookRunner&) = delete;

  // Runs `handler` of `container`. `done` runs once, on the io_context, never
  // inside run(). A hook still running after `limit` is stopped and fails
  // ("did not complete within ...").
  std::shared_ptr<HookRun> run(HookKind kind, const model::LifecycleHandler& handler,
                               const model::Container& container, const HookTarget& target,
                               std::chrono::milliseconds limit, HookCallback done);

 private:
  boost::asio::io_context& io_;
  // The HTTP requests' threads; the destructor cancels nothing itself: the
  // owner cancels its runs first, and libcurl honours the cancellation.
  std::unique_ptr<loop::BlockingPool> pool_;
};

}  // namespace daemonlet::lifecycle
