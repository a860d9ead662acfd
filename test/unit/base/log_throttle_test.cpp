#include "agent/base/log_throttle.h"

#include <gtest/gtest.h>

namespace daemonlet::base {
namespace {

using namespace std::chrono_literals;

TEST(LogThrottleTest, LogsOnceThenCountsWhatItHoldsBackPerWindow) {
  LogThrottle throttle(30s);
  TimePoint now{};
  EXPECT_TRUE(throttle.allow("remove:a", now).log);
  int written = 0;
  for (int i = 0; i < 310'000; ++i) written += throttle.allow("remove:a", now + 1ms * (i % 1000)).log ? 1 : 0;
  EXPECT_EQ(written, 0);
  auto next = throttle.allow("remove:a", now + 30s);
  EXPECT_TRUE(next.log);
  EXPECT_EQ(next.suppressed, 310'000u);
  EXPECT_EQ(suppressedNote(next.suppressed), "310000 similar suppressed");
}

TEST(LogThrottleTest, KeysAreIndependentAndClearLogsTheNextAtOnce) {
  LogThrottle throttle(30s);
  TimePoint now{};
  EXPECT_TRUE(throttle.allow("a", now).log);
  EXPECT_TRUE(throttle.allow("b", now).log);
  EXPECT_FALSE(throttle.allow("a", now).log);
  EXPECT_EQ(throttle.clear("a"), 1u);
  EXPECT_TRUE(throttle.allow("a", now).log);
  EXPECT_EQ(throttle.size(), 2u);
}

}  // namespace
}  // namespace daemonlet::base
