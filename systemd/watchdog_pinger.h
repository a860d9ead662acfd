#pragma once
// WatchdogPinger: sends WATCHDOG=1 (and a STATUS= line) from a timer on the
// agent's loop at the interval the unit asks for (half of WATCHDOG_USEC). Pinged
// from the loop itself on purpose: a stuck loop stops pinging and systemd
// restarts us. Does nothing when the unit enables no watchdog.
//
// Threading: construct, start() and stop() on the loop thread (or before it
// runs); `statusLine` is called there too. Destroy before the loop.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <string>

#include "systemd/notifier.h"

namespace daemonlet::systemd {

class WatchdogPinger {
 public:
  WatchdogPinger(boost::asio::io_context& loop, Notifier& notifier, std::function<std::string()> statusLine);

  void start();
  void stop();

 private:
  void arm();

  Notifier& notifier_;
  std::function<std::string()> statusLine_;
  boost::asio::steady_timer timer_;
};

}  // namespace daemonlet::systemd
