// CriRuntime: construction and the start flow (sandbox, image, create, start).
// Exits, stops, listing, exec and log rotation are in cri_runtime_watch.cpp.
#include "runtime/cri/cri_runtime.h"

#include <algorithm>

#include <boost/asio/post.hpp>

#include "agent/base/log.h"
#include "agent/base/retry_backoff.h"
#include "runtime/cri/container_config.h"
#include "runtime/cri/cri_client.h"
#include "runtime/cri/cri_containers.h"
#include "runtime/cri/cri_runtime_offloop.h"
#include "runtime/cri/exit_watcher.h"
#include "runtime/cri/host_mount_propagation.h"
#include "runtime/cri/image_puller.h"
#include "runtime/cri/pod_sandbox.h"
#include "runtime/cri/raw_pod_fields.h"
#include "runtime/cri/task_exit_event.h"
#include "runtime/container_reasons.h"

namespace daemonlet::runtime::cri {
namespace {

// Starts overlap (a cold start of many daemons): each holds a pool thread for
// its sandbox, pull, create and start calls.
constexpr std::size_t kPoolThreads = 8;
// Pulls and starts take longer than the quick calls.
constexpr std::chrono::milliseconds kPullTimeout{15 * 60 * 1000};
constexpr std::chrono::milliseconds kStartTimeout{120'000};
// The safety net under the event stream: exits it did not deliver.
constexpr std::chrono::seconds kSafetyRelist{30};
// How long ErrImagePull shows before the next start attempt says ImagePullBackOff.
constexpr std::chrono::milliseconds kErrImagePullShownFor{1000};

std::shared_ptr<const RegistryCredentials> loadCredentials(const std::string& path) {
  if (path.empty()) return std::make_shared<RegistryCredentials>();
  auto loaded = RegistryCredentials::load(path);
  if (!loaded) {
    base::logWarning("cannot read the registry credentials; pulling anonymously",
                     {{"file", path}, {"error", loaded.error().describe()}});
    return std::make_shared<RegistryCredentials>();
  }
  return std::make_shared<RegistryCredentials>(std::move(*loaded));
}

}  // namespace

struct CriRuntime::StartOutcome {
  std::optional<CriContainerView> running;
  std::string waitingReason;  // when not running and not an error
  std::string message;
  std::optional<base::Error> error;  // a start failed after create (StartError)
  bool pullFailed = false;
  bool pulled = false;
  bool outage = false;
};

CriRuntime::CriRuntime(boost::asio::io_context& loop, CriRuntimeOptions options)
    : loop_(loop),
      options_(std::move(options)),
      client_(std::make_shared<CriClient>(options_.endpoint, options_.callTimeout)),
      credentials_(loadCredentials(options_.registryCredentialsFile)),
      logTimer_(loop),
      relistTimer_(loop),
      gcTimer_(loop),
      pool_(kPoolThreads) {
  std::weak_ptr<bool> alive = alive_;
  boost::asio::io_context* io = &loop_;
  auto onLoop = [alive, io](std::function<void()> then) {
    boost::asio::post(*io, [alive, then = std::move(then)] {
      if (!alive.expired()) then();
    });
  };
  ExitWatcherCallbacks callbacks;
  callbacks.onExit = [this, onLoop](const TaskExit& exit) { onLoop([this, exit] { onTaskExit(exit); }); };
  callbacks.onOom = [this, onLoop](const TaskOom& oom) { onLoop([this, oom] { onTaskOom(oom); }); };
  // Exits while no stream was open are found by listing once one is.
  callbacks.onSubscribed = [this, onLoop] {
    onLoop([this] {
      if (eventStreamLost_) {
        base::logInfo("containerd's event stream is back", {{"endpoint", options_.endpoint}});
        recoveryRelistsLeft_ = kRecoveryRelists;
      }
      eventStreamLost_ = false;
      relistExits();
    });
  };
  // Logged once per outage: the watcher retries, and reports each try.
  callbacks.onLost = [this, onLoop](const std::string& why) {
    onLoop([this, why] {
      if (eventStreamLost_) return;
      eventStreamLost_ = true;
      base::logWarning("containerd's event stream is lost; exits are found by relisting until it is back",
                       {{"endpoint", options_.endpoint}, {"error", why}});
    });
  };
  exitWatcher_ = std::make_unique<ExitWatcher>(options_.endpoint, std::move(callbacks));
  exitWatcher_->start();
  scheduleRelist(kSafetyRelist);
  scheduleLogRotation();
}

CriRuntime::~CriRuntime() {
  alive_.reset();
  logTimer_.cancel();
  relistTimer_.cancel();
  gcTimer_.cancel();
  exitWatcher_.reset();  // joins its thread before the members its callbacks use go
}

const std::string& CriRuntime::name() const {
  static const std::string kName = "cri";
  return kName;
}

void CriRuntime::setEventHandler(ContainerEventHandler handler) { handler_ = std::move(handler); }

void CriRuntime::emit(const ContainerStatus& status) {
  if (handler_) handler_(status);
}

ContainerStatus CriRuntime::waiting(const ContainerStartRequest& request, std::string reason, std::string message,
                                    std::optional<std::chrono::milliseconds> retryAfter) const {
  ContainerStatus status;
  status.pod = request.pod;
  status.containerName = request.container.name;
  status.init = request.init;
  status.state = ContainerState::kWaiting;
  status.reason = std::move(reason);
  status.message = std::move(message);
  status.restartCount = request.restartCount;
  status.image = request.container.image;
  status.retryAfter = retryAfter;
  return status;
}

std::chrono::milliseconds CriRuntime::outageRetry() {
  ++outageFailures_;
  return base::doublingStep(std::chrono::seconds(1), std::chrono::seconds(30),
                            static_cast<std::uint64_t>(outageFailures_));
}

void CriRuntime::start(const ContainerStartRequest& request, StartCallback done) {
  auto shared = std::make_shared<const ContainerStartRequest>(request);
  auto image = parseImageReference(request.container.image);
  if (!image) {
    ContainerStatus status = waiting(request, reasons::kInvalidImageName, image.error().describe(), std::nullopt);
    boost::asio::post(loop_, [done = std::move(done), status] { done(status); });
    return;
  }
  if (!request.podSpec) {
    boost::asio::post(loop_, [done = std::move(done)] {
      done(base::makeError(base::ErrorCode::kInvalidArgument, "the CRI runtime needs the pod's spec"));
    });
    return;
  }
  // Posted: the caller hears of the waiting state after start() returns.
  std::weak_ptr<bool> alive = alive_;
  ++startsInFlight_[request.pod.uid];
  done = [this, alive, uid = request.pod.uid, done = std::move(done)](base::Result<ContainerStatus> result) {
    if (!alive.expired()) finishedStarting(uid);
    done(std::move(result));
  };
  boost::asio::post(loop_, [this, alive, creating = waiting(request, reasons::kContainerCreating, "", std::nullopt)] {
    if (!alive.expired()) emit(creating);
  });
  withSandbox(shared, [this, shared, done = std::move(done)](
                          base::Result<std::shared_ptr<const PodSandbox>> sandbox) mutable {
    if (!sandbox) {
      const base::Error& error = sandbox.error();
      if (error.code == base::ErrorCode::kUnavailable) {
        done(waiting(*shared, reasons::kRuntimeUnavailable, error.describe(), outageRetry()));
      } else if (error.code == base::ErrorCode::kInvalidArgument) {
        done(waiting(*shared, reasons::kCreateContainerConfigError, error.describe(), std::nullopt));
      } else {
        // The kubelet keeps such a pod ContainerCreating (FailedCreatePodSandBox).
        done(waiting(*shared, reasons::kContainerCreating, "failed to create pod sandbox: " + error.describe(),
                     std::chrono::seconds(10)));
      }
      return;
    }
    launch(shared, *sandbox, std::move(done));
  });
}

void CriRuntime::withSandbox(const std::shared_ptr<const ContainerStartRequest>& request, SandboxReady ready) {
  const std::string uid = request->pod.uid;
  if (gcRemovingPods_.count(uid)) {
    // Rare: a pod back while the GC removes its old sandbox. Made afresh next time.
    boost::asio::post(loop_, [ready = std::move(ready)] {
      ready(base::makeError(base::ErrorCode::kInternal, "the pod's old sandbox is being removed"));
    });
    return;
  }
  SandboxSlot& slot = sandboxes_[uid];
  if (slot.ready) {
    auto sandbox = slot.ready;
    boost::asio::post(loop_, [ready = std::move(ready), sandbox] { ready(sandbox); });
    return;
  }
  slot.waiters.push_back(std::move(ready));
  if (slot.waiters.size() > 1) return;  // one is being made: wait for it
  offLoop(
      [client = client_, request, options = options_] {
        return ensurePodSandbox(*client, request->pod, *request->podSpec, request->daemonSet.get(), options);
      },
      [this, uid](base::Result<PodSandbox> made) {
        SandboxSlot& slot = sandboxes_[uid];
        std::vector<SandboxReady> waiters = std::move(slot.waiters);
        slot.waiters.clear();
        base::Result<std::shared_ptr<const PodSandbox>> result =
            made ? base::Result<std::shared_ptr<const PodSandbox>>(std::make_shared<const PodSandbox>(std::move(*made)))
                 : base::Result<std::shared_ptr<const PodSandbox>>(made.error());
        if (result) {
          slot.ready = *result;
          podIPs_[uid] = (*result)->ips.empty() ? std::string() : (*result)->ips.front();
        }
        for (auto& waiter : waiters) waiter(result);
      });
}

void CriRuntime::launch(const std::shared_ptr<const ContainerStartRequest>& request,
                        const std::shared_ptr<const PodSandbox>& sandbox, StartCallback done) {
  ImageRequest image;
  image.image = *parseImageReference(request->container.image);
  image.policy = pullPolicyOf(request->container);
  const std::string backoffKey = ImagePullBackoff::keyOf(request->pod.uid, request->container.image);
  image.inBackoff = pullBackoff_.remaining(backoffKey, clock_.now()).has_value();
  image.credentials = credentials_.get();
  std::weak_ptr<bool> alive = alive_;
  boost::asio::io_context* io = &loop_;
  ContainerStatus pulling = waiting(*request, reasons::kPulling, "Pulling image \"" + request->container.image + "\"",
                                    std::nullopt);
  image.onPulling = [this, alive, io, pulling] {
    boost::asio::post(*io, [this, alive, pulling] {
      if (!alive.expired()) emit(pulling);
    });
  };
  offLoop(
      [client = client_, request, sandbox, image, agentId = options_.agentId]() mutable {
        StartOutcome outcome;
        image.sandbox = &sandbox->config;
        ImageOutcome pulled = ensureImage(*client, image, kPullTimeout);
        outcome.pullFailed = pulled.pullFailed;
        if (!pulled.image) {
          outcome.waitingReason = pulled.reason;
          outcome.message = pulled.message;
          outcome.outage = pulled.reason == reasons::kRuntimeUnavailable;
          return outcome;
        }
        outcome.pulled = true;
        auto mounts = containerMounts(*request->podSpec, request->container, sandbox->volumes, request->env,
                                      request->security.privileged);
        if (!mounts) {
          outcome.waitingReason = reasons::kCreateContainerConfigError;
          outcome.message = mounts.error().describe();
          return outcome;
        }
        if (auto propagation = checkHostPropagation(*request->podSpec, request->container, *mounts, readHostMountInfo());
            !propagation) {
          outcome.waitingReason = reasons::kCreateContainerConfigError;
          outcome.message = propagation.error().describe();
          return outcome;
        }
        ContainerInputs inputs;
        inputs.request = request.get();
        inputs.sandbox = &sandbox->config;
        inputs.rawPodSpec = rawPodSpecOf(request->daemonSet.get());
        inputs.podIPs = sandbox->ips;
        inputs.imageRef = pulled.image->imageRef;
        inputs.imageUser = pulled.image->user;
        inputs.mounts = std::move(*mounts);
        auto config = makeContainerConfig(inputs);
        if (!config) {
          outcome.waitingReason = reasons::kCreateContainerConfigError;
          outcome.message = config.error().describe();
          return outcome;
        }
        ContainerLaunch launch{sandbox->id, &sandbox->config, &*config, agentId, request->pod.uid};
        auto launched = launchContainer(*client, launch, kStartTimeout);
        if (launched) {
          outcome.running = std::move(*launched);
        } else if (launched.error().code == base::ErrorCode::kUnavailable) {
          outcome.waitingReason = reasons::kRuntimeUnavailable;
          outcome.message = launched.error().message;
          outcome.outage = true;
        } else if (launched.error().context == "CreateContainer") {
          outcome.waitingReason = reasons::kCreateContainerError;
          outcome.message = launched.error().message;
        } else {
          outcome.error = launched.error();
        }
        return outcome;
      },
      [this, request, backoffKey, done = std::move(done)](StartOutcome outcome) mutable {
        if (outcome.pullFailed) {
          // The kubelet shows ErrImagePull once, then ImagePullBackOff until the
          // back-off ends: come back soon to say so, well before the next pull.
          auto delay = pullBackoff_.failed(backoffKey, clock_.now());
          done(waiting(*request, reasons::kErrImagePull, outcome.message, std::min(delay, kErrImagePullShownFor)));
          return;
        }
        if (outcome.pulled) pullBackoff_.succeeded(backoffKey);
        if (outcome.waitingReason == reasons::kImagePullBackOff) {
          done(waiting(*request, outcome.waitingReason, outcome.message,
                       pullBackoff_.remaining(backoffKey, clock_.now())));
          return;
        }
        finishStart(request, std::move(outcome), std::move(done));
      });
}

void CriRuntime::finishStart(const std::shared_ptr<const ContainerStartRequest>& request, StartOutcome outcome,
                             StartCallback done) {
  if (outcome.outage) {
    // The sandbox may be gone with the runtime's restart: look again next time.
    sandboxes_.erase(request->pod.uid);
    done(waiting(*request, reasons::kRuntimeUnavailable, outcome.message, outageRetry()));
    return;
  }
  outageFailures_ = 0;
  if (outcome.error) {
    sandboxes_.erase(request->pod.uid);  // a dead sandbox fails every start: make it again
    done(*outcome.error);
    return;
  }
  if (!outcome.running) {
    // A create refused because the sandbox died is retried with a new one.
    if (outcome.waitingReason == reasons::kCreateContainerError) sandboxes_.erase(request->pod.uid);
    done(waiting(*request, outcome.waitingReason, outcome.message, std::nullopt));
    return;
  }
  const std::string id = outcome.running->id;
  ContainerStatus status = toContainerStatus(*outcome.running);
  status.image = request->container.image;
  if (status.logPath.empty()) status.logPath = request->logPath;
  // A container that exited at once is still reported started first, then
  // exited: its exit (in its status already, or an event that came before this
  // start's answer, which takes the event's way) goes to the event handler
  // after `done`.
  std::optional<ContainerStatus> exited;
  std::optional<TaskExit> earlyExit;
  if (status.state == ContainerState::kExited) {
    exited = status;
  } else if (auto early = unclaimedExits_.find(id); early != unclaimedExits_.end()) {
    earlyExit = TaskExit{id, static_cast<std::uint32_t>(early->second.exitCode), early->second.exitedAt,
                         early->second.reason};
    unclaimedExits_.erase(early);
  }
  ContainerStatus running = status;
  running.state = ContainerState::kRunning;
  running.exitCode.reset();
  running.finishedAt.reset();
  running.reason.clear();
  running.message.clear();
  running.signal = 0;
  containers_[id] = Tracked{running, {}, request->limits.memoryBytes.has_value()};
  done(running);
  if (exited) {
    std::weak_ptr<bool> alive = alive_;
    boost::asio::post(loop_, [this, alive, id, exited = *exited] {
      if (!alive.expired()) finishExit(id, exited);
    });
  } else if (earlyExit) {
    std::weak_ptr<bool> alive = alive_;
    boost::asio::post(loop_, [this, alive, exit = *earlyExit] {
      if (!alive.expired()) onTaskExit(exit);
    });
  }
}

}  // namespace daemonlet::runtime::cri
