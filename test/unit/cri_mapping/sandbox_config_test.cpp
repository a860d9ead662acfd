// A pod's CRI sandbox config, field by field, against what the kubelet's
// generatePodSandboxConfig sets.
#include "runtime/cri/sandbox_config.h"

#include <gtest/gtest.h>

#include "runtime/cri/cri_labels.h"
#include "runtime/cri/proto/api.pb.h"

namespace daemonlet::runtime::cri {
namespace {

namespace v1 = ::runtime::v1;

class SandboxConfigTest : public ::testing::Test {
 protected:
  SandboxConfigTest() {
    inputs_.pod = PodRef{"kube-system", "node-exporter-abcde", "uid-1", "node-exporter", "ds-uid", "rev1"};
    inputs_.spec = &spec_;
    inputs_.rawPodSpec = &raw_;
    inputs_.node.nodeName = "node-a";
    inputs_.node.hostDns = HostDns{{"10.0.0.2"}, {"corp.example"}, {"ndots:2"}};
    inputs_.node.logDir = "/var/log/pods";
    inputs_.node.cgroupParent = "/daemonlet";
    inputs_.node.agentId = "agent-7";
    model::Container c;
    c.name = "exporter";
    spec_.containers.push_back(c);
  }

  v1::PodSandboxConfig make() {
    auto config = makeSandboxConfig(inputs_);
    EXPECT_TRUE(config) << config.error().describe();
    return config ? *config : v1::PodSandboxConfig{};
  }
  base::Error fail() {
    auto config = makeSandboxConfig(inputs_);
    EXPECT_FALSE(config);
    return config ? base::Error{} : config.error();
  }

  model::PodSpec spec_;
  model::Json raw_ = model::Json::object();
  SandboxInputs inputs_;
};

TEST_F(SandboxConfigTest, MetadataLogDirectoryAndCgroupParent) {
  inputs_.attempt = 2;
  const v1::PodSandboxConfig config = make();
  EXPECT_EQ(config.metadata().name(), "node-exporter-abcde");
  EXPECT_EQ(config.metadata().namespace_(), "kube-system");
  EXPECT_EQ(config.metadata().uid(), "uid-1");
  EXPECT_EQ(config.metadata().attempt(), 2u);
  EXPECT_EQ(config.log_directory(), "/var/log/pods/kube-system_node-exporter-abcde_uid-1");
  EXPECT_EQ(config.linux().cgroup_parent(), "/daemonlet");
}

TEST_F(SandboxConfigTest, Hostname) {
  struct Row {
    const char* name;
    bool hostNetwork;
    std::string specHostname;
    std::string expected;
  };
  const std::vector<Row> rows = {
      {"the pod's name", false, "", "node-exporter-abcde"},
      {"spec.hostname wins", false, "exporter", "exporter"},
      {"cut to 63 without a trailing dash", false, std::string(62, 'a') + "-b", std::string(62, 'a')},
      {"host network: the runtime gives the node's", true, "exporter", ""},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    spec_.hostNetwork = row.hostNetwork;
    spec_.hostname = row.specHostname;
    EXPECT_EQ(make().hostname(), row.expected);
  }
}

TEST_F(SandboxConfigTest, DnsFromTheNodeAndDnsConfig) {
  v1::PodSandboxConfig config = make();
  EXPECT_EQ(std::vector<std::string>(config.dns_config().servers().begin(), config.dns_config().servers().end()),
            std::vector<std::string>{"10.0.0.2"});
  EXPECT_EQ(config.dns_config().searches(0), "corp.example");
  EXPECT_EQ(config.dns_config().options(0), "ndots:2");

  spec_.dnsPolicy = "None";
  raw_["dnsConfig"] = {{"nameservers", {"1.1.1.1"}}};
  config = make();
  ASSERT_EQ(config.dns_config().servers_size(), 1);
  EXPECT_EQ(config.dns_config().servers(0), "1.1.1.1");
  EXPECT_EQ(config.dns_config().searches_size(), 0);

  raw_["dnsConfig"] = {{"nameservers", "1.1.1.1"}};
  EXPECT_EQ(fail().context, "spec.dnsConfig.nameservers");
}

TEST_F(SandboxConfigTest, PortMappingsFromRegularContainers) {
  model::ContainerPort metrics{"metrics", 9100, 9100, "TCP", "127.0.0.1"};
  model::ContainerPort dns{"", 53, 0, "UDP", ""};
  spec_.containers[0].ports = {metrics, dns, metrics};  // a repeat is dropped
  model::Container init;
  init.name = "init";
  init.ports = {model::ContainerPort{"", 1234, 1234, "TCP", ""}};
  spec_.initContainers.push_back(init);
  const v1::PodSandboxConfig config = make();
  ASSERT_EQ(config.port_mappings_size(), 2);
  EXPECT_EQ(config.port_mappings(0).container_port(), 9100);
  EXPECT_EQ(config.port_mappings(0).host_port(), 9100);
  EXPECT_EQ(config.port_mappings(0).host_ip(), "127.0.0.1");
  EXPECT_EQ(config.port_mappings(0).protocol(), v1::TCP);
  EXPECT_EQ(config.port_mappings(1).container_port(), 53);
  EXPECT_EQ(config.port_mappings(1).host_port(), 0);
  EXPECT_EQ(config.port_mappings(1).protocol(), v1::UDP);
}

TEST_F(SandboxConfigTest, LabelsAndAnnotations) {
  inputs_.labels = {{"app", "node-exporter"}, {labels::kPodName, "disguise"}};
  inputs_.annotations = {{"prometheus.io/scrape", "true"}};
  const v1::PodSandboxConfig config = make();
  const std::map<std::string, std::string> expected = {
      {"app", "node-exporter"},
      {labels::kPodName, "node-exporter-abcde"},
      {labels::kPodNamespace, "kube-system"},
      {labels::kPodUid, "uid-1"},
      {labels::kManagedBy, labels::kManagedByValue},
      {labels::kAgent, "agent-7"},
      {labels::kDaemonSetName, "node-exporter"},
      {labels::kDaemonSetUid, "ds-uid"},
      {labels::kRevision, "rev1"},
  };
  const std::map<std::string, std::string> labels(config.labels().begin(), config.labels().end());
  EXPECT_EQ(labels, expected);
  ASSERT_EQ(config.annotations().size(), 1u);
  EXPECT_EQ(config.annotations().at("prometheus.io/scrape"), "true");
}

TEST_F(SandboxConfigTest, Namespaces) {
  struct Row {
    const char* name;
    bool hostNetwork, hostPID, hostIPC, share;
    v1::NamespaceMode network, pid, ipc;
  };
  const Row rows[] = {
      {"defaults", false, false, false, false, v1::POD, v1::CONTAINER, v1::POD},
      {"hostNetwork", true, false, false, false, v1::NODE, v1::CONTAINER, v1::POD},
      {"hostPID", false, true, false, false, v1::POD, v1::NODE, v1::POD},
      {"hostIPC", false, false, true, false, v1::POD, v1::CONTAINER, v1::NODE},
      {"shareProcessNamespace", false, false, false, true, v1::POD, v1::POD, v1::POD},
      {"hostPID wins over sharing", false, true, false, true, v1::POD, v1::NODE, v1::POD},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    spec_.hostNetwork = row.hostNetwork;
    spec_.hostPID = row.hostPID;
    spec_.hostIPC = row.hostIPC;
    raw_["shareProcessNamespace"] = row.share;
    const v1::PodSandboxConfig config = make();  // held: ns refers into it
    const auto& ns = config.linux().security_context().namespace_options();
    EXPECT_EQ(ns.network(), row.network);
    EXPECT_EQ(ns.pid(), row.pid);
    EXPECT_EQ(ns.ipc(), row.ipc);
  }
}

TEST_F(SandboxConfigTest, PodSecurity) {
  v1::PodSandboxConfig config = make();
  EXPECT_FALSE(config.linux().security_context().has_run_as_user());
  EXPECT_FALSE(config.linux().security_context().privileged());
  EXPECT_EQ(config.linux().security_context().seccomp().profile_type(), v1::SecurityProfile::RuntimeDefault);

  model::PodSecurityContext pod;
  pod.runAsUser = 1000;
  pod.runAsGroup = 2000;
  pod.fsGroup = 3000;
  pod.supplementalGroups = {4000, 4001};
  spec_.securityContext = pod;
  model::Container init;
  init.name = "init";
  init.securityContext = model::SecurityContext{};
  init.securityContext->privileged = true;
  spec_.initContainers.push_back(init);
  config = make();
  const auto& security = config.linux().security_context();
  EXPECT_EQ(security.run_as_user().value(), 1000);
  EXPECT_EQ(security.run_as_group().value(), 2000);
  EXPECT_EQ(std::vector<std::int64_t>(security.supplemental_groups().begin(), security.supplemental_groups().end()),
            (std::vector<std::int64_t>{3000, 4000, 4001}));
  EXPECT_TRUE(security.privileged()) << "any privileged container makes a privileged sandbox";
}

TEST_F(SandboxConfigTest, Sysctls) {
  raw_["securityContext"]["sysctls"] = {{{"name", "net.ipv4.ip_local_port_range"}, {"value", "1024 65000"}},
                                        {{"name", "kernel/shm_rmid_forced"}, {"value", "1"}}};
  const auto sysctls = make().linux().sysctls();
  ASSERT_EQ(sysctls.size(), 2u);
  EXPECT_EQ(sysctls.at("net.ipv4.ip_local_port_range"), "1024 65000");
  EXPECT_EQ(sysctls.at("kernel.shm_rmid_forced"), "1");

  struct Row {
    const char* name;
    bool hostNetwork, hostIPC;
    model::Json sysctls;
    const char* field;
    const char* why;
  };
  const std::vector<Row> rows = {
      {"unsafe", false, false, {{{"name", "net.ipv4.tcp_syncookies"}, {"value", "1"}}, {{"name", "kernel.panic"}}},
       "spec.securityContext.sysctls[1].name", "forbidden sysctl: \"kernel.panic\" not allowlisted"},
      {"net with host network", true, false, {{{"name", "net.ipv4.tcp_syncookies"}, {"value", "1"}}},
       "spec.securityContext.sysctls[0].name", "not allowed with host net enabled"},
      {"ipc with host ipc", false, true, {{{"name", "kernel.shm_rmid_forced"}, {"value", "1"}}},
       "spec.securityContext.sysctls[0].name", "not allowed with host ipc enabled"},
      {"no name", false, false, {{{"value", "1"}}}, "spec.securityContext.sysctls[0].name", "Required"},
      {"not a list", false, false, "x", "spec.securityContext.sysctls", "must be a list"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    spec_.hostNetwork = row.hostNetwork;
    spec_.hostIPC = row.hostIPC;
    raw_["securityContext"]["sysctls"] = row.sysctls;
    const base::Error error = fail();
    EXPECT_EQ(error.context, row.field);
    EXPECT_NE(error.message.find(row.why), std::string::npos) << error.message;
  }
}

}  // namespace
}  // namespace daemonlet::runtime::cri
