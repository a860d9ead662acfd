// applyDefaults on JSON: each Kubernetes default, tolerance of wrong types, and
// the normalisation that makes differently written templates identical.
#include <gtest/gtest.h>

#include "agent/model/defaults.h"

namespace daemonlet::model {
namespace {

Json minimal() {
  return Json::parse(R"({
    "apiVersion": "apps/v1", "kind": "DaemonSet",
    "metadata": {"name": "agent"},
    "spec": {
      "selector": {"matchLabels": {"app": "agent"}},
      "template": {
        "metadata": {"labels": {"app": "agent"}},
        "spec": {"containers": [{"name": "agent", "image": "example.com/agent:1.0"}]}
      }
    }
  })");
}

Json defaulted(Json j) {
  applyDefaults(j);
  return j;
}

const Json::json_pointer P(const char* p) { return Json::json_pointer(p); }

TEST(Defaults, DaemonSetLevel) {
  const Json d = defaulted(minimal());
  EXPECT_EQ(d.at(P("/metadata/namespace")), "default");
  EXPECT_EQ(d.at(P("/spec/updateStrategy/type")), "RollingUpdate");
  EXPECT_EQ(d.at(P("/spec/updateStrategy/rollingUpdate/maxUnavailable")), 1);
  EXPECT_EQ(d.at(P("/spec/updateStrategy/rollingUpdate/maxSurge")), 0);
  EXPECT_EQ(d.at(P("/spec/revisionHistoryLimit")), 10);
}

TEST(Defaults, ExplicitValuesWin) {
  Json j = minimal();
  j["metadata"]["namespace"] = "kube-system";
  j["spec"]["revisionHistoryLimit"] = 0;
  j["spec"]["updateStrategy"] = Json::parse(R"({"rollingUpdate": {"maxUnavailable": "10%"}})");
  const Json d = defaulted(j);
  EXPECT_EQ(d.at(P("/metadata/namespace")), "kube-system");
  EXPECT_EQ(d.at(P("/spec/revisionHistoryLimit")), 0);  // pointer field: zero is kept
  EXPECT_EQ(d.at(P("/spec/updateStrategy/rollingUpdate/maxUnavailable")), "10%");
  EXPECT_EQ(d.at(P("/spec/updateStrategy/rollingUpdate/maxSurge")), 0);
}

TEST(Defaults, OnDeleteGetsNoRollingUpdate) {
  Json j = minimal();
  j["spec"]["updateStrategy"] = Json::parse(R"({"type": "OnDelete"})");
  const Json d = defaulted(j);
  EXPECT_FALSE(d.at(P("/spec/updateStrategy")).contains("rollingUpdate"));
}

TEST(Defaults, PodSpecAndContainer) {
  const Json d = defaulted(minimal());
  const Json& pod = d.at(P("/spec/template/spec"));
  EXPECT_EQ(pod.at("restartPolicy"), "Always");
  EXPECT_EQ(pod.at("dnsPolicy"), "ClusterFirst");
  EXPECT_EQ(pod.at("schedulerName"), "default-scheduler");
  EXPECT_EQ(pod.at("terminationGracePeriodSeconds"), 30);
  EXPECT_EQ(pod.at("securityContext"), Json::object());
  const Json& c = pod.at(P("/containers/0"));
  EXPECT_EQ(c.at("imagePullPolicy"), "IfNotPresent");
  EXPECT_EQ(c.at("terminationMessagePath"), "/dev/termination-log");
  EXPECT_EQ(c.at("terminationMessagePolicy"), "File");
}

TEST(Defaults, ImagePullPolicy) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"nginx", "Always"},
      {"nginx:latest", "Always"},
      {"nginx:1.25", "IfNotPresent"},
      {"localhost:5000/agent", "Always"},
      {"localhost:5000/agent:v1", "IfNotPresent"},
      {"example.com/agent@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "IfNotPresent"},
      {"example.com/agent:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "Always"},
      {"", "IfNotPresent"},
      {"Upper/Case", "IfNotPresent"},
  };
  for (const auto& [image, policy] : cases) {
    SCOPED_TRACE(image);
    Json j = minimal();
    j["spec"]["template"]["spec"]["containers"][0]["image"] = image;
    EXPECT_EQ(defaulted(j).at(P("/spec/template/spec/containers/0/imagePullPolicy")), policy);
  }
}

TEST(Defaults, PortsProbesEnvVolumes) {
  Json j = minimal();
  Json& c = j["spec"]["template"]["spec"]["containers"][0];
  c["ports"] = Json::parse(R"([{"containerPort": 9100}])");
  c["livenessProbe"] = Json::parse(R"({"httpGet": {"port": 9100}})");
  c["readinessProbe"] = Json::parse(R"({"exec": {"command": ["true"]}, "periodSeconds": 0, "timeoutSeconds": 5})");
  c["env"] = Json::parse(R"([{"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}])");
  j["spec"]["template"]["spec"]["volumes"] = Json::parse(
      R"([{"name": "a", "hostPath": {"path": "/a"}}, {"name": "b"}, {"name": "c", "configMap": {"name": "cfg"}}])");
  const Json d = defaulted(j);
  const Json& dc = d.at(P("/spec/template/spec/containers/0"));
  EXPECT_EQ(dc.at(P("/ports/0/protocol")), "TCP");
  EXPECT_FALSE(dc.at(P("/ports/0")).contains("hostPort"));  // no hostNetwork
  EXPECT_EQ(dc.at(P("/livenessProbe/httpGet/path")), "/");
  EXPECT_EQ(dc.at(P("/livenessProbe/httpGet/scheme")), "HTTP");
  EXPECT_EQ(dc.at(P("/livenessProbe/timeoutSeconds")), 1);
  EXPECT_EQ(dc.at(P("/livenessProbe/periodSeconds")), 10);
  EXPECT_EQ(dc.at(P("/livenessProbe/successThreshold")), 1);
  EXPECT_EQ(dc.at(P("/livenessProbe/failureThreshold")), 3);
  EXPECT_EQ(dc.at(P("/readinessProbe/periodSeconds")), 10);
  EXPECT_EQ(dc.at(P("/readinessProbe/timeoutSeconds")), 5);
  EXPECT_EQ(dc.at(P("/env/0/valueFrom/fieldRef/apiVersion")), "v1");
  const Json& vols = d.at(P("/spec/template/spec/volumes"));
  EXPECT_EQ(vols.at(P("/0/hostPath/type")), "");
  EXPECT_EQ(vols.at(P("/1/emptyDir")), Json::object());  // a volume with no source is an emptyDir
  EXPECT_EQ(vols.at(P("/2/configMap/defaultMode")), 420);
}

TEST(Defaults, HostNetworkCopiesContainerPort) {
  Json j = minimal();
  j["spec"]["template"]["spec"]["hostNetwork"] = true;
  j["spec"]["template"]["spec"]["containers"][0]["ports"] = Json::parse(R"([{"containerPort": 9100}])");
  EXPECT_EQ(defaulted(j).at(P("/spec/template/spec/containers/0/ports/0/hostPort")), 9100);
}

TEST(Defaults, QuantitiesCanonicalAndLimitsCopied) {
  Json j = minimal();
  j["spec"]["template"]["spec"]["containers"][0]["resources"] =
      Json::parse(R"({"limits": {"cpu": "0.5", "memory": "1024Mi"}, "requests": {"cpu": 0.25}})");
  const Json d = defaulted(j);
  const Json& r = d.at(P("/spec/template/spec/containers/0/resources"));
  EXPECT_EQ(r.at(P("/limits/cpu")), "500m");
  EXPECT_EQ(r.at(P("/limits/memory")), "1Gi");
  EXPECT_EQ(r.at(P("/requests/cpu")), "250m");
  EXPECT_EQ(r.at(P("/requests/memory")), "1Gi");  // copied from limits
}

TEST(Defaults, ToleratesWrongTypes) {
  Json j = minimal();
  j["spec"]["template"]["spec"]["containers"] = "not a list";
  j["spec"]["updateStrategy"] = 5;
  j["metadata"]["namespace"] = 7;
  const Json d = defaulted(j);
  EXPECT_EQ(d.at(P("/spec/template/spec/containers")), "not a list");
  EXPECT_EQ(d.at(P("/spec/updateStrategy")), 5);
  EXPECT_EQ(d.at(P("/metadata/namespace")), 7);
  Json notObject = Json::array();
  applyDefaults(notObject);
  EXPECT_EQ(notObject, Json::array());
}

TEST(Defaults, ZeroValuesAndPointerFields) {
  Json j = minimal();
  Json& pod = j["spec"]["template"]["spec"];
  pod["hostNetwork"] = false;
  pod["hostPID"] = false;
  pod["nodeSelector"] = Json::object();
  pod["tolerations"] = Json::array();
  pod["serviceAccountName"] = "";
  pod["activeDeadlineSeconds"] = nullptr;
  pod["containers"][0]["securityContext"] = Json::parse(R"({"privileged": false, "runAsUser": 0})");
  pod["containers"][0]["volumeMounts"] = Json::parse(R"([{"name": "a", "mountPath": "/a", "readOnly": false}])");
  pod["containers"][0]["ports"] = Json::parse(R"([{"containerPort": 80, "hostPort": 0}])");
  j["spec"]["template"]["metadata"]["labels"]["empty"] = "";
  const Json d = defaulted(j);
  const Json& dp = d.at(P("/spec/template/spec"));
  for (const char* k : {"hostNetwork", "hostPID", "nodeSelector", "tolerations", "serviceAccountName", "activeDeadlineSeconds"})
    EXPECT_FALSE(dp.contains(k)) << k;
  EXPECT_EQ(dp.at(P("/containers/0/securityContext/privileged")), false);
  EXPECT_EQ(dp.at(P("/containers/0/securityContext/runAsUser")), 0);
  EXPECT_FALSE(dp.at(P("/containers/0/volumeMounts/0")).contains("readOnly"));
  EXPECT_EQ(dp.at(P("/containers/0/ports/0/containerPort")), 80);
  EXPECT_FALSE(dp.at(P("/containers/0/ports/0")).contains("hostPort"));
  EXPECT_EQ(d.at(P("/spec/template/metadata/labels/empty")), "");  // map entries are data, kept
}

TEST(Defaults, SameTemplateWrittenDifferentlyIsIdentical) {
  const Json terse = Json::parse(R"({
    "kind": "DaemonSet", "apiVersion": "apps/v1", "metadata": {"name": "agent"},
    "spec": {"template": {"spec": {"containers": [{"image": "example.com/agent:1.0", "name": "agent",
               "resources": {"limits": {"memory": "1Gi", "cpu": 1}}}]},
             "metadata": {"labels": {"app": "agent"}}},
             "selector": {"matchLabels": {"app": "agent"}}}
  })");
  const Json verbose = Json::parse(R"({
    "apiVersion": "apps/v1", "kind": "DaemonSet",
    "metadata": {"name": "agent", "namespace": "default", "creationTimestamp": null},
    "spec": {
      "selector": {"matchLabels": {"app": "agent"}},
      "revisionHistoryLimit": 10, "minReadySeconds": 0,
      "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}},
      "template": {
        "metadata": {"labels": {"app": "agent"}},
        "spec": {
          "restartPolicy": "Always", "dnsPolicy": "ClusterFirst", "hostNetwork": false,
          "schedulerName": "default-scheduler", "securityContext": {}, "terminationGracePeriodSeconds": 30,
          "tolerations": [], "volumes": [],
          "containers": [{
            "name": "agent", "image": "example.com/agent:1.0", "imagePullPolicy": "IfNotPresent",
            "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
            "resources": {"requests": {"cpu": "1000m", "memory": "1024Mi"}, "limits": {"cpu": "1", "memory": "1Gi"}},
            "stdin": false, "tty": false, "env": [], "args": []
          }]
        }
      }
    }
  })");
  EXPECT_EQ(defaulted(terse).dump(), defaulted(verbose).dump());
}

TEST(Defaults, Idempotent) {
  const Json once = defaulted(minimal());
  EXPECT_EQ(defaulted(once).dump(), once.dump());
}

}  // namespace
}  // namespace daemonlet::model
