#include "agent/base/result.h"

#include <gtest/gtest.h>

#include "agent/base/clock.h"

namespace daemonlet::base {
namespace {

Result<int> half(int v) {
  if (v % 2 != 0) return makeError(ErrorCode::kInvalidArgument, "odd", "v");
  return v / 2;
}

TEST(ResultTest, HoldsValueOrError) {
  auto ok = half(4);
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(*ok, 2);
  auto bad = half(3);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().describe(), "v: odd");
}

TEST(ManualClockTest, AdvancesBothClocks) {
  ManualClock clock;
  auto start = clock.now();
  auto wallStart = clock.wallNow();
  clock.advance(std::chrono::seconds(10));
  EXPECT_EQ(clock.now() - start, std::chrono::seconds(10));
  EXPECT_EQ(clock.wallNow() - wallStart, std::chrono::seconds(10));
}

}  // namespace
}  // namespace daemonlet::base
