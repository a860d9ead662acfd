#include "runtime/process/shim_launcher.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

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

}  // namespace

base::Result<ShimReport> launchShim(const std::vector<std::string>& shimCommand, const ShimSpec& spec,
                                    std::chrono::milliseconds timeout) {
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
  pid_t firstShim = 0;
  int spawnError = ::posix_spawn(&firstShim, argv[0], &actions, &attributes, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (spawnError != 0) {
    return base::makeError(base::ErrorCode::kIo, std::string("spawn shim: ") + std::strerror(spawnError),
                           shimCommand.empty() ? "" : shimCommand[0]);
  }
  specTheirs.reset();
  reportTheirs.reset();

  bool sent = sendAll(specOurs.get(), encodeShimSpec(spec));
  specOurs.reset();
  std::string reportText;
  bool complete = readUntilEof(reportOurs.get(), reportText, std::chrono::steady_clock::now() + timeout);
  if (!complete) ::kill(firstShim, SIGKILL);
  while (::waitpid(firstShim, nullptr, 0) < 0 && errno == EINTR) {
  }
  if (!complete) return base::makeError(base::ErrorCode::kUnavailable, "shim did not report in time", spec.id);
  if (!sent && reportText.empty()) return base::makeError(base::ErrorCode::kIo, "shim exited early", spec.id);
  auto report = decodeShimReport(reportText);
  if (!report) return base::makeError(base::ErrorCode::kInternal, report.error().message, spec.id);
  if (!report->started) {
    return base::makeError(base::ErrorCode::kInvalidArgument, "container did not start: " + report->error, spec.id);
  }
  return report;
}

}  // namespace daemonlet::runtime::process
