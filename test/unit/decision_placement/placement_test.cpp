// decidePlacement: template nodeName, nodeSelector, taints and tolerations
// (including the automatic daemon tolerations), and the seed example.
#include <gtest/gtest.h>

#include "placement_fixtures.h"

namespace daemonlet::decision::testing {
namespace {

TEST(PlacementTest, TemplateNodeName) {
  runPlacementTable({
      {"no nodeName: everything passes", nullptr, true, true,
       "all rules pass: no nodeSelector, no required node affinity, no untolerated NoSchedule/NoExecute "
       "taints",
       ""},
      {"nodeName names this node", [](auto&, auto& ds) { ds.spec.template_.spec.nodeName = "worker-1"; },
       true, true, "all rules pass: template nodeName is this node",
       "template nodeName worker-1 is this node"},
      {"nodeName names another node", [](auto&, auto& ds) { ds.spec.template_.spec.nodeName = "worker-2"; },
       false, false, "template nodeName is worker-2, this node is worker-1", ""},
      {"nodeName mismatch decides before an untolerated NoExecute taint",
       [](auto& node, auto& ds) {
         ds.spec.template_.spec.nodeName = "worker-2";
         node.taints = {taint("dedicated", "infra", "NoExecute")};
       },
       false, false, "template nodeName is worker-2", "running daemon pods are evicted"},
  });
}

TEST(PlacementTest, NodeSelector) {
  runPlacementTable({
      {"selector matches",
       [](auto&, auto& ds) {
         ds.spec.template_.spec.nodeSelector = {{"disktype", "ssd"}};
       },
       true, true, "all rules pass: nodeSelector matches, no required node affinity",
       "nodeSelector disktype=ssd matches"},
      {"selector value differs",
       [](auto&, auto& ds) {
         ds.spec.template_.spec.nodeSelector = {{"disktype", "hdd"}};
       },
       false, false, "nodeSelector requires disktype=hdd but the node has disktype=ssd", ""},
      {"selector key missing",
       [](auto&, auto& ds) {
         ds.spec.template_.spec.nodeSelector = {{"gpu", "true"}};
       },
       false, false, "nodeSelector requires gpu=true but the node has no label gpu", ""},
      {"all keys must match",
       [](auto&, auto& ds) {
         ds.spec.template_.spec.nodeSelector = {{"disktype", "ssd"}, {"zone", "b"}};
       },
       false, false, "nodeSelector requires zone=b but the node has zone=a", ""},
      {"several keys all match",
       [](auto&, auto& ds) {
         ds.spec.template_.spec.nodeSelector = {{"disktype", "ssd"}, {"zone", "a"}};
       },
       true, true, "all rules pass", "nodeSelector disktype=ssd, zone=a matches"},
      {"empty value matches an empty label",
       [](auto& node, auto& ds) {
         node.metadata.labels["edge"] = "";
         ds.spec.template_.spec.nodeSelector = {{"edge", ""}};
       },
       true, true, "all rules pass", ""},
      {"empty value does not match an absent label",
       [](auto&, auto& ds) {
         ds.spec.template_.spec.nodeSelector = {{"edge", ""}};
       },
       false, false, "nodeSelector requires edge= but the node has no label edge", ""},
      {"label values are case sensitive",
       [](auto&, auto& ds) {
         ds.spec.template_.spec.nodeSelector = {{"disktype", "SSD"}};
       },
       false, false, "the node has disktype=ssd", ""},
      {"selector keys are not validated, only compared",
       [](auto& node, auto& ds) {
         node.metadata.labels["not a key!"] = "x";
         ds.spec.template_.spec.nodeSelector = {{"not a key!", "x"}};
       },
       true, true, "all rules pass", ""},
  });
}

TEST(PlacementTest, TaintEffects) {
  runPlacementTable({
      {"untolerated NoSchedule stops new pods, keeps running ones",
       [](auto& node, auto&) { node.taints = {taint("dedicated", "infra", "NoSchedule")}; }, false, true,
       "the node has taint dedicated=infra:NoSchedule that no toleration tolerates: new daemon pods are not "
       "started",
       "untolerated NoSchedule taint keeps running pods but stops new ones"},
      {"untolerated NoExecute evicts",
       [](auto& node, auto&) { node.taints = {taint("dedicated", "infra", "NoExecute")}; }, false, false,
       "the node has taint dedicated=infra:NoExecute that no toleration tolerates: running daemon pods are "
       "evicted",
       ""},
      {"PreferNoSchedule is ignored",
       [](auto& node, auto&) { node.taints = {taint("dedicated", "infra", "PreferNoSchedule")}; }, true, true,
       "all rules pass", "dedicated=infra:PreferNoSchedule, ignored"},
      {"an unknown effect is ignored like PreferNoSchedule",
       [](auto& node, auto&) { node.taints = {taint("dedicated", "", "Sometimes")}; }, true, true,
       "all rules pass", "dedicated:Sometimes, ignored"},
      {"NoExecute decides before NoSchedule",
       [](auto& node, auto&) {
         node.taints = {taint("a", "", "NoSchedule"), taint("b", "", "NoExecute")};
       },
       false, false, "the node has taint b:NoExecute", "the node has taint a:NoSchedule that no toleration"},
      {"tolerated NoSchedule",
       [](auto& node, auto& ds) {
         node.taints = {taint("dedicated", "infra", "NoSchedule")};
         ds.spec.template_.spec.tolerations = {toleration("dedicated", "Equal", "infra", "NoSchedule")};
       },
       true, true, "all rules pass",
       "the node has taint dedicated=infra:NoSchedule, tolerated by toleration dedicated Equal infra "
       "NoSchedule"},
      {"tolerated NoExecute",
       [](auto& node, auto& ds) {
         node.taints = {taint("dedicated", "infra", "NoExecute")};
         ds.spec.template_.spec.tolerations = {toleration("dedicated", "Exists", "", "NoExecute")};
       },
       true, true, "all rules pass", "tolerated by toleration dedicated Exists NoExecute"},
      {"tolerationSeconds does not matter to placement",
       [](auto& node, auto& ds) {
         node.taints = {taint("dedicated", "infra", "NoExecute")};
         auto t = toleration("dedicated", "Exists", "", "NoExecute");
         t.tolerationSeconds = 60;
         ds.spec.template_.spec.tolerations = {t};
       },
       true, true, "all rules pass", "dedicated Exists NoExecute tolerationSeconds=60"},
      {"tolerated NoSchedule beside untolerated NoSchedule",
       [](auto& node, auto& ds) {
         node.taints = {taint("a", "", "NoSchedule"), taint("b", "", "NoSchedule")};
         ds.spec.template_.spec.tolerations = {toleration("a", "Exists", "", "NoSchedule")};
       },
       false, true, "the node has taint b:NoSchedule that no toleration tolerates",
       "a:NoSchedule, tolerated"},
  });
}

TEST(PlacementTest, TolerationMatching) {
  runPlacementTable({
      {"Equal with another value does not tolerate",
       [](auto& node, auto& ds) {
         node.taints = {taint("dedicated", "infra", "NoSchedule")};
         ds.spec.template_.spec.tolerations = {toleration("dedicated", "Equal", "web", "NoSchedule")};
       },
       false, true, "dedicated=infra:NoSchedule that no toleration tolerates", ""},
      {"empty operator means Equal",
       [](auto& node, auto& ds) {
         node.taints = {taint("dedicated", "infra", "NoSchedule")};
         ds.spec.template_.spec.tolerations = {toleration("dedicated", "", "infra", "NoSchedule")};
       },
       true, true, "all rules pass", "dedicated Equal infra NoSchedule"},
      {"empty operator with another value does not tolerate",
       [](auto& node, auto& ds) {
         node.taints = {taint("dedicated", "infra", "NoSchedule")};
         ds.spec.template_.spec.tolerations = {toleration("dedicated", "", "web", "NoSchedule")};
       },
       false, true, "no toleration tolerates", ""},
      {"Exists ignores the value",
       [](auto& node, auto& ds) {
         node.taints = {taint("dedicated", "infra", "NoSchedule")};
         ds.spec.template_.spec.tolerations = {toleration("dedicated", "Exists", "", "NoSchedule")};
       },
       true, true, "all rules pass", ""},
      {"another key does not tolerate",
       [](auto& node, auto& ds) {
         node.taints = {taint("dedicated", "infra", "NoSchedule")};
         ds.spec.template_.spec.tolerations = {toleration("other", "Exists", "", "NoSchedule")};
       },
       false, true, "no toleration tolerates", ""},
      {"a NoSchedule toleration does not tolerate NoExecute",
       [](auto& node, auto& ds) {
         node.taints = {taint("dedicated", "infra", "NoExecute")};
         ds.spec.template_.spec.tolerations = {toleration("dedicated", "Exists", "", "NoSchedule")};
       },
       false, false, "running daemon pods are evicted", ""},
      {"empty effect tolerates every effect",
       [](auto& node, auto& ds) {
         node.taints = {taint("dedicated", "infra", "NoSchedule"), taint("dedicated", "infra", "NoExecute")};
         ds.spec.template_.spec.tolerations = {toleration("dedicated", "Equal", "infra", "")};
       },
       true, true, "all rules pass", "dedicated Equal infra (every effect)"},
      {"empty key with Exists tolerates everything",
       [](auto& node, auto& ds) {
         node.taints = {taint("a", "1", "NoSchedule"), taint("b", "2", "NoExecute"),
                        taint("c", "", "NoSchedule")};
         ds.spec.template_.spec.tolerations = {toleration("", "Exists", "", "")};
       },
       true, true, "all rules pass", "tolerated by toleration (every key) Exists (every effect)"},
      {"empty key with Exists and an effect tolerates only that effect",
       [](auto& node, auto& ds) {
         node.taints = {taint("a", "1", "NoSchedule"), taint("b", "2", "NoExecute")};
         ds.spec.template_.spec.tolerations = {toleration("", "Exists", "", "NoSchedule")};
       },
       false, false, "the node has taint b=2:NoExecute that no toleration tolerates", ""},
      {"Gt toleration tolerates nothing while its feature gate is off",
       [](auto& node, auto& ds) {
         node.taints = {taint("sla", "950", "NoSchedule")};
         ds.spec.template_.spec.tolerations = {toleration("sla", "Gt", "900", "NoSchedule")};
       },
       false, true, "sla=950:NoSchedule that no toleration tolerates", "TaintTolerationComparisonOperators"},
      {"Lt toleration tolerates nothing while its feature gate is off",
       [](auto& node, auto& ds) {
         node.taints = {taint("sla", "100", "NoExecute")};
         ds.spec.template_.spec.tolerations = {toleration("sla", "Lt", "900", "NoExecute")};
       },
       false, false, "sla=100:NoExecute that no toleration tolerates", "off by default"},
      {"unknown toleration operator tolerates nothing",
       [](auto& node, auto& ds) {
         node.taints = {taint("dedicated", "infra", "NoSchedule")};
         ds.spec.template_.spec.tolerations = {toleration("dedicated", "Matches", "infra", "NoSchedule")};
       },
       false, true, "no toleration tolerates", ""},
  });
}

TEST(PlacementTest, AutomaticDaemonTolerations) {
  auto nodeTainted = [](std::string key, std::string effect) {
    return [key, effect](model::Node& node, model::DaemonSet&) { node.taints = {taint(key, "", effect)}; };
  };
  runPlacementTable({
      {"not-ready NoExecute", nodeTainted("node.kubernetes.io/not-ready", "NoExecute"), true, true,
       "all rules pass",
       "node.kubernetes.io/not-ready:NoExecute, tolerated by toleration node.kubernetes.io/not-ready Exists "
       "NoExecute "
       "(added automatically to every daemon pod)"},
      {"unreachable NoExecute", nodeTainted("node.kubernetes.io/unreachable", "NoExecute"), true, true,
       "all rules pass", "node.kubernetes.io/unreachable Exists NoExecute (added automatically"},
      {"disk-pressure NoSchedule", nodeTainted("node.kubernetes.io/disk-pressure", "NoSchedule"), true, true,
       "all rules pass", "node.kubernetes.io/disk-pressure Exists NoSchedule (added automatically"},
      {"memory-pressure NoSchedule", nodeTainted("node.kubernetes.io/memory-pressure", "NoSchedule"), true,
       true, "all rules pass", "node.kubernetes.io/memory-pressure Exists NoSchedule (added automatically"},
      {"pid-pressure NoSchedule", nodeTainted("node.kubernetes.io/pid-pressure", "NoSchedule"), true, true,
       "all rules pass", "node.kubernetes.io/pid-pressure Exists NoSchedule (added automatically"},
      {"unschedulable NoSchedule", nodeTainted("node.kubernetes.io/unschedulable", "NoSchedule"), true, true,
       "all rules pass", "node.kubernetes.io/unschedulable Exists NoSchedule (added automatically"},
      {"network-unavailable without hostNetwork",
       nodeTainted("node.kubernetes.io/network-unavailable", "NoSchedule"), false, true,
       "node.kubernetes.io/network-unavailable:NoSchedule that no toleration tolerates", ""},
      {"network-unavailable with hostNetwork",
       [](auto& node, auto& ds) {
         node.taints = {taint("node.kubernetes.io/network-unavailable", "", "NoSchedule")};
         ds.spec.template_.spec.hostNetwork = true;
       },
       true, true, "all rules pass",
       "node.kubernetes.io/network-unavailable Exists NoSchedule (added automatically"},
      {"not-ready NoSchedule is not covered (only NoExecute is)",
       nodeTainted("node.kubernetes.io/not-ready", "NoSchedule"), false, true,
       "node.kubernetes.io/not-ready:NoSchedule that no toleration tolerates", ""},
      {"disk-pressure NoExecute is not covered (only NoSchedule is)",
       nodeTainted("node.kubernetes.io/disk-pressure", "NoExecute"), false, false,
       "node.kubernetes.io/disk-pressure:NoExecute that no toleration tolerates", ""},
      {"a template toleration for not-ready with tolerationSeconds is replaced by the automatic one",
       [](auto& node, auto& ds) {
         node.taints = {taint("node.kubernetes.io/not-ready", "", "NoExecute")};
         auto t = toleration("node.kubernetes.io/not-ready", "Exists", "", "NoExecute");
         t.tolerationSeconds = 300;
         ds.spec.template_.spec.tolerations = {t};
       },
       true, true, "all rules pass",
       "tolerated by toleration node.kubernetes.io/not-ready Exists NoExecute (added automatically"},
      {"spec.unschedulable alone does not block daemon pods",
       [](auto& node, auto&) { node.unschedulable = true; }, true, true, "all rules pass",
       "the DaemonSet controller ignores that field"},
      {"spec.unschedulable with its taint still runs",
       [](auto& node, auto&) {
         node.unschedulable = true;
         node.taints = {taint("node.kubernetes.io/unschedulable", "", "NoSchedule")};
       },
       true, true, "all rules pass", "node.kubernetes.io/unschedulable:NoSchedule, tolerated"},
  });
}

// The seed's example: fluentd-elasticsearch tolerates the control-plane taints so it
// also runs on control-plane nodes.
TEST(PlacementTest, SeedFluentdExample) {
  auto seedTolerations = [](model::DaemonSet& ds) {
    ds.spec.template_.spec.tolerations = {
        toleration("node-role.kubernetes.io/control-plane", "Exists", "", "NoSchedule"),
        toleration("node-role.kubernetes.io/master", "Exists", "", "NoSchedule")};
  };
  runPlacementTable({
      {"runs on a node tainted node-role.kubernetes.io/master:NoSchedule",
       [&](auto& node, auto& ds) {
         seedTolerations(ds);
         node.taints = {taint("node-role.kubernetes.io/master", "", "NoSchedule")};
       },
       true, true, "all rules pass",
       "the node has taint node-role.kubernetes.io/master:NoSchedule, tolerated by toleration "
       "node-role.kubernetes.io/master Exists NoSchedule"},
      {"runs on a node tainted node-role.kubernetes.io/control-plane:NoSchedule",
       [&](auto& node, auto& ds) {
         seedTolerations(ds);
         node.taints = {taint("node-role.kubernetes.io/control-plane", "", "NoSchedule")};
       },
       true, true, "all rules pass",
       "tolerated by toleration node-role.kubernetes.io/control-plane Exists NoSchedule"},
      {"without the tolerations it stays off the control-plane node",
       [](auto& node, auto&) { node.taints = {taint("node-role.kubernetes.io/master", "", "NoSchedule")}; },
       false, true, "node-role.kubernetes.io/master:NoSchedule that no toleration tolerates", ""},
      {"the tolerations do not cover a NoExecute control-plane taint",
       [&](auto& node, auto& ds) {
         seedTolerations(ds);
         node.taints = {taint("node-role.kubernetes.io/master", "", "NoExecute")};
       },
       false, false, "node-role.kubernetes.io/master:NoExecute that no toleration tolerates", ""},
  });
}

}  // namespace
}  // namespace daemonlet::decision::testing
