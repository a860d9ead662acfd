// cri_floor: the least a CRI client must do to run and restart containers, the
// floor the agent's CRI runtime is measured against (bench/cri_bench.sh).
//
//   cri_floor run --endpoint unix:///SOCK --image REF --stamps DIR --logs DIR --pods N [--cgroup-parent P]
//       Runs N pods at once (a thread each: RunPodSandbox, CreateContainer,
//       StartContainer; host network and PID namespace, DIR bind-mounted at the
//       same path, the container running `/stamp_daemon DIR/fNNN`). Then, like a
//       supervisor with back-off 0, restarts each container the moment
//       containerd's /tasks/exit event names it (CreateContainer with attempt + 1,
//       StartContainer, then RemoveContainer of the old one). Runs until SIGTERM
//       or SIGINT, then stops and removes its pods.
//   cri_floor cleanup --endpoint unix:///SOCK
//       Stops and removes every pod sandbox the runtime lists (a private
//       containerd only: it removes other clients' pods too).
//
// Nothing here a real agent could skip: no status calls, no listing, no image
// check, no durable state. The figures come from the stamps, not from here.
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "runtime/cri/proto/api.grpc.pb.h"
#include "runtime/cri/proto/containerd_events.grpc.pb.h"

namespace {

namespace cri = runtime::v1;
namespace events = containerd::services::events::v1;

constexpr int kCallDeadlineS = 60;
constexpr const char* kNamespace = "cri-floor";

struct Options {
  std::string endpoint;
  std::string image;
  std::string stamps;
  std::string logs;
  std::string cgroupParent;  // "" leaves it to the runtime
  int pods = 1;
};

std::unique_ptr<grpc::ClientContext> callContext() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(kCallDeadlineS));
  return context;
}

[[noreturn]] void fail(const std::string& what, const grpc::Status& status) {
  std::fprintf(stderr, "cri_floor: %s: %s\n", what.c_str(), status.error_message().c_str());
  std::exit(1);
}

// One pod: its sandbox config (CreateContainer repeats it) and its current container.
struct Pod {
  std::string name;
  cri::PodSandboxConfig sandboxConfig;
  std::string sandboxId;
  std::string containerId;
  unsigned attempt = 0;
  std::mutex mutex;  // the starting thread and the exit thread: one start at a time
};

class Floor {
 public:
  Floor(Options options, std::shared_ptr<grpc::Channel> channel)
      : options_(std::move(options)), channel_(channel), runtime_(cri::RuntimeService::NewStub(channel)) {
    for (int i = 0; i < options_.pods; ++i) pods_.push_back(std::make_unique<Pod>());
  }

  void runPods() {
    std::vector<std::thread> starters;
    for (int i = 0; i < options_.pods; ++i) {
      starters.emplace_back([this, i] { runPod(*pods_[static_cast<size_t>(i)], i); });
    }
    for (auto& starter : starters) starter.join();
  }

  // Restarts containers as their exits arrive; returns when the stream ends.
  void superviseExits() {
    events::SubscribeRequest request;
    request.add_filters("namespace==k8s.io,topic==\"/tasks/exit\"");
    auto stub = events::Events::NewStub(channel_);
    grpc::ClientContext context;
    subscription_ = &context;
    auto reader = stub->Subscribe(&context, request);
    subscribed_ = true;
    events::Envelope envelope;
    while (reader->Read(&envelope)) {
      events::TaskExit exit;
      // The Any's type_url has no '/', so it cannot be unpacked; its bytes are the message.
      if (!exit.ParseFromString(envelope.event().value()) || exit.id() != exit.container_id()) continue;
      Pod* pod = podOfContainer(exit.container_id());
      if (pod != nullptr) restart(*pod);
    }
  }

  void stopSubscription() {
    if (subscription_ != nullptr) subscription_->TryCancel();
  }
  bool subscribed() const { return subscribed_; }

  void removePods() {
    for (auto& pod : pods_) removeSandbox(pod->sandboxId);
  }

  void removeAllSandboxes() {
    cri::ListPodSandboxResponse list;
    auto status = runtime_->ListPodSandbox(callContext().get(), cri::ListPodSandboxRequest(), &list);
    if (!status.ok()) fail("ListPodSandbox", status);
    for (const auto& sandbox : list.items()) removeSandbox(sandbox.id());
    std::printf("removed=%d\n", list.items_size());
  }

 private:
  void runPod(Pod& pod, int index) {
    char name[16];
    std::snprintf(name, sizeof name, "f%03d", index);
    pod.name = name;
    auto& config = pod.sandboxConfig;
    config.mutable_metadata()->set_name(pod.name);
    config.mutable_metadata()->set_namespace_(kNamespace);
    config.mutable_metadata()->set_uid(std::string("cri-floor-") + name);
    config.set_log_directory(options_.logs + "/" + pod.name);
    if (!options_.cgroupParent.empty()) config.mutable_linux()->set_cgroup_parent(options_.cgroupParent);
    auto* namespaces = config.mutable_linux()->mutable_security_context()->mutable_namespace_options();
    namespaces->set_network(cri::NODE);
    namespaces->set_pid(cri::NODE);
    namespaces->set_ipc(cri::NODE);

    cri::RunPodSandboxRequest request;
    *request.mutable_config() = config;
    cri::RunPodSandboxResponse response;
    auto status = runtime_->RunPodSandbox(callContext().get(), request, &response);
    if (!status.ok()) fail("RunPodSandbox " + pod.name, status);
    pod.sandboxId = response.pod_sandbox_id();
    std::lock_guard lock(pod.mutex);
    startContainer(pod);
  }

  // CreateContainer + StartContainer with the pod's current attempt. Callers hold pod.mutex.
  void startContainer(Pod& pod) {
    cri::CreateContainerRequest request;
    request.set_pod_sandbox_id(pod.sandboxId);
    *request.mutable_sandbox_config() = pod.sandboxConfig;
    auto* config = request.mutable_config();
    config->mutable_metadata()->set_name("stamp");
    config->mutable_metadata()->set_attempt(pod.attempt);
    config->mutable_image()->set_image(options_.image);
    config->add_command("/stamp_daemon");
    config->add_args(options_.stamps + "/" + pod.name);
    config->set_log_path("stamp/" + std::to_string(pod.attempt) + ".log");
    auto* mount = config->add_mounts();
    mount->set_host_path(options_.stamps);
    mount->set_container_path(options_.stamps);
    config->mutable_linux()->mutable_security_context()->mutable_namespace_options()->set_pid(cri::NODE);
    config->mutable_linux()->mutable_security_context()->mutable_namespace_options()->set_network(cri::NODE);
    config->mutable_linux()->mutable_security_context()->mutable_namespace_options()->set_ipc(cri::NODE);
    cri::CreateContainerResponse created;
    auto status = runtime_->CreateContainer(callContext().get(), request, &created);
    if (!status.ok()) fail("CreateContainer " + pod.name, status);
    cri::StartContainerRequest start;
    start.set_container_id(created.container_id());
    cri::StartContainerResponse started;
    status = runtime_->StartContainer(callContext().get(), start, &started);
    if (!status.ok()) fail("StartContainer " + pod.name, status);
    pod.containerId = created.container_id();
  }

  void restart(Pod& pod) {
    std::lock_guard lock(pod.mutex);
    const std::string old = pod.containerId;
    ++pod.attempt;
    startContainer(pod);
    cri::RemoveContainerRequest remove;
    remove.set_container_id(old);
    cri::RemoveContainerResponse removed;
    (void)runtime_->RemoveContainer(callContext().get(), remove, &removed);  // off the measured path
  }

  Pod* podOfContainer(const std::string& id) {
    for (auto& pod : pods_) {
      std::lock_guard lock(pod->mutex);
      if (pod->containerId == id) return pod.get();
    }
    return nullptr;
  }

  void removeSandbox(const std::string& id) {
    if (id.empty()) return;
    cri::StopPodSandboxRequest stop;
    stop.set_pod_sandbox_id(id);
    cri::StopPodSandboxResponse stopped;
    (void)runtime_->StopPodSandbox(callContext().get(), stop, &stopped);
    cri::RemovePodSandboxRequest remove;
    remove.set_pod_sandbox_id(id);
    cri::RemovePodSandboxResponse removed;
    auto status = runtime_->RemovePodSandbox(callContext().get(), remove, &removed);
    if (!status.ok())
      std::fprintf(stderr, "cri_floor: RemovePodSandbox %s: %s\n", id.c_str(),
                   status.error_message().c_str());
  }

  Options options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<cri::RuntimeService::Stub> runtime_;
  std::vector<std::unique_ptr<Pod>> pods_;  // made before any thread, never resized
  grpc::ClientContext* subscription_ = nullptr;
  std::atomic<bool> subscribed_{false};
};

Options parseOptions(int argc, char** argv) {
  std::map<std::string, std::string> words;
  for (int i = 2; i + 1 < argc; i += 2) words[argv[i]] = argv[i + 1];
  Options options;
  options.endpoint = words["--endpoint"];
  options.image = words["--image"];
  options.stamps = words["--stamps"];
  options.logs = words["--logs"];
  options.cgroupParent = words["--cgroup-parent"];
  options.pods = words.contains("--pods") ? std::atoi(words["--pods"].c_str()) : 1;
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string command = argc > 1 ? argv[1] : "";
  Options options = parseOptions(argc, argv);
  if ((command != "run" && command != "cleanup") || options.endpoint.empty() ||
      (command == "run" && (options.image.empty() || options.stamps.empty() || options.logs.empty()))) {
    std::fprintf(stderr,
                 "usage: cri_floor run|cleanup --endpoint unix:///SOCK [--image REF --stamps DIR --logs DIR "
                 "--pods N --cgroup-parent P]\n");
    return 2;
  }
  Floor floor(options, grpc::CreateChannel(options.endpoint, grpc::InsecureChannelCredentials()));
  if (command == "cleanup") {
    floor.removeAllSandboxes();
    return 0;
  }

  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGTERM);
  sigaddset(&stopSignals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);  // every thread inherits it; sigwait below

  // Subscribed before the first start, so no exit can slip between.
  std::thread supervisor([&floor] { floor.superviseExits(); });
  while (!floor.subscribed()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  floor.runPods();
  int signal = 0;
  sigwait(&stopSignals, &signal);
  floor.stopSubscription();
  supervisor.join();
  floor.removePods();
  return 0;
}
