#pragma once
// End-to-end fixture: runs the real `daemonlet run` in a fresh temp directory,
// writes DaemonSet manifests (JSON) for the test helper daemon, talks to the
// local API over HTTP and looks at the real processes in /proc.
//
// Cleanup: the agent and every process it starts carry a per-test marker in
// their environment (the agent's own environment for the agent and its shims,
// a container env var for the daemons), so TearDown finds and kills all of them
// by scanning /proc, even after the agent was killed or restarted.
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "test/support/free_loopback_port.h"

namespace daemonlet::e2e {

using Json = nlohmann::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

inline const std::string kDaemonlet = DAEMONLET_BINARY_PATH;
inline const std::string kHelper = DAEMONLET_TEST_HELPER_PATH;
inline constexpr const char* kMarkerVariable = "DAEMONLET_E2E_MARKER";

inline std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

inline void writeFile(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

using daemonlet::testing::freeLoopbackPort;

// Alive and not a zombie (daemons are reparented; a zombie is as good as gone).
inline bool processAlive(int pid) {
  if (pid <= 0) return false;
  std::string stat = readFile("/proc/" + std::to_string(pid) + "/stat");
  auto close = stat.rfind(')');
  if (stat.empty() || close == std::string::npos || close + 2 >= stat.size()) return false;
  char state = stat[close + 2];
  return state != 'Z' && state != 'X';
}

// Every process (other than this one) whose environment or command line
// contains `needle`.
inline std::vector<int> processesWith(const std::string& needle) {
  std::vector<int> found;
  DIR* proc = opendir("/proc");
  if (!proc) return found;
  while (dirent* entry = readdir(proc)) {
    char* end = nullptr;
    long pid = std::strtol(entry->d_name, &end, 10);
    if (*end != '\0' || pid <= 0 || pid == getpid()) continue;
    std::string base = std::string("/proc/") + entry->d_name;
    std::string environ = readFile(base + "/environ");
    std::string cmdline = readFile(base + "/cmdline");
    if (environ.find(needle) != std::string::npos || cmdline.find(needle) != std::string::npos) {
      if (processAlive(static_cast<int>(pid))) found.push_back(static_cast<int>(pid));
    }
  }
  closedir(proc);
  return found;
}

// Polls `condition` every 25 ms until it holds or `timeout` passes (the hang guard).
inline bool waitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 10s) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(25ms);
  }
}

inline double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// "host://1234" -> 1234; 0 when the container has no process.
inline int pidOf(const Json& containerStatus) {
  std::string id = containerStatus.value("containerID", "");
  const std::string prefix = "host://";
  if (id.rfind(prefix, 0) != 0) return 0;
  return std::atoi(id.c_str() + prefix.size());
}

// Parts of a DaemonSet manifest (JSON) that tests tweak.
inline Json& podSpec(Json& ds) { return ds["spec"]["template"]["spec"]; }
inline Json& mainContainer(Json& ds) { return podSpec(ds)["containers"][0]; }

// An exec probe that passes while `file` exists; each attempt appends a line to
// probeAttemptsFile(file), so a test waits for attempts, not probe periods.
inline fs::path probeAttemptsFile(const fs::path& file) { return file.string() + ".attempts"; }
inline Json countedFileProbe(const fs::path& file) {
  std::string script = "echo >> '" + probeAttemptsFile(file).string() + "'; test -f '" + file.string() + "'";
  return {{"exec", {{"command", Json::array({"/bin/sh", "-c", script})}}},
          {"periodSeconds", 1},
          {"failureThreshold", 1},
          {"successThreshold", 1},
          {"timeoutSeconds", 1}};
}
inline long probeAttempts(const fs::path& file) {
  std::string lines = readFile(probeAttemptsFile(file));
  return static_cast<long>(std::count(lines.begin(), lines.end(), '\n'));
}

// The agent process: our child, its output appended to a file.
class AgentProcess {
 public:
  ~AgentProcess() { killAndReap(); }

  // The executable to run: the build's agent unless a test points elsewhere
  // (the packaging test runs the agent extracted from the .deb).
  std::string binary = kDaemonlet;
  // RLIMIT_NOFILE {soft, hard} to start the agent with (fd exhaustion tests).
  std::optional<std::pair<rlim_t, rlim_t>> fileLimit;

  void start(const std::vector<std::string>& args, const fs::path& logFile, const std::string& marker) {
    std::vector<std::string> argv = {binary};
    argv.insert(argv.end(), args.begin(), args.end());
    pid_ = fork();
    if (pid_ == 0) {
      setenv(kMarkerVariable, marker.c_str(), 1);
      if (fileLimit) {
        rlimit limit{fileLimit->first, fileLimit->second};
        if (setrlimit(RLIMIT_NOFILE, &limit) != 0) _exit(126);
      }
      int fd = open(logFile.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
      }
      std::vector<char*> raw;
      for (auto& a : argv) raw.push_back(a.data());
      raw.push_back(nullptr);
      execv(raw[0], raw.data());
      _exit(127);
    }
    exited_ = false;
  }

  int pid() const { return pid_; }
  bool running() {
    poll();
    return pid_ > 0 && !exited_;
  }
  void signal(int sig) {
    if (running()) ::kill(pid_, sig);
  }
  // The raw wait status once the agent has exited within `timeout`.
  std::optional<int> waitExit(std::chrono::milliseconds timeout) {
    if (!waitUntil([&] { return !running(); }, timeout)) return std::nullopt;
    return status_;
  }
  void killAndReap() {
    if (running()) {
      ::kill(pid_, SIGKILL);
      (void)waitExit(5s);
    }
  }

 private:
  void poll() {
    if (pid_ <= 0 || exited_) return;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      status_ = status;
    }
  }

  int pid_ = -1;
  bool exited_ = true;
  int status_ = 0;
};

class AgentE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/daemonlet-e2e-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    root_ = pattern;
    marker_ = "e2emark-" + root_.filename().string();
    for (const char* dir : {"manifests", "state", "logs", "run", "files"}) fs::create_directories(root_ / dir);
    writeConfig("");
  }

  void TearDown() override {
    if (HasFailure()) dumpDiagnostics();
    agent_.killAndReap();
    // Shims and daemons: kill until none is left (a shim may still be
    // reporting an exit when its daemon dies first).
    (void)waitUntil(
        [&] {
          auto left = processesWith(marker_);
          for (int pid : left) ::kill(pid, SIGKILL);
          return left.empty();
        },
        10s);
    EXPECT_TRUE(processesWith(marker_).empty()) << "processes of this test survived its cleanup";
    if (!std::getenv("DAEMONLET_E2E_KEEP")) {
      std::error_code ec;
      fs::remove_all(root_, ec);
    }
  }

  void dumpDiagnostics() {
    std::cerr << "---- temp dir: " << root_ << "\n";
    std::string log = readFile(root_ / "agent.log");
    if (log.size() > 6000) log = "..." + log.substr(log.size() - 6000);
    std::cerr << "---- agent log (tail):\n" << log << "\n";
    if (agent_.running()) std::cerr << "---- /status:\n" << getJson("/status").dump(1).substr(0, 6000) << "\n";
  }

  // --- configuration -------------------------------------------------------

  // The agent's config file: apiVersion/kind plus `body` (YAML).
  void writeConfig(const std::string& body) {
    writeFile(configPath(), "apiVersion: daemonlet.io/v1alpha1\nkind: AgentConfiguration\n" + body);
  }
  fs::path configPath() const { return root_ / "config.yaml"; }

  std::vector<std::string> agentArgs() const {
    return {"run",
            "--config", configPath().string(),
            "--node-name", "n1",
            "--manifest-dir", (root_ / "manifests").string(),
            "--state-dir", (root_ / "state").string(),
            "--log-dir", (root_ / "logs").string(),
            "--run-dir", (root_ / "run").string(),
            "--listen", "127.0.0.1:0",
            "--cgroup-root="};
  }

  // Starts the agent and waits until its API answers and the first pass ran.
  void startAgent() {
    std::error_code ec;
    fs::remove(root_ / "run" / "listen-address", ec);
    agent_.start(agentArgs(), root_ / "agent.log", marker_);
    ASSERT_TRUE(waitUntil([&] { return fs::exists(root_ / "run" / "listen-address") || !agent_.running(); }))
        << "the agent never wrote run/listen-address";
    ASSERT_TRUE(agent_.running()) << "the agent exited at start";
    std::string address = readFile(root_ / "run" / "listen-address");
    auto colon = address.rfind(':');
    ASSERT_NE(colon, std::string::npos) << address;
    port_ = std::atoi(address.c_str() + colon + 1);
    ASSERT_GT(port_, 0) << address;
    ASSERT_TRUE(waitUntil([&] {
      auto res = client().Get("/readyz");
      return res && res->status == 200;
    })) << "the agent never became ready";
  }

  void restartAgentAfterKill() {
    agent_.signal(SIGKILL);
    ASSERT_TRUE(agent_.waitExit(5s).has_value());
    startAgent();
  }

  // --- local API -----------------------------------------------------------

  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_connection_timeout(2);
    c.set_read_timeout(5);
    return c;
  }

  Json getJson(const std::string& path) const {
    auto res = client().Get(path.c_str());
    if (!res || res->status != 200) return Json();
    try {
      return Json::parse(res->body);
    } catch (const std::exception&) {
      return Json();
    }
  }

  std::string getText(const std::string& path) const {
    auto res = client().Get(path.c_str());
    return res && res->status == 200 ? res->body : std::string();
  }

  std::string apiToken() const {
    std::string token = readFile(root_ / "run" / "api-token");
    while (!token.empty() && (token.back() == '\n' || token.back() == ' ')) token.pop_back();
    return token;
  }

  // DELETE of a pod; returns the HTTP status (0 when there was no answer).
  int deletePod(const std::string& name, bool withToken) const {
    httplib::Headers headers;
    if (withToken) headers.emplace("Authorization", "Bearer " + apiToken());
    auto res = client().Delete(("/api/v1/namespaces/default/pods/" + name).c_str(), headers);
    return res ? res->status : 0;
  }

  // The pods (core/v1 Pod objects) of one DaemonSet.
  std::vector<Json> podsOf(const std::string& daemonSet) const {
    std::vector<Json> out;
    Json list = getJson("/api/v1/pods");
    if (!list.contains("items")) return out;
    for (const auto& pod : list["items"]) {
      const Json& owners = pod["metadata"]["ownerReferences"];
      if (!owners.empty() && owners[0].value("name", "") == daemonSet) out.push_back(pod);
    }
    return out;
  }

  // The one pod of `daemonSet`, when there is exactly one.
  std::optional<Json> onlyPod(const std::string& daemonSet) const {
    auto pods = podsOf(daemonSet);
    if (pods.size() != 1) return std::nullopt;
    return pods[0];
  }

  static const Json& mainStatus(const Json& pod) { return pod["status"]["containerStatuses"][0]; }
  static bool isRunning(const Json& pod) {
    return pod["status"]["containerStatuses"].size() == 1 && mainStatus(pod)["state"].contains("running") &&
           pidOf(mainStatus(pod)) > 0;
  }
  static bool podReady(const Json& pod) {
    for (const auto& condition : pod["status"]["conditions"]) {
      if (condition["type"] == "Ready") return condition["status"] == "True";
    }
    return false;
  }
  static std::string revisionOf(const Json& pod) {
    return pod["metadata"]["labels"].value("controller-revision-hash", "");
  }

  // Waits until the DaemonSet has exactly one pod with a running process that
  // is alive; returns that pod (null Json on timeout).
  Json waitRunning(const std::string& daemonSet, std::chrono::milliseconds timeout = 10s) const {
    Json found;
    waitUntil(
        [&] {
          auto pod = onlyPod(daemonSet);
          if (!pod || !isRunning(*pod) || !processAlive(pidOf(mainStatus(*pod)))) return false;
          found = *pod;
          return true;
        },
        timeout);
    return found;
  }

  // Waits until the DaemonSet's one pod has its main container waiting with
  // one of `reasons`; returns that container's state.waiting (null Json on timeout).
  Json waitWaiting(const std::string& daemonSet, const std::set<std::string>& reasons,
                   std::chrono::milliseconds timeout = 10s) const {
    Json found;
    waitUntil(
        [&] {
          auto pod = onlyPod(daemonSet);
          if (!pod || pod->at("status")["containerStatuses"].empty()) return false;
          const Json& state = mainStatus(*pod)["state"];
          if (!state.contains("waiting") || !reasons.count(state["waiting"].value("reason", ""))) return false;
          found = state["waiting"];
          return true;
        },
        timeout);
    return found;
  }

  // Waits until the DaemonSet's pod runs a process other than `oldPid`.
  Json waitRestarted(const std::string& daemonSet, int oldPid, std::chrono::milliseconds timeout = 10s) const {
    Json found;
    waitUntil(
        [&] {
          auto pod = onlyPod(daemonSet);
          if (!pod || !isRunning(*pod)) return false;
          int pid = pidOf(mainStatus(*pod));
          if (pid == oldPid || !processAlive(pid)) return false;
          found = *pod;
          return true;
        },
        timeout);
    return found;
  }

  // --- reconcile passes ----------------------------------------------------

  // Passes the agent has completed: the count of /metrics'
  // daemonlet_reconcile_duration_seconds histogram; -1 without an answer.
  long reconcilePasses() const {
    const std::string name = "daemonlet_reconcile_duration_seconds_count ";
    std::string metrics = getText("/metrics");
    auto at = metrics.find("\n" + name);
    return at == std::string::npos ? -1 : std::atol(metrics.c_str() + at + 1 + name.size());
  }

  // For "nothing happened" checks: returns once `count` more passes have
  // completed, so at least count - 1 of them planned with everything the test
  // did before this call; what the agent decided then is in /status (a pod it
  // would start or stop is listed, or terminating). While no pass comes, each
  // wait nudges the agent with SIGHUP: a configuration reload plans again (a
  // full pass, as the resync timer's), and changes nothing when the file is
  // unchanged. Not for a test whose config file the agent would refuse.
  bool waitPasses(int count = 2, std::chrono::milliseconds timeout = 10s) {
    long start = reconcilePasses();
    if (start < 0) return false;
    long nudgedAt = -1;
    return waitUntil(
        [&] {
          long now = reconcilePasses();
          if (now >= start + count) return true;
          if (now >= 0 && now != nudgedAt) {
            nudgedAt = now;
            agent_.signal(SIGHUP);
          }
          return false;
        },
        timeout);
  }

  // Waits until `total` attempts of countedFileProbe(file) have begun since the
  // container started, so total - 1 of them have finished.
  static bool waitProbeAttempts(const fs::path& file, long total, std::chrono::milliseconds timeout = 10s) {
    return waitUntil([&] { return probeAttempts(file) >= total; }, timeout);
  }

  // /status's count of failed endpoint requests in a row (0 without an endpoint).
  int endpointFailures() const {
    Json endpoint = getJson("/status")["endpoint"];
    return endpoint.is_object() ? endpoint.value("consecutiveFailures", 0) : 0;
  }

  // --- manifests -----------------------------------------------------------

  // A DaemonSet running the helper with `args` as a host process. Its container
  // carries the test marker (cleanup), E2E_DAEMONSET (counting processes per
  // DaemonSet) and NODE_NAME from the downward API.
  Json daemonSet(const std::string& name, const std::vector<std::string>& args) const {
    Json container = {{"name", "main"},
                      {"image", "host"},
                      {"command", Json::array({kHelper})},
                      {"args", args},
                      {"env", Json::array({{{"name", kMarkerVariable}, {"value", marker_}},
                                           {{"name", "E2E_DAEMONSET"}, {"value", marker_ + "/" + name}},
                                           {{"name", "NODE_NAME"},
                                            {"valueFrom", {{"fieldRef", {{"fieldPath", "spec.nodeName"}}}}}}})}};
    return {{"apiVersion", "apps/v1"},
            {"kind", "DaemonSet"},
            {"metadata", {{"name", name}, {"namespace", "default"}}},
            {"spec",
             {{"selector", {{"matchLabels", {{"app", name}}}}},
              {"template",
               {{"metadata", {{"labels", {{"app", name}}}}},
                {"spec",
                 {{"runtimeClassName", "host"},
                  {"terminationGracePeriodSeconds", 2},
                  {"containers", Json::array({container})}}}}}}}};
  }

  // Writes the manifest atomically (dot-file temp + rename), as careful tools do.
  void writeManifest(const std::string& fileName, const std::string& content) const {
    fs::path temp = root_ / "manifests" / ("." + fileName + ".tmp");
    writeFile(temp, content);
    fs::rename(temp, root_ / "manifests" / fileName);
  }
  void writeManifest(const std::string& fileName, const Json& ds) const { writeManifest(fileName, ds.dump(2)); }
  void removeManifest(const std::string& fileName) const { fs::remove(root_ / "manifests" / fileName); }

  // Live helper processes started for `daemonSet` (by its env marker).
  std::vector<int> daemonProcesses(const std::string& daemonSet) const {
    std::vector<int> out;
    std::string needle = "E2E_DAEMONSET=" + marker_ + "/" + daemonSet;
    needle.push_back('\0');  // whole value: "ds" must not match "ds2"
    for (int pid : processesWith(needle)) {
      std::error_code ec;
      if (fs::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec) == fs::path(kHelper)) out.push_back(pid);
    }
    return out;
  }

  fs::path filePath(const std::string& name) const { return root_ / "files" / name; }

  fs::path root_;
  std::string marker_;
  AgentProcess agent_;
  int port_ = 0;
};

}  // namespace daemonlet::e2e
