#include "systemd/notifier.h"

#include <systemd/sd-daemon.h>

#include <cstdlib>

#include "agent/base/log.h"
#include "agent/base/shared_library.h"

// libsystemd is opened with dlopen, and only when systemd gave us a notify
// socket: sd_notify does nothing without $NOTIFY_SOCKET, and the watchdog needs
// it too, so an agent started any other way never maps libsystemd (and its
// gcrypt/lz4/lzma/zstd chain). <systemd/sd-daemon.h> is used for the prototypes.

namespace daemonlet::systemd {
namespace {

struct SystemdLibrary {
  decltype(&::sd_notify) notify = nullptr;
  decltype(&::sd_watchdog_enabled) watchdogEnabled = nullptr;
};

base::Result<SystemdLibrary> loadSystemd() {
  auto library = base::SharedLibrary::open("libsystemd.so.0", "libsystemd0");
  if (!library) return library.error();
  SystemdLibrary systemd;
  if (auto bound = library->bind(systemd.notify, "sd_notify"); !bound) return bound.error();
  if (auto bound = library->bind(systemd.watchdogEnabled, "sd_watchdog_enabled"); !bound) return bound.error();
  return systemd;
}

// Null when not started by systemd (no load attempted) or when the library is
// missing; the latter is logged once, since systemd will then time out waiting
// for READY=1 and the log must say why.
const SystemdLibrary* systemdLibrary() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  if (socket == nullptr || *socket == '\0') return nullptr;
  static const base::Result<SystemdLibrary> library = [] {
    auto loaded = loadSystemd();
    if (!loaded) {
      base::logError("cannot notify systemd; readiness and watchdog pings are not sent",
                     {{"error", loaded.error().describe()}});
    }
    return loaded;
  }();
  return library ? &*library : nullptr;
}

void notify(const std::string& state) {
  if (const SystemdLibrary* systemd = systemdLibrary()) systemd->notify(0, state.c_str());
}

}  // namespace

void Notifier::ready(const std::string& status) { notify("READY=1\nSTATUS=" + status); }
void Notifier::status(const std::string& status) { notify("STATUS=" + status); }
void Notifier::stopping() { notify("STOPPING=1"); }
void Notifier::watchdog() { notify("WATCHDOG=1"); }

std::optional<std::chrono::microseconds> Notifier::watchdogPingInterval() const {
  // Without WATCHDOG_USEC sd_watchdog_enabled answers "no": skip the load.
  if (std::getenv("WATCHDOG_USEC") == nullptr) return std::nullopt;
  const SystemdLibrary* systemd = systemdLibrary();
  std::uint64_t usec = 0;
  if (systemd == nullptr || systemd->watchdogEnabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::microseconds(usec / 2);
}

}  // namespace daemonlet::systemd
