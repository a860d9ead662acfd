#include "agent/cli/agent_signals.h"

#include <csignal>

namespace daemonlet::cli {

AgentSignals::AgentSignals(boost::asio::io_context& loop, std::function<void()> reload,
                           std::function<void(int)> stop)
    : signals_(loop, SIGTERM, SIGINT, SIGHUP), reload_(std::move(reload)), stop_(std::move(stop)) {
  wait();
}

void AgentSignals::wait() {
  signals_.async_wait([this](boost::system::error_code ec, int signal) {
    if (ec) return;
    if (signal == SIGHUP) {
      reload_();
      wait();
      return;
    }
    stop_(signal);
  });
}

}  // namespace daemonlet::cli
