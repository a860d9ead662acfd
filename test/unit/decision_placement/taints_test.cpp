// Toleration matching, the daemon pod's automatic tolerations and how they merge
// with the template's own (AddOrUpdateTolerationInPodSpec).
#include "agent/decision/taints.h"

#include <gtest/gtest.h>

#include "placement_fixtures.h"

namespace daemonlet::decision::testing {
namespace {

TEST(TaintsTest, ToleratesTaint) {
  struct Case {
    std::string name;
    model::Toleration toleration;
    model::Taint taint;
    bool tolerates;
  };
  const std::vector<Case> cases = {
      {"Equal same value", toleration("k", "Equal", "v", "NoSchedule"), taint("k", "v", "NoSchedule"), true},
      {"Equal other value", toleration("k", "Equal", "v", "NoSchedule"), taint("k", "w", "NoSchedule"),
       false},
      {"empty operator is Equal", toleration("k", "", "v", "NoSchedule"), taint("k", "v", "NoSchedule"),
       true},
      {"empty operator other value", toleration("k", "", "v", "NoSchedule"), taint("k", "w", "NoSchedule"),
       false},
      {"Equal empty value vs empty taint value", toleration("k", "Equal", "", "NoSchedule"),
       taint("k", "", "NoSchedule"), true},
      {"Exists ignores value", toleration("k", "Exists", "", "NoExecute"),
       taint("k", "anything", "NoExecute"), true},
      {"other key", toleration("k", "Exists", "", "NoExecute"), taint("j", "", "NoExecute"), false},
      {"other effect", toleration("k", "Exists", "", "NoSchedule"), taint("k", "", "NoExecute"), false},
      {"empty effect matches NoExecute", toleration("k", "Exists", "", ""), taint("k", "", "NoExecute"),
       true},
      {"empty effect matches PreferNoSchedule", toleration("k", "Exists", "", ""),
       taint("k", "", "PreferNoSchedule"), true},
      {"empty key Exists matches any key", toleration("", "Exists", "", "NoSchedule"),
       taint("z", "1", "NoSchedule"), true},
      {"Gt is gated off", toleration("k", "Gt", "1", "NoSchedule"), taint("k", "5", "NoSchedule"), false},
      {"Lt is gated off", toleration("k", "Lt", "9", "NoSchedule"), taint("k", "5", "NoSchedule"), false},
      {"unknown operator", toleration("k", "exists", "", "NoSchedule"), taint("k", "", "NoSchedule"), false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(toleratesTaint(c.toleration, c.taint), c.tolerates);
  }
}

TEST(TaintsTest, AutomaticTolerations) {
  model::PodSpec spec;
  auto plain = automaticDaemonTolerations(spec);
  spec.hostNetwork = true;
  auto hostNetwork = automaticDaemonTolerations(spec);

  const std::vector<std::pair<std::string, std::string>> expected = {
      {"node.kubernetes.io/not-ready", "NoExecute"},
      {"node.kubernetes.io/unreachable", "NoExecute"},
      {"node.kubernetes.io/disk-pressure", "NoSchedule"},
      {"node.kubernetes.io/memory-pressure", "NoSchedule"},
      {"node.kubernetes.io/pid-pressure", "NoSchedule"},
      {"node.kubernetes.io/unschedulable", "NoSchedule"},
      {"node.kubernetes.io/network-unavailable", "NoSchedule"}};
  ASSERT_EQ(plain.size(), expected.size() - 1);
  ASSERT_EQ(hostNetwork.size(), expected.size());
  for (std::size_t i = 0; i < hostNetwork.size(); ++i) {
    SCOPED_TRACE(expected[i].first);
    EXPECT_EQ(hostNetwork[i].key, expected[i].first);
    EXPECT_EQ(hostNetwork[i].effect, expected[i].second);
    EXPECT_EQ(hostNetwork[i].op, "Exists");
    EXPECT_EQ(hostNetwork[i].value, "");
    EXPECT_FALSE(hostNetwork[i].tolerationSeconds.has_value());
    if (i < plain.size()) {
      EXPECT_EQ(plain[i].key, expected[i].first);
    }
  }
}

TEST(TaintsTest, AddOrUpdateTolerationMerge) {
  const auto automatic = toleration("node.kubernetes.io/not-ready", "Exists", "", "NoExecute");
  auto userSameIdentity = automatic;
  userSameIdentity.tolerationSeconds = 300;
  auto userEqualOperator = toleration("node.kubernetes.io/not-ready", "Equal", "", "NoExecute");
  userEqualOperator.tolerationSeconds = 300;
  const auto unrelated = toleration("dedicated", "Exists", "", "NoSchedule");

  struct Case {
    std::string name;
    std::vector<model::Toleration> before;
    std::vector<model::Toleration> after;
  };
  const std::vector<Case> cases = {
      {"appended when absent", {unrelated}, {unrelated, automatic}},
      // Same key, operator, value and effect: the added toleration wins in place,
      // dropping the template's tolerationSeconds.
      {"replaces the same identity in place", {userSameIdentity, unrelated}, {automatic, unrelated}},
      {"replaces every duplicate", {userSameIdentity, userSameIdentity}, {automatic, automatic}},
      // Another operator is another identity: both stay.
      {"keeps a toleration with another operator", {userEqualOperator}, {userEqualOperator, automatic}},
      {"into an empty list", {}, {automatic}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto merged = addOrUpdateToleration(c.before, automatic);
    ASSERT_EQ(merged.size(), c.after.size());
    for (std::size_t i = 0; i < merged.size(); ++i) {
      SCOPED_TRACE(i);
      EXPECT_TRUE(sameToleration(merged[i], c.after[i]));
      EXPECT_EQ(merged[i].tolerationSeconds, c.after[i].tolerationSeconds);
    }
  }
}

TEST(TaintsTest, Descriptions) {
  EXPECT_EQ(describeTaint(taint("dedicated", "infra", "NoExecute")), "dedicated=infra:NoExecute");
  EXPECT_EQ(describeTaint(taint("node-role.kubernetes.io/master", "", "NoSchedule")),
            "node-role.kubernetes.io/master:NoSchedule");
  EXPECT_EQ(describeToleration(toleration("k", "Exists", "", "NoSchedule")), "k Exists NoSchedule");
  EXPECT_EQ(describeToleration(toleration("k", "", "v", "NoExecute")), "k Equal v NoExecute");
  EXPECT_EQ(describeToleration(toleration("", "Exists", "", "")), "(every key) Exists (every effect)");
  auto timed = toleration("k", "Exists", "", "NoExecute");
  timed.tolerationSeconds = 30;
  EXPECT_EQ(describeToleration(timed), "k Exists NoExecute tolerationSeconds=30");
}

}  // namespace
}  // namespace daemonlet::decision::testing
