#pragma once
// The agent fixture plus the real kubectl pointed at it: `kubectl(...)` runs one
// command to its end (output and exit code), `KubectlStream` keeps one running
// (logs -f, get -w) and reads its output as it comes. kubectl runs with HOME and
// KUBECONFIG inside the test's temp directory, so no user configuration or
// discovery cache takes part.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "test/integration/agent/agent_fixture.h"

namespace daemonlet::e2e {

inline const char* kKubectl = "/usr/bin/kubectl";

// An empty but valid kubeconfig: older kubectl (Debian's 1.20) warns on stderr,
// which the tests read, when KUBECONFIG names a missing file.
inline void writeEmptyKubeconfig(const fs::path& path) {
  if (fs::exists(path)) return;
  std::ofstream(path) << "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n";
}

struct KubectlResult {
  int exitCode = -1;
  std::string output;  // stdout and stderr, interleaved
};

// A kubectl process whose output is read through a pipe.
class KubectlStream {
 public:
  // `asNobody`: kubectl runs as uid/gid 65534 (the caller must be root).
  KubectlStream(const std::vector<std::string>& args, const fs::path& home, bool asNobody = false) {
    writeEmptyKubeconfig(home / "kubeconfig");
    int pipeFds[2];
    if (::pipe2(pipeFds, O_CLOEXEC) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(pipeFds[1], 1);
      ::dup2(pipeFds[1], 2);
      if (asNobody && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(126);
      ::setenv("HOME", home.c_str(), 1);
      ::setenv("KUBECONFIG", (home / "kubeconfig").c_str(), 1);
      std::vector<std::string> argv = {kKubectl};
      argv.insert(argv.end(), args.begin(), args.end());
      std::vector<char*> raw;
      for (auto& a : argv) raw.push_back(a.data());
      raw.push_back(nullptr);
      ::execv(raw[0], raw.data());
      ::_exit(127);
    }
    ::close(pipeFds[1]);
    fd_ = pipeFds[0];
  }
  ~KubectlStream() {
    stop();
    if (fd_ >= 0) ::close(fd_);
  }

  // Reads until `text` has appeared in the output or `timeout` passes.
  bool waitFor(const std::string& text, std::chrono::milliseconds timeout = 15s) {
    auto deadline = Clock::now() + timeout;
    while (output_.find(text) == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0 || !readSome(static_cast<int>(left))) return output_.find(text) != std::string::npos;
    }
    return true;
  }
  // Reads until kubectl ends (true) or `timeout` passes.
  bool waitExit(std::chrono::milliseconds timeout = 15s) {
    auto deadline = Clock::now() + timeout;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return false;
      if (!readSome(static_cast<int>(left))) break;
    }
    int status = 0;
    if (::waitpid(pid_, &status, 0) == pid_) {
      exitCode_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      pid_ = -1;
    }
    return true;
  }
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  const std::string& output() const { return output_; }
  int exitCode() const { return exitCode_; }

 private:
  // False at end of output or when nothing came in `timeoutMs`.
  bool readSome(int timeoutMs) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeoutMs) <= 0) return false;
    char buffer[4096];
    ssize_t n = ::read(fd_, buffer, sizeof buffer);
    if (n <= 0) return false;
    output_.append(buffer, static_cast<std::size_t>(n));
    return true;
  }

  pid_t pid_ = -1;
  int fd_ = -1;
  int exitCode_ = -1;
  std::string output_;
};

class KubectlTest : public AgentE2eTest {
 protected:
  void SetUp() override {
    if (::access(kKubectl, X_OK) != 0) {
      GTEST_SKIP() << kKubectl << " is missing: packaging/install-test-deps.sh installs it (kubernetes-client)";
    }
    AgentE2eTest::SetUp();
    // Restarts come 100 ms after a crash, so a crash loop shows within a test.
    writeConfig("restartBackoff:\n  initial: 100ms\n  max: 200ms\n");
  }
  void TearDown() override {
    if (root_.empty()) return;  // skipped before the agent fixture was set up: nothing of ours runs
    AgentE2eTest::TearDown();
  }

  std::vector<std::string> withServer(std::vector<std::string> args) const {
    args.push_back("--server=http://127.0.0.1:" + std::to_string(port_));
    return args;
  }
  KubectlResult kubectl(const std::vector<std::string>& args, std::chrono::milliseconds timeout = 30s,
                        bool asNobody = false) {
    KubectlStream run(withServer(args), root_, asNobody);
    KubectlResult result;
    bool ended = run.waitExit(timeout);
    result.output = run.output();
    result.exitCode = ended ? run.exitCode() : -1;
    return result;
  }
  std::unique_ptr<KubectlStream> kubectlStream(const std::vector<std::string>& args) {
    return std::make_unique<KubectlStream>(withServer(args), root_);
  }

  // The name of the one pod of `daemonSet` once it runs.
  std::string runningPodName(const std::string& daemonSet) {
    Json pod = waitRunning(daemonSet);
    return pod.is_null() ? "" : pod["metadata"]["name"].get<std::string>();
  }

  // A DaemonSet whose container runs `script` with /bin/sh (lines to its log).
  Json shellDaemonSet(const std::string& name, const std::string& script) const {
    Json ds = daemonSet(name, {});
    mainContainer(ds)["command"] = Json::array({"/bin/sh", "-c", script});
    return ds;
  }
};

}  // namespace daemonlet::e2e
