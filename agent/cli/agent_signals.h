#pragma once
// AgentSignals: the signals `daemonlet run` answers, on the loop. SIGHUP calls
// `reload` and keeps listening; SIGTERM and SIGINT call `stop` once (the agent
// stops and leaves every daemon running).
//
// Threading: construct on the loop thread (or before it runs); the callbacks run
// on the loop. Destroy before the loop.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <functional>

namespace daemonlet::cli {

class AgentSignals {
 public:
  AgentSignals(boost::asio::io_context& loop, std::function<void()> reload,
               std::function<void(int signal)> stop);

 private:
  void wait();

  boost::asio::signal_set signals_;
  std::function<void()> reload_;
  std::function<void(int)> stop_;
};

}  // namespace daemonlet::cli
