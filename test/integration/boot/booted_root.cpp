#include "test/integration/boot/booted_root.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace daemonlet::boot {
namespace {

using testing::runCommand;
using Clock = std::chrono::steady_clock;

// Between two looks at a condition the container reaches on its own.
constexpr auto kPollPause = std::chrono::milliseconds(100);

std::string readWhole(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<pid_t> childrenOf(pid_t pid) {
  std::vector<pid_t> out;
  std::istringstream in(
      readWhole("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children"));
  for (pid_t child = 0; in >> child;) out.push_back(child);
  return out;
}

bool isSystemd(pid_t pid) { return readWhole("/proc/" + std::to_string(pid) + "/comm") == "systemd\n"; }

// nspawn forks the container's init directly or through one helper child.
pid_t findInit(pid_t nspawn) {
  for (pid_t child : childrenOf(nspawn)) {
    if (isSystemd(child)) return child;
    for (pid_t grandchild : childrenOf(child)) {
      if (isSystemd(grandchild)) return grandchild;
    }
  }
  return -1;
}

bool exited(pid_t pid) {
  int status = 0;
  return waitpid(pid, &status, WNOHANG) == pid;
}

}  // namespace

fs::path cachedBootRoot(std::string& problems) {
  // Building the root downloads and unpacks ~150 packages: minutes on first use.
  auto made = runCommand({"/bin/bash", DAEMONLET_BOOT_ROOT_SCRIPT}, {}, std::chrono::minutes(20));
  std::string path = made.out;
  while (!path.empty() && path.back() == '\n') path.pop_back();
  if (made.exitCode != 0 || path.empty() || !fs::is_directory(path)) {
    problems =
        "make_boot_root.sh failed (exit " + std::to_string(made.exitCode) + "):\n" + made.out + made.err;
    return {};
  }
  return path;
}

BootedRoot::BootedRoot(const fs::path& baseRoot, CgroupLayout layout) {
  char pattern[] = "/tmp/daemonlet-boot-XXXXXX";
  if (mkdtemp(pattern) == nullptr) {
    problems_ = "mkdtemp failed";
    return;
  }
  dir_ = pattern;
  const auto start = Clock::now();
  ready_ = mountOverlay(baseRoot) && startNspawn(layout) && waitForSystemd();
  bootTime_ = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

BootedRoot::~BootedRoot() {
  if (nspawn_ > 0) {
    // nspawn turns SIGTERM into a clean poweroff of the container.
    kill(nspawn_, SIGTERM);
    const auto deadline = Clock::now() + std::chrono::seconds(20);
    bool gone = exited(nspawn_);
    while (!gone && Clock::now() < deadline) {
      std::this_thread::sleep_for(kPollPause);
      gone = exited(nspawn_);
    }
    if (!gone) {
      if (leader_ > 0) kill(leader_, SIGKILL);  // takes the whole pid namespace down
      kill(nspawn_, SIGKILL);
      waitpid(nspawn_, nullptr, 0);
    }
  }
  if (mounted_) umount2(merged_.c_str(), MNT_DETACH);
  std::error_code ignored;
  if (!dir_.empty()) fs::remove_all(dir_, ignored);
}

bool BootedRoot::mountOverlay(const fs::path& baseRoot) {
  merged_ = dir_ / "root";
  for (const char* sub : {"upper", "work", "root"}) fs::create_directory(dir_ / sub);
  const std::string options = "lowerdir=" + baseRoot.string() + ",upperdir=" + (dir_ / "upper").string() +
                              ",workdir=" + (dir_ / "work").string();
  if (mount("overlay", merged_.c_str(), "overlay", 0, options.c_str()) != 0) {
    problems_ = "mount overlay (" + options + "): " + std::strerror(errno);
    return false;
  }
  mounted_ = true;
  return true;
}

bool BootedRoot::startNspawn(CgroupLayout layout) {
  // Unique per process and instance: tests of several executables boot at once.
  static int instance = 0;
  const std::string machine = "daemonlet-boot-" + std::to_string(getpid()) + "-" + std::to_string(++instance);
  const std::string log = (dir_ / "nspawn.log").string();
  const std::string directory = merged_.string();
  std::vector<std::string> argv = {"/usr/bin/systemd-nspawn", "--quiet", "--boot",
                                   // no machined on this host to register with, and no
                                   // host service manager to make a scope for us
                                   "--register=no", "--keep-unit",
                                   // the container's own loopback: the agent's API port
                                   // there never collides with anything on the host
                                   "--private-network", "--console=pipe", "--machine=" + machine,
                                   "--directory=" + directory};
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);

  const pid_t parent = getpid();
  nspawn_ = fork();
  if (nspawn_ < 0) {
    problems_ = std::string("fork: ") + std::strerror(errno);
    return false;
  }
  if (nspawn_ == 0) {
    // A test that dies must not leave a booted system behind.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(127);
    if (layout == CgroupLayout::kHosts) unsetenv("SYSTEMD_NSPAWN_UNIFIED_HIERARCHY");
    if (layout != CgroupLayout::kHosts) {
      setenv("SYSTEMD_NSPAWN_UNIFIED_HIERARCHY", layout == CgroupLayout::kUnified ? "1" : "0", 1);
    }
    int in = open("/dev/null", O_RDONLY);
    int out = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0) _exit(127);
    dup2(in, 0);
    dup2(out, 1);
    dup2(out, 2);
    execv(args[0], args.data());
    _exit(127);
  }
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (Clock::now() < deadline) {
    if (exited(nspawn_)) {
      nspawn_ = -1;
      problems_ = "systemd-nspawn exited before systemd started:\n" + nspawnOutput();
      return false;
    }
    leader_ = findInit(nspawn_);
    if (leader_ > 0) return true;
    std::this_thread::sleep_for(kPollPause);
  }
  problems_ = "no systemd process under systemd-nspawn after 30s:\n" + nspawnOutput();
  return false;
}

bool BootedRoot::waitForSystemd() {
  // "running" (all units up) or "degraded" (some failed, still a booted system;
  // diagnostics() names them). Before D-Bus is up the command fails: look again.
  const auto deadline = Clock::now() + std::chrono::seconds(90);
  CommandResult state;
  while (Clock::now() < deadline) {
    state = run("systemctl is-system-running", std::chrono::seconds(10));
    if (state.out == "running\n" || state.out == "degraded\n") return true;
    if (exited(nspawn_)) {
      nspawn_ = -1;
      break;
    }
    std::this_thread::sleep_for(kPollPause);
  }
  problems_ =
      "systemd did not finish booting (last state: " + state.out + state.err + "):\n" + nspawnOutput();
  return false;
}

CommandResult BootedRoot::run(const std::string& shellCommand, std::chrono::milliseconds timeout) const {
  if (leader_ <= 0) {
    CommandResult none;
    none.err = "no booted container";
    return none;
  }
  return runCommand({"/usr/bin/nsenter", "--target", std::to_string(leader_), "--all", "--root", "--wd", "--",
                     "/usr/bin/env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8", "/bin/sh",
                     "-c", shellCommand},
                    {}, timeout);
}

CommandResult BootedRoot::waitUntil(const std::string& shellCommand,
                                    std::chrono::milliseconds timeout) const {
  const auto deadline = Clock::now() + timeout;
  CommandResult result = run(shellCommand, timeout);
  while (result.exitCode != 0 && Clock::now() < deadline) {
    std::this_thread::sleep_for(kPollPause);
    // The last attempt still gets time to answer, even just before the deadline.
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    result = run(shellCommand, std::max<std::chrono::milliseconds>(left, std::chrono::seconds(5)));
  }
  return result;
}

bool BootedRoot::copyIn(const fs::path& hostFile, const std::string& guestPath) const {
  const fs::path target = merged_ / fs::path(guestPath).relative_path();
  std::error_code error;
  fs::create_directories(target.parent_path(), error);
  return fs::copy_file(hostFile, target, fs::copy_options::overwrite_existing, error);
}

bool BootedRoot::writeFile(const std::string& guestPath, const std::string& content) const {
  const fs::path target = merged_ / fs::path(guestPath).relative_path();
  std::error_code error;
  fs::create_directories(target.parent_path(), error);
  std::ofstream out(target, std::ios::trunc);
  out << content;
  return static_cast<bool>(out.flush());
}

std::string BootedRoot::diagnostics() const {
  auto units =
      run("systemctl --failed --no-pager; systemctl status --no-pager -l daemonlet 2>&1 | head -n 30");
  auto journal = run("journalctl --no-pager -n 60 -o short-monotonic");
  return "--- inside the booted root ---\n" + units.out + units.err + "--- journal tail ---\n" + journal.out +
         journal.err;
}

std::string BootedRoot::nspawnOutput() const { return readWhole(dir_ / "nspawn.log"); }

}  // namespace daemonlet::boot
