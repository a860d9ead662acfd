// `daemonlet reload` (the unit's ExecReload) against the real agent: it returns
// the agent's verdict on the configuration it read again, and the CLI finds the
// agent through the run directory named in the configuration file.
#include "test/integration/agent/agent_fixture.h"
#include "test/integration/support/run_command.h"

namespace daemonlet::e2e {
namespace {

class ReloadCommandTest : public AgentE2eTest {
 protected:
  // The configuration names the run directory, as the packaged one does, so the
  // CLI finds the agent with --config alone.
  void writeNodeConfig(const std::string& role, const std::string& extra = {}) {
    writeConfig("runDir: " + (root_ / "run").string() + "\nnode:\n  labels:\n    role: " + role + "\n" + extra);
  }

  testing::CommandResult daemonlet(std::vector<std::string> args) {
    args.insert(args.begin(), kDaemonlet);
    return testing::runCommand(args, {}, 30s);
  }
};

TEST_F(ReloadCommandTest, ReloadReturnsTheAgentsVerdict) {
  writeNodeConfig("blue");
  startAgent();

  writeNodeConfig("green");
  auto applied = daemonlet({"reload", "--config", configPath().string()});
  EXPECT_EQ(applied.exitCode, 0) << applied.err;
  EXPECT_NE(applied.out.find("configuration reloaded"), std::string::npos) << applied.out;
  EXPECT_TRUE(waitUntil([&] { return getJson("/status")["node"]["labels"].value("role", "") == "green"; }))
      << "reload returned 0 but the new labels never showed";

  writeNodeConfig("red", "bogusField: 1\n");
  auto refused = daemonlet({"reload", "--config", configPath().string()});
  EXPECT_EQ(refused.exitCode, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("refused"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("bogusField"), std::string::npos) << "the refused field is not named: " << refused.err;
  EXPECT_TRUE(agent_.running()) << "a refused reload stopped the agent";
  EXPECT_EQ(getJson("/status")["node"]["labels"].value("role", ""), "green") << "the last good configuration was not kept";

  // Fixed again: applied again (the verdict is this reload's, not the last one's).
  writeNodeConfig("red");
  auto again = daemonlet({"reload", "--config", configPath().string()});
  EXPECT_EQ(again.exitCode, 0) << again.err;
}

TEST_F(ReloadCommandTest, ReloadWithoutARunningAgentIsAUsageError) {
  auto result = daemonlet({"reload", "--run-dir", (root_ / "run").string()});
  EXPECT_EQ(result.exitCode, 2) << result.err;
  EXPECT_NE(result.err.find("is the agent running"), std::string::npos) << result.err;
}

TEST_F(ReloadCommandTest, StatusFindsTheAgentThroughItsConfiguredRunDirectory) {
  writeNodeConfig("blue");
  startAgent();
  auto status = daemonlet({"status", "-o", "json", "--config", configPath().string()});
  ASSERT_EQ(status.exitCode, 0) << status.err;
  EXPECT_NE(status.out.find("\"blue\""), std::string::npos) << status.out.substr(0, 2000);
}

}  // namespace
}  // namespace daemonlet::e2e
