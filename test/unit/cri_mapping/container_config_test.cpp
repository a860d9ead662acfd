// A container's CRI config, field by field, against what the kubelet's
// generateContainerConfig and its Linux part set.
#include "runtime/cri/container_config.h"

#include <gtest/gtest.h>

#include "runtime/cri/cri_labels.h"
#include "runtime/cri/proto/api.pb.h"
#include "runtime/cri/sandbox_config.h"

namespace daemonlet::runtime::cri {
namespace {

namespace v1 = ::runtime::v1;

model::Quantity q(const char* text) { return *model::Quantity::parse(text); }

model::EnvVar fieldRef(const std::string& name, const std::string& path) {
  model::EnvVar var;
  var.name = name;
  var.valueFrom = model::EnvVarSource{};
  var.valueFrom->fieldRef = model::ObjectFieldSelector{"v1", path};
  return var;
}

class ContainerConfigTest : public ::testing::Test {
 protected:
  ContainerConfigTest() {
    model::Container c;
    c.name = "exporter";
    c.image = "prom/node-exporter:v1.8.2";
    c.terminationMessagePath = "/dev/termination-log";
    spec_->containers.push_back(c);
    sandbox_.mutable_linux()->mutable_security_context()->mutable_namespace_options()->set_pid(v1::CONTAINER);
    (*sandbox_.mutable_labels())[labels::kAgent] = "agent-7";
  }

  // The request as the caller builds it from the spec's container.
  ContainerStartRequest request() {
    ContainerStartRequest r;
    r.pod = PodRef{"kube-system", "node-exporter-abcde", "uid-1", "node-exporter", "ds-uid", "rev1"};
    r.podSpec = spec_;
    r.container = spec_->containers[0];
    r.restartCount = 3;
    r.terminationGracePeriod = std::chrono::seconds(30);
    return r;
  }
  base::Result<v1::ContainerConfig> make(const ContainerStartRequest& r) {
    ContainerInputs inputs;
    inputs.request = &r;
    inputs.sandbox = &sandbox_;
    inputs.rawPodSpec = &raw_;
    inputs.podIPs = podIPs_;
    inputs.imageRef = "sha256:abc";
    inputs.imageUser = imageUser_;
    return makeContainerConfig(inputs);
  }
  v1::ContainerConfig ok(const ContainerStartRequest& r) {
    auto config = make(r);
    EXPECT_TRUE(config) << config.error().describe();
    return config ? *config : v1::ContainerConfig{};
  }
  model::SecurityContext& own() {
    auto& c = spec_->containers[0];
    if (!c.securityContext) c.securityContext = model::SecurityContext{};
    return *c.securityContext;
  }
  model::PodSecurityContext& pod() {
    if (!spec_->securityContext) spec_->securityContext = model::PodSecurityContext{};
    return *spec_->securityContext;
  }

  std::shared_ptr<model::PodSpec> spec_ = std::make_shared<model::PodSpec>();
  model::Json raw_ = {{"containers", model::Json::array({model::Json::object()})}};
  v1::PodSandboxConfig sandbox_;
  std::vector<std::string> podIPs_;
  ImageUser imageUser_{1000, ""};
};

TEST_F(ContainerConfigTest, MetadataImageLogPathLabelsAndAnnotations) {
  ContainerStartRequest r = request();
  r.container.workingDir = "/work";
  r.container.tty = true;
  const v1::ContainerConfig config = ok(r);
  EXPECT_EQ(config.metadata().name(), "exporter");
  EXPECT_EQ(config.metadata().attempt(), 3u);
  EXPECT_EQ(config.image().image(), "sha256:abc");
  EXPECT_EQ(config.image().user_specified_image(), "prom/node-exporter:v1.8.2");
  EXPECT_EQ(config.working_dir(), "/work");
  EXPECT_EQ(config.log_path(), "exporter/3.log");
  EXPECT_TRUE(config.tty());
  EXPECT_FALSE(config.stdin());
  const std::map<std::string, std::string> labels(config.labels().begin(), config.labels().end());
  EXPECT_EQ(labels, (std::map<std::string, std::string>{{labels::kPodName, "node-exporter-abcde"},
                                                        {labels::kPodNamespace, "kube-system"},
                                                        {labels::kPodUid, "uid-1"},
                                                        {labels::kContainerName, "exporter"},
                                                        {labels::kManagedBy, labels::kManagedByValue},
                                                        {labels::kAgent, "agent-7"},
                                                        {labels::kDaemonSetName, "node-exporter"},
                                                        {labels::kDaemonSetUid, "ds-uid"},
                                                        {labels::kRevision, "rev1"}}));
  EXPECT_EQ(config.annotations().at(labels::kRestartCount), "3");
  EXPECT_EQ(config.annotations().at(labels::kTerminationMessagePath), "/dev/termination-log");
  EXPECT_EQ(config.annotations().at(labels::kTerminationGracePeriod), "30");

  EXPECT_EQ(config.labels().count(labels::kInit), 0u);
  r.init = true;
  EXPECT_EQ(ok(r).labels().at(labels::kInit), "true");
}

TEST_F(ContainerConfigTest, EnvInSpecOrderAndPodIPResolvedAgain) {
  auto& c = spec_->containers[0];
  model::EnvVar z{"Z_FIRST", "z", std::nullopt};
  c.env = {z, fieldRef("POD_IP", "status.podIP"), model::EnvVar{"LISTEN", "$(POD_IP):9100", std::nullopt},
           fieldRef("NODE", "spec.nodeName")};
  c.args = {"--web.listen-address=$(LISTEN)", "$$(POD_IP)"};
  // What the caller resolved before the sandbox existed: the node's IP.
  ContainerStartRequest r = request();
  r.env = {{"Z_FIRST", "z"}, {"POD_IP", "192.0.2.1"}, {"LISTEN", "192.0.2.1:9100"}, {"NODE", "node-a"}};
  r.container.args = {"--web.listen-address=192.0.2.1:9100", "$(POD_IP)"};

  struct Row {
    const char* name;
    std::vector<std::string> podIPs;
    std::string ip;
  };
  const Row rows[] = {{"host network keeps the caller's values", {}, "192.0.2.1"},
                      {"own network: the sandbox's IP", {"10.88.0.5", "fd00::5"}, "10.88.0.5"}};
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    podIPs_ = row.podIPs;
    const v1::ContainerConfig config = ok(r);
    std::vector<std::pair<std::string, std::string>> env;
    for (const auto& kv : config.envs()) env.emplace_back(kv.key(), kv.value());
    EXPECT_EQ(env, (std::vector<std::pair<std::string, std::string>>{
                       {"Z_FIRST", "z"}, {"POD_IP", row.ip}, {"LISTEN", row.ip + ":9100"}, {"NODE", "node-a"}}));
    ASSERT_EQ(config.args_size(), 2);
    EXPECT_EQ(config.args(0), "--web.listen-address=" + row.ip + ":9100");
    EXPECT_EQ(config.args(1), "$(POD_IP)");
  }
}

TEST_F(ContainerConfigTest, Resources) {
  struct Row {
    const char* name;
    std::map<std::string, model::Quantity> requests, limits;
    std::optional<int> oomScoreAdj;
    std::int64_t shares, quota, memory;
  };
  const std::vector<Row> rows = {
      {"nothing: minimum shares, no quota", {}, {}, std::nullopt, 2, 0, 0},
      {"request 100m", {{"cpu", q("100m")}}, {}, std::nullopt, 102, 0, 0},
      {"request 1m: at least 2 shares", {{"cpu", q("1m")}}, {}, std::nullopt, 2, 0, 0},
      {"limit only stands for the request", {}, {{"cpu", q("500m")}}, std::nullopt, 512, 50000, 0},
      {"tiny limit: quota at least 1000", {{"cpu", q("1m")}}, {{"cpu", q("1m")}}, std::nullopt, 2, 1000, 0},
      {"two cpus and memory", {{"cpu", q("2")}}, {{"cpu", q("2")}, {"memory", q("128Mi")}}, -997, 2048, 200000,
       128 * 1024 * 1024},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    ContainerStartRequest r = request();
    r.container.resources.requests = row.requests;
    r.container.resources.limits = row.limits;
    if (auto cpu = row.limits.find("cpu"); cpu != row.limits.end()) r.limits.cpuMillis = cpu->second.milliValue();
    if (auto mem = row.limits.find("memory"); mem != row.limits.end()) r.limits.memoryBytes = mem->second.value();
    r.security.oomScoreAdj = row.oomScoreAdj;
    const auto resources = ok(r).linux().resources();
    EXPECT_EQ(resources.cpu_shares(), row.shares);
    EXPECT_EQ(resources.cpu_period(), 100000);
    EXPECT_EQ(resources.cpu_quota(), row.quota);
    EXPECT_EQ(resources.memory_limit_in_bytes(), row.memory);
    EXPECT_EQ(resources.memory_swap_limit_in_bytes(), row.memory);
    EXPECT_EQ(resources.oom_score_adj(), row.oomScoreAdj.value_or(0));
  }
}

TEST_F(ContainerConfigTest, SecurityContextFields) {
  v1::LinuxContainerSecurityContext security = ok(request()).linux().security_context();
  EXPECT_FALSE(security.privileged());
  EXPECT_FALSE(security.readonly_rootfs());
  EXPECT_FALSE(security.no_new_privs());
  EXPECT_EQ(security.run_as_user().value(), 1000) << "the image's user";
  EXPECT_EQ(security.masked_paths_size(), 11);
  EXPECT_EQ(security.readonly_paths_size(), 5);
  EXPECT_EQ(security.seccomp().profile_type(), v1::SecurityProfile::Unconfined);
  EXPECT_EQ(security.namespace_options().pid(), v1::CONTAINER) << "the sandbox's namespaces";

  pod().runAsUser = 2000;
  pod().runAsGroup = 3000;
  pod().fsGroup = 4000;
  pod().supplementalGroups = {5000};
  own().privileged = true;
  own().readOnlyRootFilesystem = true;
  own().allowPrivilegeEscalation = false;
  own().capabilities = model::Capabilities{{"NET_ADMIN", "SYS_TIME"}, {"ALL"}};
  own().procMount = "Unmasked";
  security = ok(request()).linux().security_context();
  EXPECT_TRUE(security.privileged());
  EXPECT_TRUE(security.readonly_rootfs());
  EXPECT_TRUE(security.no_new_privs());
  EXPECT_EQ(security.run_as_user().value(), 2000);
  EXPECT_EQ(security.run_as_group().value(), 3000);
  EXPECT_EQ(std::vector<std::int64_t>(security.supplemental_groups().begin(), security.supplemental_groups().end()),
            (std::vector<std::int64_t>{4000, 5000}));
  ASSERT_EQ(security.capabilities().add_capabilities_size(), 2);
  EXPECT_EQ(security.capabilities().add_capabilities(1), "SYS_TIME");
  EXPECT_EQ(security.capabilities().drop_capabilities(0), "ALL");
  EXPECT_EQ(security.masked_paths_size(), 0);
  EXPECT_EQ(security.readonly_paths_size(), 0);

  own().runAsUser = 0;
  own().allowPrivilegeEscalation = true;
  security = ok(request()).linux().security_context();
  EXPECT_EQ(security.run_as_user().value(), 0) << "the container's user over the pod's";
  EXPECT_FALSE(security.no_new_privs());
}

TEST_F(ContainerConfigTest, UserFromTheImage) {
  struct Row {
    const char* name;
    ImageUser image;
    std::optional<std::int64_t> uid;
    std::string username;
  };
  const Row rows[] = {{"numeric", {65534, ""}, 65534, ""},
                      {"a name", {std::nullopt, "nobody"}, std::nullopt, "nobody"},
                      {"no user: root", {std::nullopt, ""}, 0, ""}};
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    imageUser_ = row.image;
    const auto security = ok(request()).linux().security_context();
    EXPECT_EQ(security.has_run_as_user(), row.uid.has_value());
    if (row.uid) {
      EXPECT_EQ(security.run_as_user().value(), *row.uid);
    }
    EXPECT_EQ(security.run_as_username(), row.username);
  }
}

TEST_F(ContainerConfigTest, Seccomp) {
  struct Row {
    const char* name;
    model::Json pod, own;  // seccompProfile objects, null: unset
    v1::SecurityProfile::ProfileType type;
    std::string ref;
  };
  const std::vector<Row> rows = {
      {"unset: Unconfined", nullptr, nullptr, v1::SecurityProfile::Unconfined, ""},
      {"the pod's", {{"type", "RuntimeDefault"}}, nullptr, v1::SecurityProfile::RuntimeDefault, ""},
      {"the container's over the pod's", {{"type", "RuntimeDefault"}}, {{"type", "Unconfined"}},
       v1::SecurityProfile::Unconfined, ""},
      {"Localhost under the seccomp root", nullptr, {{"type", "Localhost"}, {"localhostProfile", "prof.json"}},
       v1::SecurityProfile::Localhost, "/var/lib/kubelet/seccomp/prof.json"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    raw_ = {{"containers", model::Json::array({model::Json::object()})}};
    if (!row.pod.is_null()) raw_["securityContext"]["seccompProfile"] = row.pod;
    if (!row.own.is_null()) raw_["containers"][0]["securityContext"]["seccompProfile"] = row.own;
    const auto seccomp = ok(request()).linux().security_context().seccomp();
    EXPECT_EQ(seccomp.profile_type(), row.type);
    EXPECT_EQ(seccomp.localhost_ref(), row.ref);
  }
  raw_["containers"][0]["securityContext"]["seccompProfile"] = {{"type", "Localhost"}};
  auto config = make(request());
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().context, "spec.containers[0].securityContext.seccompProfile.localhostProfile");
  raw_["containers"][0]["securityContext"]["seccompProfile"] = {{"type", "Strict"}};
  config = make(request());
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().context, "spec.containers[0].securityContext.seccompProfile.type");
}

TEST_F(ContainerConfigTest, RunAsNonRootAgainstTheImageUser) {
  struct Row {
    const char* name;
    std::optional<bool> podNonRoot, ownNonRoot;
    std::optional<std::int64_t> runAsUser;
    ImageUser image;
    const char* error;  // null: allowed
    const char* field;
  };
  const std::vector<Row> rows = {
      {"not asked", std::nullopt, std::nullopt, std::nullopt, {0, ""}, nullptr, ""},
      {"image uid 1000", true, std::nullopt, std::nullopt, {1000, ""}, nullptr, ""},
      {"image root", true, std::nullopt, std::nullopt, {0, ""}, "container has runAsNonRoot and image will run as root",
       "spec.securityContext.runAsNonRoot"},
      {"image without a user is root", std::nullopt, true, std::nullopt, {std::nullopt, ""},
       "container has runAsNonRoot and image will run as root", "spec.containers[0].securityContext.runAsNonRoot"},
      {"image user by name", true, std::nullopt, std::nullopt, {std::nullopt, "root"},
       "container has runAsNonRoot and image has non-numeric user (root), cannot verify user is non-root",
       "spec.securityContext.runAsNonRoot"},
      {"runAsUser 0", std::nullopt, true, 0, {1000, ""}, "container's runAsUser breaks non-root policy",
       "spec.containers[0].securityContext.runAsNonRoot"},
      {"runAsUser over a root image", true, std::nullopt, 1000, {0, ""}, nullptr, ""},
      {"the container's false over the pod's true", true, false, std::nullopt, {0, ""}, nullptr, ""},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    spec_->securityContext.reset();
    spec_->containers[0].securityContext.reset();
    if (row.podNonRoot) pod().runAsNonRoot = row.podNonRoot;
    if (row.ownNonRoot) own().runAsNonRoot = row.ownNonRoot;
    if (row.runAsUser) own().runAsUser = row.runAsUser;
    imageUser_ = row.image;
    auto config = make(request());
    if (!row.error) {
      EXPECT_TRUE(config) << config.error().describe();
      continue;
    }
    ASSERT_FALSE(config);
    EXPECT_EQ(config.error().message, std::string(row.error) +
                                          " (pod: \"node-exporter-abcde_kube-system(uid-1)\", container: exporter)");
    EXPECT_EQ(config.error().context, row.field);
  }
}

}  // namespace
}  // namespace daemonlet::runtime::cri
