#pragma once
// A Debian 12 system booted under a real systemd, for tests that need systemd as
// PID 1 (the unit, its notify and watchdog handling, maintainer scripts, scopes)
// on a host whose own PID 1 is not systemd.
//
// The root comes from make_boot_root.sh (debootstrap, cached outside the
// checkout). Each BootedRoot mounts a private overlay over it, so every test starts
// from the same clean system and the cached root is never written. It boots it with
// `systemd-nspawn --boot --register=no --private-network`: the container has its
// own network namespace (its ports never meet the host's) and is not registered
// with any host service manager. Commands run inside through nsenter into the
// container's PID 1's namespaces.
//
// Ownership: the destructor shuts the container down (SIGTERM to nspawn, which
// asks systemd to power off; SIGKILL if it does not end) and removes the overlay.
// nspawn also gets SIGKILL when the test process dies, so a crashed test leaves no
// running container behind. Not thread-safe: one test thread drives it.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "test/integration/support/run_command.h"

namespace daemonlet::boot {

namespace fs = std::filesystem;
using testing::CommandResult;

// The cgroup layout the container's systemd gets, as systemd-nspawn's
// SYSTEMD_NSPAWN_UNIFIED_HIERARCHY picks it: the host's own (hybrid on a hybrid
// host), cgroup v1 only, or cgroup v2 only. The agent places daemons differently
// in each, so adoption is tested in all of them.
enum class CgroupLayout { kHosts, kLegacy, kUnified };

class BootedRoot {
 public:
  // Boots a fresh copy of `baseRoot`; check ready() (and problems()) before use.
  explicit BootedRoot(const fs::path& baseRoot, CgroupLayout layout = CgroupLayout::kHosts);
  ~BootedRoot();
  BootedRoot(const BootedRoot&) = delete;
  BootedRoot& operator=(const BootedRoot&) = delete;

  // True once systemd inside reported "running" or "degraded".
  bool ready() const { return ready_; }
  // Why the boot failed, with nspawn's output; empty when ready.
  const std::string& problems() const { return problems_; }
  // How long the boot took, nspawn start to "running".
  std::chrono::milliseconds bootTime() const { return bootTime_; }

  // Runs `shellCommand` with /bin/sh -c inside the container, as root, in a clean
  // environment. Output and exit code as runCommand gives them.
  CommandResult run(const std::string& shellCommand,
                    std::chrono::milliseconds timeout = std::chrono::seconds(60)) const;
  // Runs `shellCommand` until it exits 0 or `timeout` passes; returns the last
  // result. For conditions the system reaches on its own (a unit becoming active).
  CommandResult waitUntil(const std::string& shellCommand,
                          std::chrono::milliseconds timeout = std::chrono::seconds(60)) const;
  // Copies a host file to an absolute path inside the container (parents made).
  bool copyIn(const fs::path& hostFile, const std::string& guestPath) const;
  // Writes `content` to an absolute path inside the container (parents made).
  bool writeFile(const std::string& guestPath, const std::string& content) const;

  // What went on inside: failed units, the journal's tail. For failure messages.
  std::string diagnostics() const;

 private:
  bool mountOverlay(const fs::path& baseRoot);
  bool startNspawn(CgroupLayout layout);
  bool waitForSystemd();
  std::string nspawnOutput() const;

  fs::path dir_;     // overlay upper/work dirs, the merged root, nspawn's log
  fs::path merged_;  // the container's root as the host sees it
  bool mounted_ = false;
  pid_t nspawn_ = -1;
  pid_t leader_ = -1;  // the container's PID 1, in the host's pid namespace
  bool ready_ = false;
  std::string problems_;
  std::chrono::milliseconds bootTime_{0};
};

// The cached Debian 12 root (made by make_boot_root.sh on first use; minutes).
// Empty path and `problems` filled when it cannot be made.
fs::path cachedBootRoot(std::string& problems);

}  // namespace daemonlet::boot
