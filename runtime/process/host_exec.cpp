#include "runtime/process/host_exec.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <algorithm>
#include <array>
#include <boost/asio/buffer.hpp>
#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>

namespace daemonlet::runtime::process {
namespace {


std::string errnoText(int err) { return std::strerror(err); }

// posix_spawn's attributes and file actions own resources; this keeps their
// destroy calls next to their init calls whatever path spawn() takes.
class SpawnSetup {
 public:
  SpawnSetup() {
    ::posix_spawnattr_init(&attr_);
    ::posix_spawn_file_actions_init(&actions_);
  }
  ~SpawnSetup() {
    ::posix_spawn_file_actions_destroy(&actions_);
    ::posix_spawnattr_destroy(&attr_);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
  posix_spawnattr_t attr_;
  posix_spawn_file_actions_t actions_;
};

// As much of a command's output as a failure message carries (the kubelet
// keeps 10 KiB of an exec probe's or hook's output).
constexpr std::size_t kMaxOutputBytes = 10 * 1024;

// Spawns the command with stdout and stderr on `outputFd`; returns the pid or an errno value.
std::pair<pid_t, int> spawnCommand(const std::string& path, const HostExecRequest& request, int outputFd) {
  SpawnSetup setup;
  // Own process group (so a timeout kills everything it started), an empty
  // signal mask and default dispositions: the agent's ignored signals (SIGPIPE)
  // must not leak into the command.
  sigset_t none;
  sigset_t all;
  ::sigemptyset(&none);
  ::sigfillset(&all);
  ::posix_spawnattr_setpgroup(&setup.attr_, 0);
  ::posix_spawnattr_setsigmask(&setup.attr_, &none);
  ::posix_spawnattr_setsigdefault(&setup.attr_, &all);
  ::posix_spawnattr_setflags(&setup.attr_,
                             POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  ::posix_spawn_file_actions_addopen(&setup.actions_, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  ::posix_spawn_file_actions_adddup2(&setup.actions_, outputFd, STDOUT_FILENO);
  ::posix_spawn_file_actions_adddup2(&setup.actions_, outputFd, STDERR_FILENO);
  ::posix_spawn_file_actions_addclosefrom_np(&setup.actions_, STDERR_FILENO + 1);
  if (!request.workingDir.empty()) {
    ::posix_spawn_file_actions_addchdir_np(&setup.actions_, request.workingDir.c_str());
  }

  std::vector<char*> argv;
  argv.reserve(request.command.size() + 1);
  for (const auto& arg : request.command) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  std::vector<std::string> envStrings;
  envStrings.reserve(request.env.size());
  for (const auto& [name, value] : request.env) envStrings.push_back(name + "=" + value);
  std::vector<char*> envp;
  envp.reserve(envStrings.size() + 1);
  for (auto& entry : envStrings) envp.push_back(entry.data());
  envp.push_back(nullptr);

  pid_t pid = -1;
  int err = ::posix_spawn(&pid, path.c_str(), &setup.actions_, &setup.attr_, argv.data(), envp.data());
  return {err == 0 ? pid : -1, err};
}

std::string describeExit(int status) {
  if (WIFEXITED(status)) return "exit code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "ended with wait status " + std::to_string(status);
}

class HostExec : public ExecHandle, public std::enable_shared_from_this<HostExec> {
 public:
  HostExec(boost::asio::io_context& io, ExecCallback done)
      : io_(io), pidfd_(io), output_(io), timer_(io), done_(std::move(done)) {}

  ~HostExec() override {
    // Only reached unreaped when the io_context went away mid-attempt: do not
    // leave a zombie or a running command behind.
    if (pid_ > 0 && !reaped_) {
      ::kill(-pid_, SIGKILL);
      while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
      }
    }
  }

  void begin(const HostExecRequest& request, std::chrono::milliseconds timeout) {
    if (request.command.empty()) return failSoon("exec has no command");
    std::string path = resolveExecutable(request.command.front(), request.env);
    if (path.empty()) return failSoon("executable not found: " + request.command.front());
    // The output is read as it comes (a chatty command must never block on a
    // full pipe) and kept up to kMaxOutputBytes for the failure message.
    int pipeFds[2];
    if (::pipe2(pipeFds, O_CLOEXEC) != 0) return failSoon("cannot make an output pipe: " + errnoText(errno));
    auto [pid, err] = spawnCommand(path, request, pipeFds[1]);
    ::close(pipeFds[1]);
    if (pid < 0) {
      ::close(pipeFds[0]);
      return failSoon("cannot run " + path + ": " + errnoText(err));
    }
    pid_ = pid;
    ::fcntl(pipeFds[0], F_SETFL, ::fcntl(pipeFds[0], F_GETFL) | O_NONBLOCK);
    output_.assign(pipeFds[0]);
    readOutput();

    int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
    if (pidfd < 0) {
      // Without a pidfd there is no way to wait without blocking; give up on
      // this attempt rather than stall the loop.
      int openErr = errno;
      killAndReap();
      return failSoon("pidfd_open failed: " + errnoText(openErr));
    }
    pidfd_.assign(pidfd);
    waitForExit();
    timer_.expires_after(timeout);
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec) self->onTimeout();
    });
  }

  void cancel() override {
    cancelled_ = true;
    if (pid_ > 0 && !reaped_) ::kill(-pid_, SIGKILL);
  }

 private:
  void waitForExit() {
    pidfd_.async_wait(
        boost::asio::posix::descriptor_base::wait_read,
        [self = shared_from_this()](const boost::system::error_code& ec) { self->onReadable(ec); });
  }

  void readOutput() {
    output_.async_read_some(boost::asio::buffer(chunk_),
                            [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
                              self->keepOutput(n);
                              if (!ec && n > 0) self->readOutput();
                            });
  }

  void keepOutput(std::size_t n) {
    std::size_t room = kMaxOutputBytes - std::min(kMaxOutputBytes, text_.size());
    text_.append(chunk_.data(), std::min(n, room));
  }

  // At the exit: what is still in the pipe, without waiting for its end (a
  // child the command left behind may hold it open).
  void drainOutput() {
    if (!output_.is_open()) return;
    for (;;) {
      ssize_t n = ::read(output_.native_handle(), chunk_.data(), chunk_.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      keepOutput(static_cast<std::size_t>(n));
    }
    boost::system::error_code ignored;
    output_.close(ignored);
  }

  void onTimeout() {
    if (reaped_) return;
    timedOut_ = true;
    // The group leader is not reaped yet, so its pid (the group id) cannot have
    // been recycled: killing the group hits only what the command started.
    ::kill(-pid_, SIGKILL);
  }

  void onReadable(const boost::system::error_code& ec) {
    if (ec == boost::asio::error::operation_aborted) return;
    int status = 0;
    pid_t got = ::waitpid(pid_, &status, WNOHANG);
    if (got == 0) return waitForExit();  // spurious wake-up
    if (got < 0 && errno == EINTR) return waitForExit();
    int waitErr = errno;
    // Children a finished command left in its group are left alone, as the kubelet
    // does; only a timeout (onTimeout) kills the group.
    reaped_ = true;
    timer_.cancel();
    pidfd_.close();
    drainOutput();
    if (cancelled_) return finish({false, "cancelled"});
    if (timedOut_) return finish({false, "timed out"});
    if (got < 0) return finish({false, "exit status lost (reaped elsewhere?): " + errnoText(waitErr)});
    bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    while (!text_.empty() && (text_.back() == '\n' || text_.back() == ' ')) text_.pop_back();
    finish({ok, ok ? std::string() : describeExit(status) + (text_.empty() ? "" : ": " + text_)});
  }

  void killAndReap() {
    ::kill(-pid_, SIGKILL);
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
  }

  void failSoon(std::string message) {
    // Never call back from inside start: the caller may not be ready for it.
    boost::asio::post(io_, [self = shared_from_this(), message = std::move(message)]() mutable {
      self->finish({false, std::move(message)});
    });
  }

  void finish(ExecResult outcome) {
    if (!done_) return;
    auto done = std::move(done_);
    done_ = nullptr;
    done(std::move(outcome));
  }

  boost::asio::io_context& io_;
  boost::asio::posix::stream_descriptor pidfd_;
  boost::asio::posix::stream_descriptor output_;  // the command's stdout and stderr
  std::array<char, 4096> chunk_{};
  std::string text_;  // the first kMaxOutputBytes of the output
  boost::asio::steady_timer timer_;
  ExecCallback done_;
  pid_t pid_ = -1;
  bool reaped_ = false;
  bool timedOut_ = false;
  bool cancelled_ = false;
};

}  // namespace

std::string resolveExecutable(const std::string& name, const std::map<std::string, std::string>& env) {
  if (name.empty()) return {};
  if (name.find('/') != std::string::npos) return name;  // as execvp: a path is used as given
  auto pathIt = env.find("PATH");
  std::string searchPath = pathIt != env.end() ? pathIt->second : kDefaultPath;
  std::size_t begin = 0;
  while (begin <= searchPath.size()) {
    std::size_t end = searchPath.find(':', begin);
    if (end == std::string::npos) end = searchPath.size();
    std::string dir = searchPath.substr(begin, end - begin);
    std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    begin = end + 1;
  }
  return {};
}

std::shared_ptr<ExecHandle> startHostExec(boost::asio::io_context& io, const HostExecRequest& request,
                                          std::chrono::milliseconds timeout, ExecCallback done) {
  auto attempt = std::make_shared<HostExec>(io, std::move(done));
  attempt->begin(request, timeout);
  return attempt;
}

}  // namespace daemonlet::runtime::process
