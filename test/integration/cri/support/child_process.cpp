#include "test/integration/cri/support/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace daemonlet::testing {
using namespace std::chrono_literals;

ChildProcess::~ChildProcess() { stop(SIGKILL, 5s); }

bool ChildProcess::start(const std::vector<std::string>& argv, const std::filesystem::path& logFile,
                         std::string& error) {
  if (running()) {
    error = "already running as pid " + std::to_string(pid_);
    return false;
  }
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    error = std::string("fork: ") + std::strerror(errno);
    return false;
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) _exit(126);  // the test died before prctl took effect
    ::setpgid(0, 0);                        // a terminal's ^C reaches the test, which stops us by pid
    const int fd = ::open(logFile.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    const int devNull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || devNull < 0) _exit(125);
    ::dup2(devNull, 0);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execv(args[0], args.data());
    _exit(127);
  }
  pid_ = pid;
  exited_ = false;
  logFile_ = logFile;
  return true;
}

void ChildProcess::reap(bool block) {
  if (pid_ <= 0 || exited_) return;
  int status = 0;
  const pid_t got = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
  if (got == pid_ || (got < 0 && errno == ECHILD)) exited_ = true;
}

bool ChildProcess::running() {
  reap(false);
  return pid_ > 0 && !exited_;
}

bool ChildProcess::stop(int signal, std::chrono::milliseconds timeout) {
  if (!running()) return true;
  ::kill(pid_, signal);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      reap(true);
      return false;
    }
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

std::string ChildProcess::logTail(std::size_t maxBytes) const {
  std::ifstream in(logFile_, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string log = buffer.str();
  return log.size() > maxBytes ? "..." + log.substr(log.size() - maxBytes) : log;
}

}  // namespace daemonlet::testing
