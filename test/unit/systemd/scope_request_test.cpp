// The properties of a transient scope as systemd is asked for them: the limit
// names differ between cgroup layouts (as in runc's systemd driver).
#include "systemd/scope_request.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace daemonlet::systemd {
namespace {

const UnitProperty* find(const std::vector<UnitProperty>& properties, const std::string& name) {
  auto it = std::find_if(properties.begin(), properties.end(), [&](const UnitProperty& p) { return p.name == name; });
  return it == properties.end() ? nullptr : &*it;
}

ScopeRequest podScope() {
  ScopeRequest request;
  request.unitName = "daemonlet-pod-1234.scope";
  request.description = "daemonlet pod default/agent-x";
  request.pids = {4242};
  request.delegate = true;
  return request;
}

TEST(ScopePropertiesTest, EveryScopeHasItsSliceProcessesAndIsCollectedWhenEmpty) {
  auto properties = scopeProperties(podScope(), CgroupLayout::kUnified);
  EXPECT_EQ(properties.at(0), (UnitProperty{"Description", std::string("daemonlet pod default/agent-x")}));
  EXPECT_EQ(*find(properties, "Slice"), (UnitProperty{"Slice", std::string("daemonlet.slice")}));
  EXPECT_EQ(*find(properties, "PIDs"), (UnitProperty{"PIDs", std::vector<std::uint32_t>{4242}}));
  EXPECT_EQ(*find(properties, "Delegate"), (UnitProperty{"Delegate", true}));
  EXPECT_EQ(*find(properties, "CollectMode"), (UnitProperty{"CollectMode", std::string("inactive-or-failed")}));
  EXPECT_EQ(find(properties, "MemoryMax"), nullptr) << "no limit asked, none set";
  EXPECT_EQ(find(properties, "CPUQuotaPerSecUSec"), nullptr);
}

TEST(ScopePropertiesTest, WithoutDelegationNoDelegateProperty) {
  ScopeRequest request = podScope();
  request.delegate = false;
  EXPECT_EQ(find(scopeProperties(request, CgroupLayout::kUnified), "Delegate"), nullptr);
}

TEST(ScopePropertiesTest, LimitsUseTheNamesOfTheHostsCgroupLayout) {
  struct Case {
    CgroupLayout layout;
    const char* memory;
    const char* share;
    std::uint64_t shareValue;
  };
  ScopeRequest request = podScope();
  request.limits.memoryMaxBytes = 64 << 20;
  request.limits.cpuQuotaMillis = 1500;
  // 1500m: 1536 shares; weight 1 + (1534 * 9999) / 262142 = 59.
  for (const Case& c : {Case{CgroupLayout::kUnified, "MemoryMax", "CPUWeight", 59},
                        Case{CgroupLayout::kLegacy, "MemoryLimit", "CPUShares", 1536}}) {
    SCOPED_TRACE(c.memory);
    auto properties = scopeProperties(request, c.layout);
    ASSERT_NE(find(properties, c.memory), nullptr);
    EXPECT_EQ(std::get<std::uint64_t>(find(properties, c.memory)->value), 64u << 20);
    ASSERT_NE(find(properties, "CPUQuotaPerSecUSec"), nullptr);
    EXPECT_EQ(std::get<std::uint64_t>(find(properties, "CPUQuotaPerSecUSec")->value), 1'500'000u);
    ASSERT_NE(find(properties, c.share), nullptr);
    EXPECT_EQ(std::get<std::uint64_t>(find(properties, c.share)->value), c.shareValue);
    EXPECT_EQ(std::get<bool>(find(properties, "MemoryAccounting")->value), true);
  }
}

TEST(ScopePropertiesTest, TinyCpuLimitsKeepTheMinimumShare) {
  ScopeRequest request = podScope();
  request.limits.cpuQuotaMillis = 1;
  auto properties = scopeProperties(request, CgroupLayout::kLegacy);
  EXPECT_EQ(std::get<std::uint64_t>(find(properties, "CPUShares")->value), 2u);
  EXPECT_EQ(std::get<std::uint64_t>(find(properties, "CPUQuotaPerSecUSec")->value), 1000u);
}

TEST(PodScopeNameTest, UidsKeepTheirCharactersOthersAreEscaped) {
  EXPECT_EQ(podScopeName("0c9f5f1e-2b6d-4a59-9c1b-1f2e3d4c5b6a"),
            "daemonlet-pod-0c9f5f1e-2b6d-4a59-9c1b-1f2e3d4c5b6a.scope");
  EXPECT_EQ(podScopeName("a/b c"), "daemonlet-pod-a\\x2fb\\x20c.scope");
}

TEST(UnitCgroupPathTest, ScopesSitInTheSliceDirectory) {
  EXPECT_EQ(unitCgroupPath("/sys/fs/cgroup/unified", kDaemonletSlice, kShimScope),
            "/sys/fs/cgroup/unified/daemonlet.slice/daemonlet-shim.scope");
}

}  // namespace
}  // namespace daemonlet::systemd
