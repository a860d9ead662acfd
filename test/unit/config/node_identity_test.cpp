#include "config/node_identity.h"

#include <gtest/gtest.h>

namespace daemonlet::config {
namespace {

TEST(NodeIdentityTest, GoArchNames) {
  const struct {
    const char* machine;
    const char* goarch;
  } cases[] = {
      {"x86_64", "amd64"},        {"aarch64", "arm64"},   {"arm64", "arm64"},
      {"armv7l", "arm"},          {"armv6l", "arm"},      {"i686", "386"},
      {"ppc64le", "ppc64le"},     {"s390x", "s390x"},     {"riscv64", "riscv64"},
      {"loongarch64", "loong64"}, {"sparc64", "sparc64"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.machine);
    EXPECT_EQ(goArchFromMachine(c.machine), c.goarch);
  }
}

TEST(NodeIdentityTest, NodeNameFromHostnameIsTrimmedAndLowercased) {
  EXPECT_EQ(nodeNameFromHostname(" Build-Host.Example.COM\n"), "build-host.example.com");
}

TEST(NodeIdentityTest, WellKnownLabels) {
  const auto labels = wellKnownLabels("node-1", HostFacts{"Node-1", "aarch64"});
  EXPECT_EQ(labels, (model::StringMap{{"kubernetes.io/hostname", "node-1"},
                                      {"kubernetes.io/os", "linux"},
                                      {"kubernetes.io/arch", "arm64"},
                                      {"beta.kubernetes.io/os", "linux"},
                                      {"beta.kubernetes.io/arch", "arm64"}}));
  for (const auto& [key, value] : labels) EXPECT_TRUE(isWellKnownLabel(key)) << key;
  EXPECT_FALSE(isWellKnownLabel("kubernetes.io/role"));
}

TEST(NodeIdentityTest, NodeCarriesLabelsTaintsAndWellKnownLabelsWin) {
  AgentConfig config;
  config.node.name = "node-1";
  config.node.labels = {{"zone", "a"}, {"kubernetes.io/os", "windows"}};
  config.node.wellKnownLabels = wellKnownLabels("node-1", HostFacts{"node-1", "x86_64"});
  config.node.taints = {{"dedicated", "storage", "NoSchedule"}, {"gpu", "", "NoExecute"}};

  const model::Node node = nodeIdentity(config);
  EXPECT_EQ(node.metadata.name, "node-1");
  EXPECT_EQ(node.metadata.labels.at("zone"), "a");
  EXPECT_EQ(node.metadata.labels.at("kubernetes.io/os"), "linux");
  EXPECT_EQ(node.metadata.labels.at("kubernetes.io/hostname"), "node-1");
  EXPECT_EQ(node.metadata.labels.at("kubernetes.io/arch"), "amd64");
  ASSERT_EQ(node.taints.size(), 2u);
  EXPECT_EQ(node.taints[1].key, "gpu");
  EXPECT_FALSE(node.unschedulable);

  EXPECT_EQ(node.raw["kind"], "Node");
  EXPECT_EQ(node.raw["metadata"]["labels"]["zone"], "a");
  EXPECT_EQ(node.raw["spec"]["taints"][0].dump(),
            R"({"key":"dedicated","value":"storage","effect":"NoSchedule"})");
  EXPECT_EQ(node.raw["spec"]["taints"][1].dump(), R"({"key":"gpu","effect":"NoExecute"})");
}

TEST(NodeIdentityTest, ReadsTheRealHost) {
  const auto facts = readHostFacts();
  ASSERT_TRUE(facts) << facts.error().describe();
  EXPECT_FALSE(facts->hostname.empty());
  EXPECT_FALSE(facts->machine.empty());
}

}  // namespace
}  // namespace daemonlet::config
