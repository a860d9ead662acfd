#pragma once
// Prober: runs a container's startup, liveness and readiness probes (exec,
// httpGet, tcpSocket, grpc) with Kubernetes' timing fields, and reports each
// change of a probe's verdict to the reconciler.
//
// Semantics (as the kubelet's prober workers):
//   - Probing starts when the container instance starts; initialDelaySeconds is
//     counted from then. Every periodSeconds one attempt runs, bounded by
//     timeoutSeconds (a timeout is a failure).
//   - A verdict changes after successThreshold consecutive successes or
//     failureThreshold consecutive failures. Initial verdicts: startup false,
//     readiness unknown (its first verdict is always reported), liveness true;
//     after that only changes are reported.
//   - While a startup probe exists and has not succeeded, liveness and readiness
//     do not run; once it succeeds it stops running.
//   - Reported: startup true ("started"), startup false (after failureThreshold:
//     the container must be restarted), liveness false (restart), liveness true,
//     readiness true/false.
//
// Threading: all methods and the result handler run on the io_context thread.
// Blocking attempts (exec waits, HTTP via libcurl) run elsewhere and post their
// outcome back; nothing blocks the io_context.
#include <compare>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "agent/loop/blocking_pool.h"
#include "agent/model/types.h"
#include "agent/prober/probe_attempt.h"
#include "runtime/runtime.h"

namespace daemonlet::prober {

enum class ProbeKind { kStartup, kLiveness, kReadiness };
const char* probeKindName(ProbeKind kind);

struct ProbeKey {
  std::string podUid;
  std::string container;
  bool init = false;
  auto operator<=>(const ProbeKey&) const = default;
};

// Runs an exec probe's command in the container, through its runtime
// (Runtime::exec): the prober never runs commands on the host itself. The
// callback runs once, on the io_context thread.
using ProbeExec = std::function<std::shared_ptr<runtime::ExecHandle>(
    const std::vector<std::string>& command, ProbeTimeout timeout, runtime::ExecCallback done)>;

// Where probes go: httpGet, tcpSocket and grpc to the pod's IP (the runtime's:
// the host IP for host processes) unless the probe names a host; exec through
// the runtime's exec (unset: exec probes fail saying so).
struct ProbeTarget {
  std::string host = "127.0.0.1";
  ProbeExec exec;
};

class Prober {
 public:
  using ResultHandler = std::function<void(const ProbeKey&, ProbeKind, bool success)>;
  // Every failed attempt, with why (the kubelet records an Unhealthy event per
  // failed attempt, not only per verdict change). Must not start or stop probes.
  using FailureHandler = std::function<void(const ProbeKey&, ProbeKind, const std::string& message)>;

  Prober(boost::asio::io_context& io, ResultHandler onResult);
  ~Prober();
  Prober(const Prober&) = delete;
  Prober& operator=(const Prober&) = delete;

  // Starts the probes `container` declares for a freshly started instance;
  // replaces any probing of the same key.
  void start(const ProbeKey& key, const model::Container& container, const ProbeTarget& target);
  // Stops probing (container exited or stopping); results still in flight are dropped.
  void stop(const ProbeKey& key);
  void stopAll();
  void onFailedAttempt(FailureHandler handler) { onFailure_ = std::move(handler); }

 private:
  struct Worker;
  boost::asio::io_context& io_;
  ResultHandler onResult_;
  FailureHandler onFailure_;
  std::map<ProbeKey, std::shared_ptr<Worker>> workers_;
  // Runs the blocking libcurl attempts (httpGet, grpc); joined by the destructor
  // after every attempt was cancelled.
  std::unique_ptr<loop::BlockingPool> blockingPool_;
};

}  // namespace daemonlet::prober
