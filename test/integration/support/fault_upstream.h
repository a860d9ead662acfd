#pragma once
// The misbehaving HTTP/1.1 server behind NginxServer's faults that nginx cannot make
// on its own: slow bodies, no answer, truncated bodies, garbage. nginx proxies to it
// with two request headers: X-Fixture-Fault (slow|hang|truncated|garbage) and
// X-Fixture-Strip (the location prefix to strip from the URI to find the file in the
// docroot). Each connection gets its own thread; the destructor closes every
// connection and joins every thread, so a hanging request never outlives the object.
#include <atomic>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace daemonlet::testing {

class FaultUpstream {
 public:
  explicit FaultUpstream(std::filesystem::path docroot);
  ~FaultUpstream();
  FaultUpstream(const FaultUpstream&) = delete;
  FaultUpstream& operator=(const FaultUpstream&) = delete;

  // Listens on 127.0.0.1 port 0; false (with errno text in error) when that fails.
  bool start(std::string& error);
  int port() const { return port_; }

 private:
  void acceptLoop();
  void serve(int fd);
  // Sleeps up to `ms` unless the object is being destroyed; false when it is.
  bool pause(int ms);

  std::filesystem::path docroot_;
  int listenFd_ = -1;
  int stopPipe_[2] = {-1, -1};
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<std::thread> connections_;
  std::vector<int> openFds_;
};

}  // namespace daemonlet::testing
