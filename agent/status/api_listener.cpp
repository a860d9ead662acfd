#include "agent/status/api_listener.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace daemonlet::status {
namespace {

int portOf(const sockaddr_storage& address) {
  if (address.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
  return ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
}

}  // namespace

base::Result<ApiListener> ApiListener::bind(const std::string& host, int port) {
  std::string where = host + ":" + std::to_string(port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  int rc = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (rc != 0) {
    return base::makeError(base::ErrorCode::kInvalidArgument,
                           std::string("cannot resolve the listen address: ") + ::gai_strerror(rc), where);
  }
  int fd = ::socket(found->ai_family, found->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, found->ai_protocol);
  int error = fd < 0 ? errno : 0;
  if (fd >= 0) {
    int on = 1;
    (void)::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (::bind(fd, found->ai_addr, found->ai_addrlen) != 0 || ::listen(fd, SOMAXCONN) != 0) error = errno;
  }
  ::freeaddrinfo(found);
  if (error != 0) {
    if (fd >= 0) ::close(fd);
    std::string message = std::string("cannot listen on port ") + std::to_string(port) + ": " + std::strerror(error);
    if (error == EADDRINUSE) message += " (is another daemonlet, or something else, using it?)";
    return base::makeError(base::ErrorCode::kUnavailable, message, where);
  }
  sockaddr_storage bound{};
  socklen_t length = sizeof bound;
  (void)::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);
  return ApiListener(fd, portOf(bound));
}

ApiListener::ApiListener(ApiListener&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), port_(other.port_) {}

ApiListener& ApiListener::operator=(ApiListener&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    port_ = other.port_;
  }
  return *this;
}

ApiListener::~ApiListener() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace daemonlet::status
