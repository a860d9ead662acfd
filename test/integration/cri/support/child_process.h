#pragma once
// A daemon the CRI fixtures start (containerd, docker-registry): our child, its
// output appended to a log file, stopped by its pid. It gets SIGKILL when the
// thread that started it dies (PR_SET_PDEATHSIG), so a crashed test binary does
// not leave it running. Not thread-safe: use it from one thread.
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace daemonlet::testing {

class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts argv[0] (a full path) with stdout and stderr appended to `logFile`.
  // False with `error` set when the fork fails or one is still running.
  bool start(const std::vector<std::string>& argv, const std::filesystem::path& logFile, std::string& error);
  // Sends `signal`, waits for the exit up to `timeout`, then SIGKILLs and reaps.
  // True when it exited within `timeout` (or was not running).
  bool stop(int signal, std::chrono::milliseconds timeout);
  bool running();
  int pid() const { return pid_; }
  // The end of the log file (all starts append to it), for failure messages.
  std::string logTail(std::size_t maxBytes = 4000) const;

 private:
  void reap(bool block);

  std::filesystem::path logFile_;
  int pid_ = -1;
  bool exited_ = true;
};

}  // namespace daemonlet::testing
