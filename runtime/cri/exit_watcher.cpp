#include "runtime/cri/exit_watcher.h"

#include <grpcpp/grpcpp.h>

#include "agent/base/retry_backoff.h"
#include "runtime/cri/proto/api.grpc.pb.h"
#include "runtime/cri/proto/containerd_events.grpc.pb.h"

namespace daemonlet::runtime::cri {

namespace events = containerd::services::events::v1;
namespace criapi = ::runtime::v1;

namespace {

// containerd's filter syntax (the filters of one request are alternatives):
// only k8s.io's container exits and OOM kills (the CRI's namespace; exec'd
// processes are dropped by taskExitFromEnvelope).
constexpr const char* kExitFilter = "namespace==k8s.io,topic==\"/tasks/exit\"";
constexpr const char* kOomFilter = "namespace==k8s.io,topic==\"/tasks/oom\"";
// How long one attempt waits for the socket to accept before it counts as
// failed; also the longest stop() waits for an attempt in that state.
constexpr std::chrono::milliseconds kConnectWait{250};

std::shared_ptr<grpc::Channel> makeChannel(const std::string& endpoint, std::chrono::milliseconds maxBackoff) {
  grpc::ChannelArguments args;
  // gRPC's own reconnect back-off starts at 1 s and grows to 2 min: after
  // containerd restarts (ready in well under a second) this stream must come
  // back within our own back-off, not gRPC's.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, static_cast<int>(maxBackoff.count()));
  return grpc::CreateCustomChannel(endpoint, grpc::InsecureChannelCredentials(), args);
}

std::string describe(const grpc::Status& status) {
  return "code " + std::to_string(static_cast<int>(status.error_code())) + ": " + status.error_message();
}

std::chrono::system_clock::time_point fromNanos(std::int64_t nanos) {
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::nanoseconds(nanos)));
}

}  // namespace

ExitWatcher::ExitWatcher(std::string endpoint, ExitWatcherCallbacks callbacks, ExitWatcherOptions options)
    : endpoint_(std::move(endpoint)),
      callbacks_(std::move(callbacks)),
      options_(options),
      channel_(makeChannel(endpoint_, options_.maxBackoff)) {}

ExitWatcher::~ExitWatcher() { stop(); }

void ExitWatcher::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void ExitWatcher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    if (call_ != nullptr) call_->TryCancel();
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::string ExitWatcher::source() const {
  std::lock_guard lock(mutex_);
  return source_;
}

bool ExitWatcher::beginCall(grpc::ClientContext& context) {
  std::lock_guard lock(mutex_);
  if (stopping_) return false;
  call_ = &context;
  return true;
}

void ExitWatcher::endCall() {
  std::lock_guard lock(mutex_);
  call_ = nullptr;
}

bool ExitWatcher::pause(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  return !wake_.wait_for(lock, delay, [this] { return stopping_; });
}

void ExitWatcher::run() {
  bool criUnimplemented = false;  // learnt once: containerd 1.6 stays 1.6 under us
  bool lostReported = false;      // onLost once per break, not per failed retry
  std::uint64_t failures = 0;
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    const auto began = std::chrono::steady_clock::now();
    std::string why;
    StreamEnd end = StreamEnd::kBroken;
    bool opened = false;
    if (!channel_->WaitForConnected(std::chrono::system_clock::now() + kConnectWait)) {
      why = "cannot connect to " + endpoint_;
    } else {
      opened = true;
      if (!criUnimplemented) {
        end = watchCriEvents(why);
        if (end == StreamEnd::kUnimplemented) criUnimplemented = true;
      }
      if (criUnimplemented) end = watchContainerdEvents(why);
    }
    if (end == StreamEnd::kStopped) return;
    if (end == StreamEnd::kUnimplemented) {
      why = "the runtime has neither CRI GetContainerEvents nor containerd's event service";
    }
    if (opened) lostReported = false;
    if (!lostReported && callbacks_.onLost) callbacks_.onLost(why);
    lostReported = true;
    // A stream that stayed up a while was a success: the next break starts
    // the back-off again from its first step.
    if (opened && std::chrono::steady_clock::now() - began >= options_.maxBackoff) failures = 0;
    ++failures;
    if (!pause(base::doublingStep(options_.initialBackoff, options_.maxBackoff, failures))) return;
  }
}

ExitWatcher::StreamEnd ExitWatcher::watchCriEvents(std::string& why) {
  grpc::ClientContext context;
  if (!beginCall(context)) return StreamEnd::kStopped;
  auto stub = criapi::RuntimeService::NewStub(channel_);
  auto reader = stub->GetContainerEvents(&context, criapi::GetEventsRequest());
  {
    std::lock_guard lock(mutex_);
    source_ = "cri";
  }
  if (callbacks_.onSubscribed) callbacks_.onSubscribed();
  criapi::ContainerEventResponse event;
  while (reader->Read(&event)) {
    if (event.container_event_type() != criapi::CONTAINER_STOPPED_EVENT) continue;
    // The exit code is in the container's status; without it the relist that
    // follows a break (or the periodic one) reports the exit instead.
    for (const auto& status : event.containers_statuses()) {
      if (status.id() != event.container_id()) continue;
      TaskExit exit;
      exit.containerId = event.container_id();
      exit.exitStatus = static_cast<std::uint32_t>(status.exit_code());
      exit.exitedAt = fromNanos(status.finished_at() != 0 ? status.finished_at() : event.created_at());
      exit.reason = status.reason();
      if (callbacks_.onExit) callbacks_.onExit(exit);
      break;
    }
  }
  grpc::Status status = reader->Finish();
  endCall();
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return StreamEnd::kStopped;
  }
  if (status.error_code() == grpc::StatusCode::UNIMPLEMENTED) return StreamEnd::kUnimplemented;
  why = "the CRI event stream ended (" + describe(status) + ")";
  return StreamEnd::kBroken;
}

ExitWatcher::StreamEnd ExitWatcher::watchContainerdEvents(std::string& why) {
  grpc::ClientContext context;
  if (!beginCall(context)) return StreamEnd::kStopped;
  auto stub = events::Events::NewStub(channel_);
  events::SubscribeRequest request;
  request.add_filters(kExitFilter);
  request.add_filters(kOomFilter);
  auto reader = stub->Subscribe(&context, request);
  {
    std::lock_guard lock(mutex_);
    source_ = "containerd";
  }
  if (callbacks_.onSubscribed) callbacks_.onSubscribed();
  events::Envelope envelope;
  while (reader->Read(&envelope)) {
    if (auto exit = taskExitFromEnvelope(envelope)) {
      if (callbacks_.onExit) callbacks_.onExit(*exit);
    } else if (auto oom = taskOomFromEnvelope(envelope)) {
      if (callbacks_.onOom) callbacks_.onOom(*oom);
    }
  }
  grpc::Status status = reader->Finish();
  endCall();
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return StreamEnd::kStopped;
  }
  if (status.error_code() == grpc::StatusCode::UNIMPLEMENTED) return StreamEnd::kUnimplemented;
  why = "containerd's event stream ended (" + describe(status) + ")";
  return StreamEnd::kBroken;
}

}  // namespace daemonlet::runtime::cri
