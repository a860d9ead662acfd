#pragma once
// systemd service-manager glue (Type=notify): READY=1 once the API listens and the
// first pass ran, STATUS= one-line summaries, STOPPING=1 on shutdown, and the
// watchdog interval the unit asks for. Without NOTIFY_SOCKET (not under systemd)
// every call is a cheap no-op.
#include <chrono>
#include <optional>
#include <string>

namespace daemonlet::systemd {

class Notifier {
 public:
  void ready(const std::string& status);
  void status(const std::string& status);
  void stopping();
  void watchdog();
  // Half of WATCHDOG_USEC when the unit enables the watchdog for this process.
  std::optional<std::chrono::microseconds> watchdogPingInterval() const;
};

}  // namespace daemonlet::systemd
