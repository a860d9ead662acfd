#include "systemd/watchdog_pinger.h"

namespace daemonlet::systemd {

WatchdogPinger::WatchdogPinger(boost::asio::io_context& loop, Notifier& notifier,
                               std::function<std::string()> statusLine)
    : notifier_(notifier), statusLine_(std::move(statusLine)), timer_(loop) {}

void WatchdogPinger::start() { arm(); }

void WatchdogPinger::stop() { timer_.cancel(); }

void WatchdogPinger::arm() {
  auto interval = notifier_.watchdogPingInterval();
  if (!interval) return;
  timer_.expires_after(*interval);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    notifier_.watchdog();
    notifier_.status(statusLine_());
    arm();
  });
}

}  // namespace daemonlet::systemd
