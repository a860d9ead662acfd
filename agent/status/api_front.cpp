#include "agent/status/api_front.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "agent/base/log.h"
#include "agent/status/front_answer.h"
#include "agent/status/request_dispatcher.h"

namespace daemonlet::status {
namespace {

constexpr std::size_t kReadChunk = 4096;
constexpr std::size_t kAcceptsPerRound = 64;

Peer addressOf(const sockaddr_storage& address) {
  Peer peer;
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(address);
    ::inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof text);
    peer.port = ntohs(in6.sin6_port);
  } else if (address.ss_family == AF_INET) {
    const auto& in4 = reinterpret_cast<const sockaddr_in&>(address);
    ::inet_ntop(AF_INET, &in4.sin_addr, text, sizeof text);
    peer.port = ntohs(in4.sin_port);
  }
  peer.ip = text;
  return peer;
}

Peer localAddressOf(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return {};
  return addressOf(address);
}

// Reading a body needs the token or a trusted loopback caller (caller_authority.h;
// no route takes a body from anyone else).
// Without a body the route decides: DELETE checks the token itself, and a wrong
// method on a read-only path stays a 405.
bool needsToken(const RequestHead& head) { return head.contentLength.value_or(0) > 0; }

}  // namespace

std::size_t connectionCapFor(std::uint64_t softFdLimit) {
  return std::max<std::uint64_t>(4, std::min<std::uint64_t>(64, softFdLimit / 8));
}

ApiFront::ApiFront(ApiListener listener, InMemoryServer& server, CallerAuthority auth, ApiLimits limits)
    : listener_(std::move(listener)),
      auth_(std::move(auth)),
      limits_(limits),
      dispatcher_(std::make_unique<RequestDispatcher>(server, limits.workers, limits.maxQueued)) {
  if (limits_.maxConnections == 0) {
    rlimit fds{};
    std::uint64_t soft = ::getrlimit(RLIMIT_NOFILE, &fds) == 0 ? fds.rlim_cur : 1024;
    limits_.maxConnections = connectionCapFor(soft);
  }
}

ApiFront::~ApiFront() {
  stop();
  if (wakeFd_ >= 0) ::close(wakeFd_);
}

base::Status ApiFront::start(std::function<void()> beforeServing) {
  wakeFd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wakeFd_ < 0) return base::makeError(base::ErrorCode::kIo, std::string("eventfd: ") + std::strerror(errno));
  dispatcher_->start([this](std::uint64_t id, std::string response, std::unique_ptr<ResponseStream> stream) {
    completed(Completed{id, std::move(response), std::move(stream)});
  });
  thread_ = std::thread([this, beforeServing = std::move(beforeServing)] {
    if (beforeServing) beforeServing();
    run();
  });
  return base::Ok{};
}

void ApiFront::stop() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  std::uint64_t one = 1;
  (void)!::write(wakeFd_, &one, sizeof one);
  thread_.join();
  dispatcher_->stop();
  while (!connections_.empty()) close(connections_.begin()->first);
}

void ApiFront::completed(Completed done) {
  {
    std::lock_guard lock(responsesMutex_);
    responses_.push_back(std::move(done));
  }
  std::uint64_t one = 1;
  (void)!::write(wakeFd_, &one, sizeof one);
}

void ApiFront::run() {
  std::vector<pollfd> fds;
  std::vector<std::uint64_t> ids;
  while (!stopping_) {
    auto now = Clock::now();
    takeResponses();
    expire(now);
    pullStreams(now);

    fds.clear();
    ids.clear();
    fds.push_back({wakeFd_, POLLIN, 0});
    bool canAccept = now >= acceptPausedUntil_ &&
                     (connections_.size() < limits_.maxConnections || std::any_of(connections_.begin(), connections_.end(), [](const auto& entry) {
                        Phase p = entry.second.phase;
                        return p == Phase::kHead || p == Phase::kBody || p == Phase::kLingering;
                      }));
    fds.push_back({canAccept ? listener_.fd() : -1, POLLIN, 0});
    // Nothing due: sleep until a socket or the wake fd (a response, stop())
    // says otherwise, so an idle agent has no timer waking it.
    std::optional<Clock::time_point> wakeAt;
    auto wakeBy = [&wakeAt](Clock::time_point due) { wakeAt = wakeAt ? std::min(*wakeAt, due) : due; };
    if (!canAccept && acceptPausedUntil_ > now) wakeBy(acceptPausedUntil_);
    for (auto& [id, c] : connections_) {
      short events = 0;
      if (c.phase == Phase::kHead || c.phase == Phase::kBody || c.phase == Phase::kLingering) events = POLLIN;
      if (c.phase == Phase::kWriting) events = POLLOUT;
      if (c.phase == Phase::kStreaming) events = static_cast<short>(POLLIN | (c.written < c.out.size() ? POLLOUT : 0));
      if (events == 0) continue;
      fds.push_back({c.fd, events, 0});
      ids.push_back(id);
      wakeBy(c.phase == Phase::kStreaming ? c.nextPull : c.deadline);
    }
    int timeoutMs = -1;
    if (wakeAt) {
      auto waitMs = std::chrono::duration_cast<std::chrono::milliseconds>(*wakeAt - now).count();
      timeoutMs = static_cast<int>(std::clamp<long long>(waitMs + 1, 0, 60'000));
    }
    int ready = ::poll(fds.data(), fds.size(), timeoutMs);
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    now = Clock::now();
    if (fds[0].revents & POLLIN) {
      std::uint64_t count = 0;
      (void)!::read(wakeFd_, &count, sizeof count);
    }
    for (std::size_t i = 2; i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      auto it = connections_.find(ids[i - 2]);
      if (it == connections_.end()) continue;
      Connection& c = it->second;
      if (c.phase == Phase::kStreaming) {
        onStreamEvent(it->first, c, fds[i].revents, now);
      } else if (c.phase == Phase::kWriting) {
        if (fds[i].revents & (POLLERR | POLLHUP)) {
          close(it->first);
        } else {
          flush(c, now);
        }
      } else {
        onReadable(it->first, c, now);
      }
    }
    // New connections last, so this round's evictions cannot hit a socket just served.
    if (fds[1].revents & POLLIN) acceptSome(now);
  }
}

void ApiFront::takeResponses() {
  std::vector<Completed> done;
  {
    std::lock_guard lock(responsesMutex_);
    done.swap(responses_);
  }
  auto now = Clock::now();
  for (auto& item : done) {
    auto it = connections_.find(item.id);
    if (it == connections_.end() || it->second.phase != Phase::kServing) continue;
    if (item.stream) {
      startStream(it->second, std::move(item.stream), now);
    } else {
      answer(it->second, std::move(item.response), now);
    }
  }
}

void ApiFront::expire(Clock::time_point now) {
  std::vector<std::uint64_t> expired;
  for (auto& [id, c] : connections_) {
    if (c.phase == Phase::kServing || c.deadline > now) continue;
    if (c.phase == Phase::kStreaming) {
      // Only a client that leaves its stream's bytes unread past the deadline goes.
      if (c.written < c.out.size()) expired.push_back(id);
      continue;
    }
    if (c.phase == Phase::kHead || c.phase == Phase::kBody) {
      answer(c, frontAnswer(408, "the request did not arrive in time"), now);
    } else {
      expired.push_back(id);  // a client that does not read its answer, or a finished linger
    }
  }
  for (auto id : expired) close(id);
}

void ApiFront::acceptSome(Clock::time_point now) {
  for (std::size_t n = 0; n < kAcceptsPerRound; ++n) {
    if (connections_.size() >= limits_.maxConnections && !evictOne()) return;
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    int fd = ::accept4(listener_.fd(), reinterpret_cast<sockaddr*>(&address), &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED) return;
      // EMFILE/ENFILE/ENOBUFS: the agent itself is short; leave the clients in
      // the kernel's queue for a moment instead of spinning on the listener.
      acceptPausedUntil_ = now + std::chrono::milliseconds(100);
      const int acceptError = errno;
      if (const auto verdict = acceptErrorLog_.allow("accept", now); verdict.log) {
        base::logWarning("local API cannot accept connections; retrying in 100ms",
                         {{"error", std::strerror(acceptError)}, {"suppressed", base::suppressedNote(verdict.suppressed)}});
      }
      return;
    }
    Connection c;
    c.fd = fd;
    c.deadline = now + limits_.requestDeadline;
    c.scanner = RequestHeadScanner(limits_.head);
    c.peer = addressOf(address);
    c.local = localAddressOf(fd);
    connections_.emplace(nextId_++, std::move(c));
  }
}

bool ApiFront::evictOne() {
  // Answered connections first (they only drain), then the oldest still sending.
  for (Phase phase : {Phase::kLingering, Phase::kHead, Phase::kBody}) {
    for (auto& [id, c] : connections_) {
      if (c.phase == phase) {
        close(id);
        return true;
      }
    }
  }
  return false;
}

void ApiFront::onReadable(std::uint64_t id, Connection& c, Clock::time_point now) {
  char buffer[kReadChunk];
  if (c.phase == Phase::kLingering) {
    ssize_t n = ::recv(c.fd, buffer, sizeof buffer, 0);  // discarded
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) close(id);
    return;
  }
  // Never more than the request can still legally need.
  std::size_t room = c.phase == Phase::kHead ? limits_.head.maxHeadBytes + 1 - c.in.size()
                                              : c.requestBytes - c.in.size();
  ssize_t n = ::recv(c.fd, buffer, std::min(room, sizeof buffer), 0);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return close(id);
  if (n < 0) return;
  c.in.append(buffer, static_cast<std::size_t>(n));
  if (c.phase == Phase::kBody) return dispatchIfComplete(id, c, now);

  ScanResult scanned = c.scanner.scan(c.in);
  if (scanned.state == ScanState::kRefused) return answer(c, frontAnswer(scanned.status, scanned.reason), now);
  if (scanned.state == ScanState::kComplete) onHeadComplete(id, c, scanned.head, now);
}

void ApiFront::onHeadComplete(std::uint64_t id, Connection& c, const RequestHead& head, Clock::time_point now) {
  if (head.transferEncoding) return answer(c, frontAnswer(411, "a request body needs a Content-Length"), now);
  if (needsToken(head) && !auth_.authorizes(head.authorization.value_or(""), c.peer, c.local)) {
    return answer(c, frontAnswer(401, "a bearer token from the agent's api-token file is required"), now);
  }
  std::uint64_t bodyBytes = head.contentLength.value_or(0);
  if (bodyBytes > limits_.maxBodyBytes) {
    return answer(c, frontAnswer(413, "request bodies are limited to " + std::to_string(limits_.maxBodyBytes) +
                                          " bytes"), now);
  }
  c.phase = Phase::kBody;
  c.requestBytes = head.headBytes + bodyBytes;
  if (head.expectContinue && bodyBytes > 0 && c.in.size() < c.requestBytes) {
    // Tiny, and the socket's send buffer is empty this early: no need to queue it.
    (void)::send(c.fd, kContinueAnswer, std::strlen(kContinueAnswer), MSG_NOSIGNAL | MSG_DONTWAIT);
  }
  dispatchIfComplete(id, c, now);
}

void ApiFront::dispatchIfComplete(std::uint64_t id, Connection& c, Clock::time_point now) {
  if (c.in.size() < c.requestBytes) return;
  c.in.resize(c.requestBytes);  // anything pipelined after it is not served (one request per connection)
  c.phase = Phase::kServing;
  if (!dispatcher_->submit(id, std::move(c.in), c.peer, c.local)) {
    answer(c, frontAnswer(429, "the local API is busy; retry in a second"), now);
  }
  c.in = std::string();
}

void ApiFront::answer(Connection& c, std::string response, Clock::time_point now) {
  c.in = std::string();
  c.out = std::move(response);
  c.written = 0;
  c.phase = Phase::kWriting;
  c.deadline = now + limits_.writeDeadline;
  flush(c, now);
}

void ApiFront::flush(Connection& c, Clock::time_point now) {
  while (c.written < c.out.size()) {
    ssize_t n = ::send(c.fd, c.out.data() + c.written, c.out.size() - c.written, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) {
      c.deadline = now;  // the client is gone: closed by expire() this round
      c.phase = Phase::kLingering;
      return;
    }
    c.written += static_cast<std::size_t>(n);
  }
  // Answered: stop sending, and read (and drop) what the client still sends for
  // a moment, since closing with unread data resets the connection and can
  // destroy the answer before the client reads it (a 413 while it still uploads).
  c.out = std::string();
  ::shutdown(c.fd, SHUT_WR);
  c.phase = Phase::kLingering;
  c.deadline = now + limits_.lingerTime;
}

void ApiFront::startStream(Connection& c, std::unique_ptr<ResponseStream> stream, Clock::time_point now) {
  c.in = std::string();
  c.out = "HTTP/1.1 200 OK\r\nContent-Type: " + stream->contentType() +
          "\r\nTransfer-Encoding: chunked\r\nCache-Control: no-cache, private\r\nConnection: close\r\n\r\n";
  c.written = 0;
  c.stream = std::move(stream);
  c.phase = Phase::kStreaming;
  c.nextPull = now;  // the first bytes (a log's existing lines) go at once
  c.deadline = now + limits_.writeDeadline;
}

void ApiFront::pullStreams(Clock::time_point now) {
  std::vector<std::uint64_t> gone;
  for (auto& [id, c] : connections_) {
    if (c.phase != Phase::kStreaming || c.nextPull > now) continue;
    c.nextPull = now + kStreamPullInterval;
    std::size_t backlog = c.out.size() - c.written;
    if (backlog >= limits_.maxStreamBacklog) continue;  // a slow reader gets no more until it catches up
    std::string body;
    bool more = c.stream->pull(body, limits_.maxStreamBacklog - backlog, now);
    if (!body.empty()) {
      char size[20];
      std::snprintf(size, sizeof size, "%zx\r\n", body.size());
      c.out += size;
      c.out += body;
      c.out += "\r\n";
    }
    if (!more) {
      c.stream.reset();
      c.out += "0\r\n\r\n";
      std::string rest = c.out.substr(c.written);
      answer(c, std::move(rest), now);  // writes the rest, then lingers and closes as any answer
      continue;
    }
    if (!sendPending(c, now)) gone.push_back(id);
  }
  for (auto id : gone) close(id);
}

void ApiFront::onStreamEvent(std::uint64_t id, Connection& c, short revents, Clock::time_point now) {
  if (revents & (POLLERR | POLLHUP)) return close(id);
  if (revents & POLLIN) {
    // A streaming client sends nothing more; reading tells whether it left.
    char buffer[512];
    ssize_t n = ::recv(c.fd, buffer, sizeof buffer, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return close(id);
  }
  if ((revents & POLLOUT) && !sendPending(c, now)) close(id);
}

bool ApiFront::sendPending(Connection& c, Clock::time_point now) {
  while (c.written < c.out.size()) {
    ssize_t n = ::send(c.fd, c.out.data() + c.written, c.out.size() - c.written, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
    if (n <= 0) return false;
    c.written += static_cast<std::size_t>(n);
    c.deadline = now + limits_.writeDeadline;  // reading at all keeps the client
  }
  if (c.written == c.out.size()) {
    c.out.clear();
    c.written = 0;
    c.deadline = now + limits_.writeDeadline;
  }
  return true;
}

void ApiFront::close(std::uint64_t id) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  ::close(it->second.fd);
  connections_.erase(it);
}

}  // namespace daemonlet::status
