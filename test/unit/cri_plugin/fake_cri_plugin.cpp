// A stand-in for daemonlet-cri.so with the same entry points: its runtime starts
// every container at once (after a "Pulling" event) and lists what it started,
// so the loader's forwarding can be checked without gRPC or containerd.
#include <boost/asio/post.hpp>

#include "runtime/cri_plugin/cri_plugin_abi.h"

namespace {

using namespace daemonlet::runtime;

class FakeCriRuntime final : public Runtime {
 public:
  explicit FakeCriRuntime(boost::asio::io_context& loop, std::string endpoint)
      : loop_(loop), endpoint_(std::move(endpoint)) {}

  const std::string& name() const override { return name_; }

  void start(const ContainerStartRequest& request, StartCallback done) override {
    ContainerStatus status;
    status.containerId = "containerd://fake-" + request.container.name;
    status.pod = request.pod;
    status.containerName = request.container.name;
    status.state = ContainerState::kWaiting;
    status.reason = "Pulling";
    if (handler_) handler_(status);
    status.state = ContainerState::kRunning;
    status.reason.clear();
    status.message = endpoint_;  // shows the options arrived
    started_.push_back(status);
    boost::asio::post(loop_, [done = std::move(done), status] { done(status); });
  }
  daemonlet::base::Status stop(const std::string&, std::chrono::milliseconds, StopCallback) override {
    return daemonlet::base::Ok{};
  }
  int stopPod(const std::string&, std::chrono::milliseconds) override { return 0; }
  daemonlet::base::Status removePod(const std::string&) override { return daemonlet::base::Ok{}; }
  void list(ListCallback done) override {
    boost::asio::post(loop_, [done = std::move(done), listed = started_] { done(listed); });
  }
  std::shared_ptr<ExecHandle> exec(const std::string&, const std::vector<std::string>&, std::chrono::milliseconds,
                                   ExecCallback) override {
    return nullptr;
  }
  std::string podIP(const std::string&) const override { return "10.0.0.7"; }
  void setEventHandler(ContainerEventHandler handler) override { handler_ = std::move(handler); }

 private:
  boost::asio::io_context& loop_;
  std::string endpoint_;
  std::string name_ = "cri";
  ContainerEventHandler handler_;
  std::vector<ContainerStatus> started_;
};

}  // namespace

extern "C" {

Runtime* daemonlet_cri_create_runtime(boost::asio::io_context& loop, const cri::CriRuntimeOptions& options) {
  return new FakeCriRuntime(loop, options.endpoint);
}

const char* daemonlet_cri_plugin_version() { return FAKE_PLUGIN_VERSION; }

}  // extern "C"
