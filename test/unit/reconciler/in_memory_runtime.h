#pragma once
// A runtime that keeps its containers in memory, for the reconciler's loop
// tests. It records every call and completes nothing by itself: a start stays
// in flight until the test calls completeStart/failStart, a stop until the test
// calls finishStop (or the container exits), and remove is refused while one of
// the pod's containers runs or while the test has asked for refusals. So a test
// orders the runtime's reports against the reconciler's passes as it likes,
// which is how it reaches the race branches. Callbacks run on the calling
// thread, which in these tests is the loop's (the test drives the io_context);
// only list() posts its answer, as the Runtime contract asks.
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "runtime/runtime.h"
#include "runtime/runtime_set.h"

namespace daemonlet::reconciler::testing {

class InMemoryRuntime final : public runtime::Runtime {
 public:
  // `name`: "host" stands in for the host runtime, "cri" for the CRI runtime.
  // Listings are answered on `io` (the loop the test drives).
  explicit InMemoryRuntime(boost::asio::io_context& io, std::string name = runtime::kHostRuntimeName)
      : io_(io), name_(std::move(name)) {}

  struct Stop {
    std::string containerId;
    std::chrono::milliseconds grace;
  };

  // --- runtime::Runtime ---
  const std::string& name() const override { return name_; }
  void start(const runtime::ContainerStartRequest& request, StartCallback done) override {
    starts_.push_back(request);
    pending_.push_back({request, std::move(done)});
  }
  base::Status stop(const std::string& containerId, std::chrono::milliseconds grace,
                    runtime::StopCallback done) override {
    auto it = containers_.find(containerId);
    if (it == containers_.end()) {
      return base::makeError(base::ErrorCode::kNotFound, "no such container", containerId);
    }
    stops_.push_back({containerId, grace});
    if (it->second.state == runtime::ContainerState::kExited) {
      done(it->second);
      return base::Ok{};
    }
    stopCallbacks_[containerId].push_back(std::move(done));
    return base::Ok{};
  }
  // Running containers and the most recent exited instance of each container,
  // as they are when the answer runs; fails while the test says the runtime
  // is down (setListDown). The answer is posted, or held until the test calls
  // answerLists() (holdLists: a slow runtime).
  void list(ListCallback done) override {
    ++lists_;
    heldLists_.push_back(std::move(done));
    if (!holdLists_) postHeldLists();
  }
  base::Status removePod(const std::string& podUid) override {
    removes_.push_back(podUid);
    if (auto refusals = removeRefusals_.find(podUid);
        refusals != removeRefusals_.end() && refusals->second > 0) {
      --refusals->second;
      return base::makeError(base::ErrorCode::kUnavailable, "a process of the pod still runs", podUid);
    }
    for (const auto& [id, status] : containers_) {
      if (status.pod.uid == podUid && status.state == runtime::ContainerState::kRunning) {
        return base::makeError(base::ErrorCode::kUnavailable, "a container still runs", id);
      }
    }
    std::erase_if(containers_, [&](const auto& entry) { return entry.second.pod.uid == podUid; });
    return base::Ok{};
  }
  int stopPod(const std::string& podUid, std::chrono::milliseconds) override {
    leftoverStops_.push_back(podUid);
    return 0;
  }
  // No commands run here: an exec fails at once (these tests have no exec probes).
  std::shared_ptr<runtime::ExecHandle> exec(const std::string&, const std::vector<std::string>&,
                                            std::chrono::milliseconds, runtime::ExecCallback done) override {
    done(runtime::ExecResult{false, "the in-memory runtime runs no commands"});
    return nullptr;
  }
  std::string podIP(const std::string&) const override { return podIP_; }
  void setEventHandler(runtime::ContainerEventHandler handler) override { exitHandler_ = std::move(handler); }

  // --- what the test does ---
  // Completes the oldest start in flight (or the one for `container`): running.
  runtime::ContainerStatus completeStart(const std::string& container = {}) {
    Pending pending = take(container);
    auto started = launch(pending.request);
    pending.done(started);
    return *started;
  }
  // The oldest start in flight (or the one for `container`) ends waiting,
  // nothing started (a pull failed, the runtime is unreachable).
  void completeWaiting(const std::string& reason, const std::string& message,
                       std::optional<std::chrono::milliseconds> retryAfter, const std::string& container = {}) {
    Pending pending = take(container);
    runtime::ContainerStatus waiting;
    waiting.pod = pending.request.pod;
    waiting.containerName = pending.request.container.name;
    waiting.init = pending.request.init;
    waiting.state = runtime::ContainerState::kWaiting;
    waiting.reason = reason;
    waiting.message = message;
    waiting.retryAfter = retryAfter;
    pending.done(waiting);
  }
  // The oldest start in flight says what it waits for (the CRI runtime's
  // "Pulling" event) and goes on.
  void announceWaiting(const std::string& reason, const std::string& message) {
    runtime::ContainerStatus waiting;
    waiting.pod = pending_.front().request.pod;
    waiting.containerName = pending_.front().request.container.name;
    waiting.init = pending_.front().request.init;
    waiting.state = runtime::ContainerState::kWaiting;
    waiting.reason = reason;
    waiting.message = message;
    exitHandler_(waiting);
  }
  // Fails the oldest start in flight (or the one for `container`).
  void failStart(const std::string& message, const std::string& container = {}) {
    Pending pending = take(container);
    pending.done(base::makeError(base::ErrorCode::kInternal, message));
  }
  // The container ends: the exit handler hears of it, then any stop waiting on it.
  void exit(const std::string& containerId, int code) {
    runtime::ContainerStatus& status = containers_.at(containerId);
    status.state = runtime::ContainerState::kExited;
    status.exitCode = code;
    status.reason = code == 0 ? "Completed" : "Error";
    if (exitHandler_) exitHandler_(status);
    auto callbacks = std::move(stopCallbacks_[containerId]);
    stopCallbacks_.erase(containerId);
    for (auto& done : callbacks) done(status);
  }
  // The container ends but its event is lost: only list() knows (a relist finds it).
  void exitUnannounced(const std::string& containerId, int code) {
    runtime::ContainerStatus& status = containers_.at(containerId);
    status.state = runtime::ContainerState::kExited;
    status.exitCode = code;
    status.reason = code == 0 ? "Completed" : "Error";
  }
  // A stop that was asked for ends the container (143: SIGTERM).
  void finishStop(const std::string& containerId) { exit(containerId, 143); }
  // A container an earlier agent left behind, found by list().
  void addRunning(runtime::ContainerStatus status) {
    status.state = runtime::ContainerState::kRunning;
    containers_[status.containerId] = std::move(status);
  }
  void refuseRemove(const std::string& podUid, int times) { removeRefusals_[podUid] = times; }
  // The runtime does not answer list() (containerd down); its containers live on.
  void setListDown(bool down) { listDown_ = down; }
  // Listings wait for answerLists() (a slow runtime): none is answered until then.
  void holdLists(bool hold) { holdLists_ = hold; }
  // The listings held so far are answered (posted: they run at the next settle).
  void answerLists() { postHeldLists(); }
  std::size_t listsInFlight() const { return heldLists_.size(); }
  int lists() const { return lists_; }
  void setPodIP(std::string ip) { podIP_ = std::move(ip); }

  const std::vector<runtime::ContainerStartRequest>& starts() const { return starts_; }
  std::size_t startsInFlight() const { return pending_.size(); }
  const std::vector<Stop>& stops() const { return stops_; }
  const std::vector<std::string>& removes() const { return removes_; }
  const std::vector<std::string>& leftoverStops() const { return leftoverStops_; }
  std::vector<runtime::ContainerStatus> running() const {
    std::vector<runtime::ContainerStatus> alive;
    for (const auto& [id, status] : containers_) {
      if (status.state == runtime::ContainerState::kRunning) alive.push_back(status);
    }
    return alive;
  }

 private:
  struct Pending {
    runtime::ContainerStartRequest request;
    StartCallback done;
  };

  base::Result<std::vector<runtime::ContainerStatus>> listNow() const {
    if (listDown_) return base::makeError(base::ErrorCode::kUnavailable, "ListContainers: connection refused");
    std::vector<runtime::ContainerStatus> listed;
    std::map<std::tuple<std::string, std::string, bool>, runtime::ContainerStatus> lastExited;
    for (const auto& [id, status] : containers_) {
      if (status.state == runtime::ContainerState::kRunning) {
        listed.push_back(status);
        continue;
      }
      auto& last = lastExited[{status.pod.uid, status.containerName, status.init}];
      if (last.containerId.empty() || status.restartCount > last.restartCount) last = status;
    }
    for (auto& [key, status] : lastExited) listed.push_back(std::move(status));
    return listed;
  }

  void postHeldLists() {
    std::vector<ListCallback> held = std::move(heldLists_);
    heldLists_.clear();
    for (auto& done : held) {
      boost::asio::post(io_, [this, alive = std::weak_ptr<bool>(alive_), done = std::move(done)] {
        if (alive.lock()) done(listNow());
      });
    }
  }

  Pending take(const std::string& container) {
    auto it = pending_.begin();
    while (it != pending_.end() && !container.empty() && it->request.container.name != container) ++it;
    if (it == pending_.end()) throw std::logic_error("no start in flight for '" + container + "'");
    Pending pending = std::move(*it);
    pending_.erase(it);
    return pending;
  }

  base::Result<runtime::ContainerStatus> launch(const runtime::ContainerStartRequest& request) {
    runtime::ContainerStatus status;
    status.containerId = "mem://" + std::to_string(++nextId_);
    status.pod = request.pod;
    status.containerName = request.container.name;
    status.init = request.init;
    status.state = runtime::ContainerState::kRunning;
    status.pid = 1000 + nextId_;
    status.restartCount = request.restartCount;
    status.image = request.container.image;
    status.imageId = "sha256:digest-of-" + request.container.image;
    containers_[status.containerId] = status;
    return status;
  }

  boost::asio::io_context& io_;
  int nextId_ = 0;
  bool listDown_ = false;
  bool holdLists_ = false;
  std::vector<ListCallback> heldLists_;
  int lists_ = 0;
  std::map<std::string, runtime::ContainerStatus> containers_;  // by id
  std::vector<Pending> pending_;
  std::map<std::string, std::vector<runtime::StopCallback>> stopCallbacks_;
  std::map<std::string, int> removeRefusals_;
  runtime::ContainerEventHandler exitHandler_;
  std::string name_;
  std::string podIP_ = "127.0.0.1";
  std::vector<runtime::ContainerStartRequest> starts_;
  std::vector<Stop> stops_;
  std::vector<std::string> removes_;
  std::vector<std::string> leftoverStops_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace daemonlet::reconciler::testing
