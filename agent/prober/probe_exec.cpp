#include "agent/prober/probe_exec.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>

namespace daemonlet::prober {
namespace {

// The PATH container runtimes give a process whose image sets none.
constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

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

// Spawns the probe command; returns the pid or an errno value.
std::pair<pid_t, int> spawnProbe(const std::string& path, const ExecRequest& request) {
  SpawnSetup setup;
  // Own process group (so a timeout kills everything it started), an empty
  // signal mask and default dispositions: the agent's ignored signals (SIGPIPE)
  // must not leak into the probe.
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
  ::posix_spawn_file_actions_addopen(&setup.actions_, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  ::posix_spawn_file_actions_adddup2(&setup.actions_, STDOUT_FILENO, STDERR_FILENO);
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

class ExecAttempt : public ProbeAttempt, public std::enable_shared_from_this<ExecAttempt> {
 public:
  ExecAttempt(boost::asio::io_context& io, ProbeCallback done)
      : io_(io), pidfd_(io), timer_(io), done_(std::move(done)) {}

  ~ExecAttempt() override {
    // Only reached unreaped when the io_context went away mid-attempt: do not
    // leave a zombie or a running probe behind.
    if (pid_ > 0 && !reaped_) {
      ::kill(-pid_, SIGKILL);
      while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
      }
    }
  }

  void begin(const ExecRequest& request, ProbeTimeout timeout) {
    if (request.command.empty()) return failSoon("exec probe has no command");
    std::string path = resolveExecutable(request.command.front(), request.env);
    if (path.empty()) return failSoon("executable not found: " + request.command.front());
    auto [pid, err] = spawnProbe(path, request);
    if (pid < 0) return failSoon("cannot run " + path + ": " + errnoText(err));
    pid_ = pid;

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

  void onTimeout() {
    if (reaped_) return;
    timedOut_ = true;
    // The group leader is not reaped yet, so its pid (the group id) cannot have
    // been recycled: killing the group hits only what the probe started.
    ::kill(-pid_, SIGKILL);
  }

  void onReadable(const boost::system::error_code& ec) {
    if (ec == boost::asio::error::operation_aborted) return;
    int status = 0;
    pid_t got = ::waitpid(pid_, &status, WNOHANG);
    if (got == 0) return waitForExit();  // spurious wake-up
    if (got < 0 && errno == EINTR) return waitForExit();
    int waitErr = errno;
    // Children a finished probe left in its group are left alone, as the kubelet
    // does; only a timeout (onTimeout) kills the group.
    reaped_ = true;
    timer_.cancel();
    pidfd_.close();
    if (cancelled_) return finish({false, "cancelled"});
    if (timedOut_) return finish({false, "timed out"});
    if (got < 0) return finish({false, "exit status lost (reaped elsewhere?): " + errnoText(waitErr)});
    bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    finish({ok, ok ? std::string() : describeExit(status)});
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

  void finish(ProbeOutcome outcome) {
    if (!done_) return;
    auto done = std::move(done_);
    done_ = nullptr;
    done(std::move(outcome));
  }

  boost::asio::io_context& io_;
  boost::asio::posix::stream_descriptor pidfd_;
  boost::asio::steady_timer timer_;
  ProbeCallback done_;
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

std::shared_ptr<ProbeAttempt> startExecAttempt(boost::asio::io_context& io, const ExecRequest& request,
                                               ProbeTimeout timeout, ProbeCallback done) {
  auto attempt = std::make_shared<ExecAttempt>(io, std::move(done));
  attempt->begin(request, timeout);
  return attempt;
}

}  // namespace daemonlet::prober
