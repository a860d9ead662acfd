#include "runtime/process/shim_launcher.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <array>
#include <cstring>
#include <memory>

#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "runtime/process/unique_fd.h"

extern char** environ;

namespace daemonlet::runtime::process {
namespace {

constexpr int kSpecFd = 3;
constexpr int kReportFd = 4;

base::Error ioError(const std::string& what) {
  return base::makeError(base::ErrorCode::kIo, what + ": " + std::strerror(errno));
}

// Moves fd above the numbers the child will use, so the dup2s cannot collide.
UniqueFd lifted(int fd) {
  UniqueFd moved(::fcntl(fd, F_DUPFD_CLOEXEC, 10));
  ::close(fd);
  return moved;
}

bool sendAll(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    // A socket, so a shim that died early gives EPIPE here instead of SIGPIPE.
    ssize_t n = ::send(fd, text.data() + done, text.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// Reads until end of file or the deadline; false on timeout.
bool readUntilEof(int fd, std::string& text, std::chrono::steady_clock::time_point deadline) {
  char buffer[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd pfd{fd, POLLIN, 0};
    int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return ready == 0 ? false : true;
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return true;
    text.append(buffer, static_cast<size_t>(n));
  }
}

// A spawned first shim with its spec sent; the report is still to be read.
struct SpawnedShim {
  pid_t firstShim = 0;
  UniqueFd report;
  bool sent = false;
};

base::Result<SpawnedShim> spawnShim(const std::vector<std::string>& shimCommand, const ShimSpec& spec) {
  int specPair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, specPair) != 0) return ioError("socketpair");
  UniqueFd specOurs = lifted(specPair[0]);
  UniqueFd specTheirs = lifted(specPair[1]);
  int reportPipe[2];
  if (::pipe2(reportPipe, O_CLOEXEC) != 0) return ioError("pipe");
  UniqueFd reportOurs = lifted(reportPipe[0]);
  UniqueFd reportTheirs = lifted(reportPipe[1]);
  if (!specOurs.valid() || !specTheirs.valid() || !reportOurs.valid() || !reportTheirs.valid()) {
    return ioError("dup");
  }

  std::vector<std::string> args = shimCommand;
  for (const char* extra : {"--spec-fd", "3", "--report-fd", "4", "--id"}) args.emplace_back(extra);
  args.push_back(spec.id);
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, specTheirs.get(), kSpecFd);
  posix_spawn_file_actions_adddup2(&actions, reportTheirs.get(), kReportFd);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);
  SpawnedShim spawned;
  int spawnError = ::posix_spawn(&spawned.firstShim, argv[0], &actions, &attributes, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (spawnError != 0) {
    return base::makeError(base::ErrorCode::kIo, std::string("spawn shim: ") + std::strerror(spawnError),
                           shimCommand.empty() ? "" : shimCommand[0]);
  }
  specTheirs.reset();
  reportTheirs.reset();
  // The spec is small and the socket buffer holds it whole: this does not wait
  // for the shim to read it.
  spawned.sent = sendAll(specOurs.get(), encodeShimSpec(spec));
  spawned.report = std::move(reportOurs);
  return spawned;
}

// Reaps the first shim (it has exited, or is about to: it leaves right after
// forking the long-lived shim, or right after reporting a failure) and turns
// what it reported into the outcome.
base::Result<ShimReport> finishLaunch(pid_t firstShim, bool complete, bool sent, const std::string& reportText,
                                      const std::string& id) {
  if (!complete) ::kill(firstShim, SIGKILL);
  while (::waitpid(firstShim, nullptr, 0) < 0 && errno == EINTR) {
  }
  if (!complete) return base::makeError(base::ErrorCode::kUnavailable, "shim did not report in time", id);
  if (!sent && reportText.empty()) return base::makeError(base::ErrorCode::kIo, "shim exited early", id);
  auto report = decodeShimReport(reportText);
  if (!report) return base::makeError(base::ErrorCode::kInternal, report.error().message, id);
  if (!report->started) {
    return base::makeError(base::ErrorCode::kInvalidArgument, "container did not start: " + report->error, id);
  }
  return report;
}

// One asynchronous launch: the report pipe on the io_context and its deadline.
struct PendingLaunch {
  PendingLaunch(boost::asio::io_context& io, int reportFd) : report(io, reportFd), deadline(io) {}
  boost::asio::posix::stream_descriptor report;
  boost::asio::steady_timer deadline;
  pid_t firstShim = 0;
  bool sent = false;
  bool finished = false;
  std::string id;
  std::string text;
  std::array<char, 4096> buffer{};
  ShimReportCallback done;
};

void finishPending(const std::shared_ptr<PendingLaunch>& launch, bool complete) {
  if (launch->finished) return;
  launch->finished = true;
  launch->deadline.cancel();
  boost::system::error_code ignored;
  launch->report.close(ignored);
  auto outcome = finishLaunch(launch->firstShim, complete, launch->sent, launch->text, launch->id);
  ShimReportCallback done = std::move(launch->done);
  done(std::move(outcome));
}

void readMore(const std::shared_ptr<PendingLaunch>& launch) {
  launch->report.async_read_some(boost::asio::buffer(launch->buffer),
                                 [launch](boost::system::error_code ec, std::size_t n) {
                                   if (launch->finished) return;
                                   if (!ec) {
                                     launch->text.append(launch->buffer.data(), n);
                                     return readMore(launch);
                                   }
                                   if (ec == boost::asio::error::interrupted) return readMore(launch);
                                   // End of file (or a broken pipe): the report is complete.
                                   finishPending(launch, true);
                                 });
}

}  // namespace

base::Result<ShimReport> launchShim(const std::vector<std::string>& shimCommand, const ShimSpec& spec,
                                    std::chrono::milliseconds timeout) {
  auto spawned = spawnShim(shimCommand, spec);
  if (!spawned) return spawned.error();
  std::string reportText;
  bool complete = readUntilEof(spawned->report.get(), reportText, std::chrono::steady_clock::now() + timeout);
  return finishLaunch(spawned->firstShim, complete, spawned->sent, reportText, spec.id);
}

void launchShimAsync(boost::asio::io_context& io, const std::vector<std::string>& shimCommand, const ShimSpec& spec,
                     std::chrono::milliseconds timeout, ShimReportCallback done) {
  auto spawned = spawnShim(shimCommand, spec);
  if (!spawned) {
    boost::asio::post(io, [done = std::move(done), error = spawned.error()] { done(error); });
    return;
  }
  auto launch = std::make_shared<PendingLaunch>(io, spawned->report.release());
  launch->firstShim = spawned->firstShim;
  launch->sent = spawned->sent;
  launch->id = spec.id;
  launch->done = std::move(done);
  launch->deadline.expires_after(timeout);
  launch->deadline.async_wait([launch](boost::system::error_code ec) {
    if (ec == boost::asio::error::operation_aborted) return;
    finishPending(launch, false);
  });
  readMore(launch);
}

}  // namespace daemonlet::runtime::process
