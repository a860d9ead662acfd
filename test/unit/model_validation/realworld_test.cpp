// Published DaemonSet manifests (shared testdata) run through the whole path:
// read, default, decode, validate. They are all accepted by real API servers, so
// any validation error here is a false rejection.
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "agent/model/decode.h"
#include "validation_test_util.h"

namespace daemonlet::model::testing {
namespace {

std::string readFile(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Historical or partial manifests in the set that real API servers reject too
// (each was fixed upstream later); everything else must validate cleanly.
const std::map<std::string, std::set<std::string>>& knownInvalid() {
  static const std::map<std::string, std::set<std::string>> kFiles = {
      // selector and template labels disagree
      {"node-problem-detector__node-problem-detector@4d4ed74.yaml", {"spec.template.metadata.labels"}},
      {"fluentd-kubernetes-daemonset__fluentd-daemonset-loggly.yaml", {"spec.selector", "spec.template.metadata.labels"}},
      // apps/v1 without a selector
      {"k8s-device-plugin__nvidia-device-plugin@7342deb.yaml", {"spec.selector", "spec.template.metadata.labels"}},
      // a strategic-merge patch, not a whole object
      {"metallb__speaker-patch.yaml",
       {"spec.selector", "spec.template.metadata.labels", "spec.template.spec.containers[3].image"}},
      {"container-engine-accelerators__daemonset-confidential@de4f645.yaml",
       {"spec.template.spec.initContainers[0].volumeMounts[6].mountPath"}},
      {"multus-cni__multus-daemonset-thick@1dd4edd.yaml", {"spec.template.spec.containers[0].volumeMounts[1].name"}},
      // restartPolicy on a regular container needs the alpha ContainerRestartRules gate
      {"container-engine-accelerators__daemonset-vgpu-latest.yaml", {"spec.template.spec.containers[0].restartPolicy"}},
      {"kube-router__kubeadm-kuberouter-all-features-dsr@7092060.yaml",
       {"spec.template.spec.volumes[3].name", "spec.template.spec.containers[0].volumeMounts[4].name"}},
      {"aws-ebs-csi-driver__node@435491d.yaml", {"spec.template.spec.containers[0].securityContext"}},
  };
  return kFiles;
}

TEST(RealWorldManifests, ValidateAsTheApiServerDoes) {
  const std::filesystem::path dir = DAEMONLET_REALWORLD_DIR;
  ASSERT_TRUE(std::filesystem::exists(dir)) << "the shared real-world manifests are missing: " << dir;
  int validated = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".yaml" && entry.path().extension() != ".json") continue;
    const std::string name = entry.path().filename().string();
    SCOPED_TRACE(name);
    const DecodedFile file = decodeFile(readFile(entry.path()), entry.path().string());
    std::set<std::string> paths;
    std::string text;
    for (const DaemonSet& ds : file.daemonSets) {
      const FieldErrors errors = validateDaemonSet(ds);
      for (const auto& e : errors) paths.insert(e.field);
      text += describe(errors);
      ++validated;
    }
    auto known = knownInvalid().find(name);
    EXPECT_EQ(paths, known == knownInvalid().end() ? std::set<std::string>{} : known->second) << text;
  }
  EXPECT_GT(validated, 20);
}

TEST(DecodeThenValidate, ReportsPathsFromYaml) {
  const std::string yaml = R"(apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: Bad_Name
spec:
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: other}
    spec:
      restartPolicy: OnFailure
      containers:
      - name: agent
        image: example.com/agent:1.0
        ports:
        - containerPort: 70000
      tolerations:
      - operator: Equal
)";
  const DecodedFile file = decodeFile(yaml, "bad.yaml");
  ASSERT_EQ(file.daemonSets.size(), 1u);
  std::set<ErrorKey> actual;
  const FieldErrors errors = validateDaemonSet(file.daemonSets[0]);
  for (const auto& e : errors) actual.insert({e.field, e.type});
  const std::set<ErrorKey> expected = {
      {"metadata.name", T::kInvalid},
      {"spec.template.metadata.labels", T::kInvalid},
      {"spec.template.spec.restartPolicy", T::kNotSupported},
      {"spec.template.spec.containers[0].ports[0].containerPort", T::kInvalid},
      {"spec.template.spec.tolerations[0].operator", T::kInvalid},
  };
  EXPECT_EQ(actual, expected) << describe(errors);
}

TEST(DecodeThenValidate, MinimalYamlIsValidAfterDefaults) {
  const std::string yaml = R"(apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      hostNetwork: true
      containers:
      - name: agent
        image: example.com/agent
        ports: [{containerPort: 9100, name: metrics}]
        livenessProbe: {httpGet: {port: metrics}}
        resources: {limits: {cpu: "0.5"}}
      volumes:
      - name: scratch
)";
  const DecodedFile file = decodeFile(yaml, "ok.yaml");
  ASSERT_EQ(file.daemonSets.size(), 1u);
  const FieldErrors errors = validateDaemonSet(file.daemonSets[0]);
  EXPECT_TRUE(errors.empty()) << describe(errors);
}

}  // namespace
}  // namespace daemonlet::model::testing
