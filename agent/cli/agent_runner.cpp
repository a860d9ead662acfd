#include "agent/cli/agent_runner.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <filesystem>
#include <future>
#include <thread>
#include <vector>

#include "agent/base/atomic_file.h"
#include "agent/base/clock.h"
#include "agent/base/file_limit.h"
#include "agent/base/log.h"
#include "agent/cli/agent_signals.h"
#include "agent/cli/config_reload.h"
#include "agent/cli/endpoint_wiring.h"
#include "agent/cli/idle_heap_trim.h"
#include "agent/loop/blocking_pool.h"
#include "agent/loop/timer_queue.h"
#include "agent/cli/shim_location.h"
#include "agent/reconciler/reconciler.h"
#include "agent/sources/desired_set.h"
#include "agent/sources/manifest_directory.h"
#include "agent/status/http_api.h"
#include "agent/status/upward_reporter.h"
#include "config/host_address.h"
#include "config/node_identity.h"
#include "runtime/process/cgroup_v2.h"
#include "runtime/process/process_runtime.h"
#include "runtime/runtime_set.h"
#include "systemd/notifier.h"
#include "systemd/watchdog_pinger.h"

namespace daemonlet::cli {
namespace {

namespace fs = std::filesystem;
namespace asio = boost::asio;

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

// The process runtime's settings: where containers' state and logs go, the
// shim, and the cgroup that limits (or, without limits, only tracks) each pod.
runtime::process::ProcessRuntimeOptions processRuntimeOptions(const config::AgentConfig& config,
                                                              const base::FileLimitChange& fileLimit) {
  runtime::process::ProcessRuntimeOptions options;
  options.stateDir = (fs::path(config.stateDir) / "containers").string();
  options.logDir = config.logDir;
  options.shimCommand = shimCommand();
  options.cgroupRoot = cgroupDirectory(config);
  options.containerFileLimit = fileLimit.original.rlim_cur;
  if (options.cgroupRoot.empty()) {
    // No limits, but every process of a pod is still tracked (issue 9 M5).
    auto tracking = runtime::process::trackingCgroupRoot(config.runDir);
    if (tracking) {
      options.cgroupRoot = *tracking;
      options.cgroupLimits = false;
    } else {
      base::logWarning(
          "no cgroup to track pod processes; a process that leaves its group may outlive its pod",
          {{"error", tracking.error().describe()}});
    }
  }
  options.logMaxBytes = config.containerLogs.maxSizeBytes();
  options.logMaxFiles = config.containerLogs.maxFiles;
  return options;
}

reconciler::ReconcilerOptions reconcilerOptionsFor(const config::AgentConfig& config) {
  reconciler::ReconcilerOptions options;
  options.backoff = backoffPolicy(config);
  options.stateDir = config.stateDir;
  options.agentVersion = DAEMONLET_VERSION;
  options.hostIP = config::detectHostIp();
  options.resyncPeriod = std::chrono::duration_cast<std::chrono::seconds>(config.resyncPeriod);
  if (options.resyncPeriod.count() <= 0) options.resyncPeriod = std::chrono::seconds(60);
  return options;
}

status::UpwardReporter::Options reporterOptions(const config::AgentConfig& config) {
  status::UpwardReporter::Options options;
  options.urlTemplate = config.reports.url;
  options.nodeName = config.node.name;
  options.client = endpointClientSettings(config.endpoint);
  options.heartbeat = std::chrono::duration_cast<std::chrono::milliseconds>(config.reports.interval);
  options.debounce = std::chrono::duration_cast<std::chrono::milliseconds>(config.reports.debounce);
  options.backoffInitial =
      std::chrono::duration_cast<std::chrono::milliseconds>(config.endpoint.backoffInitial);
  options.backoffMax = std::chrono::duration_cast<std::chrono::milliseconds>(config.endpoint.backoffMax);
  return options;
}

// Creates the directories the agent writes to; false (logged) when one cannot be.
bool createAgentDirectories(const config::AgentConfig& config) {
  for (const auto& dir : {config.stateDir, config.logDir, config.runDir, config.manifestDir}) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
      base::logError("cannot create directory", {{"path", dir}, {"error", ec.message()}});
      return false;
    }
  }
  return true;
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
  if (!createAgentDirectories(config)) return config::kExitConfig;

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

  const reconciler::ReconcilerOptions reconcilerOptions = reconcilerOptionsFor(config);
  runtime::process::ProcessRuntimeOptions runtimeOptions = processRuntimeOptions(config, fileLimit);
  runtimeOptions.hostIP = reconcilerOptions.hostIP;
  runtime::process::ProcessRuntime runtime(loop, runtimeOptions);
  // Pods name their runtime by runtimeClassName; only "host" exists so far.
  runtime::RuntimeSet runtimes(config.defaultRuntime
                                   ? std::optional<std::string>(config::runtimeKindName(*config.defaultRuntime))
                                   : std::nullopt);
  runtimes.add(runtime);
  reconciler::Reconciler reconciler(timers, runtimes, store, reconcilerOptions);

  // The HTTP threads hand deletions to the loop and wait for its answer.
  auto deleter = [&loop, &reconciler](const std::string& ns, const std::string& name) {
    auto promise = std::make_shared<std::promise<status::DeleteOutcome>>();
    auto answer = promise->get_future();
    asio::post(loop,
               [promise, &reconciler, ns, name] { promise->set_value(reconciler.deletePod(ns, name)); });
    if (answer.wait_for(std::chrono::seconds(5)) != std::future_status::ready)
      return status::DeleteOutcome::kUnavailable;
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

  // The desired set (sources/desired_set.h) reads the endpoint cache before any
  // network contact; its DaemonSets join the manifest directory's first snapshot.
  sources::DesiredSet desired(
      desiredSetOptions(config),
      {[&reconciler](sources::SourceSnapshot set) { reconciler.setSourceSnapshot(std::move(set)); },
       [&reconciler](const sources::EndpointView& view) { reconciler.setEndpointView(view); },
       [&reconciler](const model::Node& node) { reconciler.setNode(node); }});
  desired.loadCache();
  EndpointWiring endpoint(config.endpoint, loop, timers, blockingPool, desired);

  std::unique_ptr<status::UpwardReporter> reporter;
  if (config.reports.enabled()) {
    reporter = std::make_unique<status::UpwardReporter>(reporterOptions(config), store, timers, blockingPool);
    reporter->start();
    base::logInfo("upward status reports enabled", {{"url", config.reports.url}});
  }

  reconciler.onFirstPass([&] { notifier.ready(summary(*store.latest())); });
  IdleHeapTrim heapTrim(loop, std::chrono::seconds(2));
  reconciler.onPublish([&] {
    heapTrim.afterWork();
    if (reporter) reporter->snapshotPublished();
  });
  const model::Node localNode = config::nodeIdentity(config);
  reconciler.start(desired.effectiveNode(localNode));

  sources::ManifestDirectorySource manifests(
      sourcesLoop, {config.manifestDir, std::chrono::milliseconds(200), std::chrono::seconds(20)},
      [&loop, &desired](const sources::SourceSnapshot& snapshot) {
        asio::post(loop, [&desired, snapshot] { desired.setManifestSnapshot(snapshot); });
      });
  auto sourcesWork = asio::make_work_guard(sourcesLoop);
  std::thread sourcesThread([&] {
    manifests.start();
    sourcesLoop.run();
  });
  endpoint.start(localNode.metadata.name);

  systemd::WatchdogPinger watchdog(loop, notifier, [&store] { return summary(*store.latest()); });
  watchdog.start();

  AgentSignals signals(
      loop,
      [&] {
        auto reloaded = reloadAgentConfig(config, overrides);
        if (!reloaded) return;
        reconciler.setNode(desired.effectiveNode(config::nodeIdentity(*reloaded)));
        config.node = reloaded->node;
        base::logInfo("configuration reloaded");
      },
      [&](int signal) {
        base::logInfo("stopping the agent; daemons keep running", {{"signal", std::to_string(signal)}});
        notifier.stopping();
        reconciler.shutdown();
        watchdog.stop();
        loop.stop();
      });

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
