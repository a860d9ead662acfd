#pragma once
// ExitWatcher: learns of container exits as they happen, without polling each
// container, from a stream the CRI runtime pushes:
//   - the CRI's own GetContainerEvents (containerd >= 1.7, CRI-O), probed first;
//     Its exits carry the CRI's reason ("OOMKilled" once containerd saw the
//     OOM kill), and it has no OOM events of its own;
//   - where that is UNIMPLEMENTED (containerd 1.6), containerd's event service
//     (containerd.services.events.v1.Events/Subscribe) on the same socket,
//     filtered to namespace k8s.io's /tasks/exit events (~1 ms after the shim
//     reaps a process) and /tasks/oom events (the cgroup's OOM notification,
//     sent apart from the exit: before it as a rule, after it in a race).
// Neither stream replays what happened while it was down, so each (re)subscribe
// is reported (onSubscribed) for the owner to relist, and each break
// (onLost) before it tries again with back-off (doubling, from `initialBackoff`
// to `maxBackoff`), until stop().
//
// Threading: one thread of its own, started by start(); every callback runs on
// it, so the owner posts to its own loop. stop() (also the destructor) cancels
// the stream in flight (ClientContext::TryCancel) and joins: prompt, whatever
// the stream is doing. Not copyable; start() and stop() from one thread.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "runtime/cri/task_exit_event.h"

namespace grpc {
class Channel;
class ClientContext;
}  // namespace grpc

namespace daemonlet::runtime::cri {

struct ExitWatcherCallbacks {
  // A container's own process exited (never an exec'd process).
  std::function<void(const TaskExit&)> onExit;
  // The OOM killer acted in a container (containerd's own stream only).
  std::function<void(const TaskOom&)> onOom;
  // A stream was opened: exits from about now on are reported; the owner
  // relists to find those before. May come twice in a row while probing.
  std::function<void()> onSubscribed;
  // The stream broke or could not be opened (`why`): exits are missed until
  // the next onSubscribed.
  std::function<void(const std::string& why)> onLost;
};

struct ExitWatcherOptions {
  std::chrono::milliseconds initialBackoff{200};
  std::chrono::milliseconds maxBackoff{10'000};
};

class ExitWatcher {
 public:
  // `endpoint`: the CRI socket ("unix:///run/containerd/containerd.sock"); the
  // watcher opens its own channel to it.
  ExitWatcher(std::string endpoint, ExitWatcherCallbacks callbacks, ExitWatcherOptions options = {});
  ~ExitWatcher();
  ExitWatcher(const ExitWatcher&) = delete;
  ExitWatcher& operator=(const ExitWatcher&) = delete;

  void start();
  void stop();

  // Which stream delivers exits, for logs and tests: "cri", "containerd", or
  // "" before the first stream opened.
  std::string source() const;

 private:
  enum class StreamEnd { kStopped, kUnimplemented, kBroken };
  void run();
  StreamEnd watchCriEvents(std::string& why);
  StreamEnd watchContainerdEvents(std::string& why);
  // Registers the context of the call about to be made; false once stopping.
  bool beginCall(grpc::ClientContext& context);
  void endCall();
  // Waits `delay` or until stop(); false when stopping.
  bool pause(std::chrono::milliseconds delay);

  const std::string endpoint_;
  const ExitWatcherCallbacks callbacks_;
  const ExitWatcherOptions options_;
  std::shared_ptr<grpc::Channel> channel_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  grpc::ClientContext* call_ = nullptr;  // the stream in flight, cancelled by stop()
  std::string source_;
  std::thread thread_;
};

}  // namespace daemonlet::runtime::cri
