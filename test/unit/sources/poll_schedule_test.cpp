#include "agent/sources/poll_schedule.h"

#include <gtest/gtest.h>

namespace daemonlet::sources {
namespace {

using std::chrono::milliseconds;

TEST(PollScheduleTest, DelaysFollowIntervalBackoffCapAndJitter) {
  const PollSchedule schedule{milliseconds(30000), 0.1, milliseconds(1000), milliseconds(300000)};
  struct Row {
    const char* name;
    int failures;
    double random;
    long long expectedMs;
  };
  const Row rows[] = {
      {"success, no jitter", 0, 0.5, 30000},
      {"success, lowest jitter", 0, 0.0, 27000},
      {"success, highest jitter", 0, 1.0, 33000},
      {"first failure", 1, 0.5, 1000},
      {"second failure doubles", 2, 0.5, 2000},
      {"fifth failure", 5, 0.5, 16000},
      {"tenth failure reaches the cap", 10, 0.5, 300000},
      {"jitter never exceeds the cap", 10, 1.0, 300000},
      {"jitter below the cap", 10, 0.0, 270000},
      {"jittered backoff", 3, 0.0, 3600},
      {"huge failure counts stay capped", 100000, 0.5, 300000},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    EXPECT_EQ(nextPollDelay(schedule, row.failures, row.random).count(), row.expectedMs);
  }
}

TEST(PollScheduleTest, DelayIsNeverZeroOrNegative) {
  EXPECT_EQ(nextPollDelay({milliseconds(0), 1.0, milliseconds(0), milliseconds(0)}, 0, 0.0).count(), 1);
  EXPECT_EQ(nextPollDelay({milliseconds(10), 5.0, milliseconds(10), milliseconds(20)}, 0, 0.0).count(), 1);
}

TEST(PollScheduleTest, BackoffInitialAboveCapUsesTheInitial) {
  EXPECT_EQ(nextPollDelay({milliseconds(50), 0.0, milliseconds(5000), milliseconds(1000)}, 1, 0.5).count(),
            5000);
}

}  // namespace
}  // namespace daemonlet::sources
