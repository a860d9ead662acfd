// Under a real systemd: host daemons in their own scopes of daemonlet.slice,
// outside the agent's unit, stopped with their pod; `systemctl reload` waits for
// the agent's verdict.
#include "test/integration/boot/boot_fixture.h"

namespace daemonlet::boot {
namespace {

class BootScopesTest : public BootFixture {
 protected:
  // The unit owning `pid`, as systemd reports it.
  std::string unitOf(int pid) {
    auto unit = run("ps -o unit= -p " + std::to_string(pid));
    std::string text = unit.out;
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
  }
};

TEST_F(BootScopesTest, HostDaemonRunsInItsOwnScopeOutsideTheAgentsUnit) {
  ASSERT_EQ(installDeb(Version::kCurrent).exitCode, 0);
  auto daemon = startExampleDaemon();
  ASSERT_TRUE(daemon);
  // The name=systemd hierarchy (cgroup v1/hybrid) and the unified one alike.
  auto cgroup = run("grep -E '^([0-9]+:name=systemd|0::)' /proc/" + std::to_string(*daemon) + "/cgroup");
  EXPECT_NE(cgroup.out.find("/daemonlet.slice/daemonlet-pod-"), std::string::npos) << cgroup.out;
  const std::string scope = unitOf(*daemon);
  EXPECT_EQ(scope.rfind("daemonlet-pod-", 0), 0u) << scope;
  // systemctl status reads the slice's cgroups, and under nspawn that read can
  // fail for a moment (EIO: the tree is left out): ask until it shows them.
  auto slice = root().waitUntil("s=$(systemctl status --no-pager daemonlet.slice); echo \"$s\"; "
                                "echo \"$s\" | grep -qw " + std::to_string(*daemon) +
                                    " && echo \"$s\" | grep -q daemonlet-shim.scope",
                                std::chrono::seconds(20));
  EXPECT_EQ(slice.exitCode, 0) << "systemctl status daemonlet.slice does not show the daemon and the shim host:\n"
                               << slice.out;
  // Neither the daemons nor the shim host share the agent's own cgroup.
  const int agent = agentMainPid();
  auto members = run("systemctl show -p ControlGroup --value daemonlet.service | "
                     "xargs -I{} cat /sys/fs/cgroup/systemd{}/cgroup.procs");
  EXPECT_EQ(members.out, std::to_string(agent) + "\n") << "the agent's unit holds other processes";

  // Killing and restarting the agent's unit leave the daemon where it was.
  ASSERT_TRUE(killUnitWithSigkill());
  const int afterKill = waitForNewMainPid(agent);
  ASSERT_NE(afterKill, 0);
  ASSERT_EQ(run("systemctl restart daemonlet.service").exitCode, 0);
  ASSERT_NE(waitForNewMainPid(afterKill), 0);
  EXPECT_EQ(runningPodPid("heartbeat-"), daemon) << "the daemon was replaced";
  EXPECT_EQ(unitOf(*daemon), scope) << "the daemon left its scope";
  auto journal = run("journalctl -u daemonlet.service --no-pager -o cat");
  EXPECT_EQ(journal.out.find("remains running after unit stopped"), std::string::npos) << journal.out;

  // Its pod gone, its scope is stopped.
  ASSERT_EQ(run("rm /etc/daemonlet/manifests/heartbeat.yaml").exitCode, 0);
  EXPECT_EQ(root().waitUntil("! systemctl is-active --quiet " + scope).exitCode, 0)
      << run("systemctl status --no-pager " + scope).out;
  EXPECT_NE(run("test -d /proc/" + std::to_string(*daemon)).exitCode, 0) << "the daemon outlived its pod";
}

TEST_F(BootScopesTest, ReloadFailsOnABadConfigFileAndKeepsTheAgentRunning) {
  ASSERT_EQ(installDeb(Version::kCurrent).exitCode, 0);
  ASSERT_EQ(root().waitUntil("systemctl is-active daemonlet.service").exitCode, 0);
  const int agent = agentMainPid();
  ASSERT_EQ(run("systemctl reload daemonlet.service").exitCode, 0) << "a good configuration was refused";
  ASSERT_TRUE(
      root().writeFile("/etc/daemonlet/config.d/60-broken.yaml",
                       "apiVersion: daemonlet.io/v1alpha1\nkind: AgentConfiguration\nnoSuchField: 1\n"));

  auto reloaded = run("systemctl reload daemonlet.service");
  EXPECT_NE(reloaded.exitCode, 0) << "reload reported success for a refused configuration";
  auto journal = run("journalctl -u daemonlet.service --no-pager -o cat");
  EXPECT_NE(journal.out.find("noSuchField"), std::string::npos) << journal.out;
  EXPECT_EQ(unitActive(), "active");
  EXPECT_EQ(agentMainPid(), agent);
}

}  // namespace
}  // namespace daemonlet::boot
