#include "test/integration/support/fault_upstream.h"
#include "test/support/file_contents.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace daemonlet::testing {
namespace {

std::string headerValue(const std::string& head, const std::string& name) {
  std::istringstream lines(head);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto colon = line.find(':');
    if (colon == std::string::npos || colon != name.size()) continue;
    if (strncasecmp(line.c_str(), name.c_str(), name.size()) != 0) continue;
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    return value;
  }
  return {};
}

bool sendAll(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

// What a list looks like when the docroot has no file for the URI: long enough
// that half of it is a clear truncation.
std::string standInList() {
  std::string body = R"({"apiVersion":"v1","kind":"List","items":[)";
  body.append(4900, ' ');
  return body + "]}";
}

std::string responseHead(std::size_t contentLength, const std::string& etag) {
  return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(contentLength) +
         "\r\nETag: \"" + etag + "\"\r\nLast-Modified: Tue, 01 Jan 2030 00:00:00 GMT\r\nConnection: close\r\n\r\n";
}

}  // namespace

FaultUpstream::FaultUpstream(std::filesystem::path docroot) : docroot_(std::move(docroot)) {}

FaultUpstream::~FaultUpstream() {
  stopping_ = true;
  if (stopPipe_[1] >= 0) {
    char byte = 1;
    (void)!::write(stopPipe_[1], &byte, 1);
  }
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    threads.swap(connections_);
  }
  for (auto& t : threads) t.join();
  for (int fd : {listenFd_, stopPipe_[0], stopPipe_[1]}) {
    if (fd >= 0) ::close(fd);
  }
}

bool FaultUpstream::start(std::string& error) {
  if (::pipe2(stopPipe_, O_CLOEXEC) != 0) {
    error = std::string("pipe: ") + std::strerror(errno);
    return false;
  }
  listenFd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (listenFd_ < 0 || ::bind(listenFd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listenFd_, 128) != 0 || ::getsockname(listenFd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    error = std::string("fault upstream listen: ") + std::strerror(errno);
    return false;
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { acceptLoop(); });
  return true;
}

void FaultUpstream::acceptLoop() {
  while (!stopping_) {
    pollfd fds[2] = {{listenFd_, POLLIN, 0}, {stopPipe_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;
    int fd = ::accept4(listenFd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::lock_guard lock(mutex_);
    connections_.emplace_back([this, fd] {
      serve(fd);
      ::close(fd);
    });
  }
}

bool FaultUpstream::pause(int ms) {
  pollfd fd{stopPipe_[0], POLLIN, 0};
  return ::poll(&fd, 1, ms) == 0 && !stopping_;
}

void FaultUpstream::serve(int fd) {
  // Read the request head (nginx sends no body for GET).
  std::string head;
  char buffer[4096];
  while (head.find("\r\n\r\n") == std::string::npos) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {stopPipe_[0], POLLIN, 0}};
    if (::poll(fds, 2, 10000) <= 0 || fds[1].revents != 0) return;
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return;
    head.append(buffer, static_cast<std::size_t>(n));
  }
  std::string uri;
  {
    std::istringstream requestLine(head);
    std::string method;
    requestLine >> method >> uri;
  }
  uri = uri.substr(0, uri.find('?'));
  const std::string strip = headerValue(head, "X-Fixture-Strip");
  if (!strip.empty() && uri.rfind(strip, 0) == 0) uri = uri.substr(strip.size());
  while (!uri.empty() && uri.front() == '/') uri.erase(0, 1);
  std::string content = uri.empty() || uri.find("..") != std::string::npos ? std::string() : fileContents(docroot_ / uri);
  if (content.size() < 2) content = standInList();

  const std::string fault = headerValue(head, "X-Fixture-Fault");
  if (fault == "garbage") {
    std::string junk = "\x89PNG\r\n\x1a\n<html>not a list</html>{{{]]";
    for (int i = 0; i < 400; ++i) junk.push_back(static_cast<char>((i * 131 + 7) & 0xff));
    (void)sendAll(fd, responseHead(junk.size(), "garbage") + junk);
  } else if (fault == "truncated") {
    // Announce the whole file, send half, close: the client must see a short body.
    (void)sendAll(fd, responseHead(content.size(), "truncated") + content.substr(0, content.size() / 2));
  } else if (fault == "slow") {
    if (!sendAll(fd, responseHead(content.size(), "slow"))) return;
    for (char c : content) {
      if (!pause(200) || !sendAll(fd, std::string(1, c))) return;
    }
  } else {  // "hang" and anything unknown: keep the connection open, say nothing
    pollfd fds[2] = {{fd, POLLIN, 0}, {stopPipe_[0], POLLIN, 0}};
    while (::poll(fds, 2, -1) > 0 && fds[1].revents == 0) {
      if (::recv(fd, buffer, sizeof buffer, 0) <= 0) return;  // nginx gave up
    }
  }
}

}  // namespace daemonlet::testing
