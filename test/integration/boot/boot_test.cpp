// The packages as an operator meets them: installed into a Debian 12 booted under
// a real systemd, then restarted, reloaded, watchdog-killed, upgraded, purged and
// read back from the journal, with the example host daemon running throughout.
#include <nlohmann/json.hpp>
#include <sstream>

#include "test/integration/boot/boot_fixture.h"

namespace daemonlet::boot {
namespace {

class BootTest : public BootFixture {};

TEST_F(BootTest, DebInstallEnablesTheUnitWhichTurnsActiveOnReady) {
  auto installed = installDeb(Version::kCurrent);
  ASSERT_EQ(installed.exitCode, 0) << describe(installed);
  EXPECT_EQ(unitEnabled(), "enabled");
  // Type=notify: systemd calls the unit active only after the agent's READY=1; the
  // status line comes over the same notify socket.
  ASSERT_EQ(root().waitUntil("systemctl is-active daemonlet.service").exitCode, 0) << unitActive();
  auto shown = run("systemctl show -p Type -p StatusText daemonlet.service");
  EXPECT_NE(shown.out.find("Type=notify"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("StatusText=0 DaemonSets"), std::string::npos) << shown.out;
  auto api = run("daemonlet status --server 127.0.0.1:" + std::to_string(kApiPort));
  EXPECT_EQ(api.exitCode, 0) << describe(api);
}

TEST_F(BootTest, ExampleHostDaemonRunsFromTheManifestDirectory) {
  ASSERT_EQ(installDeb(Version::kCurrent).exitCode, 0);
  auto pid = startExampleDaemon();
  ASSERT_TRUE(pid) << "the heartbeat example never ran";
  auto process = run("cat /proc/" + std::to_string(*pid) + "/cmdline | tr '\\0' ' '");
  EXPECT_NE(process.out.find("echo alive"), std::string::npos) << describe(process);
}

TEST_F(BootTest, WatchdogRestartsAStoppedAgentAndTheDaemonSurvives) {
  // A short watchdog keeps the test quick (the unit's 60s is the same mechanism);
  // no core file: the abort of a stopped agent is expected here.
  ASSERT_TRUE(root().writeFile("/etc/systemd/system/daemonlet.service.d/50-boot-test-watchdog.conf",
                               "[Service]\nWatchdogSec=3s\nLimitCORE=0\n"));
  ASSERT_EQ(installDeb(Version::kCurrent).exitCode, 0);
  auto daemon = startExampleDaemon();
  ASSERT_TRUE(daemon);
  const int agent = agentMainPid();

  ASSERT_EQ(run("kill -STOP " + std::to_string(agent)).exitCode, 0);
  const int newAgent = waitForNewMainPid(agent);
  ASSERT_NE(newAgent, 0) << "the stopped agent was never restarted";
  auto journal = run("journalctl -u daemonlet.service --no-pager -o cat");
  EXPECT_NE(journal.out.find("Watchdog timeout"), std::string::npos) << journal.out;
  EXPECT_EQ(run("systemctl show -p NRestarts --value daemonlet.service").out, "1\n");
  EXPECT_EQ(runningPodPid("heartbeat-"), daemon) << "the daemon did not survive the watchdog restart";
}

TEST_F(BootTest, ReloadAppliesANodeLabelChangeWithoutRestarting) {
  ASSERT_EQ(installDeb(Version::kCurrent).exitCode, 0);
  ASSERT_TRUE(root().writeFile("/etc/daemonlet/manifests/edge.yaml", R"(apiVersion: apps/v1
kind: DaemonSet
metadata: {name: edge-only, namespace: default}
spec:
  selector: {matchLabels: {app: edge-only}}
  template:
    metadata: {labels: {app: edge-only}}
    spec:
      nodeSelector: {boot-test.example.com/role: edge}
      runtimeClassName: host
      containers:
      - {name: edge-only, image: host, command: ["/bin/sh", "-c", "while true; do sleep 5; done"]}
)"));
  const std::string status = "daemonlet status --server 127.0.0.1:" + std::to_string(kApiPort);
  ASSERT_EQ(root().waitUntil(status + " | grep -q 'edge-only.*NotScheduled'").exitCode, 0) << run(status).out;
  const int agent = agentMainPid();

  ASSERT_TRUE(root().writeFile("/etc/daemonlet/config.d/60-role.yaml",
                               "apiVersion: daemonlet.io/v1alpha1\nkind: AgentConfiguration\n"
                               "node:\n  labels:\n    boot-test.example.com/role: edge\n"));
  auto reloaded = run("systemctl reload daemonlet.service");
  ASSERT_EQ(reloaded.exitCode, 0) << describe(reloaded);
  EXPECT_TRUE(runningPodPid("edge-only-")) << "the new label did not place the edge DaemonSet";
  EXPECT_EQ(agentMainPid(), agent) << "reload restarted the agent";
}

TEST_F(BootTest, DebUpgradeRestartsTheAgentKeepsTheUnitEnabledAndTheDaemon) {
  ASSERT_EQ(installDeb(Version::kCurrent).exitCode, 0);
  auto daemon = startExampleDaemon();
  ASSERT_TRUE(daemon);
  const int agent = agentMainPid();

  auto upgraded = installDeb(Version::kNewer);
  ASSERT_EQ(upgraded.exitCode, 0) << describe(upgraded);
  EXPECT_EQ(run("dpkg-query -W -f '${Version}' daemonlet").out, versionText(Version::kNewer));
  EXPECT_EQ(unitEnabled(), "enabled");
  EXPECT_NE(waitForNewMainPid(agent), 0) << "the upgraded agent is not running: " << unitActive();
  EXPECT_EQ(runningPodPid("heartbeat-"), daemon) << "the upgrade replaced the daemon";
}

TEST_F(BootTest, RemoveThenInstallLeavesTheUnitEnabledAndActive) {
  ASSERT_EQ(installDeb(Version::kCurrent).exitCode, 0);
  ASSERT_TRUE(startExampleDaemon());

  auto removed = run("dpkg --remove daemonlet");
  ASSERT_EQ(removed.exitCode, 0) << describe(removed);
  EXPECT_NE(unitActive(), "active");
  auto installed = installDeb(Version::kCurrent);
  ASSERT_EQ(installed.exitCode, 0) << describe(installed);
  EXPECT_EQ(unitEnabled(), "enabled");
  EXPECT_EQ(root().waitUntil("systemctl is-active daemonlet.service").exitCode, 0) << unitActive();
  EXPECT_TRUE(runningPodPid("heartbeat-")) << "the reinstalled agent does not supervise the daemon";
}

TEST_F(BootTest, RestartLeavesNoLeftoverProcessesInTheUnit) {
  ASSERT_EQ(installDeb(Version::kCurrent).exitCode, 0);
  ASSERT_TRUE(startExampleDaemon());
  const int agent = agentMainPid();
  ASSERT_EQ(run("systemctl restart daemonlet.service").exitCode, 0);
  ASSERT_NE(waitForNewMainPid(agent), 0);
  auto journal = run("journalctl -u daemonlet.service --no-pager -o cat");
  EXPECT_EQ(journal.out.find("remains running after unit stopped"), std::string::npos) << journal.out;
  EXPECT_EQ(journal.out.find("Found left-over process"), std::string::npos) << journal.out;
}

TEST_F(BootTest, PurgeLeavesNoShimProcess) {
  ASSERT_EQ(installDeb(Version::kCurrent).exitCode, 0);
  ASSERT_TRUE(startExampleDaemon());

  auto purged = run("dpkg --purge daemonlet");
  ASSERT_EQ(purged.exitCode, 0) << describe(purged);
  // By process name: a pattern on the command line would match this shell too.
  auto shims = run("pgrep -a -x daemonlet-shim");
  EXPECT_NE(shims.exitCode, 0) << "the shim outlived its package:\n" << shims.out;
}

TEST_F(BootTest, DebPurgeLeavesNoAgentFileOrAgentProcess) {
  ASSERT_EQ(installDeb(Version::kCurrent).exitCode, 0);
  ASSERT_TRUE(startExampleDaemon());

  auto purged = run("dpkg --purge daemonlet");
  ASSERT_EQ(purged.exitCode, 0) << describe(purged);
  for (const char* path :
       {"/usr/bin/daemonlet", "/usr/lib/daemonlet", "/usr/lib/systemd/system/daemonlet.service",
        "/etc/daemonlet/config.yaml", "/var/lib/daemonlet", "/run/daemonlet",
        "/etc/systemd/system/multi-user.target.wants/daemonlet.service"}) {
    EXPECT_NE(run(std::string("test -e ") + path).exitCode, 0) << path << " is left after purge";
  }
  auto agents = run("pgrep -a -x daemonlet");
  EXPECT_NE(agents.exitCode, 0) << "an agent still runs:\n" << agents.out;
  EXPECT_NE(unitActive(), "active");
}

TEST_F(BootTest, JournalHoldsTheAgentsEntriesWithTheirFields) {
  ASSERT_EQ(installDeb(Version::kCurrent).exitCode, 0);
  auto daemon = startExampleDaemon();
  ASSERT_TRUE(daemon);
  const int agent = agentMainPid();

  auto journal =
      run("journalctl --no-pager -o json _SYSTEMD_UNIT=daemonlet.service _PID=" + std::to_string(agent));
  ASSERT_EQ(journal.exitCode, 0) << describe(journal);
  bool sawStart = false;
  std::istringstream lines(journal.out);
  for (std::string line; std::getline(lines, line);) {
    auto entry = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(entry.is_discarded()) << line;
    EXPECT_EQ(entry.value("_SYSTEMD_UNIT", ""), "daemonlet.service") << line;
    EXPECT_EQ(entry.value("SYSLOG_IDENTIFIER", ""), "daemonlet") << line;
    EXPECT_TRUE(entry.contains("PRIORITY")) << line;
    // The agent's own fields, in the message as on stderr and as journal fields
    // of their own (systemd/journal_sink.h): which pod, which container, which process.
    const std::string message = entry.value("MESSAGE", "");
    if (message.find("container started") != std::string::npos &&
        message.find("id=host://" + std::to_string(*daemon)) != std::string::npos &&
        message.find("pod=heartbeat-") != std::string::npos) {
      sawStart = true;
      EXPECT_EQ(entry.value("ID", ""), "host://" + std::to_string(*daemon)) << line;
      EXPECT_EQ(entry.value("POD", "").rfind("heartbeat-", 0), 0u) << line;
      EXPECT_EQ(entry.value("PRIORITY", ""), "6") << line;
      EXPECT_EQ(message.find("level="), std::string::npos) << "PRIORITY holds the level: " << line;
    }
  }
  EXPECT_TRUE(sawStart) << "no entry for the daemon's start in:\n" << journal.out;
  // Queried by field, as an operator would.
  auto byPod = run("journalctl --no-pager -o cat _SYSTEMD_UNIT=daemonlet.service CONTAINER=heartbeat");
  EXPECT_NE(byPod.out.find("container started"), std::string::npos) << describe(byPod);
}

TEST_F(BootTest, RpmInstallUpgradeAndEraseUnderSystemd) {
  auto installed = installRpm(Version::kCurrent);
  ASSERT_EQ(installed.exitCode, 0) << describe(installed);
  EXPECT_EQ(unitEnabled(), "enabled");
  ASSERT_EQ(root().waitUntil("systemctl is-active daemonlet.service").exitCode, 0) << unitActive();
  auto daemon = startExampleDaemon();
  ASSERT_TRUE(daemon);
  const int agent = agentMainPid();

  auto upgraded = installRpm(Version::kNewer, /*upgrade=*/true);
  ASSERT_EQ(upgraded.exitCode, 0) << describe(upgraded);
  EXPECT_EQ(run("rpm -q --qf '%{VERSION}' daemonlet").out, versionText(Version::kNewer));
  EXPECT_EQ(unitEnabled(), "enabled");
  EXPECT_NE(waitForNewMainPid(agent), 0) << "the upgraded agent is not running: " << unitActive();
  EXPECT_EQ(runningPodPid("heartbeat-"), daemon) << "the upgrade replaced the daemon";

  auto erased = run("rpm -e daemonlet");
  ASSERT_EQ(erased.exitCode, 0) << describe(erased);
  EXPECT_NE(run("test -e /usr/bin/daemonlet").exitCode, 0);
  EXPECT_NE(run("test -e /usr/lib/systemd/system/daemonlet.service").exitCode, 0);
  EXPECT_NE(run("pgrep -x daemonlet").exitCode, 0) << "an agent still runs after rpm -e";
  EXPECT_NE(unitActive(), "active");
}

}  // namespace
}  // namespace daemonlet::boot
