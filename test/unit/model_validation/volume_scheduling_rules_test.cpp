// Volumes, volume mounts, node affinity and tolerations.
#include "validation_test_util.h"

namespace daemonlet::model::testing {
namespace {

const std::string v0 = "spec.template.spec.volumes[0].";
const std::string m = "spec.template.spec.containers[0].volumeMounts";

Volume hostPathVolume(std::string name, std::string path, std::string type = "") {
  Volume v;
  v.name = std::move(name);
  v.hostPath = HostPathVolumeSource{std::move(path), std::move(type)};
  v.sourceKinds = {"hostPath"};
  return v;
}

void addMount(DaemonSet& d, std::string name, std::string path, std::string subPath = "") {
  VolumeMount vm;
  vm.name = std::move(name);
  vm.mountPath = std::move(path);
  vm.subPath = std::move(subPath);
  d.spec.template_.spec.containers[0].volumeMounts.push_back(vm);
}

TEST(VolumeValidation, Volumes) {
  runCases({
      {"hostPath mounted",
       [](DaemonSet& d) {
         d.spec.template_.spec.volumes = {hostPathVolume("logs", "/var/log", "Directory")};
         addMount(d, "logs", "/host/log");
       },
       {}},
      {"hostPath path required", [](DaemonSet& d) { d.spec.template_.spec.volumes = {hostPathVolume("logs", "")}; },
       {{v0 + "hostPath.path", T::kRequired}}},
      {"hostPath with ..", [](DaemonSet& d) { d.spec.template_.spec.volumes = {hostPathVolume("logs", "/var/../etc")}; },
       {{v0 + "hostPath.path", T::kInvalid}}},
      {"hostPath type", [](DaemonSet& d) { d.spec.template_.spec.volumes = {hostPathVolume("logs", "/var", "Dir")}; },
       {{v0 + "hostPath.type", T::kNotSupported}}},
      {"volume name", [](DaemonSet& d) { d.spec.template_.spec.volumes = {hostPathVolume("Logs", "/var")}; },
       {{v0 + "name", T::kInvalid}}},
      {"duplicate volume",
       [](DaemonSet& d) { d.spec.template_.spec.volumes = {hostPathVolume("a", "/a"), hostPathVolume("a", "/b")}; },
       {{"spec.template.spec.volumes[1].name", T::kDuplicate}}},
      {"two sources",
       [](DaemonSet& d) {
         Volume v = hostPathVolume("a", "/a");
         v.emptyDir = EmptyDirVolumeSource{};
         v.sourceKinds = {"hostPath", "emptyDir"};
         d.spec.template_.spec.volumes = {v};
       },
       {{v0 + "hostPath", T::kForbidden}}},
      {"configMap name required",
       [](DaemonSet& d) {
         Volume v;
         v.name = "cfg";
         v.sourceKinds = {"configMap"};
         v.raw = Json::parse(R"({"name":"cfg","configMap":{"defaultMode":420}})");
         d.spec.template_.spec.volumes = {v};
       },
       {{v0 + "configMap.name", T::kRequired}}},
      {"mount of unknown volume", [](DaemonSet& d) { addMount(d, "nope", "/x"); }, {{m + "[0].name", T::kNotFound}}},
      {"mount of invalid volume is not found either",
       [](DaemonSet& d) {
         d.spec.template_.spec.volumes = {hostPathVolume("logs", "")};
         addMount(d, "logs", "/x");
       },
       {{v0 + "hostPath.path", T::kRequired}, {m + "[0].name", T::kNotFound}}},
      {"mount path required and unique",
       [](DaemonSet& d) {
         d.spec.template_.spec.volumes = {hostPathVolume("a", "/a")};
         addMount(d, "a", "/x");
         addMount(d, "a", "/x");
         addMount(d, "a", "");
       },
       {{m + "[1].mountPath", T::kInvalid}, {m + "[2].mountPath", T::kRequired}}},
      {"subPath absolute and backstep (reported without index)",
       [](DaemonSet& d) {
         d.spec.template_.spec.volumes = {hostPathVolume("a", "/a")};
         addMount(d, "a", "/x", "/abs");
         addMount(d, "a", "/y", "a/../b");
       },
       {{m + ".subPath", T::kInvalid}}},
      {"relative subPath ok",
       [](DaemonSet& d) {
         d.spec.template_.spec.volumes = {hostPathVolume("a", "/a")};
         addMount(d, "a", "/x", "sub/dir..name");
       },
       {}},
      {"bidirectional needs privileged",
       [](DaemonSet& d) {
         d.spec.template_.spec.volumes = {hostPathVolume("a", "/a")};
         addMount(d, "a", "/x");
         d.spec.template_.spec.containers[0].volumeMounts[0].mountPropagation = "Bidirectional";
       },
       {{m + ".mountPropagation", T::kForbidden}}},
  });
}

NodeAffinity requiredTerms(std::vector<NodeSelectorTerm> terms) {
  NodeAffinity na;
  na.requiredDuringSchedulingIgnoredDuringExecution = NodeSelector{std::move(terms)};
  return na;
}

void setAffinity(DaemonSet& d, NodeAffinity na) { d.spec.template_.spec.affinity = Affinity{std::move(na)}; }

TEST(SchedulingValidation, NodeAffinity) {
  const std::string t0 =
      "spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms";
  auto expr = [](std::string key, std::string op, std::vector<std::string> values) {
    return NodeSelectorTerm{{NodeSelectorRequirement{std::move(key), std::move(op), std::move(values)}}, {}};
  };
  auto field = [](std::string op, std::vector<std::string> values, std::string key = "metadata.name") {
    return NodeSelectorTerm{{}, {NodeSelectorRequirement{std::move(key), std::move(op), std::move(values)}}};
  };
  runCases({
      {"valid In", [&](DaemonSet& d) { setAffinity(d, requiredTerms({expr("kubernetes.io/os", "In", {"linux"})})); }, {}},
      {"empty term list", [&](DaemonSet& d) { setAffinity(d, requiredTerms({})); }, {{t0, T::kRequired}}},
      {"In without values", [&](DaemonSet& d) { setAffinity(d, requiredTerms({expr("k", "In", {})})); },
       {{t0 + "[0].matchExpressions[0].values", T::kRequired}}},
      {"Exists with values", [&](DaemonSet& d) { setAffinity(d, requiredTerms({expr("k", "Exists", {"x"})})); },
       {{t0 + "[0].matchExpressions[0].values", T::kForbidden}}},
      {"Gt with one value", [&](DaemonSet& d) { setAffinity(d, requiredTerms({expr("cores", "Gt", {"4"})})); }, {}},
      {"Lt with two values", [&](DaemonSet& d) { setAffinity(d, requiredTerms({expr("cores", "Lt", {"4", "5"})})); },
       {{t0 + "[0].matchExpressions[0].values", T::kRequired}}},
      {"bad operator", [&](DaemonSet& d) { setAffinity(d, requiredTerms({expr("k", "Equals", {"x"})})); },
       {{t0 + "[0].matchExpressions[0].operator", T::kInvalid}}},
      {"bad value", [&](DaemonSet& d) { setAffinity(d, requiredTerms({expr("k", "In", {"a b"})})); },
       {{t0 + "[0].matchExpressions[0].values[0]", T::kInvalid}}},
      {"matchFields metadata.name", [&](DaemonSet& d) { setAffinity(d, requiredTerms({field("In", {"node-1"})})); }, {}},
      {"matchFields two values", [&](DaemonSet& d) { setAffinity(d, requiredTerms({field("In", {"a", "b"})})); },
       {{t0 + "[0].matchFields[0].values", T::kRequired}}},
      {"matchFields Exists", [&](DaemonSet& d) { setAffinity(d, requiredTerms({field("Exists", {})})); },
       {{t0 + "[0].matchFields[0].operator", T::kInvalid}}},
      {"matchFields other key",
       [&](DaemonSet& d) { setAffinity(d, requiredTerms({field("In", {"x"}, "metadata.uid")})); },
       {{t0 + "[0].matchFields[0].key", T::kInvalid}}},
      {"preferred weight",
       [&](DaemonSet& d) {
         NodeAffinity na;
         na.preferredDuringSchedulingIgnoredDuringExecution = {PreferredSchedulingTerm{0, expr("k", "In", {"v"})},
                                                               PreferredSchedulingTerm{100, expr("k", "In", {"v"})}};
         setAffinity(d, na);
       },
       {{"spec.template.spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight",
         T::kInvalid}}},
  });
}

TEST(SchedulingValidation, Tolerations) {
  const std::string t = "spec.template.spec.tolerations[0].";
  auto tol = [](std::string key, std::string op, std::string value, std::string effect,
                std::optional<std::int64_t> seconds = std::nullopt) {
    return [=](DaemonSet& d) { d.spec.template_.spec.tolerations = {Toleration{key, op, value, effect, seconds}}; };
  };
  runCases({
      {"empty key with Exists tolerates everything", tol("", "Exists", "", ""), {}},
      {"empty key with Equal", tol("", "Equal", "", ""), {{t + "operator", T::kInvalid}}},
      {"empty key and operator", tol("", "", "", ""), {{t + "operator", T::kInvalid}}},
      {"key with empty operator means Equal", tol("dedicated", "", "gpu", "NoSchedule"), {}},
      {"Exists with value", tol("k", "Exists", "v", ""), {{t + "operator", T::kInvalid}}},
      {"bad value", tol("k", "Equal", "a b", ""), {{t + "operator", T::kInvalid}}},
      {"unknown operator", tol("k", "In", "", ""), {{t + "operator", T::kNotSupported}}},
      {"bad effect", tol("k", "Exists", "", "NoRun"), {{t + "effect", T::kNotSupported}}},
      {"seconds need NoExecute", tol("k", "Exists", "", "NoSchedule", 30), {{t + "effect", T::kInvalid}}},
      {"seconds with NoExecute", tol("node.kubernetes.io/unreachable", "Exists", "", "NoExecute", 300), {}},
      {"bad key", tol("a/b/c", "Exists", "", ""), {{t + "key", T::kInvalid}}},
  });
}

}  // namespace
}  // namespace daemonlet::model::testing
