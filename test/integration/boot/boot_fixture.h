#pragma once
// GoogleTest fixture for tests of the installed package under a real systemd:
// each test boots its own fresh Debian 12 (BootedRoot) and gets helpers to
// install this tree's packages and read the agent's state as an operator would,
// with systemctl, dpkg/rpm and the `daemonlet` CLI inside the booted system.
//
// The packages come from build_boot_packages.sh (a CTest fixture runs it before
// these tests): this tree's version and a higher one, for upgrades. The agent
// listens on its own test port (kApiPort, set by a config drop-in before the
// install) inside the container's private network.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "test/integration/boot/booted_root.h"

namespace daemonlet::boot {

inline constexpr int kApiPort = 19290;

// How GoogleTest (and so ctest's test names) shows a layout parameter.
inline void PrintTo(CgroupLayout layout, std::ostream* out) {
  *out << (layout == CgroupLayout::kHosts    ? "host's layout"
           : layout == CgroupLayout::kLegacy ? "cgroup v1"
                                             : "cgroup v2");
}

class BootFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  // The layout this test boots with; the host's own unless a test suite says.
  virtual CgroupLayout layout() const { return CgroupLayout::kHosts; }

  BootedRoot& root() { return *root_; }
  // Runs in the booted system; a failure message names the command and its output.
  CommandResult run(const std::string& command) { return root_->run(command); }

  enum class Version { kCurrent, kNewer };
  static std::string versionText(Version version);
  // Copies this tree's package into the container and installs it with dpkg -i /
  // rpm -i --nodeps (-U for an upgrade). Returns the tool's result.
  CommandResult installDeb(Version version);
  CommandResult installRpm(Version version, bool upgrade = false);

  // The example host daemon from the package (examples/host/heartbeat.yaml),
  // copied into the manifest directory; returns its pid once it runs.
  std::optional<int> startExampleDaemon();
  // The pid of the running pod whose name starts with `podPrefix`, waited for.
  std::optional<int> runningPodPid(const std::string& podPrefix);
  // The agent's MainPID as systemd knows it (0 when not running).
  int agentMainPid();
  // Waits until systemd reports the unit active with a MainPID other than
  // `previous` (a restarted agent that sent READY=1 again); returns it or 0.
  int waitForNewMainPid(int previous);

  // Installs the .deb, starts the example daemon, SIGKILLs every process systemd
  // counts in the agent's unit; succeeds when the agent came back (Restart=always)
  // and adopted the same daemon process.
  // `systemctl kill -s SIGKILL daemonlet.service`, the agent's main process signalled.
  ::testing::AssertionResult killUnitWithSigkill();
  ::testing::AssertionResult sigkillOfTheUnitSparesTheDaemon();

  // `systemctl is-enabled` / `is-active` output, trimmed.
  std::string unitEnabled();
  std::string unitActive();

  std::string describe(const CommandResult& result) const;

 private:
  // The package's path inside the container after copying it there; empty if missing.
  std::string copyPackageIn(Version version, const std::string& extension);

  std::unique_ptr<BootedRoot> root_;
};

}  // namespace daemonlet::boot
