#include "runtime/cri_plugin/lazy_cri_runtime.h"

#include <filesystem>
#include <system_error>
#include <utility>

#include <boost/asio/post.hpp>

#include "agent/base/atomic_file.h"
#include "agent/base/log.h"
#include "agent/base/shared_library.h"
#include "runtime/cri_plugin/cri_plugin_abi.h"

namespace daemonlet::runtime::cri_plugin {

namespace fs = std::filesystem;

namespace {

const std::string kName = "cri";

// An exec that never ran: nothing to cancel.
class NoExec final : public ExecHandle {
 public:
  void cancel() override {}
};

}  // namespace

LazyCriRuntime::LazyCriRuntime(boost::asio::io_context& loop, const base::Clock& clock,
                               cri::CriRuntimeOptions options, std::string modulePath,
                               std::chrono::milliseconds retryInterval)
    : loop_(loop),
      clock_(clock),
      options_(std::move(options)),
      modulePath_(std::move(modulePath)),
      retryInterval_(retryInterval) {}

LazyCriRuntime::~LazyCriRuntime() = default;  // waits for a preload still opening the module

void LazyCriRuntime::preloadModule() {
  if (impl_ || preloaded_.valid()) return;
  preloaded_ = std::async(std::launch::async, [path = modulePath_] { return base::SharedLibrary::open(path, ""); });
}

const std::string& LazyCriRuntime::name() const { return kName; }

bool LazyCriRuntime::markerExists() const {
  std::error_code ec;
  return !options_.stateDir.empty() && fs::exists(fs::path(options_.stateDir) / kMarkerFileName, ec);
}

std::chrono::milliseconds LazyCriRuntime::retryAfter() const {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(failedAt_ + retryInterval_ - clock_.now());
  return std::max(left, std::chrono::milliseconds(0));
}

base::Status LazyCriRuntime::ensureLoaded() {
  if (impl_) return base::Ok{};
  if (loadError_ && clock_.now() < failedAt_ + retryInterval_) return *loadError_;
  base::Status loaded = load();
  if (loaded) {
    loadError_.reset();
    return loaded;
  }
  loadError_ = loaded.error();
  failedAt_ = clock_.now();
  base::logWarning("the CRI runtime is unavailable; CRI pods wait",
                   {{"error", loaded.error().describe()},
                    {"retry_in_ms", std::to_string(retryInterval_.count())}});
  return loaded;
}

base::Status LazyCriRuntime::load() {
  // What to install, named in every failure: the module's own libraries are
  // the package's Recommends, absent on a host-only install.
  const std::string hint = std::string("; the CRI runtime needs the Debian packages ") + DAEMONLET_CRI_RUNTIME_PACKAGES;
  auto library = preloaded_.valid() ? preloaded_.get() : base::SharedLibrary::open(modulePath_, "");
  if (!library) {
    return base::makeError(base::ErrorCode::kUnavailable,
                           "cannot load the CRI runtime: " + library.error().message + hint);
  }
  const char* (*version)() = nullptr;
  decltype(&daemonlet_cri_create_runtime) create = nullptr;
  if (auto bound = library->bind(version, kVersionSymbol); !bound) {
    return base::makeError(base::ErrorCode::kUnavailable, "cannot load the CRI runtime: " + bound.error().message);
  }
  if (std::string(version()) != DAEMONLET_VERSION) {
    return base::makeError(base::ErrorCode::kUnavailable,
                           "cannot load the CRI runtime: " + modulePath_ + " is from daemonlet " + version() +
                               ", this agent is " + DAEMONLET_VERSION);
  }
  if (auto bound = library->bind(create, kFactorySymbol); !bound) {
    return base::makeError(base::ErrorCode::kUnavailable, "cannot load the CRI runtime: " + bound.error().message);
  }
  impl_.reset(create(loop_, options_));
  if (!impl_) {
    return base::makeError(base::ErrorCode::kUnavailable,
                           "cannot load the CRI runtime: " + modulePath_ + " made no runtime");
  }
  if (eventHandler_) impl_->setEventHandler(eventHandler_);
  base::logInfo("loaded the CRI runtime", {{"module", modulePath_}, {"endpoint", options_.endpoint}});
  if (!options_.stateDir.empty() && !markerExists()) {
    auto written = base::writeFileAtomically(fs::path(options_.stateDir) / kMarkerFileName,
                                             "CRI pods ran here: the agent loads its CRI runtime at start to adopt "
                                             "them.\n");
    // Without the marker a restarted agent adopts CRI pods only once a CRI pod
    // starts; the runtime itself works.
    if (!written) base::logWarning("cannot write the CRI marker", {{"error", written.error().describe()}});
  }
  return base::Ok{};
}

void LazyCriRuntime::start(const ContainerStartRequest& request, StartCallback done) {
  if (auto loaded = ensureLoaded(); !loaded) {
    ContainerStatus waiting;
    waiting.pod = request.pod;
    waiting.containerName = request.container.name;
    waiting.init = request.init;
    waiting.state = ContainerState::kWaiting;
    waiting.reason = reasons::kRuntimeUnavailable;
    waiting.message = loaded.error().message;
    waiting.restartCount = request.restartCount;
    waiting.image = request.container.image;
    waiting.retryAfter = retryAfter();
    // The contract: `done` never runs before start() returns.
    boost::asio::post(loop_, [done = std::move(done), waiting = std::move(waiting)]() mutable {
      done(std::move(waiting));
    });
    return;
  }
  impl_->start(request, std::move(done));
}

base::Status LazyCriRuntime::stop(const std::string& containerId, std::chrono::milliseconds grace,
                                  StopCallback done) {
  if (!impl_) return base::makeError(base::ErrorCode::kNotFound, "no CRI container " + containerId);
  return impl_->stop(containerId, grace, std::move(done));
}

int LazyCriRuntime::stopPod(const std::string& podUid, std::chrono::milliseconds grace) {
  return impl_ ? impl_->stopPod(podUid, grace) : 0;
}

base::Status LazyCriRuntime::removePod(const std::string& podUid) {
  if (impl_) return impl_->removePod(podUid);
  // Not loaded though CRI pods ran here: what they left cannot be checked.
  if (markerExists()) {
    if (auto loaded = ensureLoaded(); !loaded) return loaded.error();
    return impl_->removePod(podUid);
  }
  return base::Ok{};
}

void LazyCriRuntime::list(ListCallback done) {
  if (!impl_) {
    base::Result<std::vector<ContainerStatus>> answer = std::vector<ContainerStatus>{};
    if (markerExists()) {
      if (auto loaded = ensureLoaded(); !loaded) answer = loaded.error();
    }
    if (!impl_) {
      boost::asio::post(loop_, [done = std::move(done), answer = std::move(answer)]() mutable {
        done(std::move(answer));
      });
      return;
    }
  }
  impl_->list(std::move(done));
}

std::shared_ptr<ExecHandle> LazyCriRuntime::exec(const std::string& containerId,
                                                 const std::vector<std::string>& command,
                                                 std::chrono::milliseconds timeout, ExecCallback done) {
  if (impl_) return impl_->exec(containerId, command, timeout, std::move(done));
  boost::asio::post(loop_, [done = std::move(done), containerId] {
    done(ExecResult{false, "no CRI container " + containerId});
  });
  return std::make_shared<NoExec>();
}

std::string LazyCriRuntime::podIP(const std::string& podUid) const { return impl_ ? impl_->podIP(podUid) : ""; }

void LazyCriRuntime::setEventHandler(ContainerEventHandler handler) {
  eventHandler_ = std::move(handler);
  if (impl_) impl_->setEventHandler(eventHandler_);
}

}  // namespace daemonlet::runtime::cri_plugin
