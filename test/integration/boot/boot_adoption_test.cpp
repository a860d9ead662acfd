// Daemons outlive their agent's restarts under every cgroup layout systemd may
// run with: the agent places them differently in each (its own cgroup v2 tree
// when there is one), so each layout is booted and tested.
#include "test/integration/boot/boot_fixture.h"

namespace daemonlet::boot {
namespace {

class BootAdoptionTest : public BootFixture, public ::testing::WithParamInterface<CgroupLayout> {
 protected:
  CgroupLayout layout() const override { return GetParam(); }
};

TEST_P(BootAdoptionTest, RestartAdoptsTheDaemonWithItsPid) {
  ASSERT_EQ(installDeb(Version::kCurrent).exitCode, 0);
  auto daemon = startExampleDaemon();
  ASSERT_TRUE(daemon);
  const int agent = agentMainPid();

  auto restarted = run("systemctl restart daemonlet.service");
  ASSERT_EQ(restarted.exitCode, 0) << describe(restarted);
  const int newAgent = waitForNewMainPid(agent);
  ASSERT_NE(newAgent, 0) << "the agent did not come back";
  EXPECT_EQ(runningPodPid("heartbeat-"), daemon) << "the restarted agent replaced the daemon";
}

// systemctl kill signals every process of the agent's unit whatever KillMode
// says: the daemons, in their own scopes, are out of its reach on every layout.
class BootKillTest : public BootAdoptionTest {};

TEST_P(BootKillTest, KillWithSigkillLeavesTheDaemonsPid) { EXPECT_TRUE(sigkillOfTheUnitSparesTheDaemon()); }

std::string layoutName(const ::testing::TestParamInfo<CgroupLayout>& info) {
  switch (info.param) {
    case CgroupLayout::kHosts:
      return "HostsLayout";
    case CgroupLayout::kLegacy:
      return "CgroupV1";
    case CgroupLayout::kUnified:
      return "CgroupV2";
  }
  return "Unknown";
}

INSTANTIATE_TEST_SUITE_P(Layouts, BootAdoptionTest,
                         ::testing::Values(CgroupLayout::kHosts, CgroupLayout::kLegacy,
                                           CgroupLayout::kUnified),
                         layoutName);
INSTANTIATE_TEST_SUITE_P(Layouts, BootKillTest,
                         ::testing::Values(CgroupLayout::kHosts, CgroupLayout::kLegacy,
                                           CgroupLayout::kUnified),
                         layoutName);

}  // namespace
}  // namespace daemonlet::boot
