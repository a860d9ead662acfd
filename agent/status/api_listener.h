#pragma once
// The local API's listening socket, bound on its own so the agent can take its
// port first thing at start: a second agent (or anything else) on the port
// makes this one fail at once, with the port in the message, before it touches
// any daemon. Deliberately without SO_REUSEPORT (httplib sets it, and with it
// two agents shared the port and split the requests); SO_REUSEADDR only lets a
// restarted agent bind past its old connections in TIME_WAIT. Backlog SOMAXCONN:
// the front accepts fast and refuses itself, the kernel queue just absorbs bursts.
// Move-only owner of the descriptor (non-blocking, close-on-exec).
#include <string>

#include "agent/base/result.h"

namespace daemonlet::status {

class ApiListener {
 public:
  // `port` 0 lets the kernel choose (tests); `host` is a numeric address.
  static base::Result<ApiListener> bind(const std::string& host, int port);

  ApiListener(ApiListener&& other) noexcept;
  ApiListener& operator=(ApiListener&& other) noexcept;
  ApiListener(const ApiListener&) = delete;
  ApiListener& operator=(const ApiListener&) = delete;
  ~ApiListener();

  int fd() const { return fd_; }
  int port() const { return port_; }

 private:
  ApiListener(int fd, int port) : fd_(fd), port_(port) {}

  int fd_ = -1;
  int port_ = 0;
};

}  // namespace daemonlet::status
