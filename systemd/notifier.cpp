#include "systemd/notifier.h"

#include <systemd/sd-daemon.h>

namespace daemonlet::systemd {

void Notifier::ready(const std::string& status) { sd_notify(0, ("READY=1\nSTATUS=" + status).c_str()); }
void Notifier::status(const std::string& status) { sd_notify(0, ("STATUS=" + status).c_str()); }
void Notifier::stopping() { sd_notify(0, "STOPPING=1"); }
void Notifier::watchdog() { sd_notify(0, "WATCHDOG=1"); }

std::optional<std::chrono::microseconds> Notifier::watchdogPingInterval() const {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::microseconds(usec / 2);
}

}  // namespace daemonlet::systemd
