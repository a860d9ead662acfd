#include "runtime/process/shim_host_client.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "agent/base/log.h"
#include "runtime/process/proc_fs.h"
#include "runtime/process/unique_fd.h"

extern char** environ;

namespace daemonlet::runtime::process {
namespace {

constexpr int kReadyFd = 3;

base::Error ioError(const std::string& what, const std::string& subject = {}) {
  return base::makeError(base::ErrorCode::kIo, what + ": " + std::strerror(errno), subject);
}

UniqueFd connectTo(const std::string& socketPath) {
  sockaddr_un address{};
  if (socketPath.size() >= sizeof address.sun_path) return UniqueFd();
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return UniqueFd();
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, socketPath.c_str(), socketPath.size() + 1);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return UniqueFd();
  return fd;
}

// Reads until end of file or the deadline; false on timeout.
bool waitForEof(int fd, std::chrono::steady_clock::time_point deadline) {
  char buffer[64];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd pfd{fd, POLLIN, 0};
    int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return true;
    if (ready == 0) return false;
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return true;
  }
}

// Starts a host and returns once it listens (or gave up: the caller's connect
// then tells). The first process detaches the host and exits; it is reaped here.
base::Status startHost(const std::vector<std::string>& shimCommand, const std::string& socketPath,
                       std::chrono::milliseconds timeout) {
  if (shimCommand.empty()) return base::makeError(base::ErrorCode::kInvalidArgument, "no shim command configured");
  int ends[2];
  if (::pipe2(ends, O_CLOEXEC) != 0) return ioError("pipe");
  UniqueFd readyOurs(ends[0]);
  // Above the numbers the child uses, so the dup2 cannot collide.
  UniqueFd readyTheirs(::fcntl(ends[1], F_DUPFD_CLOEXEC, 10));
  ::close(ends[1]);
  if (!readyTheirs.valid()) return ioError("dup");

  std::vector<std::string> args = shimCommand;
  args.insert(args.end(), {"--listen", socketPath, "--ready-fd", std::to_string(kReadyFd)});
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, readyTheirs.get(), kReadyFd);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);
  pid_t first = 0;
  int spawnError = ::posix_spawn(&first, argv[0], &actions, &attributes, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (spawnError != 0) {
    return base::makeError(base::ErrorCode::kIo, std::string("spawn shim host: ") + std::strerror(spawnError),
                           shimCommand[0]);
  }
  readyTheirs.reset();
  bool ready = waitForEof(readyOurs.get(), std::chrono::steady_clock::now() + timeout);
  if (!ready) ::kill(first, SIGKILL);
  while (::waitpid(first, nullptr, 0) < 0 && errno == EINTR) {
  }
  if (!ready) return base::makeError(base::ErrorCode::kUnavailable, "shim host did not get ready in time", socketPath);
  return base::Ok{};
}

// Connected to the host serving socketPath, starting one if none does.
base::Result<UniqueFd> connectOrStartHost(const std::vector<std::string>& shimCommand, const std::string& socketPath,
                                          std::chrono::milliseconds timeout) {
  if (UniqueFd fd = connectTo(socketPath); fd.valid()) return fd;
  if (auto started = startHost(shimCommand, socketPath, timeout); !started) return started.error();
  UniqueFd fd = connectTo(socketPath);
  if (!fd.valid()) return ioError("connect to shim host", socketPath);
  base::logInfo("started shim host", {{"socket", socketPath}});
  return fd;
}

bool sendAll(int fd, const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

// A report that says the container did not start becomes an error carrying why.
base::Result<ShimReport> outcomeOf(const std::string& payload, const std::string& id) {
  auto report = decodeShimReport(payload);
  if (!report) return base::makeError(base::ErrorCode::kInternal, report.error().message, id);
  if (!report->started) {
    return base::makeError(base::ErrorCode::kInvalidArgument, "container did not start: " + report->error, id);
  }
  return report;
}

}  // namespace

ShimHostClient::ShimHostClient(boost::asio::io_context& io, std::vector<std::string> shimCommand,
                               std::string socketPath, std::chrono::milliseconds reportTimeout)
    : io_(io),
      shimCommand_(std::move(shimCommand)),
      socketPath_(std::move(socketPath)),
      reportTimeout_(reportTimeout) {}

ShimHostClient::~ShimHostClient() { *alive_ = false; }

void ShimHostClient::connectIfRunning() {
  if (socket_) return;
  if (UniqueFd fd = connectTo(socketPath_); fd.valid()) (void)adopt(fd.release());
}

base::Status ShimHostClient::ensureConnected() {
  if (socket_) return base::Ok{};
  auto fd = connectOrStartHost(shimCommand_, socketPath_, reportTimeout_);
  if (!fd) return fd.error();
  return adopt(fd->release());
}

base::Status ShimHostClient::adopt(int socketFd) {
  ucred peer{};
  socklen_t length = sizeof peer;
  if (::getsockopt(socketFd, SOL_SOCKET, SO_PEERCRED, &peer, &length) != 0) {
    ::close(socketFd);
    return ioError("SO_PEERCRED", socketPath_);
  }
  // Only a host of our own user is trusted to parent containers; the socket
  // sits in our state directory, so anything else is a planted listener.
  if (peer.uid != ::geteuid()) {
    ::close(socketFd);
    return base::makeError(base::ErrorCode::kUnavailable,
                           "shim host socket is served by uid " + std::to_string(peer.uid) + ", not ours", socketPath_);
  }
  hostPid_ = peer.pid;
  auto stat = readProcStat(peer.pid);
  hostStartTime_ = stat ? stat->startTime : 0;
  socket_ = std::make_unique<boost::asio::local::stream_protocol::socket>(io_, boost::asio::local::stream_protocol(),
                                                                          socketFd);
  ++connection_;
  reader_ = ShimFrameReader();
  readMore();
  return base::Ok{};
}

bool ShimHostClient::isConnectedHost(pid_t pid, std::uint64_t startTime) const {
  return socket_ && pid == hostPid_ && startTime == hostStartTime_;
}

void ShimHostClient::readMore() {
  const std::uint64_t connection = connection_;
  socket_->async_read_some(boost::asio::buffer(readBuffer_),
                           [this, alive = std::weak_ptr<bool>(alive_), connection](boost::system::error_code ec,
                                                                                   std::size_t n) {
                             if (!alive.lock() || connection != connection_) return;  // an older connection
                             if (ec == boost::asio::error::interrupted) return readMore();
                             if (ec) return drop(ec.message());
                             reader_.append(std::string_view(readBuffer_.data(), n));
                             while (auto message = reader_.next()) {
                               onMessage(std::move(*message));
                               if (connection != connection_) return;  // dropped meanwhile
                             }
                             if (reader_.failed()) return drop("unreadable message from shim host");
                             readMore();
                           });
}

void ShimHostClient::onMessage(ShimMessage message) {
  switch (message.kind) {
    case ShimMessageKind::kReport:
      if (!reportHold_) return onReport(message);
      reportHold_([this, alive = std::weak_ptr<bool>(alive_), message] {
        if (alive.lock()) onReport(message);
      });
      return;
    case ShimMessageKind::kExited:
      if (exitNotice_) exitNotice_(message.payload);
      return;
    case ShimMessageKind::kStart:
      return;  // only agents send these
  }
}

void ShimHostClient::onReport(const ShimMessage& message) {
  auto it = pending_.find(message.sequence);
  if (it == pending_.end()) {
    // Timed out earlier: the caller took the start for failed and will
    // start the container again, so this late instance must not run on
    // beside that one (a second copy, untracked).
    auto late = decodeShimReport(message.payload);
    if (late && late->started && isSameLiveProcess(late->pid, late->pidStartTime)) {
      base::logWarning("a container started after its start timed out; stopping it",
                       {{"pid", std::to_string(late->pid)}});
      ::kill(-late->pid, SIGKILL);
    }
    return;
  }
  finishStart(message.sequence, outcomeOf(message.payload, it->second.containerId));
}

void ShimHostClient::startAsync(const ShimSpec& spec, ReportCallback done) {
  if (auto connected = ensureConnected(); !connected) {
    boost::asio::post(io_, [done = std::move(done), error = connected.error()] { done(error); });
    return;
  }
  std::uint64_t sequence = nextSequence_++;
  PendingStart& pending = pending_[sequence];
  pending.done = std::move(done);
  pending.containerId = spec.id;
  pending.deadline = std::make_unique<boost::asio::steady_timer>(io_, reportTimeout_);
  pending.deadline->async_wait(
      [this, alive = std::weak_ptr<bool>(alive_), sequence, id = spec.id](boost::system::error_code ec) {
        if (!alive.lock() || ec == boost::asio::error::operation_aborted) return;
        // Should it still start, the container is found by its marker (kUnknown)
        // and never duplicated.
        finishStart(sequence, base::makeError(base::ErrorCode::kUnavailable, "shim host did not report in time", id));
      });
  write(encodeShimMessage(ShimMessage{ShimMessageKind::kStart, sequence, encodeShimSpec(spec)}));
}

void ShimHostClient::finishStart(std::uint64_t sequence, base::Result<ShimReport> outcome) {
  auto it = pending_.find(sequence);
  if (it == pending_.end()) return;
  ReportCallback done = std::move(it->second.done);
  pending_.erase(it);  // cancels the deadline
  done(std::move(outcome));
}

void ShimHostClient::write(std::string frame) {
  outbox_.push_back(std::move(frame));
  if (!writing_) writeNext();
}

void ShimHostClient::writeNext() {
  if (outbox_.empty() || !socket_) {
    writing_ = false;
    return;
  }
  writing_ = true;
  const std::uint64_t connection = connection_;
  boost::asio::async_write(*socket_, boost::asio::buffer(outbox_.front()),
                           [this, alive = std::weak_ptr<bool>(alive_), connection](boost::system::error_code ec,
                                                                                   std::size_t) {
                             if (!alive.lock() || connection != connection_) return;
                             outbox_.pop_front();
                             if (ec) return drop(ec.message());
                             writeNext();
                           });
}

void ShimHostClient::drop(const std::string& why) {
  base::logWarning("lost the connection to the shim host", {{"socket", socketPath_}, {"error", why}});
  socket_.reset();
  ++connection_;  // handlers of the closed connection still queued now do nothing
  hostPid_ = 0;
  hostStartTime_ = 0;
  outbox_.clear();
  writing_ = false;
  // Callbacks may start containers again (on a new host): work on a copy.
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& [sequence, start] : pending) {
    start.done(base::makeError(base::ErrorCode::kUnavailable, "lost the shim host before it reported: " + why));
  }
  if (disconnected_) disconnected_();
}

base::Result<ShimReport> ShimHostClient::start(const ShimSpec& spec) {
  // The lasting connection first: the container's exit is announced there.
  if (auto connected = ensureConnected(); !connected) return connected.error();
  auto fd = connectOrStartHost(shimCommand_, socketPath_, reportTimeout_);
  if (!fd) return fd.error();
  constexpr std::uint64_t kSequence = 1;
  if (!sendAll(fd->get(), encodeShimMessage(ShimMessage{ShimMessageKind::kStart, kSequence, encodeShimSpec(spec)}))) {
    return ioError("send to shim host", spec.id);
  }
  auto deadline = std::chrono::steady_clock::now() + reportTimeout_;
  ShimFrameReader reader;
  char buffer[4096];
  for (;;) {
    while (auto message = reader.next()) {
      if (message->kind == ShimMessageKind::kReport && message->sequence == kSequence) {
        return outcomeOf(message->payload, spec.id);
      }
    }
    if (reader.failed()) return base::makeError(base::ErrorCode::kInternal, "unreadable message from shim host");
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd pfd{fd->get(), POLLIN, 0};
    int ready = left.count() > 0 ? ::poll(&pfd, 1, static_cast<int>(left.count())) : 0;
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return base::makeError(base::ErrorCode::kUnavailable, "shim host did not report in time", spec.id);
    ssize_t n = ::read(fd->get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return base::makeError(base::ErrorCode::kUnavailable, "shim host closed the connection", spec.id);
    reader.append(std::string_view(buffer, static_cast<std::size_t>(n)));
  }
}

}  // namespace daemonlet::runtime::process
