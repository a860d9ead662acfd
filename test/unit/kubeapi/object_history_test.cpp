// The history behind lists and watches: one version counter, events for what
// changed, 410 for versions it no longer holds or never issued.
#include "agent/kubeapi/object_history.h"

#include <gtest/gtest.h>

namespace daemonlet::kubeapi {
namespace {

using model::Json;

Json pod(const std::string& name, const std::string& phase) {
  return {{"metadata", {{"name", name}, {"namespace", "default"}}}, {"status", {{"phase", phase}}}};
}

TEST(ObjectHistoryTest, RecordsWhatChangedWithOneCounter) {
  ObjectHistory history(100, 10);
  history.replace("pods", {{"default/a", pod("a", "Pending")}});
  history.replace("nodes", {{"n1", {{"metadata", {{"name", "n1"}}}}}});
  history.replace("pods", {{"default/a", pod("a", "Pending")}});  // unchanged: no event
  history.replace("pods", {{"default/a", pod("a", "Running")}, {"default/b", pod("b", "Pending")}});
  history.replace("pods", {{"default/b", pod("b", "Pending")}});

  EXPECT_EQ(history.latest(), 105u);
  auto events = history.since("pods", 100);
  ASSERT_TRUE(events);
  std::vector<std::string> seen;
  for (const auto& e : *events) {
    seen.push_back(e.type + " " + (*e.object)["metadata"]["name"].get<std::string>() + " " + std::to_string(e.version));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"ADDED a 101", "MODIFIED a 103", "ADDED b 104", "DELETED a 105"}));
  EXPECT_EQ((*(*events)[1].object)["metadata"]["resourceVersion"], "103");

  auto listing = history.list("pods");
  EXPECT_EQ(listing.version, 105u);
  ASSERT_EQ(listing.items.size(), 1u);
  EXPECT_EQ(listing.items[0]["metadata"]["resourceVersion"], "104");
  EXPECT_TRUE(history.since("pods", 105)->empty());
}

TEST(ObjectHistoryTest, VersionsOutsideTheHistoryAreGone) {
  ObjectHistory history(100, 2);
  for (int i = 0; i < 5; ++i) history.replace("pods", {{"default/a", pod("a", std::to_string(i))}});
  EXPECT_EQ(history.latest(), 105u);
  EXPECT_FALSE(history.since("pods", 100)) << "trimmed";
  EXPECT_FALSE(history.since("pods", 102));
  EXPECT_TRUE(history.since("pods", 103));
  EXPECT_EQ(history.since("pods", 103)->size(), 2u);
  EXPECT_FALSE(history.since("pods", 106)) << "never issued (an earlier agent's, or a guess)";
}

TEST(ObjectHistoryTest, EventsBeyondTheSizeBudgetAreGoneButTheNewestStays) {
  ObjectHistory probe(100, 10);
  probe.replace("pods", {{"default/a", pod("a", "0")}});
  const std::size_t one = probe.eventBytes();
  ASSERT_GT(one, 0u);

  ObjectHistory history(100, 1000, 2 * one + one / 2);
  for (int i = 0; i < 5; ++i) history.replace("pods", {{"default/a", pod("a", std::to_string(i))}});
  EXPECT_EQ(history.eventCount(), 2u) << "the count bound (1000) is far";
  EXPECT_FALSE(history.since("pods", 102));
  ASSERT_TRUE(history.since("pods", 103));
  EXPECT_EQ(history.since("pods", 103)->size(), 2u);

  ObjectHistory tiny(100, 1000, 1);
  tiny.replace("pods", {{"default/a", pod("a", "0")}});
  tiny.replace("pods", {{"default/a", pod("a", "1")}});
  EXPECT_EQ(tiny.eventCount(), 1u);
  ASSERT_TRUE(tiny.since("pods", 101)) << "a watcher at the previous version still gets the newest event";
  EXPECT_EQ(tiny.since("pods", 101)->size(), 1u);
}

}  // namespace
}  // namespace daemonlet::kubeapi
