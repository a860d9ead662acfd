#include "agent/sources/kube_list_state.h"

#include <gtest/gtest.h>

namespace daemonlet::sources {
namespace {

model::Json daemonSet(const std::string& name, const std::string& image, const std::string& rv) {
  return model::Json{{"metadata", {{"name", name}, {"namespace", "ops"}, {"resourceVersion", rv}}},
                     {"spec", {{"template", {{"spec", {{"containers", {{{"name", "c"}, {"image", image}}}}}}}}}}};
}

WatchEvent event(WatchEventType type, model::Json object) { return WatchEvent{type, std::move(object)}; }

TEST(KubeListStateTest, AppliesEventsAndTracksTheResourceVersion) {
  using Applied = KubeListState::Applied;
  struct Step {
    const char* name;
    WatchEvent event;
    Applied expected;
    std::size_t size;
    const char* resourceVersion;
  };
  model::Json withStatus = daemonSet("a", "img:1", "13");
  withStatus["status"] = {{"numberReady", 1}};
  const std::vector<Step> steps = {
      {"add b", event(WatchEventType::kAdded, daemonSet("b", "img:1", "11")), Applied::kChanged, 2, "11"},
      {"re-added a unchanged", event(WatchEventType::kAdded, daemonSet("a", "img:1", "12")), Applied::kUnchanged, 2,
       "12"},
      {"status only", event(WatchEventType::kModified, withStatus), Applied::kUnchanged, 2, "13"},
      {"image change", event(WatchEventType::kModified, daemonSet("a", "img:2", "14")), Applied::kChanged, 2, "14"},
      {"bookmark", event(WatchEventType::kBookmark, {{"metadata", {{"resourceVersion", "20"}}}}), Applied::kBookmark,
       2, "20"},
      {"delete b", event(WatchEventType::kDeleted, daemonSet("b", "img:1", "21")), Applied::kChanged, 1, "21"},
      {"delete unknown", event(WatchEventType::kDeleted, daemonSet("zz", "img:1", "22")), Applied::kUnchanged, 1, "22"},
      {"nameless", event(WatchEventType::kAdded, {{"metadata", {{"resourceVersion", "23"}}}}), Applied::kIgnored, 1,
       "23"},
      {"error", event(WatchEventType::kError, {{"kind", "Status"}}), Applied::kIgnored, 1, "23"},
  };
  KubeListState state;
  state.replace({daemonSet("a", "img:1", "10")}, "10");
  for (const Step& step : steps) {
    SCOPED_TRACE(step.name);
    EXPECT_EQ(state.apply(step.event), step.expected);
    EXPECT_EQ(state.size(), step.size);
    EXPECT_EQ(state.resourceVersion(), step.resourceVersion);
  }
  EXPECT_TRUE(state.contains("ops/a"));
  EXPECT_FALSE(state.contains("ops/b"));
}

TEST(KubeListStateTest, ListBodyIsASortedDaemonSetListWithTypeMeta) {
  KubeListState state;
  state.replace({daemonSet("zeta", "img:1", "5"), daemonSet("alpha", "img:1", "6")}, "99");
  model::Json body = model::Json::parse(state.listBody());
  EXPECT_EQ(body["kind"], "DaemonSetList");
  EXPECT_EQ(body["metadata"]["resourceVersion"], "99");
  ASSERT_EQ(body["items"].size(), 2u);
  EXPECT_EQ(body["items"][0]["metadata"]["name"], "alpha");
  EXPECT_EQ(body["items"][0]["kind"], "DaemonSet");
  EXPECT_EQ(body["items"][0]["apiVersion"], "apps/v1");
  EXPECT_EQ(body["items"][1]["metadata"]["name"], "zeta");
}

TEST(KubeListStateTest, RelistWithTheSameItemsIsTheSameState) {
  KubeListState before;
  before.replace({daemonSet("a", "img:1", "5"), daemonSet("b", "img:1", "6")}, "6");
  KubeListState relisted;
  relisted.replace({daemonSet("b", "img:1", "6"), daemonSet("a", "img:1", "5")}, "40");
  EXPECT_TRUE(before.sameItemsAs(relisted));
  relisted.replace({daemonSet("a", "img:1", "5"), daemonSet("b", "img:2", "41")}, "41");
  EXPECT_FALSE(before.sameItemsAs(relisted));
}

}  // namespace
}  // namespace daemonlet::sources
