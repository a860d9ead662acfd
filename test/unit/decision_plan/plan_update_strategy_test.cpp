// spec.updateStrategy resolved for one node: percentages round up, surge only
// for RollingUpdate, and never both budgets zero.
#include "agent/decision/plan_update_strategy.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace daemonlet::decision {
namespace {

using model::IntOrString;

struct StrategyCase {
  std::string name;
  std::string type;
  std::optional<IntOrString> maxUnavailable;
  std::optional<IntOrString> maxSurge;
  bool hasRollingUpdate;
  UpdateStrategy expected;
  bool surges;
};

TEST(ResolveUpdateStrategy, Table) {
  const auto rolling = [](int surge, int unavailable) {
    return UpdateStrategy{UpdateStrategyType::RollingUpdate, surge, unavailable};
  };
  const std::vector<StrategyCase> cases = {
      {"defaults: unavailable 1, no surge", "RollingUpdate", std::nullopt, std::nullopt, false, rolling(0, 1),
       false},
      {"empty type is RollingUpdate", "", std::nullopt, std::nullopt, false, rolling(0, 1), false},
      {"maxSurge 1 surges", "RollingUpdate", IntOrString::fromInt(0), IntOrString::fromInt(1), true,
       rolling(1, 0), true},
      {"maxSurge 25% of one node rounds up to 1", "RollingUpdate", IntOrString::fromInt(0),
       IntOrString::fromString("25%"), true, rolling(1, 0), true},
      {"maxSurge 1% still rounds up to 1", "RollingUpdate", IntOrString::fromInt(0),
       IntOrString::fromString("1%"), true, rolling(1, 0), true},
      {"maxSurge 0% is no surge; unavailable falls back to 1", "RollingUpdate", IntOrString::fromInt(0),
       IntOrString::fromString("0%"), true, rolling(0, 1), false},
      {"maxUnavailable 50% rounds up to 1", "RollingUpdate", IntOrString::fromString("50%"), std::nullopt,
       true, rolling(0, 1), false},
      {"maxUnavailable 3 stays 3 (one node uses one)", "RollingUpdate", IntOrString::fromInt(3), std::nullopt,
       true, rolling(0, 3), false},
      {"malformed percentage counts as 0", "RollingUpdate", IntOrString::fromInt(0),
       IntOrString::fromString("abc%"), true, rolling(0, 1), false},
      {"OnDelete never surges", "OnDelete", IntOrString::fromInt(0), IntOrString::fromInt(1), true,
       UpdateStrategy{UpdateStrategyType::OnDelete, 0, 1}, false},
  };
  for (const StrategyCase& c : cases) {
    SCOPED_TRACE(c.name);
    model::DaemonSetUpdateStrategy strategy;
    strategy.type = c.type;
    if (c.hasRollingUpdate)
      strategy.rollingUpdate = model::RollingUpdateDaemonSet{c.maxUnavailable, c.maxSurge};
    const UpdateStrategy resolved = resolveUpdateStrategy(strategy);
    EXPECT_EQ(resolved, c.expected);
    EXPECT_EQ(resolved.surges(), c.surges);
  }
}

TEST(ScaledBudget, RoundsUpOverNodes) {
  EXPECT_EQ(scaledBudget(IntOrString::fromString("25%"), 10), 3);  // 2.5 → 3
  EXPECT_EQ(scaledBudget(IntOrString::fromString("10%"), 10), 1);
  EXPECT_EQ(scaledBudget(IntOrString::fromString("100%"), 1), 1);
  EXPECT_EQ(scaledBudget(IntOrString::fromString("%"), 1), 0);
  EXPECT_EQ(scaledBudget(IntOrString::fromString("5"), 1), 0);  // a string must be a percentage
  EXPECT_EQ(scaledBudget(IntOrString::fromInt(-2), 1), 0);
}

}  // namespace
}  // namespace daemonlet::decision
