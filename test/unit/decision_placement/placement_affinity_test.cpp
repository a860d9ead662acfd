// decidePlacement: required node affinity (every operator, matchFields, term and
// term-list edge cases, parse errors) and its AND with nodeSelector.
#include <gtest/gtest.h>

#include "placement_fixtures.h"

namespace daemonlet::decision::testing {
namespace {

// A tweak that sets a required affinity of one term made of these expressions.
Tweak affinityOf(std::vector<model::NodeSelectorRequirement> expressions) {
  return [expressions](model::Node&, model::DaemonSet& ds) { setRequiredAffinity(ds, {term(expressions)}); };
}

TEST(PlacementAffinityTest, ExpressionOperators) {
  runPlacementTable({
      {"In matches", affinityOf({req("zone", "In", {"a", "b"})}), true, true,
       "all rules pass: no nodeSelector, required node affinity matches",
       "required node affinity: term 0 matches: zone In [a, b] satisfied: node has zone=a"},
      {"In without the label", affinityOf({req("gpu", "In", {"true"})}), false, false,
       "required node affinity: no term matches (term 0: gpu In [true] not satisfied: node has no label gpu)",
       ""},
      {"In with another value", affinityOf({req("zone", "In", {"b", "c"})}), false, false,
       "term 0: zone In [b, c] not satisfied: node has zone=a", ""},
      {"NotIn without the label matches", affinityOf({req("gpu", "NotIn", {"true"})}), true, true,
       "all rules pass", "gpu NotIn [true] satisfied: node has no label gpu"},
      {"NotIn with a listed value", affinityOf({req("zone", "NotIn", {"a"})}), false, false,
       "zone NotIn [a] not satisfied: node has zone=a", ""},
      {"NotIn with an unlisted value", affinityOf({req("zone", "NotIn", {"b"})}), true, true,
       "all rules pass", ""},
      {"Exists with the label", affinityOf({req("disktype", "Exists")}), true, true, "all rules pass",
       "disktype Exists satisfied"},
      {"Exists without the label", affinityOf({req("gpu", "Exists")}), false, false,
       "gpu Exists not satisfied: node has no label gpu", ""},
      {"DoesNotExist without the label", affinityOf({req("gpu", "DoesNotExist")}), true, true,
       "all rules pass", ""},
      {"DoesNotExist with the label", affinityOf({req("zone", "DoesNotExist")}), false, false,
       "zone DoesNotExist not satisfied: node has zone=a", ""},
      {"Gt below the node value", affinityOf({req("cpus", "Gt", {"4"})}), true, true, "all rules pass",
       "cpus Gt 4 satisfied: node has cpus=8"},
      {"Gt equal to the node value", affinityOf({req("cpus", "Gt", {"8"})}), false, false,
       "cpus Gt 8 not satisfied: node has cpus=8", ""},
      {"Lt above the node value", affinityOf({req("cpus", "Lt", {"16"})}), true, true, "all rules pass", ""},
      {"Lt equal to the node value", affinityOf({req("cpus", "Lt", {"8"})}), false, false,
       "cpus Lt 8 not satisfied", ""},
      {"Gt with a non-integer node label",
       [](auto& node, auto& ds) {
         node.metadata.labels["cpus"] = "many";
         setRequiredAffinity(ds, {term({req("cpus", "Gt", {"4"})})});
       },
       false, false, "cpus Gt 4 not satisfied: node label cpus=many is not an integer", ""},
      {"Lt with a non-integer node label",
       [](auto& node, auto& ds) {
         node.metadata.labels["cpus"] = "1.5";
         setRequiredAffinity(ds, {term({req("cpus", "Lt", {"4"})})});
       },
       false, false, "node label cpus=1.5 is not an integer", ""},
      {"Gt without the label", affinityOf({req("gpus", "Gt", {"0"})}), false, false,
       "gpus Gt 0 not satisfied: node has no label gpus", ""},
      {"Lt with a negative node value",
       [](auto& node, auto& ds) {
         node.metadata.labels["offset"] = "-3";
         setRequiredAffinity(ds, {term({req("offset", "Lt", {"0"})})});
       },
       true, true, "all rules pass", ""},
      {"expressions in a term are ANDed", affinityOf({req("zone", "In", {"a"}), req("gpu", "Exists")}), false,
       false, "gpu Exists not satisfied", ""},
      {"expressions in a term all hold",
       affinityOf({req("zone", "In", {"a"}), req("disktype", "NotIn", {"hdd"})}), true, true,
       "all rules pass", ""},
  });
}

TEST(PlacementAffinityTest, UnparsableTerms) {
  runPlacementTable({
      {"Gt with a non-integer value", affinityOf({req("cpus", "Gt", {"four"})}), false, false,
       "term 0 is invalid and never matches (matchExpressions[0]: Gt value \"four\" is not an integer)", ""},
      {"Gt with two values", affinityOf({req("cpus", "Gt", {"1", "2"})}), false, false,
       "Gt needs exactly one value", ""},
      {"Lt without values", affinityOf({req("cpus", "Lt")}), false, false, "Lt needs exactly one value", ""},
      // labels.NewRequirement also checks each value is a label value, which "-5" is not.
      {"Gt with a negative value is not a label value", affinityOf({req("cpus", "Gt", {"-5"})}), false, false,
       "\"-5\" is not a valid label value", ""},
      {"In without values", affinityOf({req("zone", "In")}), false, false, "In needs at least one value", ""},
      {"NotIn without values", affinityOf({req("zone", "NotIn")}), false, false,
       "NotIn needs at least one value", ""},
      {"Exists with values", affinityOf({req("zone", "Exists", {"a"})}), false, false,
       "Exists takes no values", ""},
      {"unknown operator", affinityOf({req("zone", "Equals", {"a"})}), false, false,
       "operator \"Equals\" is not supported", ""},
      {"invalid label key", affinityOf({req("bad key", "Exists")}), false, false,
       "\"bad key\" is not a valid label key", ""},
      {"one bad expression spoils its whole term",
       affinityOf({req("zone", "In", {"a"}), req("cpus", "Gt", {"x"})}), false, false,
       "term 0 is invalid and never matches", ""},
      {"unparsable term beside a good term",
       [](auto&, auto& ds) {
         setRequiredAffinity(ds, {term({req("zone", "Bogus", {"a"})}), term({req("zone", "In", {"a"})})});
       },
       true, true, "all rules pass", "required node affinity: term 1 matches"},
      {"unparsable term beside a failing term",
       [](auto&, auto& ds) {
         setRequiredAffinity(ds, {term({req("zone", "In", {"b"})}), term({req("zone", "In")})});
       },
       false, false, "no term matches (term 0: zone In [b] not satisfied: node has zone=a; term 1 is invalid",
       ""},
  });
}

TEST(PlacementAffinityTest, MatchFields) {
  runPlacementTable({
      {"metadata.name In this node",
       [](auto&, auto& ds) {
         setRequiredAffinity(ds, {term({}, {req("metadata.name", "In", {"worker-1"})})});
       },
       true, true, "all rules pass", "metadata.name In [worker-1] satisfied: node name is worker-1"},
      {"metadata.name In another node",
       [](auto&, auto& ds) {
         setRequiredAffinity(ds, {term({}, {req("metadata.name", "In", {"worker-2"})})});
       },
       false, false, "metadata.name In [worker-2] not satisfied: node name is worker-1", ""},
      {"metadata.name NotIn this node",
       [](auto&, auto& ds) {
         setRequiredAffinity(ds, {term({}, {req("metadata.name", "NotIn", {"worker-1"})})});
       },
       false, false, "metadata.name NotIn [worker-1] not satisfied", ""},
      {"metadata.name NotIn another node",
       [](auto&, auto& ds) {
         setRequiredAffinity(ds, {term({}, {req("metadata.name", "NotIn", {"worker-2"})})});
       },
       true, true, "all rules pass", ""},
      {"matchFields Exists is unsupported",
       [](auto&, auto& ds) { setRequiredAffinity(ds, {term({}, {req("metadata.name", "Exists")})}); }, false,
       false, "matchFields operator \"Exists\" is not supported (In, NotIn)", ""},
      {"matchFields In needs exactly one value",
       [](auto&, auto& ds) {
         setRequiredAffinity(ds, {term({}, {req("metadata.name", "In", {"worker-1", "worker-2"})})});
       },
       false, false, "matchFields In needs exactly one value", ""},
      {"a field other than metadata.name reads as empty (In)",
       [](auto&, auto& ds) { setRequiredAffinity(ds, {term({}, {req("metadata.uid", "In", {"x"})})}); },
       false, false, "\"metadata.uid\" is not a node field (only metadata.name is)", ""},
      {"a field other than metadata.name reads as empty (NotIn)",
       [](auto&, auto& ds) { setRequiredAffinity(ds, {term({}, {req("metadata.uid", "NotIn", {"x"})})}); },
       true, true, "all rules pass", ""},
      {"matchExpressions and matchFields are ANDed",
       [](auto&, auto& ds) {
         setRequiredAffinity(ds, {term({req("gpu", "Exists")}, {req("metadata.name", "In", {"worker-1"})})});
       },
       false, false, "gpu Exists not satisfied", ""},
      {"matchExpressions and matchFields both hold",
       [](auto&, auto& ds) {
         setRequiredAffinity(ds,
                             {term({req("zone", "In", {"a"})}, {req("metadata.name", "In", {"worker-1"})})});
       },
       true, true, "all rules pass", ""},
      // Kubernetes builds the node's field set only from a non-empty name and skips
      // matchFields when that set is empty.
      {"matchFields are skipped for a node without a name",
       [](auto& node, auto& ds) {
         node.metadata.name.clear();
         setRequiredAffinity(ds, {term({}, {req("metadata.name", "In", {"worker-2"})})});
       },
       true, true, "all rules pass", "matchFields skipped because the node has no name"},
  });
}

TEST(PlacementAffinityTest, TermsAndTermLists) {
  runPlacementTable({
      {"an empty term matches nothing", [](auto&, auto& ds) { setRequiredAffinity(ds, {term({})}); }, false,
       false, "required node affinity: no term matches (term 0 is empty and matches nothing)", ""},
      {"an empty term list matches nothing", [](auto&, auto& ds) { setRequiredAffinity(ds, {}); }, false,
       false, "required node affinity has an empty nodeSelectorTerms list, which matches no node", ""},
      {"terms are ORed: the second matches",
       [](auto&, auto& ds) {
         setRequiredAffinity(ds, {term({req("gpu", "Exists")}), term({req("zone", "In", {"a"})})});
       },
       true, true, "all rules pass", "required node affinity: term 1 matches: zone In [a] satisfied"},
      {"terms are ORed: none matches",
       [](auto&, auto& ds) {
         setRequiredAffinity(ds, {term({req("gpu", "Exists")}), term({req("zone", "In", {"b"})})});
       },
       false, false,
       "no term matches (term 0: gpu Exists not satisfied: node has no label gpu; term 1: zone In [b]", ""},
      {"an empty term beside a matching term",
       [](auto&, auto& ds) {
         setRequiredAffinity(ds, {term({}), term({req("zone", "Exists")})});
       },
       true, true, "all rules pass", "term 1 matches"},
      {"affinity without a required part does not restrict",
       [](auto&, auto& ds) {
         model::NodeAffinity nodeAffinity;
         nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution = {{10, term({req("gpu", "Exists")})}};
         ds.spec.template_.spec.affinity = model::Affinity{nodeAffinity};
       },
       true, true, "all rules pass: no nodeSelector, no required node affinity", ""},
      {"an empty affinity does not restrict",
       [](auto&, auto& ds) { ds.spec.template_.spec.affinity = model::Affinity{}; }, true, true,
       "no required node affinity", ""},
  });
}

TEST(PlacementAffinityTest, NodeSelectorAndAffinityAreAnded) {
  runPlacementTable({
      {"both match",
       [](auto&, auto& ds) {
         ds.spec.template_.spec.nodeSelector = {{"disktype", "ssd"}};
         setRequiredAffinity(ds, {term({req("zone", "In", {"a"})})});
       },
       true, true, "all rules pass: nodeSelector matches, required node affinity matches", ""},
      {"selector matches, affinity does not",
       [](auto&, auto& ds) {
         ds.spec.template_.spec.nodeSelector = {{"disktype", "ssd"}};
         setRequiredAffinity(ds, {term({req("zone", "In", {"b"})})});
       },
       false, false, "required node affinity: no term matches", "nodeSelector disktype=ssd matches"},
      {"affinity matches, selector does not",
       [](auto&, auto& ds) {
         ds.spec.template_.spec.nodeSelector = {{"disktype", "hdd"}};
         setRequiredAffinity(ds, {term({req("zone", "In", {"a"})})});
       },
       false, false, "nodeSelector requires disktype=hdd but the node has disktype=ssd",
       "required node affinity: term 0 matches"},
      {"a label failure decides over an untolerated NoExecute taint",
       [](auto& node, auto& ds) {
         node.taints = {taint("dedicated", "infra", "NoExecute")};
         setRequiredAffinity(ds, {term({req("gpu", "Exists")})});
       },
       false, false, "required node affinity: no term matches", "running daemon pods are evicted"},
  });
}

}  // namespace
}  // namespace daemonlet::decision::testing
