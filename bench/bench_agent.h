#pragma once
// A `daemonlet run` for the endpoint benchmark: temp dirs, extra flags, started as
// a child and killed at the end together with every process it started. The agent
// and every daemon carry BENCH_MARKER=<marker> in their environment (the daemons
// through their DaemonSet's container env), so cleanup finds them in /proc even
// after the agent died.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

namespace daemonlet::bench {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

inline std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

inline bool waitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                    std::chrono::milliseconds step = 2ms) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(step);
  }
  return true;
}

inline std::int64_t monotonicNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// Live processes (not this one) whose environment contains `needle`.
inline std::vector<int> processesWithEnv(const std::string& needle) {
  std::vector<int> found;
  DIR* proc = opendir("/proc");
  if (!proc) return found;
  while (dirent* entry = readdir(proc)) {
    char* end = nullptr;
    long pid = std::strtol(entry->d_name, &end, 10);
    if (*end != '\0' || pid <= 0 || pid == getpid()) continue;
    if (slurp(std::string("/proc/") + entry->d_name + "/environ").find(needle) == std::string::npos) continue;
    std::string stat = slurp(std::string("/proc/") + entry->d_name + "/stat");
    auto close = stat.rfind(')');
    if (close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z') {
      found.push_back(static_cast<int>(pid));
    }
  }
  closedir(proc);
  return found;
}

class BenchAgent {
 public:
  BenchAgent(std::string daemonlet, fs::path dir) : daemonlet_(std::move(daemonlet)), dir_(std::move(dir)) {
    markerValue_ = dir_.filename().string();
    marker_ = "BENCH_MARKER=" + markerValue_;
    for (const char* sub : {"manifests", "state", "logs", "run"}) fs::create_directories(dir_ / sub);
  }
  ~BenchAgent() { killAll(); }

  // The value of BENCH_MARKER: DaemonSets put it in their container env.
  const std::string& markerValue() const { return markerValue_; }

  // Starts the agent with `config` (YAML body after apiVersion/kind) and `extra`
  // flags; true once its local API answers /readyz.
  bool start(const std::string& config, const std::vector<std::string>& extra) {
    std::ofstream(dir_ / "config.yaml") << "apiVersion: daemonlet.io/v1alpha1\nkind: AgentConfiguration\n" << config;
    std::vector<std::string> argv = {daemonlet_, "run", "--config", (dir_ / "config.yaml").string(),
                                     "--node-name", "n1", "--manifest-dir", (dir_ / "manifests").string(),
                                     "--state-dir", (dir_ / "state").string(), "--log-dir", (dir_ / "logs").string(),
                                     "--run-dir", (dir_ / "run").string(), "--listen", "127.0.0.1:0",
                                     "--cgroup-root="};
    argv.insert(argv.end(), extra.begin(), extra.end());
    std::vector<char*> raw;
    for (auto& a : argv) raw.push_back(a.data());
    raw.push_back(nullptr);
    const std::string log = (dir_ / "agent.log").string();
    std::string marker = marker_;
    pid_ = fork();
    if (pid_ == 0) {
      putenv(marker.data());
      int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
      }
      execv(raw[0], raw.data());
      _exit(127);
    }
    if (!waitFor([&] { return fs::exists(dir_ / "run" / "listen-address"); }, 15s, 10ms)) return false;
    std::string address = slurp(dir_ / "run" / "listen-address");
    port_ = std::atoi(address.c_str() + address.rfind(':') + 1);
    return waitFor(
        [&] {
          httplib::Client client("127.0.0.1", port_);
          auto res = client.Get("/readyz");
          return res && res->status == 200;
        },
        15s, 20ms);
  }

  void killAll() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
    waitFor(
        [&] {
          auto left = processesWithEnv(marker_);
          for (int pid : left) ::kill(pid, SIGKILL);
          return left.empty();
        },
        10s, 20ms);
  }

  std::string logTail() const {
    std::string log = slurp(dir_ / "agent.log");
    return log.size() > 2000 ? log.substr(log.size() - 2000) : log;
  }

 private:
  std::string daemonlet_;
  fs::path dir_;
  std::string markerValue_;
  std::string marker_;
  int pid_ = -1;
  int port_ = 0;
};

}  // namespace daemonlet::bench
