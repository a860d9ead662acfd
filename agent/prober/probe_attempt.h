#pragma once
// One attempt of one probe handler (exec, httpGet, tcpSocket, grpc), started on
// the reconciler's io_context. The Prober runs attempts; this file is the
// contract every handler kind shares.
//
// Contract: the callback runs exactly once, on the io_context thread, unless the
// io_context is destroyed first. cancel() makes the attempt end early (its
// callback then reports a failure the caller is expected to ignore). An attempt
// keeps itself alive while it runs, so the caller may drop its handle at any time.
#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace daemonlet::prober {

struct ProbeOutcome {
  bool success = false;
  std::string message;  // why it failed (or a warning on success); for logs
};

using ProbeCallback = std::function<void(ProbeOutcome)>;
using ProbeTimeout = std::chrono::milliseconds;

class ProbeAttempt {
 public:
  virtual ~ProbeAttempt() = default;
  virtual void cancel() = 0;
};

// The User-Agent the kubelet sends is "kube-probe/<version>"; applications that
// special-case probes match the "kube-probe/" prefix.
inline constexpr const char* kProbeUserAgent = "kube-probe/daemonlet";
// Lifecycle hooks' requests say "kube-lifecycle/<version>" the same way.
inline constexpr const char* kLifecycleUserAgent = "kube-lifecycle/daemonlet";

}  // namespace daemonlet::prober
