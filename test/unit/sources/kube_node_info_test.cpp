#include "agent/sources/kube_node_info.h"

#include <gtest/gtest.h>

namespace daemonlet::sources {
namespace {

model::Node localNode() {
  model::Node node;
  node.metadata.name = "n1";
  node.metadata.labels = {{"kubernetes.io/hostname", "n1"}, {"kubernetes.io/os", "linux"},
                          {"kubernetes.io/arch", "amd64"}, {"zone", "local-zone"}};
  node.taints = {{"dedicated", "local", "NoSchedule"}};
  node.raw = {{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", "n1"}, {"labels", model::Json::object()}}}};
  for (const auto& [key, value] : node.metadata.labels) node.raw["metadata"]["labels"][key] = value;
  node.raw["spec"]["taints"] = {{{"key", "dedicated"}, {"value", "local"}, {"effect", "NoSchedule"}}};
  return node;
}

std::string taintsText(const std::vector<model::Taint>& taints) {
  std::string text;
  for (const auto& t : taints) text += t.key + "=" + t.value + ":" + t.effect + ";";
  return text;
}

TEST(KubeNodeInfoTest, ReadsLabelsTaintsAndUnschedulable) {
  model::Json node = {{"metadata", {{"name", "n1"}, {"resourceVersion", "7"}, {"labels", {{"a", "b"}}}}},
                      {"spec",
                       {{"unschedulable", true},
                        {"taints", {{{"key", "k"}, {"value", "v"}, {"effect", "NoExecute"}, {"timeAdded", "x"}},
                                    {{"key", "bad"}}}}}}};
  KubeNodeInfo info = kubeNodeInfoFromObject(node);
  EXPECT_TRUE(info.found);
  EXPECT_EQ(info.name, "n1");
  EXPECT_EQ(info.resourceVersion, "7");
  EXPECT_EQ(info.labels, (model::StringMap{{"a", "b"}}));
  EXPECT_TRUE(info.unschedulable);
  EXPECT_EQ(taintsText(info.taints), "k=v:NoExecute;");  // the effect-less taint is skipped
}

TEST(MergeNodeIdentityTest, FollowsTheDocumentedRule) {
  struct Case {
    const char* name;
    KubeNodeInfo remote;
    model::StringMap labels;
    std::string taints;
    bool unschedulable;
  };
  const model::StringMap localLabels = localNode().metadata.labels;
  auto with = [&](model::StringMap extra) {
    model::StringMap labels = localLabels;
    for (auto& [k, v] : extra) labels[k] = v;
    return labels;
  };
  const std::vector<Case> cases = {
      {"not registered: local unchanged", KubeNodeInfo{false, "n1", {{"x", "y"}}, {{"k", "", "NoExecute"}}, true, ""},
       localLabels, "dedicated=local:NoSchedule;", false},
      {"remote labels added", KubeNodeInfo{true, "n1", {{"rack", "r7"}}, {}, false, "1"}, with({{"rack", "r7"}}),
       "dedicated=local:NoSchedule;", false},
      {"local wins on the same key", KubeNodeInfo{true, "n1", {{"zone", "remote-zone"}}, {}, false, "1"},
       localLabels, "dedicated=local:NoSchedule;", false},
      {"agent-owned labels always local",
       KubeNodeInfo{true, "n1",
                    {{"kubernetes.io/hostname", "other"}, {"kubernetes.io/arch", "arm64"},
                     {"beta.kubernetes.io/os", "windows"}},
                    {}, false, "1"},
       localLabels, "dedicated=local:NoSchedule;", false},
      {"remote taints added",
       KubeNodeInfo{true, "n1", {}, {{"gpu", "true", "NoSchedule"}, {"dedicated", "remote", "NoExecute"}}, false, "1"},
       localLabels, "dedicated=local:NoSchedule;gpu=true:NoSchedule;dedicated=remote:NoExecute;", false},
      {"local wins on same key+effect", KubeNodeInfo{true, "n1", {}, {{"dedicated", "remote", "NoSchedule"}}, false, "1"},
       localLabels, "dedicated=local:NoSchedule;", false},
      {"cordon adds nothing", KubeNodeInfo{true, "n1", {}, {}, true, "1"}, localLabels, "dedicated=local:NoSchedule;",
       false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    model::Node merged = mergeNodeIdentity(localNode(), c.remote);
    EXPECT_EQ(merged.metadata.name, "n1");
    EXPECT_EQ(merged.metadata.labels, c.labels);
    EXPECT_EQ(taintsText(merged.taints), c.taints);
    EXPECT_EQ(merged.unschedulable, c.unschedulable);
    // raw follows the merged view, so anything reading the Node JSON agrees.
    EXPECT_EQ(merged.raw["metadata"]["labels"].size(), c.labels.size());
    EXPECT_EQ(merged.raw["spec"]["taints"].size(), merged.taints.size());
  }
}

TEST(MergeNodeIdentityTest, SameNodeIdentityIgnoresResourceVersion) {
  KubeNodeInfo a{true, "n1", {{"a", "b"}}, {{"k", "v", "NoSchedule"}}, false, "1"};
  KubeNodeInfo b = a;
  b.resourceVersion = "2";
  EXPECT_TRUE(sameNodeIdentity(a, b));
  b.taints[0].value = "w";
  EXPECT_FALSE(sameNodeIdentity(a, b));
}

}  // namespace
}  // namespace daemonlet::sources
