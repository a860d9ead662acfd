#pragma once
// LazyCriRuntime: the "cri" runtime as the agent holds it. It forwards every call
// to the CRI runtime of the plugin module daemonlet-cri.so, which it loads only
// when it is needed, so an agent that runs only host pods maps no gRPC or
// protobuf at all (megabytes of libraries and their relocated data):
//   - at the first start() of a CRI pod;
//   - at list() when the state directory's marker says CRI pods ran here
//     before, so a restarted agent adopts (or cleans up) what they left. The
//     marker is written at the first load and never removed;
//   - at once, in the background, when the agent calls preloadModule()
//     (cri.loadAtStart): the dynamic linking of gRPC and its dependencies
//     (~20 ms) then overlaps the agent's own start instead of delaying the
//     first CRI pod.
// Before the module is loaded the runtime has no containers: list() is empty,
// stop() knows no id, removePod() has nothing to remove.
//
// When the module (or a library it needs, libgrpc++) cannot be loaded, start()
// completes with a kWaiting status, reason "RuntimeUnavailable", whose message
// names the library and the Debian packages to install; list() fails when the
// marker asks for the module. The failure is remembered for `retryInterval`:
// calls within it fail at once, with retryAfter set to the rest of it, instead
// of trying dlopen on every pass.
//
// Threading: as every Runtime, called on the io_context's thread only; the
// module's dlopen runs there too (tens of milliseconds, once).
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "agent/base/clock.h"
#include "agent/base/shared_library.h"
#include "runtime/cri/cri_runtime_options.h"
#include "runtime/runtime.h"
#include "runtime/container_reasons.h"  // kRuntimeUnavailable, the waiting reason while no CRI runtime can be made
#include "runtime/runtime_set.h"

namespace daemonlet::runtime::cri_plugin {

// The marker file, in options.stateDir.
inline constexpr const char* kMarkerFileName = "cri-runtime-used";

class LazyCriRuntime final : public Runtime {
 public:
  // `options` are handed to the module's runtime as they are. `modulePath`:
  // daemonlet-cri.so, found beside the binary by default (cri_plugin_location.h).
  // `loop` and `clock` must outlive this object.
  LazyCriRuntime(boost::asio::io_context& loop, const base::Clock& clock, cri::CriRuntimeOptions options,
                 std::string modulePath, std::chrono::milliseconds retryInterval = std::chrono::seconds(30));
  ~LazyCriRuntime() override;

  const std::string& name() const override;
  void start(const ContainerStartRequest& request, StartCallback done) override;
  base::Status stop(const std::string& containerId, std::chrono::milliseconds grace, StopCallback done) override;
  int stopPod(const std::string& podUid, std::chrono::milliseconds grace) override;
  base::Status removePod(const std::string& podUid) override;
  void list(ListCallback done) override;
  std::shared_ptr<ExecHandle> exec(const std::string& containerId, const std::vector<std::string>& command,
                                   std::chrono::milliseconds timeout, ExecCallback done) override;
  std::string podIP(const std::string& podUid) const override;
  void setEventHandler(ContainerEventHandler handler) override;

  // Starts opening the module (dlopen) on a thread of its own; the first
  // call that needs the runtime waits for it and makes the runtime on the loop.
  void preloadModule();

  // True once the module's runtime exists (tests, diagnostics).
  bool loaded() const { return impl_ != nullptr; }

 private:
  // Loads the module and makes its runtime unless that already happened or
  // failed within retryInterval; the error says why there is none.
  base::Status ensureLoaded();
  base::Status load();
  bool markerExists() const;
  std::chrono::milliseconds retryAfter() const;

  boost::asio::io_context& loop_;
  const base::Clock& clock_;
  cri::CriRuntimeOptions options_;
  std::string modulePath_;
  std::chrono::milliseconds retryInterval_;
  ContainerEventHandler eventHandler_;
  std::unique_ptr<Runtime> impl_;
  // The module being opened by preloadModule(), taken by the next load().
  std::future<base::Result<base::SharedLibrary>> preloaded_;
  // The last failure to load and when it happened.
  std::optional<base::Error> loadError_;
  base::TimePoint failedAt_{};
};

}  // namespace daemonlet::runtime::cri_plugin
