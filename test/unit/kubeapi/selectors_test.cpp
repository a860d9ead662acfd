// labelSelector and fieldSelector as the API server reads them, one row per rule.
#include "agent/kubeapi/selectors.h"

#include <gtest/gtest.h>

namespace daemonlet::kubeapi {
namespace {

using model::Json;

TEST(LabelSelectorTest, Table) {
  const Json labels = {{"app", "web"}, {"tier", "front"}};
  struct Row {
    const char* selector;
    bool matches;
  };
  for (const Row& row : std::vector<Row>{{"", true},
                                         {"app=web", true},
                                         {"app==web", true},
                                         {"app=db", false},
                                         {"app!=db", true},
                                         {"missing!=x", true},
                                         {"app in (db, web)", true},
                                         {"app notin (web)", false},
                                         {"app notin (db)", true},
                                         {"missing notin (db)", true},
                                         {"tier", true},
                                         {"!tier", false},
                                         {"!missing", true},
                                         {"app=web,tier=back", false},
                                         {"app=web, tier in (front)", true}}) {
    SCOPED_TRACE(row.selector);
    auto selector = LabelSelector::parse(row.selector);
    ASSERT_TRUE(selector) << selector.error().message;
    EXPECT_EQ(selector->matches(labels), row.matches);
  }
  for (const char* bad : {"app in (web", "app within (web)", ",", "a b=c"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(LabelSelector::parse(bad));
  }
}

TEST(FieldSelectorTest, DottedPathsOfTheObject) {
  const Json pod = {{"metadata", {{"name", "web-1"}, {"namespace", "default"}}},
                    {"spec", {{"nodeName", "n1"}}},
                    {"status", {{"phase", "Running"}}},
                    {"count", 3}};
  struct Row {
    const char* selector;
    bool matches;
  };
  for (const Row& row : std::vector<Row>{{"metadata.name=web-1", true},
                                         {"metadata.name==web-2", false},
                                         {"metadata.namespace!=kube-system", true},
                                         {"spec.nodeName=n1,status.phase=Running", true},
                                         {"status.phase=Pending", false},
                                         {"status.reason=", true},
                                         {"count=3", true}}) {
    SCOPED_TRACE(row.selector);
    auto selector = FieldSelector::parse(row.selector);
    ASSERT_TRUE(selector);
    EXPECT_EQ(selector->matches(pod), row.matches);
  }
  EXPECT_FALSE(FieldSelector::parse("metadata.name"));
  EXPECT_EQ(FieldSelector::parse("metadata.name=x")->required("metadata.name"), "x");
}

}  // namespace
}  // namespace daemonlet::kubeapi
