#include "runtime/cri/image_pull_backoff.h"

#include <gtest/gtest.h>

namespace daemonlet::runtime::cri {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(ImagePullBackoff, FirstFailureWaitsTenSecondsThenDoublesToFiveMinutes) {
  ImagePullBackoff backoff;
  base::TimePoint now{std::chrono::hours(1)};
  const std::string key = ImagePullBackoff::keyOf("uid-1", "busybox:1");
  EXPECT_FALSE(backoff.remaining(key, now));
  std::vector<milliseconds> delays;
  for (int i = 0; i < 7; ++i) {
    milliseconds delay = backoff.failed(key, now);
    delays.push_back(delay);
    now += delay;  // the next pull is tried when the back-off ends
  }
  std::vector<milliseconds> expected = {seconds(10), seconds(20), seconds(40), seconds(80),
                                        seconds(160), seconds(300), seconds(300)};
  EXPECT_EQ(delays, expected);
}

TEST(ImagePullBackoff, RefusesPullsUntilTheBackoffEnds) {
  ImagePullBackoff backoff;
  base::TimePoint now{std::chrono::hours(1)};
  backoff.failed("k", now);
  EXPECT_EQ(backoff.remaining("k", now + seconds(3)), milliseconds(7000));
  EXPECT_FALSE(backoff.remaining("k", now + seconds(10)));
  EXPECT_FALSE(backoff.remaining("other", now)) << "each pod and image has its own back-off";
}

TEST(ImagePullBackoff, SuccessAndLongQuietStartOver) {
  ImagePullBackoff backoff;
  base::TimePoint now{std::chrono::hours(1)};
  backoff.failed("k", now);
  backoff.failed("k", now + seconds(10));
  backoff.succeeded("k");
  EXPECT_EQ(backoff.failed("k", now + seconds(40)), seconds(10));
  EXPECT_EQ(backoff.failed("k", now + seconds(50)), seconds(20));
  // Untouched for more than twice the maximum: as new.
  EXPECT_EQ(backoff.failed("k", now + seconds(50) + seconds(601)), seconds(10));
}

}  // namespace
}  // namespace daemonlet::runtime::cri
