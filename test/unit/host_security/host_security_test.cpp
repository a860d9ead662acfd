// What the host runtime refuses (CreateContainerConfigError, naming the field)
// and which capability set it applies, containerd's CRI rules row by row.
#include "agent/reconciler/host_security.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "agent/model/decode.h"

namespace daemonlet::reconciler {
namespace {

using model::Json;
using runtime::capabilityBit;
using runtime::capabilityNumber;

// A decoded, defaulted DaemonSet whose pod spec is `pod` merged over one
// plain container "c".
model::DaemonSet daemonSetWith(const Json& podPatch, const Json& containerPatch = Json::object()) {
  Json container = {{"name", "c"}, {"image", "host"}, {"command", {"/bin/true"}}};
  container.merge_patch(containerPatch);
  Json pod = {{"containers", {container}}};
  pod.merge_patch(podPatch);
  Json ds = Json::parse(R"({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "ds"},
      "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {"labels": {"a": "b"}}}}})");
  ds["spec"]["template"]["spec"] = pod;
  model::DecodedFile file = model::decodeFile(ds.dump(), "test.json");
  EXPECT_TRUE(file.errors.empty()) << (file.errors.empty() ? "" : file.errors[0].format());
  EXPECT_EQ(file.daemonSets.size(), 1u);
  return file.daemonSets.empty() ? model::DaemonSet{} : file.daemonSets[0];
}

runtime::CapabilitySet caps(std::initializer_list<const char*> names) {
  runtime::CapabilitySet set = 0;
  for (const char* name : names) set |= capabilityBit(*capabilityNumber(name));
  return set;
}

TEST(HostSecurityTest, RefusesWhatAHostProcessCannotHonourNamingTheField) {
  struct Row {
    const char* name;
    Json pod;
    Json container;
    bool agentIsRoot;
    const char* field;  // nullptr: allowed
  };
  const Json sameHostPath = {{"volumes", {{{"name", "v"}, {"hostPath", {{"path", "/var/log"}}}}}}};
  const Row rows[] = {
      {"plain", Json::object(), Json::object(), true, nullptr},
      {"runtimeClassName host", {{"runtimeClassName", "host"}}, Json::object(), true, nullptr},
      {"runtimeClassName kata",
       {{"runtimeClassName", "kata"}},
       Json::object(),
       true,
       "spec.template.spec.runtimeClassName"},
      {"runAsNonRoot with uid 0",
       Json::object(),
       {{"securityContext", {{"runAsNonRoot", true}, {"runAsUser", 0}}}},
       true,
       "containers[0].securityContext.runAsNonRoot"},
      {"runAsNonRoot inheriting root",
       {{"securityContext", {{"runAsNonRoot", true}}}},
       Json::object(),
       true,
       "spec.template.spec.securityContext.runAsNonRoot"},
      {"runAsNonRoot under a non-root agent",
       {{"securityContext", {{"runAsNonRoot", true}}}},
       Json::object(),
       false,
       nullptr},
      {"runAsNonRoot with a pod-level user",
       {{"securityContext", {{"runAsNonRoot", true}, {"runAsUser", 1000}}}},
       Json::object(),
       true,
       nullptr},
      {"container user 0 overrides the pod's",
       {{"securityContext", {{"runAsNonRoot", true}, {"runAsUser", 1000}}}},
       {{"securityContext", {{"runAsUser", 0}}}},
       true,
       "spec.template.spec.securityContext.runAsNonRoot"},
      {"readOnlyRootFilesystem",
       Json::object(),
       {{"securityContext", {{"readOnlyRootFilesystem", true}}}},
       true,
       "containers[0].securityContext.readOnlyRootFilesystem"},
      {"hostPath at its own path (a no-op)",
       sameHostPath,
       {{"volumeMounts", {{{"name", "v"}, {"mountPath", "/var/log"}}}}},
       true,
       nullptr},
      {"hostPath elsewhere",
       sameHostPath,
       {{"volumeMounts", {{{"name", "v"}, {"mountPath", "/logs"}}}}},
       true,
       "containers[0].volumeMounts[0]"},
      {"hostPath read-only",
       sameHostPath,
       {{"volumeMounts", {{{"name", "v"}, {"mountPath", "/var/log"}, {"readOnly", true}}}}},
       true,
       "containers[0].volumeMounts[0]"},
      {"emptyDir",
       {{"volumes", {{{"name", "v"}, {"emptyDir", Json::object()}}}}},
       {{"volumeMounts", {{{"name", "v"}, {"mountPath", "/data"}}}}},
       true,
       "containers[0].volumeMounts[0]"},
      {"unknown capability",
       Json::object(),
       {{"securityContext", {{"capabilities", {{"add", {"NET_ADMIM"}}}}}}},
       true,
       "containers[0].securityContext.capabilities.add[0]"},
      {"CAP_ prefix",
       Json::object(),
       {{"securityContext", {{"capabilities", {{"drop", {"CAP_KILL"}}}}}}},
       true,
       "containers[0].securityContext.capabilities.drop[0]"},
      {"lower-case names and all",
       Json::object(),
       {{"securityContext", {{"capabilities", {{"add", {"net_admin"}}, {"drop", {"all"}}}}}}},
       true,
       nullptr},
      {"Localhost seccomp",
       Json::object(),
       {{"securityContext", {{"seccompProfile", {{"type", "Localhost"}, {"localhostProfile", "p.json"}}}}}},
       true,
       "containers[0].securityContext.seccompProfile.type"},
      {"RuntimeDefault seccomp",
       Json::object(),
       {{"securityContext", {{"seccompProfile", {{"type", "RuntimeDefault"}}}}}},
       true,
       nullptr},
      {"Localhost AppArmor on the pod",
       {{"securityContext", {{"appArmorProfile", {{"type", "Localhost"}, {"localhostProfile", "p"}}}}}},
       Json::object(),
       true,
       "spec.template.spec.securityContext.appArmorProfile.type"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    model::DaemonSet ds = daemonSetWith(row.pod, row.container);
    auto security = hostContainerSecurity(ds, ContainerRef{false, 0}, 1LL << 34, row.agentIsRoot);
    if (!row.field) {
      EXPECT_TRUE(security.has_value()) << security.error().describe();
      continue;
    }
    ASSERT_FALSE(security.has_value());
    EXPECT_NE(security.error().message.find(row.field), std::string::npos) << security.error().message;
    // validate reports the same.
    auto all = hostRuntimeRefusals(ds, row.agentIsRoot);
    ASSERT_EQ(all.size(), 1u);
    EXPECT_NE(all[0].find(row.field), std::string::npos) << all[0];
  }
}

TEST(HostSecurityTest, CapabilitiesFollowContainerdsOrder) {
  const runtime::CapabilitySet defaults = runtime::containerdDefaultCapabilities();
  struct Row {
    const char* name;
    Json securityContext;
    runtime::CapabilitySet expected;
    runtime::CapabilitySet added;
    bool noNewPrivileges;
  };
  const Row rows[] = {
      {"nothing: containerd's defaults", Json::object(), defaults, 0, false},
      {"drop ALL", {{"capabilities", {{"drop", {"ALL"}}}}}, 0, 0, false},
      {"drop ALL, add one",
       {{"capabilities", {{"drop", {"ALL"}}, {"add", {"NET_BIND_SERVICE"}}}}},
       caps({"NET_BIND_SERVICE"}),
       caps({"NET_BIND_SERVICE"}),
       false},
      {"add ALL, drop one",
       {{"capabilities", {{"add", {"ALL"}}, {"drop", {"CHOWN"}}}}},
       runtime::allKnownCapabilities() & ~caps({"CHOWN"}),
       runtime::allKnownCapabilities(),
       false},
      {"add and drop the same: dropped",
       {{"capabilities", {{"add", {"NET_ADMIN"}}, {"drop", {"NET_ADMIN"}}}}},
       defaults,
       caps({"NET_ADMIN"}),
       false},
      {"allowPrivilegeEscalation false", {{"allowPrivilegeEscalation", false}}, defaults, 0, true},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    auto security =
        hostContainerSecurity(daemonSetWith(Json::object(), {{"securityContext", row.securityContext}}),
                              ContainerRef{false, 0}, 1LL << 34, true);
    ASSERT_TRUE(security.has_value()) << security.error().describe();
    EXPECT_FALSE(security->privileged);
    EXPECT_EQ(runtime::describeCapabilities(security->capabilities),
              runtime::describeCapabilities(row.expected));
    EXPECT_EQ(security->addedCapabilities, row.added);
    EXPECT_EQ(security->noNewPrivileges, row.noNewPrivileges);
    EXPECT_EQ(security->oomScoreAdj, 1000) << "BestEffort";
  }
  auto privileged =
      hostContainerSecurity(daemonSetWith(Json::object(), {{"securityContext", {{"privileged", true}}}}),
                            ContainerRef{false, 0}, 1LL << 34, true);
  ASSERT_TRUE(privileged.has_value());
  EXPECT_TRUE(privileged->privileged) << "privileged keeps every capability";
}

TEST(HostSecurityTest, SupplementalGroupsIncludeFsGroup) {
  auto security = hostContainerSecurity(
      daemonSetWith({{"securityContext", {{"supplementalGroups", {100, 200}}, {"fsGroup", 300}}}}),
      ContainerRef{false, 0}, 1LL << 34, true);
  ASSERT_TRUE(security.has_value());
  EXPECT_EQ(security->supplementalGroups, (std::vector<std::int64_t>{100, 200, 300}));
}

}  // namespace
}  // namespace daemonlet::reconciler
