// The start request a pod's spec becomes: one table row per field mapping.
#include "agent/reconciler/start_request.h"

#include <gtest/gtest.h>

#include <functional>

#include "pod_fixtures.h"

namespace daemonlet::reconciler {
namespace {

using testing::daemonSetNamed;
using testing::podOf;

model::Quantity quantity(const char* text) { return *model::Quantity::parse(text); }

struct StartRequestCase {
  std::string name;
  std::function<void(model::DaemonSet&)> tweak;
  std::function<void(const runtime::ContainerStartRequest&)> expect;  // null: the request is refused
  std::string error;                                                  // substring of the refusal
};

TEST(StartRequest, MapsThePodSpecOntoTheRequest) {
  const std::vector<StartRequestCase> cases = {
      {"defaults: the spec's command, 30 s grace, no user, no limits", [](model::DaemonSet&) {},
       [](const runtime::ContainerStartRequest& r) {
         EXPECT_EQ(r.container.command, std::vector<std::string>{"/bin/daemon"});
         EXPECT_EQ(r.terminationGracePeriod, std::chrono::seconds(30));
         EXPECT_FALSE(r.runAsUser);
         EXPECT_FALSE(r.runAsGroup);
         EXPECT_FALSE(r.limits.memoryBytes);
         EXPECT_FALSE(r.limits.cpuMillis);
         EXPECT_EQ(r.restartCount, 2);  // the slot's starts so far
         EXPECT_FALSE(r.init);
         EXPECT_EQ(r.pod.uid, "pod-uid");
         EXPECT_EQ(r.logPath, "");  // the runtime's default layout
       },
       ""},
      {"the pod's grace period",
       [](model::DaemonSet& ds) { ds.spec.template_.spec.terminationGracePeriodSeconds = 5; },
       [](const runtime::ContainerStartRequest& r) {
         EXPECT_EQ(r.terminationGracePeriod, std::chrono::seconds(5));
       },
       ""},
      {"pod-level user and group apply when the container sets none",
       [](model::DaemonSet& ds) {
         ds.spec.template_.spec.securityContext = model::PodSecurityContext{};
         ds.spec.template_.spec.securityContext->runAsUser = 1000;
         ds.spec.template_.spec.securityContext->runAsGroup = 2000;
       },
       [](const runtime::ContainerStartRequest& r) {
         EXPECT_EQ(r.runAsUser, 1000);
         EXPECT_EQ(r.runAsGroup, 2000);
       },
       ""},
      {"the container's user wins over the pod's, field by field",
       [](model::DaemonSet& ds) {
         ds.spec.template_.spec.securityContext = model::PodSecurityContext{};
         ds.spec.template_.spec.securityContext->runAsUser = 1000;
         ds.spec.template_.spec.securityContext->runAsGroup = 2000;
         ds.spec.template_.spec.containers[0].securityContext = model::SecurityContext{};
         ds.spec.template_.spec.containers[0].securityContext->runAsUser = 1001;
       },
       [](const runtime::ContainerStartRequest& r) {
         EXPECT_EQ(r.runAsUser, 1001);
         EXPECT_EQ(r.runAsGroup, 2000);
       },
       ""},
      {"memory and cpu limits, resolved to bytes and millicores",
       [](model::DaemonSet& ds) {
         ds.spec.template_.spec.containers[0].resources.limits = {{"memory", quantity("64Mi")},
                                                                  {"cpu", quantity("250m")}};
       },
       [](const runtime::ContainerStartRequest& r) {
         EXPECT_EQ(r.limits.memoryBytes, 64 * 1024 * 1024);
         EXPECT_EQ(r.limits.cpuMillis, 250);
       },
       ""},
      {"env from the pod's fields, and $(VAR) expanded in args",
       [](model::DaemonSet& ds) {
         auto& c = ds.spec.template_.spec.containers[0];
         model::EnvVarSource source;
         source.fieldRef = model::ObjectFieldSelector{"v1", "metadata.name"};
         c.env = {{"POD", "", source}};
         c.args = {"--name=$(POD)"};
       },
       [](const runtime::ContainerStartRequest& r) {
         EXPECT_EQ(r.env.at("POD"), "pod-name-from-context");
         EXPECT_EQ(r.container.args, std::vector<std::string>{"--name=pod-name-from-context"});
       },
       ""},
      {"a secret reference cannot be resolved",
       [](model::DaemonSet& ds) {
         model::EnvVarSource source;
         source.secretKeyRef = model::KeySelector{"token", "key", std::nullopt};
         ds.spec.template_.spec.containers[0].env = {{"TOKEN", "", source}};
       },
       nullptr, "TOKEN"},
      {"an env var from a ConfigMap is refused naming the entry",
       [](model::DaemonSet& ds) {
         auto& env = ds.spec.template_.spec.containers[0].env;
         env.push_back({"PLAIN", "x", std::nullopt});
         model::EnvVarSource source;
         source.configMapKeyRef = model::KeySelector{"calico-config", "backend", std::nullopt};
         env.push_back({"BACKEND", "", source});
       },
       nullptr, "spec.containers[0].env[1].valueFrom.configMapKeyRef: configmap \"calico-config\" not found"},
      {"a security field the host runtime cannot honour",
       [](model::DaemonSet& ds) {
         ds.spec.template_.spec.containers[0].securityContext = model::SecurityContext{};
         ds.spec.template_.spec.containers[0].securityContext->readOnlyRootFilesystem = true;
       },
       nullptr, "readOnlyRootFilesystem"},
      {"a CRI pod is not held to what a host process can honour",
       [](model::DaemonSet& ds) {
         ds.spec.template_.spec.runtimeClassName.reset();
         ds.spec.template_.spec.containers[0].securityContext = model::SecurityContext{};
         ds.spec.template_.spec.containers[0].securityContext->readOnlyRootFilesystem = true;
         ds.spec.template_.spec.containers[0].securityContext->privileged = true;
       },
       [](const runtime::ContainerStartRequest& r) { EXPECT_TRUE(r.security.privileged); }, ""},
      {"the request shares the pod's spec",
       [](model::DaemonSet& ds) { ds.spec.template_.spec.hostNetwork = true; },
       [](const runtime::ContainerStartRequest& r) {
         ASSERT_NE(r.podSpec, nullptr);
         EXPECT_TRUE(r.podSpec->hostNetwork);
         EXPECT_EQ(r.podSpec->containers.size(), 1u);
       },
       ""},
      {"an env error is named before a security refusal",
       [](model::DaemonSet& ds) {
         model::EnvVarSource source;
         source.secretKeyRef = model::KeySelector{"token", "key", std::nullopt};
         ds.spec.template_.spec.containers[0].env = {{"TOKEN", "", source}};
         ds.spec.template_.spec.containers[0].securityContext = model::SecurityContext{};
         ds.spec.template_.spec.containers[0].securityContext->readOnlyRootFilesystem = true;
       },
       nullptr, "TOKEN"},
  };
  for (const auto& row : cases) {
    SCOPED_TRACE(row.name);
    model::DaemonSet ds = daemonSetNamed("agent");
    row.tweak(ds);
    PodState pod = podOf(ds);
    pod.containers[0].starts = 2;
    NodeFacts node;
    node.env.podName = "pod-name-from-context";
    node.nodeMemoryBytes = std::int64_t{8} << 30;
    auto request = containerStartRequest(pod, pod.containers[0], node);
    if (row.expect) {
      ASSERT_TRUE(request) << request.error().describe();
      row.expect(*request);
    } else {
      ASSERT_FALSE(request);
      EXPECT_NE(request.error().describe().find(row.error), std::string::npos) << request.error().describe();
    }
  }
}

TEST(StartRequest, AnInitContainerIsFoundAmongTheInitContainers) {
  model::DaemonSet ds = daemonSetNamed("agent");
  model::Container init;
  init.name = "main";  // the same name as the main container: the init flag tells them apart
  init.command = {"/bin/setup"};
  ds.spec.template_.spec.initContainers.push_back(init);
  PodState pod = podOf(ds);
  auto request = containerStartRequest(pod, pod.initContainers[0], NodeFacts{});
  ASSERT_TRUE(request) << request.error().describe();
  EXPECT_TRUE(request->init);
  EXPECT_EQ(request->container.command, std::vector<std::string>{"/bin/setup"});
}

TEST(StartRequest, AContainerTheSpecNoLongerNamesIsNotFound) {
  PodState pod = podOf(daemonSetNamed("agent"));
  ContainerSlot gone;
  gone.name = "gone";
  EXPECT_EQ(containerSpec(pod, gone), nullptr);
  auto request = containerStartRequest(pod, gone, NodeFacts{});
  ASSERT_FALSE(request);
  EXPECT_EQ(request.error().code, base::ErrorCode::kNotFound);
}

TEST(StartRequest, ThePodSpecIsTheDaemonSetsNotACopy) {
  PodState pod = podOf(daemonSetNamed("agent"));
  auto first = containerStartRequest(pod, pod.containers[0], NodeFacts{});
  auto second = containerStartRequest(pod, pod.containers[0], NodeFacts{});
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->podSpec.get(), &pod.daemonSet->spec.template_.spec);
  EXPECT_EQ(second->podSpec.get(), first->podSpec.get());
}

TEST(StartRequest, GraceIsTheDefaultForAPodWithoutASpec) {
  PodState pod = podOf(daemonSetNamed("agent"));
  pod.daemonSet.reset();
  EXPECT_EQ(terminationGrace(pod), std::chrono::seconds(30));
  EXPECT_EQ(containerSpec(pod, pod.containers[0]), nullptr);
}

}  // namespace
}  // namespace daemonlet::reconciler
