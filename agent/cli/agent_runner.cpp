#include "agent/cli/agent_runner.h"

#include <unistd.h>

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
#include "agent/cli/reload_verdict.h"
#include "agent/cli/shim_location.h"
#include "agent/kubeapi/kube_api.h"
#include "agent/kubeapi/pod_events.h"
#include "agent/loop/blocking_pool.h"
#include "agent/loop/timer_queue.h"
#include "agent/reconciler/reconciler.h"
#include "agent/sources/desired_set.h"
#include "agent/sources/manifest_directory.h"
#include "agent/status/http_api.h"
#include "agent/status/upward_reporter.h"
#include "config/host_address.h"
#include "config/node_identity.h"
#include "runtime/cri/cri_runtime_options.h"
#include "runtime/cri_plugin/cri_plugin_location.h"
#include "runtime/cri_plugin/lazy_cri_runtime.h"
#include "runtime/process/cgroup_v2.h"
#include "runtime/process/process_runtime.h"
#include "runtime/runtime_set.h"
#include "systemd/journal_sink.h"
#include "systemd/notifier.h"
#include "systemd/sd_bus_unit_manager.h"
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

// systemd's manager when systemd is the service manager and we may ask it for
// scopes (root); null otherwise (containers, CI, the demo), logged when the
// bus cannot be had although systemd runs.
std::unique_ptr<systemd::UnitManager> connectUnitManager() {
  if (!systemd::systemdIsServiceManager() || ::geteuid() != 0) return nullptr;
  auto units = systemd::SdBusUnitManager::connect(runtime::process::isCgroup2("/sys/fs/cgroup")
                                                     ? systemd::CgroupLayout::kUnified
                                                     : systemd::CgroupLayout::kLegacy);
  if (units) return std::move(units).value();
  base::logWarning("systemd runs but its bus cannot be reached: host pods are not put in scopes",
                   {{"error", units.error().describe()}});
  return nullptr;
}

// The process runtime's settings: where containers' state and logs go, the
// shim, and the cgroup that limits (or, without limits, only tracks) each pod:
// a scope of systemd's when `units` is given (runtime/process/pod_scopes.h).
runtime::process::ProcessRuntimeOptions processRuntimeOptions(const config::AgentConfig& config,
                                                              const base::FileLimitChange& fileLimit,
                                                              const std::string& hostIP,
                                                              systemd::UnitManager* units) {
  runtime::process::ProcessRuntimeOptions options;
  options.stateDir = (fs::path(config.stateDir) / "containers").string();
  options.logDir = config.logDir;
  options.shimCommand = shimCommand();
  options.units = units;
  options.cgroupRoot = units != nullptr ? std::string() : cgroupDirectory(config);
  options.containerFileLimit = fileLimit.original.rlim_cur;
  if (options.cgroupRoot.empty() && units == nullptr) {
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
  options.hostIP = hostIP;
  return options;
}

// The CRI runtime's settings. Its sandboxes' cgroup parent is a sibling of the
// host pods' root ("/daemonlet" -> "/daemonlet-cri"): the host runtime owns
// everything under its root, and a CRI pod's cgroups are containerd's to remove.
// The agent's identity on CRI objects is the node name: stable across restarts
// and a lost state directory, so a new agent adopts what the last one left.
runtime::cri::CriRuntimeOptions criRuntimeOptions(const config::AgentConfig& config, const std::string& hostIP) {
  runtime::cri::CriRuntimeOptions options;
  options.endpoint = config.cri.endpoint;
  options.agentId = config.node.name;
  options.nodeName = config.node.name;
  options.hostIP = hostIP;
  options.logDir = config.logDir;
  options.maxLogBytes = config.containerLogs.maxSizeBytes();
  options.maxLogFiles = config.containerLogs.maxFiles;
  options.stateDir = config.stateDir;
  if (!config.cgroupRoot.empty()) {
    std::string root = config.cgroupRoot;
    while (root.size() > 1 && root.back() == '/') root.pop_back();
    options.cgroupParent = root + "-cri";
  }
  options.registryCredentialsFile = config.cri.registryCredentialsFile;
  return options;
}

reconciler::ReconcilerOptions reconcilerOptionsFor(const config::AgentConfig& config, const std::string& hostIP) {
  reconciler::ReconcilerOptions options;
  options.backoff = backoffPolicy(config);
  options.stateDir = config.stateDir;
  options.agentVersion = DAEMONLET_VERSION;
  options.hostIP = hostIP;
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
  // Under systemd the records reach the journal with their fields
  // (systemd/journal_sink.h). Static: logging may outlive this function.
  static const std::unique_ptr<systemd::JournalSink> journal = systemd::JournalSink::forStderr();
  if (journal) base::setLogSink(journal.get());
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

  const std::string hostIP = config::detectHostIp();
  const std::unique_ptr<systemd::UnitManager> units = connectUnitManager();
  runtime::process::ProcessRuntime runtime(loop, processRuntimeOptions(config, fileLimit, hostIP, units.get()));
  // runtimeClassName: host runs in `runtime`; every other pod in the CRI runtime,
  // whose module is loaded when a CRI pod first needs it.
  runtime::cri_plugin::LazyCriRuntime criRuntime(loop, clock, criRuntimeOptions(config, hostIP),
                                                 runtime::cri_plugin::criPluginPath());
  if (config.cri.loadAtStart) criRuntime.preloadModule();
  runtime::RuntimeSet runtimes(config.cri.endpoint);
  runtimes.add(runtime);
  runtimes.add(criRuntime);
  const reconciler::ReconcilerOptions reconcilerOptions = reconcilerOptionsFor(config, hostIP);
  reconciler::Reconciler reconciler(timers, runtimes, store, reconcilerOptions);

  // The HTTP threads hand deletions to the loop and wait for its answer.
  auto deleter = [&loop, &reconciler](const std::string& ns, const std::string& name,
                                      const status::DeleteRequest& request) {
    auto promise = std::make_shared<std::promise<status::DeleteResult>>();
    auto answer = promise->get_future();
    asio::post(loop, [promise, &reconciler, ns, name, request] {
      promise->set_value(reconciler.deletePod(ns, name, request));
    });
    if (answer.wait_for(std::chrono::seconds(5)) != std::future_status::ready)
      return status::DeleteResult{status::DeleteOutcome::kUnavailable};
    return answer.get();
  };
  auto token = status::writeApiToken(fs::path(config.runDir) / "api-token");
  if (!token) {
    base::logError("cannot write the API token", {{"error", token.error().describe()}});
    return 1;
  }
  // The Kubernetes API for kubectl, on the same port; it outlives `api`.
  // kubectl sends no token over plain HTTP: root and the agent's user are trusted by their socket.
  kubeapi::KubeApi kube(store, clock, deleter, {*token, status::agentTrustedUsers()});
  status::HttpApiOptions apiOptions{config.listen.host, config.listen.port, *token, {}, {}, status::agentTrustedUsers()};
  apiOptions.extraRoutes = [&kube](httplib::Server& server) { kube.registerRoutes(server); };
  status::HttpApi api(store, deleter, std::move(apiOptions));
  auto port = api.start(std::move(listener).value());
  if (!port) {
    base::logError("cannot start the local API", {{"error", port.error().describe()}});
    return 1;
  }
  std::string address = config.listen.host + ":" + std::to_string(*port);
  // Tests and tools that let the kernel pick the port find it here. Like the
  // token, it describes this run only: not synced (two journal commits on the
  // way to the first start).
  (void)base::writeFileAtomically(fs::path(config.runDir) / "listen-address", address + "\n", 0644,
                                  base::FileDurability::kRenameOnly);
  base::logInfo("local API listening", {{"address", address}});
  ReloadVerdict reloadVerdict{::getpid(), 0, true, {}};
  (void)writeReloadVerdict(config.runDir, reloadVerdict);

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
    status::UpwardReporter::Options options = reporterOptions(config);
    options.recentEvents = [&kube] { return kube.recentEvents(status::kMaxReportedEvents); };
    reporter = std::make_unique<status::UpwardReporter>(std::move(options), store, timers, blockingPool);
    reporter->start();
    base::logInfo("upward status reports enabled", {{"url", config.reports.url}});
  }

  reconciler.onFirstPass([&] { notifier.ready(summary(*store.latest())); });
  // Failed probes and hooks, image pulls: the kubelet's events no snapshot shows.
  reconciler.onPodEvent([&kube](const status::PodEvent& event) { kubeapi::recordPodEvent(event, kube.events()); });
  IdleHeapTrim heapTrim(loop, std::chrono::seconds(2));
  reconciler.onPublish([&] {
    heapTrim.afterWork();
    // Every transition reaches the events, and watchers while any watch is open,
    // not only those between two requests; the objects are built when read.
    kube.published();
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
        ++reloadVerdict.generation;
        reloadVerdict.applied = reloaded.has_value();
        reloadVerdict.message = reloaded ? std::string() : reloaded.error().describe();
        if (reloaded) {
          reconciler.setNode(desired.effectiveNode(config::nodeIdentity(*reloaded)));
          config.node = reloaded->node;
          base::logInfo("configuration reloaded");
        }
        // After the change is in: a `daemonlet reload` that sees this returns.
        if (auto written = writeReloadVerdict(config.runDir, reloadVerdict); !written) {
          base::logError("cannot record the reload verdict", {{"error", written.error().describe()}});
        }
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
  reconciler.onPodEvent({});
  asio::post(sourcesLoop, [&] { manifests.stop(); });
  sourcesWork.reset();
  sourcesThread.join();
  api.stop();
  return 0;
}

}  // namespace daemonlet::cli
