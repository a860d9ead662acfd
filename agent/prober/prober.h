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

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include "agent/model/types.h"

namespace daemonlet::prober {

enum class ProbeKind { kStartup, kLiveness, kReadiness };
const char* probeKindName(ProbeKind kind);

struct ProbeKey {
  std::string podUid;
  std::string container;
  bool init = false;
  auto operator<=>(const ProbeKey&) const = default;
};

// Where probes go: host processes share the node's network, so httpGet and
// tcpSocket default to hostIP; exec runs the command on the host with the
// container's environment and working directory.
struct ProbeTarget {
  std::string host = "127.0.0.1";
  std::map<std::string, std::string> env;
  std::string workingDir;
};

class Prober {
 public:
  using ResultHandler = std::function<void(const ProbeKey&, ProbeKind, bool success)>;

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

 private:
  struct Worker;
  boost::asio::io_context& io_;
  ResultHandler onResult_;
  std::map<ProbeKey, std::shared_ptr<Worker>> workers_;
  // Runs the blocking libcurl attempts (httpGet, grpc); joined by the destructor
  // after every attempt was cancelled.
  std::unique_ptr<boost::asio::thread_pool> blockingPool_;
};

}  // namespace daemonlet::prober
