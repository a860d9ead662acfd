#include <set>
#include "agent/base/retry_backoff.h"

#include <gtest/gtest.h>

namespace daemonlet::base {
namespace {

using namespace std::chrono_literals;

TEST(RetryBackoffTest, GrowsFromInitialToMaxWithJitterInTheUpperHalf) {
  RetryBackoff backoff({200ms, 30'000ms, 2.0}, 42);
  TimePoint now{};
  std::chrono::milliseconds step = 200ms;
  for (int i = 0; i < 20; ++i) {
    SCOPED_TRACE(i);
    auto delay = backoff.failed(now);
    EXPECT_GE(delay, step / 2);
    EXPECT_LE(delay, step);
    EXPECT_FALSE(backoff.ready(now));
    EXPECT_TRUE(backoff.ready(now + delay));
    step = std::min<std::chrono::milliseconds>(step * 2, 30'000ms);
  }
  EXPECT_EQ(backoff.failures(), 20);
}

TEST(RetryBackoffTest, NeverRetriesAtOnceAndResetsOnSuccess) {
  RetryBackoff backoff({1ms, 10ms, 2.0});
  TimePoint now{};
  EXPECT_TRUE(backoff.ready(now));
  EXPECT_GE(backoff.failed(now), 1ms);
  for (int i = 0; i < 10; ++i) (void)backoff.failed(now);
  EXPECT_LE(backoff.failed(now), 10ms);
  backoff.succeeded();
  EXPECT_TRUE(backoff.ready(now));
  EXPECT_LE(backoff.failed(now), 1ms);
}

TEST(RetryBackoffTest, DifferentSeedsSpreadTheSameStep) {
  std::set<std::int64_t> delays;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    RetryBackoff backoff({1000ms, 30'000ms, 2.0}, seed);
    delays.insert(backoff.failed(TimePoint{}).count());
  }
  EXPECT_GT(delays.size(), 5u);
}

// The step every retry back-off grows by (kube source, endpoint poll, reporter).
TEST(RetryBackoffTest, DoublingStepDoublesUpToTheCap) {
  EXPECT_EQ(doublingStep(100ms, 1000ms, 0), 100ms);
  EXPECT_EQ(doublingStep(100ms, 1000ms, 1), 100ms);
  EXPECT_EQ(doublingStep(100ms, 1000ms, 2), 200ms);
  EXPECT_EQ(doublingStep(100ms, 1000ms, 4), 800ms);
  EXPECT_EQ(doublingStep(100ms, 1000ms, 5), 1000ms);
  EXPECT_EQ(doublingStep(100ms, 1000ms, 1'000'000), 1000ms);  // no overflow, no long loop past the cap
  EXPECT_EQ(doublingStep(0ms, 1000ms, 10), 0ms);
}

}  // namespace
}  // namespace daemonlet::base
