// Loading with flags alone, the packaged default file, and flags over files.
#include <gtest/gtest.h>

#include "config/agent_config_loader.h"
#include "test/support/temp_dir.h"

namespace daemonlet::config {
namespace {

using testing::TempDir;

LoadEnvironment buildHostEnvironment(const std::filesystem::path& cwd = "/work") {
  return LoadEnvironment{HostFacts{"Build-Host", "x86_64"}, cwd};
}

void expectDefaults(const AgentConfig& c) {
  EXPECT_EQ(c.apiVersion, "daemonlet.io/v1alpha1");
  EXPECT_EQ(c.kind, "AgentConfiguration");
  EXPECT_EQ(c.node.name, "build-host");
  EXPECT_TRUE(c.node.labels.empty());
  EXPECT_TRUE(c.node.taints.empty());
  EXPECT_EQ(c.manifestDir, "/etc/daemonlet/manifests");
  EXPECT_EQ(c.stateDir, "/var/lib/daemonlet");
  EXPECT_EQ(c.logDir, "/var/log/pods");
  EXPECT_EQ(c.runDir, "/run/daemonlet");
  EXPECT_EQ(c.listen.text(), "127.0.0.1:10290");
  EXPECT_EQ(c.cri, CriConfig{});
  EXPECT_EQ(c.cgroupRoot, "/daemonlet");
  EXPECT_EQ(c.restartBackoff, (RestartBackoff{std::chrono::seconds(10), std::chrono::seconds(300),
                                              std::chrono::minutes(10), 2.0}));
  EXPECT_EQ(c.containerLogs.maxSizeBytes(), 10 * 1024 * 1024);
  EXPECT_EQ(c.containerLogs.maxFiles, 5);
  EXPECT_EQ(c.resyncPeriod, std::chrono::seconds(60));
  EXPECT_EQ(c.logLevel, base::LogLevel::kInfo);
  EXPECT_TRUE(c.warnings.empty());
}

TEST(LoaderDefaultsTest, NoFlagsGivesDefaultsAndReadsNoFile) {
  const auto config = loadAgentConfig(CommandLineOverrides{}, buildHostEnvironment());
  ASSERT_TRUE(config) << config.error().describe();
  expectDefaults(*config);
  EXPECT_TRUE(config->sourceFiles.empty());
  EXPECT_EQ(config->node.wellKnownLabels.at("kubernetes.io/hostname"), "build-host");
  EXPECT_EQ(config->node.wellKnownLabels.at("kubernetes.io/arch"), "amd64");
  EXPECT_EQ(config->node.wellKnownLabels.at("kubernetes.io/os"), "linux");
}

TEST(LoaderDefaultsTest, PackagedConfigFileStatesExactlyTheDefaults) {
  CommandLineOverrides flags;
  flags.configFile = std::string(DAEMONLET_SOURCE_DIR) + "/packaging/daemonlet.yaml";
  const auto config = loadAgentConfig(flags, buildHostEnvironment());
  ASSERT_TRUE(config) << config.error().describe();
  expectDefaults(*config);
  EXPECT_EQ(config->sourceFiles, std::vector<std::string>{*flags.configFile});
}

TEST(LoaderDefaultsTest, FlagsAloneRunInTempDirs) {
  TempDir dir;
  const auto parsed = parseRunFlags({"--node-name",       "test-node",
                                     "--node-labels",     "zone=a,disk=ssd",
                                     "--node-taints",     "dedicated=ci:NoSchedule",
                                     "--manifest-dir",    (dir.path() / "manifests").string(),
                                     "--state-dir",       "state",
                                     "--log-dir",         "./logs/",
                                     "--run-dir",         (dir.path() / "run").string(),
                                     "--listen",          "127.0.0.1:0",
                                     "--cgroup-root",     "",
                                     "--log-level",       "debug"});
  ASSERT_TRUE(parsed) << parsed.error().describe();
  const auto config = loadAgentConfig(*parsed, buildHostEnvironment(dir.path()));
  ASSERT_TRUE(config) << config.error().describe();
  EXPECT_EQ(config->node.name, "test-node");
  EXPECT_EQ(config->node.labels, (model::StringMap{{"disk", "ssd"}, {"zone", "a"}}));
  ASSERT_EQ(config->node.taints.size(), 1u);
  EXPECT_EQ(config->node.taints[0].effect, "NoSchedule");
  EXPECT_EQ(config->node.wellKnownLabels.at("kubernetes.io/hostname"), "test-node");
  EXPECT_EQ(config->manifestDir, (dir.path() / "manifests").string());
  // Relative flag paths are taken from the working directory, normalised.
  EXPECT_EQ(config->stateDir, (dir.path() / "state").string());
  EXPECT_EQ(config->logDir, (dir.path() / "logs").string());
  EXPECT_EQ(config->listen.port, 0);
  EXPECT_EQ(config->cgroupRoot, "");
  EXPECT_EQ(config->logLevel, base::LogLevel::kDebug);
}

TEST(LoaderDefaultsTest, FlagsOverrideFileAndDropIns) {
  TempDir dir;
  const std::string file = dir.write("config.yaml", R"(apiVersion: daemonlet.io/v1alpha1
kind: AgentConfiguration
node:
  name: from-file
  labels: {zone: file, rack: r1}
  taints: [{key: a, effect: NoSchedule}, {key: b, effect: NoExecute}]
stateDir: /file/state
listen: 127.0.0.1:1111
logLevel: warning
)");
  dir.write("config.d/10-x.yaml",
            "apiVersion: daemonlet.io/v1alpha1\nkind: AgentConfiguration\nlogLevel: error\n");
  CommandLineOverrides flags = *parseRunFlags({"--config", file, "--node-name", "from-flag", "--node-labels",
                                               "zone=flag", "--node-taints", "c:PreferNoSchedule",
                                               "--state-dir", "/flag/state", "--log-level", "debug"});
  const auto config = loadAgentConfig(flags, buildHostEnvironment());
  ASSERT_TRUE(config) << config.error().describe();
  EXPECT_EQ(config->node.name, "from-flag");
  // Labels merge (the flag wins per key); taints are a list and are replaced.
  EXPECT_EQ(config->node.labels, (model::StringMap{{"rack", "r1"}, {"zone", "flag"}}));
  ASSERT_EQ(config->node.taints.size(), 1u);
  EXPECT_EQ(config->node.taints[0].key, "c");
  EXPECT_EQ(config->stateDir, "/flag/state");
  EXPECT_EQ(config->listen.port, 1111);  // not overridden
  EXPECT_EQ(config->logLevel, base::LogLevel::kDebug);
}

TEST(LoaderDefaultsTest, EmptyTaintsFlagClearsTheFilesTaints) {
  TempDir dir;
  const std::string file = dir.write("config.yaml",
                                     "apiVersion: daemonlet.io/v1alpha1\nkind: AgentConfiguration\n"
                                     "node: {taints: [{key: a, effect: NoSchedule}]}\n");
  const auto config = loadAgentConfig(*parseRunFlags({"--config", file, "--node-taints="}), buildHostEnvironment());
  ASSERT_TRUE(config) << config.error().describe();
  EXPECT_TRUE(config->node.taints.empty());
}

TEST(LoaderDefaultsTest, ListenForms) {
  const struct {
    const char* flag;
    const char* text;
    bool warns;
  } cases[] = {
      {"127.0.0.1:10290", "127.0.0.1:10290", false},
      {"127.1.2.3:80", "127.1.2.3:80", false},
      {"localhost:0", "localhost:0", false},
      {"[::1]:10290", "[::1]:10290", false},
      {"unix:///run/d/api.sock", "unix:///run/d/api.sock", false},
      {"unix://api.sock", "unix:///work/api.sock", false},
      {"0.0.0.0:10290", "0.0.0.0:10290", true},
      {"[::]:10290", "[::]:10290", true},
      {"192.168.1.5:10290", "192.168.1.5:10290", true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.flag);
    CommandLineOverrides flags;
    flags.listen = c.flag;
    const auto config = loadAgentConfig(flags, buildHostEnvironment());
    ASSERT_TRUE(config) << config.error().describe();
    EXPECT_EQ(config->listen.text(), c.text);
    EXPECT_EQ(config->warnings.size(), c.warns ? 1u : 0u);
    if (c.warns) {
      EXPECT_TRUE(config->warnings[0].starts_with("--listen: listen: ")) << config->warnings[0];
    }
  }
}

TEST(LoaderDefaultsTest, WellKnownLabelsWinWithAWarning) {
  CommandLineOverrides flags;
  flags.nodeName = "node-1";
  flags.nodeLabels = model::StringMap{{"kubernetes.io/arch", "arm64"},
                                      {"kubernetes.io/hostname", "node-1"},
                                      {"beta.kubernetes.io/os", "windows"},
                                      {"team", "infra"}};
  const auto config = loadAgentConfig(flags, buildHostEnvironment());
  ASSERT_TRUE(config) << config.error().describe();
  EXPECT_EQ(config->node.labels, (model::StringMap{{"team", "infra"}}));
  const model::Node node = nodeIdentity(*config);
  EXPECT_EQ(node.metadata.labels.at("kubernetes.io/arch"), "amd64");
  EXPECT_EQ(node.metadata.labels.at("beta.kubernetes.io/os"), "linux");
  EXPECT_EQ(node.metadata.labels.at("team"), "infra");
  // An equal value is silently redundant; a different one is reported.
  ASSERT_EQ(config->warnings.size(), 2u);
  EXPECT_EQ(
      config->warnings[0],
      "--node-labels: node.labels[beta.kubernetes.io/os]: value \"windows\" ignored: the agent sets this "
      "well-known label itself (to \"linux\")");
  EXPECT_NE(config->warnings[1].find("node.labels[kubernetes.io/arch]: value \"arm64\" ignored"),
            std::string::npos);
}

TEST(LoaderDefaultsTest, FieldsNeedingRestart) {
  AgentConfig running;
  AgentConfig reloaded = running;
  reloaded.node.labels["zone"] = "b";
  reloaded.restartBackoff.initial = std::chrono::seconds(1);
  EXPECT_TRUE(fieldsNeedingRestart(running, reloaded).empty());
  reloaded.stateDir = "/elsewhere";
  reloaded.listen.port = 1;
  EXPECT_EQ(fieldsNeedingRestart(running, reloaded), (std::vector<std::string>{"stateDir", "listen"}));
}

}  // namespace
}  // namespace daemonlet::config
