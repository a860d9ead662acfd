#include "agent/cli/agent_runner.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <unistd.h>

#include <filesystem>
#include <future>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "agent/base/atomic_file.h"
#include "agent/base/clock.h"
#include "agent/base/file_limit.h"
#include "agent/base/log.h"
#include "agent/cli/endpoint_wiring.h"
#include "agent/cli/idle_heap_trim.h"
#include "agent/loop/blocking_pool.h"
#include "agent/loop/timer_queue.h"
#include "agent/reconciler/reconciler.h"
#include "agent/sources/manifest_directory.h"
#include "agent/status/http_api.h"
#include "agent/status/upward_reporter.h"
#include "config/agent_config_loader.h"
#include "config/node_identity.h"
#include "runtime/process/cgroup_v2.h"
#include "runtime/process/process_runtime.h"
#include "systemd/notifier.h"

namespace daemonlet::cli {
namespace {

namespace fs = std::filesystem;
namespace asio = boost::asio;

// The first non-loopback IPv4 address: what status.hostIP and host-network
// probes use. Loopback when the host has nothing else.
std::string detectHostIp() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return "127.0.0.1";
  std::string found = "127.0.0.1";
  for (ifaddrs* it = list; it; it = it->ifa_next) {
    if (!it->ifa_addr || it->ifa_addr->sa_family != AF_INET) continue;
    auto* addr = reinterpret_cast<sockaddr_in*>(it->ifa_addr);
    if ((ntohl(addr->sin_addr.s_addr) >> 24) == 127) continue;
    char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &addr->sin_addr, text, sizeof text);
    found = text;
    break;
  }
  freeifaddrs(list);
  return found;
}

std::string selfExecutable() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("daemonlet") : self.string();
}

// One shim runs per container, so its start time and memory count per daemon:
// prefer the small static `daemonlet-shim` (beside us in the build tree, in
// ../lib/daemonlet when installed) over re-executing this large binary, whose
// dynamic loading costs time and memory per container (bench/README.md).
std::vector<std::string> shimCommand() {
  fs::path self = selfExecutable();
  for (const fs::path& candidate :
       {self.parent_path() / "daemonlet-shim", self.parent_path() / "../lib/daemonlet/daemonlet-shim"}) {
    if (::access(candidate.c_str(), X_OK) == 0) return {fs::weakly_canonical(candidate).string()};
  }
  return {self.string(), "shim"};
}

// Host-process cgroups live under the cgroup2 mount; the configured root is a
// path inside it. An empty root (or no cgroup v2) means no limits.
std::string cgroupDirectory(const config::AgentConfig& config) {
  if (config.cgroupRoot.empty()) return {};
  if (runtime::process::defaultCgroupRoot().empty()) {
    base::logWarning("cgroup v2 is not mounted at /sys/fs/cgroup; resource limits are not applied");
    return {};
  }
  return "/sys/fs/cgroup" + (config.cgroupRoot.front() == '/' ? config.cgroupRoot : "/" + config.cgroupRoot);
}

decision::BackoffPolicy backoffPolicy(const config::AgentConfig& config) {
  decision::BackoffPolicy policy;
  policy.initial = std::chrono::duration_cast<decision::Duration>(config.restartBackoff.initial);
  policy.max = std::chrono::duration_cast<decision::Duration>(config.restartBackoff.max);
  policy.resetAfter = std::chrono::duration_cast<decision::Duration>(config.restartBackoff.resetAfter);
  policy.multiplier = config.restartBackoff.multiplier;
  return policy;
}

std::string summary(const status::StatusSnapshot& snapshot) {
  int ready = 0;
  for (const auto& pod : snapshot.pods) ready += pod.ready ? 1 : 0;
  return std::to_string(snapshot.daemonSets.size()) + " DaemonSets, " + std::to_string(snapshot.pods.size()) +
         " pods, " + std::to_string(ready) + " ready, " + std::to_string(snapshot.sourceErrors.size()) +
         " source errors";
}

}  // namespace

int runAgent(const config::AgentConfig& initialConfig, const config::CommandLineOverrides& overrides) {
  config::AgentConfig config = initialConfig;
  base::setLogLevel(config.logLevel);
  for (const auto& warning : config.warnings) base::logWarning(warning);

  // The API's port is taken first: a second agent (or anything else) on it
  // stops this one here, before it adopts, starts or stops any daemon.
  auto listener = status::ApiListener::bind(config.listen.host, config.listen.port);
  if (!listener) {
    base::logError("cannot start the local API", {{"error", listener.error().describe()}});
    return 1;
  }

  for (const auto& dir : {config.stateDir, config.logDir, config.runDir, config.manifestDir}) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
      base::logError("cannot create directory", {{"path", dir}, {"error", ec.message()}});
      return config::kExitConfig;
    }
  }

  // Before any descriptor-hungry work: a pidfd per container, sockets, files.
  const base::FileLimitChange fileLimit = base::raiseOpenFileLimit();
  if (fileLimit.raised) {
    base::logInfo("raised the open-files limit", {{"from", std::to_string(fileLimit.original.rlim_cur)},
                                                  {"to", std::to_string(fileLimit.now.rlim_cur)}});
  }

  asio::io_context loop;
  asio::io_context sourcesLoop;
  base::SystemClock clock;
  loop::TimerQueue timers(loop, clock);
  loop::BlockingPool blockingPool;
  status::SnapshotStore store;
  systemd::Notifier notifier;

  runtime::process::ProcessRuntimeOptions runtimeOptions;
  runtimeOptions.stateDir = (fs::path(config.stateDir) / "containers").string();
  runtimeOptions.logDir = config.logDir;
  runtimeOptions.shimCommand = shimCommand();
  runtimeOptions.cgroupRoot = cgroupDirectory(config);
  runtimeOptions.containerFileLimit = fileLimit.original.rlim_cur;
  if (runtimeOptions.cgroupRoot.empty()) {
    // No limits, but every process of a pod is still tracked (issue 9 M5).
    auto tracking = runtime::process::trackingCgroupRoot(config.runDir);
    if (tracking) {
      runtimeOptions.cgroupRoot = *tracking;
      runtimeOptions.cgroupLimits = false;
    } else {
      base::logWarning("no cgroup to track pod processes; a process that leaves its group may outlive its pod",
                       {{"error", tracking.error().describe()}});
    }
  }
  runtimeOptions.logMaxBytes = config.containerLogs.maxSizeBytes();
  runtimeOptions.logMaxFiles = config.containerLogs.maxFiles;
  runtime::process::ProcessRuntime runtime(loop, runtimeOptions);

  reconciler::ReconcilerOptions reconcilerOptions;
  reconcilerOptions.backoff = backoffPolicy(config);
  reconcilerOptions.stateDir = config.stateDir;
  reconcilerOptions.agentVersion = DAEMONLET_VERSION;
  reconcilerOptions.hostIP = detectHostIp();
  reconcilerOptions.resyncPeriod = std::chrono::duration_cast<std::chrono::seconds>(config.resyncPeriod);
  if (reconcilerOptions.resyncPeriod.count() <= 0) reconcilerOptions.resyncPeriod = std::chrono::seconds(60);
  reconciler::Reconciler reconciler(loop, runtime, store, clock, reconcilerOptions);

  // The HTTP threads hand deletions to the loop and wait for its answer.
  auto deleter = [&loop, &reconciler](const std::string& ns, const std::string& name) {
    auto promise = std::make_shared<std::promise<status::DeleteOutcome>>();
    auto answer = promise->get_future();
    asio::post(loop, [promise, &reconciler, ns, name] { promise->set_value(reconciler.deletePod(ns, name)); });
    if (answer.wait_for(std::chrono::seconds(5)) != std::future_status::ready) return status::DeleteOutcome::kUnavailable;
    return answer.get();
  };
  auto token = status::writeApiToken(fs::path(config.runDir) / "api-token");
  if (!token) {
    base::logError("cannot write the API token", {{"error", token.error().describe()}});
    return 1;
  }
  status::HttpApi api(store, deleter, {config.listen.host, config.listen.port, *token, {}});
  auto port = api.start(std::move(listener).value());
  if (!port) {
    base::logError("cannot start the local API", {{"error", port.error().describe()}});
    return 1;
  }
  std::string address = config.listen.host + ":" + std::to_string(*port);
  // Tests and tools that let the kernel pick the port find it here.
  (void)base::writeFileAtomically(fs::path(config.runDir) / "listen-address", address + "\n");
  base::logInfo("local API listening", {{"address", address}});

  // The cache is read before any network contact; its DaemonSets join the
  // manifest directory's first snapshot (endpoint_wiring.h).
  EndpointWiring endpoint(config, loop, timers, blockingPool, reconciler);
  endpoint.loadCache();

  std::unique_ptr<status::UpwardReporter> reporter;
  if (config.reports.enabled()) {
    status::UpwardReporter::Options options;
    options.urlTemplate = config.reports.url;
    options.nodeName = config.node.name;
    options.client = endpointClientSettings(config.endpoint);
    options.heartbeat = std::chrono::duration_cast<std::chrono::milliseconds>(config.reports.interval);
    options.debounce = std::chrono::duration_cast<std::chrono::milliseconds>(config.reports.debounce);
    options.backoffInitial = std::chrono::duration_cast<std::chrono::milliseconds>(config.endpoint.backoffInitial);
    options.backoffMax = std::chrono::duration_cast<std::chrono::milliseconds>(config.endpoint.backoffMax);
    reporter = std::make_unique<status::UpwardReporter>(std::move(options), store, timers, blockingPool);
    reporter->start();
    base::logInfo("upward status reports enabled", {{"url", config.reports.url}});
  }

  reconciler.onFirstPass([&] { notifier.ready(summary(*store.latest())); });
  IdleHeapTrim heapTrim(loop, std::chrono::seconds(2));
  reconciler.onPublish([&] {
    heapTrim.afterWork();
    if (reporter) reporter->snapshotPublished();
  });
  reconciler.start(endpoint.effectiveNode(config::nodeIdentity(config)));

  sources::ManifestDirectorySource manifests(
      sourcesLoop, {config.manifestDir, std::chrono::milliseconds(200), std::chrono::seconds(20)},
      [&loop, &endpoint](const sources::SourceSnapshot& snapshot) {
        asio::post(loop, [&endpoint, snapshot] { endpoint.setManifestSnapshot(snapshot); });
      });
  auto sourcesWork = asio::make_work_guard(sourcesLoop);
  std::thread sourcesThread([&] {
    manifests.start();
    sourcesLoop.run();
  });
  endpoint.start();

  asio::steady_timer watchdogTimer(loop);
  std::function<void()> armWatchdog = [&] {
    auto interval = notifier.watchdogPingInterval();
    if (!interval) return;
    watchdogTimer.expires_after(*interval);
    watchdogTimer.async_wait([&](boost::system::error_code ec) {
      if (ec) return;
      // Pinged from the loop itself: a stuck loop stops pinging and systemd restarts us.
      notifier.watchdog();
      notifier.status(summary(*store.latest()));
      armWatchdog();
    });
  };
  armWatchdog();

  asio::signal_set signals(loop, SIGTERM, SIGINT, SIGHUP);
  std::function<void()> waitSignal = [&] {
    signals.async_wait([&](boost::system::error_code ec, int signal) {
      if (ec) return;
      if (signal == SIGHUP) {
        auto reloaded = config::loadAgentConfig(overrides);
        if (!reloaded) {
          base::logError("configuration reload refused; keeping the running configuration",
                         {{"error", reloaded.error().describe()}});
        } else {
          for (const auto& field : config::fieldsNeedingRestart(config, *reloaded)) {
            base::logWarning("setting changed on reload takes effect only after a restart", {{"field", field}});
          }
          for (const auto& warning : reloaded->warnings) base::logWarning(warning);
          base::setLogLevel(reloaded->logLevel);
          reconciler.setNode(endpoint.effectiveNode(config::nodeIdentity(*reloaded)));
          config.node = reloaded->node;
          base::logInfo("configuration reloaded");
        }
        waitSignal();
        return;
      }
      base::logInfo("stopping the agent; daemons keep running", {{"signal", std::to_string(signal)}});
      notifier.stopping();
      reconciler.shutdown();
      watchdogTimer.cancel();
      loop.stop();
    });
  };
  waitSignal();

  loop.run();

  endpoint.stop();
  if (reporter) reporter->stop();
  reconciler.onPublish({});
  asio::post(sourcesLoop, [&] { manifests.stop(); });
  sourcesWork.reset();
  sourcesThread.join();
  api.stop();
  return 0;
}

}  // namespace daemonlet::cli
