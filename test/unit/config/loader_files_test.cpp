// The config file and its drop-ins: reading, merge order, provenance.
#include <gtest/gtest.h>

#include <algorithm>

#include "config/agent_config_loader.h"
#include "test/unit/config/config_test_support.h"
#include "test/support/temp_dir.h"

namespace daemonlet::config {
namespace {

using testing::TempDir;

base::Result<AgentConfig> loadConfigFile(const std::string& file) {
  CommandLineOverrides flags;
  flags.configFile = file;
  return loadAgentConfig(flags, environment());
}

TEST(LoaderFilesTest, DropInsMergeInLexicalOrder) {
  TempDir dir;
  const std::string file = dir.write("config.yaml", std::string(kHeader) + R"(
node:
  name: base
  labels: {a: base, b: base}
  taints: [{key: t1, effect: NoSchedule}, {key: t2, effect: NoSchedule}]
restartBackoff: {initial: 1s, max: 2m}
resyncPeriod: 30s
)");
  // Written out of order on purpose: the merge order is by name, not by mtime.
  dir.write("config.d/20-second.yaml", std::string(kHeader) + R"(
node:
  labels: {b: second, c: second}
restartBackoff: {max: 3m}
resyncPeriod: 40s
)");
  dir.write("config.d/10-first.yaml", std::string(kHeader) + R"(
node:
  labels: {a: first}
  taints: [{key: t3, effect: NoExecute}]
restartBackoff: {multiplier: 1.5}
resyncPeriod: 20s
)");
  dir.write("config.d/99-reset.yaml", std::string(kHeader) + "restartBackoff: {initial: null}\n");
  // Not drop-ins: other extensions, hidden files, directories.
  dir.write("config.d/50-ignored.yml", "this: is not read\n");
  dir.write("config.d/50-ignored.yaml~", "nor: this\n");
  dir.write("config.d/.50-hidden.yaml", "nor: this\n");
  dir.write("config.d/sub.yaml/inner.yaml", "nor: this\n");

  const auto config = loadConfigFile(file);
  ASSERT_TRUE(config) << config.error().describe();
  EXPECT_EQ(config->node.name, "base");
  EXPECT_EQ(config->node.labels, (model::StringMap{{"a", "first"}, {"b", "second"}, {"c", "second"}}));
  ASSERT_EQ(config->node.taints.size(), 1u);  // a list replaces, never appends
  EXPECT_EQ(config->node.taints[0].key, "t3");
  EXPECT_EQ(config->restartBackoff.initial, std::chrono::seconds(10));  // null: back to the default
  EXPECT_EQ(config->restartBackoff.max, std::chrono::minutes(3));
  EXPECT_EQ(config->restartBackoff.multiplier, 1.5);
  EXPECT_EQ(config->resyncPeriod, std::chrono::seconds(40));
  EXPECT_EQ(config->sourceFiles,
            (std::vector<std::string>{file, (dir.path() / "config.d/10-first.yaml").string(),
                                      (dir.path() / "config.d/20-second.yaml").string(),
                                      (dir.path() / "config.d/99-reset.yaml").string()}));
}

TEST(LoaderFilesTest, RelativePathsAreRelativeToTheFileThatSetsThem) {
  TempDir dir;
  const std::string file =
      dir.write("etc/config.yaml", std::string(kHeader) + "manifestDir: manifests\nstateDir: ../state/\n");
  dir.write("etc/config.d/10.yaml", std::string(kHeader) + "logDir: logs\n");
  const auto config = loadConfigFile(file);
  ASSERT_TRUE(config) << config.error().describe();
  EXPECT_EQ(config->manifestDir, (dir.path() / "etc/manifests").string());
  EXPECT_EQ(config->stateDir, (dir.path() / "state").string());
  EXPECT_EQ(config->logDir, (dir.path() / "etc/config.d/logs").string());
  EXPECT_EQ(config->runDir, "/run/daemonlet");
}

TEST(LoaderFilesTest, JsonConfigFileAndQuantityAsInteger) {
  TempDir dir;
  const std::string file = dir.write("config.json", R"({"apiVersion": "daemonlet.io/v1alpha1",
    "kind": "AgentConfiguration", "containerLogs": {"maxSize": 1048576, "maxFiles": 2}})");
  const auto config = loadConfigFile(file);
  ASSERT_TRUE(config) << config.error().describe();
  EXPECT_EQ(config->containerLogs.maxSizeBytes(), 1048576);
  EXPECT_EQ(config->containerLogs.maxFiles, 2);
}

TEST(LoaderFilesTest, ZeroBackoffIsAllowed) {
  TempDir dir;
  const std::string file = dir.write(
      "config.yaml",
      std::string(kHeader) + "restartBackoff: {initial: \"0\", max: 0s, resetAfter: 0s, multiplier: 1}\n");
  const auto config = loadConfigFile(file);
  ASSERT_TRUE(config) << config.error().describe();
  EXPECT_EQ(config->restartBackoff, (RestartBackoff{std::chrono::nanoseconds(0), std::chrono::nanoseconds(0),
                                                    std::chrono::nanoseconds(0), 1.0}));
}

TEST(LoaderFilesTest, MissingConfigFileIsAnError) {
  TempDir dir;
  const std::string missing = (dir.path() / "nope.yaml").string();
  const auto config = loadConfigFile(missing);
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, base::ErrorCode::kNotFound);
  EXPECT_EQ(config.error().describe(), missing + ": cannot read config file: No such file or directory");
}

TEST(LoaderFilesTest, UnreadableConfigInputs) {
  TempDir dir;
  const struct {
    std::string file;
    const char* expected;
  } cases[] = {
      {dir.path().string(), "cannot read config file: is a directory"},
      {"", "--config: Required value"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file);
    const auto config = loadConfigFile(c.file);
    ASSERT_FALSE(config);
    EXPECT_NE(config.error().describe().find(c.expected), std::string::npos) << config.error().describe();
  }
}

TEST(LoaderFilesTest, ProblemsInSeveralFilesAreAllReportedEachWithItsFile) {
  TempDir dir;
  const std::string file = dir.write("config.yaml", std::string(kHeader) + "stateDirectory: /x\n");
  const std::string bad = dir.write("config.d/10-bad.yaml", "kind: AgentConfiguration\nnode: {nmae: x}\n");
  const std::string syntax = dir.write("config.d/20-syntax.yaml", "a: [\n");
  const auto config = loadConfigFile(file);
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, base::ErrorCode::kInvalidArgument);
  const std::string& m = config.error().message;
  EXPECT_NE(m.find(file + ": stateDirectory: unknown field (known fields here: apiVersion, kind, node, "),
            std::string::npos)
      << m;
  EXPECT_NE(m.find(bad + ": apiVersion: Required value"), std::string::npos) << m;
  EXPECT_NE(m.find(syntax + ": invalid YAML at line"), std::string::npos) << m;
  EXPECT_EQ(std::count(m.begin(), m.end(), '\n'), 2) << m;
}

TEST(LoaderFilesTest, EmptyFileIsRefused) {
  TempDir dir;
  const std::string file = dir.write("config.yaml", "# all commented out\n");
  const auto config = loadConfigFile(file);
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message,
            file +
                ": expected a mapping with apiVersion: daemonlet.io/v1alpha1 and kind: "
                "AgentConfiguration, got an empty document");
}

TEST(LoaderFilesTest, ReloadSeesEditsAndTheCallerKeepsTheOldConfigOnError) {
  TempDir dir;
  const std::string file = dir.write("config.yaml", std::string(kHeader) + "node: {labels: {zone: a}}\n");
  auto running = loadConfigFile(file);
  ASSERT_TRUE(running) << running.error().describe();

  dir.write("config.yaml", std::string(kHeader) + "node: {labels: {zone: b}}\n");
  auto reloaded = loadConfigFile(file);
  ASSERT_TRUE(reloaded);
  EXPECT_EQ(reloaded->node.labels.at("zone"), "b");

  dir.write("config.yaml", std::string(kHeader) + "node: {labels: {zone: \"not valid!\"}}\n");
  EXPECT_FALSE(loadConfigFile(file));  // the caller goes on with `reloaded`
}

}  // namespace
}  // namespace daemonlet::config
