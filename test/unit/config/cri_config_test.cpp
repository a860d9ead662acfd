// The cri section (which CRI socket runs every pod without runtimeClassName:
// host, and the node's registry credentials), and the runtime settings it
// replaced, refused with what replaced them.
#include <gtest/gtest.h>

#include "config/agent_config_loader.h"
#include "test/unit/config/config_test_support.h"
#include "test/support/temp_dir.h"

namespace daemonlet::config {
namespace {

using testing::TempDir;

base::Result<AgentConfig> loadFile(TempDir& dir, const std::string& body) {
  CommandLineOverrides flags;
  flags.configFile = dir.write("etc/config.yaml", std::string(kHeader) + body);
  return loadAgentConfig(flags, environment("/elsewhere"));
}

TEST(CriConfigTest, DefaultsAreContainerdsSocketAndTheKubeletsCredentials) {
  const auto config = loadAgentConfig(CommandLineOverrides{}, environment("/work"));
  ASSERT_TRUE(config) << config.error().describe();
  EXPECT_EQ(config->cri.endpoint, "unix:///run/containerd/containerd.sock");
  EXPECT_EQ(config->cri.registryCredentialsFile, "/var/lib/kubelet/config.json");
}

TEST(CriConfigTest, FileValuesABarePathMeansAUnixSocket) {
  TempDir dir;
  auto config = loadFile(dir, "cri: {endpoint: unix:///run/crio/crio.sock, registryCredentialsFile: auth.json}\n");
  ASSERT_TRUE(config) << config.error().describe();
  EXPECT_EQ(config->cri.endpoint, "unix:///run/crio/crio.sock");
  // A relative file is taken from the setting file's directory, as the others are.
  EXPECT_EQ(config->cri.registryCredentialsFile, (dir.path() / "etc" / "auth.json").string());

  config = loadFile(dir, "cri: {endpoint: /run/k3s/containerd/containerd.sock, registryCredentialsFile: ''}\n");
  ASSERT_TRUE(config) << config.error().describe();
  EXPECT_EQ(config->cri.endpoint, "unix:///run/k3s/containerd/containerd.sock");
  EXPECT_EQ(config->cri.registryCredentialsFile, "");  // none
}

TEST(CriConfigTest, TheFlagOverridesTheFile) {
  TempDir dir;
  const std::string file = dir.write("config.yaml", std::string(kHeader) + "cri: {endpoint: /a.sock}\n");
  const auto parsed = parseRunFlags({"--config", file, "--cri-endpoint", "/tmp/x/containerd.sock"});
  ASSERT_TRUE(parsed) << parsed.error().describe();
  const auto config = loadAgentConfig(*parsed, environment(dir.path()));
  ASSERT_TRUE(config) << config.error().describe();
  EXPECT_EQ(config->cri.endpoint, "unix:///tmp/x/containerd.sock");
}

TEST(CriConfigTest, InvalidEndpointsNameTheFileOrFlagAndTheField) {
  for (const std::string endpoint : {"tcp://10.0.0.1:1234", "containerd.sock", "unix://run/c.sock", "''",
                                     "unix:///run/../c.sock"}) {
    SCOPED_TRACE(endpoint);
    TempDir dir;
    const auto config = loadFile(dir, "cri: {endpoint: " + endpoint + "}\n");
    ASSERT_FALSE(config);
    const std::string expected = (dir.path() / "etc" / "config.yaml").string() + ": cri.endpoint: Invalid value: ";
    EXPECT_NE(config.error().message.find(expected), std::string::npos) << config.error().message;
    EXPECT_NE(config.error().message.find("must be unix:// followed by an absolute path"), std::string::npos);
  }
  const auto parsed = parseRunFlags({"--cri-endpoint=tcp://x:1"});
  ASSERT_TRUE(parsed);
  const auto config = loadAgentConfig(*parsed, environment("/work"));
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("--cri-endpoint: cri.endpoint: Invalid value: \"tcp://x:1\""),
            std::string::npos)
      << config.error().message;
}

TEST(CriConfigTest, RemovedRuntimeFieldsAreRefusedSayingWhatReplacedThem) {
  TempDir dir;
  auto config = loadFile(dir, "defaultRuntime: host\n");
  ASSERT_FALSE(config);
  const std::string file = (dir.path() / "etc" / "config.yaml").string();
  EXPECT_NE(config.error().message.find(file + ": defaultRuntime: field removed: pods with runtimeClassName: host "
                                               "run as host processes and every other pod runs in the CRI runtime"),
            std::string::npos)
      << config.error().message;
  config = loadFile(dir, "containerRuntimeEndpoint: unix:///c.sock\n");
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find(file + ": containerRuntimeEndpoint: field removed: cri.endpoint replaced it"),
            std::string::npos)
      << config.error().message;

  auto parsed = parseRunFlags({"--default-runtime", "host"});
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().describe().find("--default-runtime: flag removed: pods with runtimeClassName: host run"),
            std::string::npos)
      << parsed.error().describe();
  parsed = parseRunFlags({"--container-runtime-endpoint=unix:///c.sock"});
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().describe().find("--container-runtime-endpoint: flag removed: --cri-endpoint replaced it"),
            std::string::npos)
      << parsed.error().describe();
}

TEST(CriConfigTest, ChangesNeedARestartAndTheFlagIsInTheUsage) {
  AgentConfig running;
  AgentConfig reloaded = running;
  reloaded.cri.registryCredentialsFile = "/etc/auth.json";
  EXPECT_EQ(fieldsNeedingRestart(running, reloaded), std::vector<std::string>{"cri"});
  EXPECT_NE(runFlagsUsage().find("--cri-endpoint"), std::string::npos);
  EXPECT_EQ(runFlagsUsage().find("--default-runtime"), std::string::npos);
}

}  // namespace
}  // namespace daemonlet::config
