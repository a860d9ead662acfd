// When pods that tolerate a node's NoExecute taints for a while must go.
#include <gtest/gtest.h>

#include "agent/decision/eviction.h"
#include "agent/decision/taints.h"

namespace daemonlet::decision {
namespace {

const TimePoint kNow{std::chrono::hours(7)};

model::Taint noExecute(const std::string& key) { return model::Taint{key, "", kEffectNoExecute}; }

TEST(EvictionDeadline, CountsFromTheEarliestTaintStillOnTheNode) {
  struct Row {
    std::string name;
    bool mayContinueRunning;
    std::optional<std::chrono::seconds> limit;
    TaintsSeen seen;
    std::optional<TimePoint> expected;
  };
  using std::chrono::seconds;
  const std::vector<Row> rows = {
      {"no NoExecute taint: no deadline", true, seconds(60), {}, std::nullopt},
      {"tolerated forever: no deadline", true, std::nullopt, {{"a", kNow}}, std::nullopt},
      {"not allowed to stay: placement evicts, no deadline here",
       false,
       seconds(60),
       {{"a", kNow}},
       std::nullopt},
      {"one taint: seen + limit", true, seconds(60), {{"a", kNow}}, kNow + seconds(60)},
      {"two taints: the earliest counts",
       true,
       seconds(60),
       {{"a", kNow}, {"b", kNow - seconds(30)}},
       kNow + seconds(30)},
      {"a zero limit: at once", true, seconds(0), {{"a", kNow}}, kNow},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    NoExecuteTolerance tolerance;
    tolerance.limit = row.limit;
    EXPECT_EQ(evictionDeadline(row.mayContinueRunning, tolerance, row.seen), row.expected);
  }
}

TEST(EvictionDeadline, ATaintKeepsItsFirstSightingUntilItLeavesTheNode) {
  model::Node node;
  node.taints = {noExecute("a"), model::Taint{"soft", "", "NoSchedule"}};
  TaintsSeen seen = noExecuteTaintsSeen(node, {}, kNow);
  ASSERT_EQ(seen.size(), 1u);  // NoSchedule taints do not evict
  EXPECT_EQ(seen.begin()->second, kNow);

  node.taints.push_back(noExecute("b"));
  seen = noExecuteTaintsSeen(node, seen, kNow + std::chrono::seconds(10));
  EXPECT_EQ(seen.at(describeTaint(noExecute("a"))), kNow);
  EXPECT_EQ(seen.at(describeTaint(noExecute("b"))), kNow + std::chrono::seconds(10));

  node.taints = {noExecute("b")};
  seen = noExecuteTaintsSeen(node, seen, kNow + std::chrono::seconds(20));
  node.taints = {noExecute("a"), noExecute("b")};
  seen = noExecuteTaintsSeen(node, seen, kNow + std::chrono::seconds(30));
  EXPECT_EQ(seen.at(describeTaint(noExecute("a"))), kNow + std::chrono::seconds(30));  // counts afresh
}

}  // namespace
}  // namespace daemonlet::decision
