// Restart backoff tables: explicit times, no clock, no sleeps.
#include "agent/decision/backoff.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace daemonlet::decision {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint kT0 = TimePoint{} + std::chrono::hours(1000);
TimePoint at(Duration d) { return kT0 + d; }

struct DecideCase {
  std::string name;
  BackoffPolicy policy;
  std::optional<BackoffEntry> entry;
  TimePoint lastExit;
  TimePoint now;
  bool startNow;
  TimePoint notBefore;
  Duration delay;
  std::optional<BackoffEntry> entryAfterStart;
};

BackoffPolicy zeroPolicy() {
  BackoffPolicy p;
  p.initial = Duration::zero();
  p.max = Duration::zero();
  return p;
}

BackoffPolicy withMultiplier(double m) {
  BackoffPolicy p;
  p.multiplier = m;
  return p;
}

TEST(DecideRestart, Table) {
  const BackoffPolicy kubelet;  // 10s, 300s, x2, 10 min
  const std::vector<DecideCase> cases = {
      {"first exit without an entry restarts at once and opens a 10s entry", kubelet, std::nullopt,
       at(seconds(5)), at(seconds(5)), true, at(seconds(5)), Duration::zero(),
       BackoffEntry{seconds(10), at(seconds(5))}},
      {"exit code does not matter: a clean exit is the same input", kubelet, std::nullopt, at(seconds(0)),
       at(milliseconds(3)), true, at(milliseconds(3)), Duration::zero(),
       BackoffEntry{seconds(10), at(milliseconds(3))}},
      {"second exit inside the window waits until exit + delay", kubelet,
       BackoffEntry{seconds(10), at(seconds(0))}, at(seconds(5)), at(seconds(6)), false, at(seconds(15)),
       seconds(10), std::nullopt},
      {"one nanosecond before the window ends still waits", kubelet,
       BackoffEntry{seconds(10), at(seconds(0))}, at(seconds(5)),
       at(seconds(15)) - std::chrono::nanoseconds(1), false, at(seconds(15)), seconds(10), std::nullopt},
      {"window over: restart and double the delay", kubelet, BackoffEntry{seconds(10), at(seconds(0))},
       at(seconds(5)), at(seconds(15)), true, at(seconds(15)), seconds(10),
       BackoffEntry{seconds(20), at(seconds(15))}},
      {"a late pass restarts at now, not at the window end", kubelet,
       BackoffEntry{seconds(20), at(seconds(0))}, at(seconds(1)), at(seconds(100)), true, at(seconds(100)),
       seconds(20), BackoffEntry{seconds(40), at(seconds(100))}},
      {"doubling is capped at max", kubelet, BackoffEntry{seconds(160), at(seconds(0))}, at(seconds(1)),
       at(seconds(161)), true, at(seconds(161)), seconds(160), BackoffEntry{seconds(300), at(seconds(161))}},
      {"at max it stays at max", kubelet, BackoffEntry{seconds(300), at(seconds(0))}, at(seconds(1)),
       at(seconds(301)), true, at(seconds(301)), seconds(300), BackoffEntry{seconds(300), at(seconds(301))}},
      {"running exactly resetAfter is not yet clean running", kubelet,
       BackoffEntry{seconds(300), at(seconds(0))}, at(minutes(10)), at(minutes(10)), false,
       at(minutes(10) + seconds(300)), seconds(300), std::nullopt},
      {"running longer than resetAfter resets: immediate restart, 10s entry", kubelet,
       BackoffEntry{seconds(300), at(seconds(0))}, at(minutes(10) + seconds(1)), at(minutes(10) + seconds(1)),
       true, at(minutes(10) + seconds(1)), Duration::zero(),
       BackoffEntry{seconds(10), at(minutes(10) + seconds(1))}},
      {"backoff configured to zero restarts every time at once", zeroPolicy(),
       BackoffEntry{Duration::zero(), at(seconds(0))}, at(milliseconds(1)), at(milliseconds(1)), true,
       at(milliseconds(1)), Duration::zero(), BackoffEntry{Duration::zero(), at(milliseconds(1))}},
      {"multiplier 1.5 grows by half", withMultiplier(1.5), BackoffEntry{seconds(10), at(seconds(0))},
       at(seconds(1)), at(seconds(11)), true, at(seconds(11)), seconds(10),
       BackoffEntry{seconds(15), at(seconds(11))}},
      {"a multiplier below 1 never shrinks the delay", withMultiplier(0.5),
       BackoffEntry{seconds(10), at(seconds(0))}, at(seconds(1)), at(seconds(11)), true, at(seconds(11)),
       seconds(10), BackoffEntry{seconds(10), at(seconds(11))}},
  };
  for (const DecideCase& c : cases) {
    SCOPED_TRACE(c.name);
    const RestartDecision d = decideRestart(c.policy, c.entry, c.lastExit, c.now);
    EXPECT_EQ(d.startNow, c.startNow);
    EXPECT_EQ(d.notBefore, c.notBefore);
    EXPECT_EQ(d.delay, c.delay);
    EXPECT_EQ(d.entryAfterStart, c.entryAfterStart);
  }
}

TEST(DecideRestart, InitialAboveMaxIsCapped) {
  BackoffPolicy policy;
  policy.initial = seconds(500);
  const RestartDecision d = decideRestart(policy, std::nullopt, at(seconds(0)), at(seconds(0)));
  ASSERT_TRUE(d.entryAfterStart);
  EXPECT_EQ(d.entryAfterStart->delay, seconds(300));
}

// A container that crashes one second after every start, restarted as soon as
// the decision allows: the waits between exit and restart follow the kubelet.
std::vector<Duration> crashLoopWaits(const BackoffPolicy& policy, int restarts) {
  std::vector<Duration> waits;
  std::optional<BackoffEntry> entry;
  TimePoint now = kT0;
  for (int i = 0; i < restarts; ++i) {
    const TimePoint exit = now + seconds(1);
    RestartDecision d = decideRestart(policy, entry, exit, exit);
    if (!d.startNow) d = decideRestart(policy, entry, exit, d.notBefore);
    EXPECT_TRUE(d.startNow);
    waits.push_back(d.notBefore - exit);
    entry = d.entryAfterStart;
    now = d.notBefore;
  }
  return waits;
}

TEST(DecideRestart, CrashLoopFollowsKubeletSequence) {
  const std::vector<Duration> expected = {seconds(0),   seconds(10),  seconds(20),  seconds(40), seconds(80),
                                          seconds(160), seconds(300), seconds(300), seconds(300)};
  EXPECT_EQ(crashLoopWaits(BackoffPolicy{}, 9), expected);
}

TEST(DecideRestart, CleanRunAfterCrashLoopStartsOver) {
  const BackoffPolicy policy;
  std::optional<BackoffEntry> entry = BackoffEntry{seconds(300), at(seconds(0))};
  // Ran 11 minutes, then exits: immediate restart with a fresh 10s entry...
  RestartDecision d = decideRestart(policy, entry, at(minutes(11)), at(minutes(11)));
  ASSERT_TRUE(d.startNow);
  EXPECT_EQ(d.entryAfterStart, (BackoffEntry{seconds(10), at(minutes(11))}));
  // ...and the next quick crash waits 10s, not 300s.
  d = decideRestart(policy, d.entryAfterStart, at(minutes(11) + seconds(2)), at(minutes(11) + seconds(2)));
  EXPECT_FALSE(d.startNow);
  EXPECT_EQ(d.notBefore, at(minutes(11) + seconds(12)));
}

TEST(BackoffEntryExpired, OnlyAfterMoreThanResetAfter) {
  const BackoffPolicy policy;
  const BackoffEntry entry{seconds(40), at(seconds(0))};
  EXPECT_FALSE(backoffEntryExpired(policy, entry, at(minutes(10))));
  EXPECT_TRUE(backoffEntryExpired(policy, entry, at(minutes(10) + std::chrono::nanoseconds(1))));
  BackoffPolicy shortReset = policy;
  shortReset.resetAfter = seconds(30);
  EXPECT_TRUE(backoffEntryExpired(shortReset, entry, at(seconds(31))));
}

TEST(CrashLoopDelay, Table) {
  struct Case {
    std::string name;
    BackoffPolicy policy;
    std::int64_t restarts;
    Duration expected;
  };
  const std::vector<Case> cases = {
      {"no restart yet: the first costs nothing", BackoffPolicy{}, 0, seconds(0)},
      {"second restart waits initial", BackoffPolicy{}, 1, seconds(10)},
      {"third waits 20s", BackoffPolicy{}, 2, seconds(20)},
      {"sixth waits 160s", BackoffPolicy{}, 5, seconds(160)},
      {"seventh is capped at 300s", BackoffPolicy{}, 6, seconds(300)},
      {"a huge count stays at the cap without looping for ever", BackoffPolicy{},
       std::numeric_limits<std::int64_t>::max(), seconds(300)},
      {"zero policy is zero", zeroPolicy(), 50, seconds(0)},
      {"multiplier 1 keeps initial", withMultiplier(1.0), std::numeric_limits<std::int64_t>::max(),
       seconds(10)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(crashLoopDelay(c.policy, c.restarts), c.expected);
  }
}

TEST(CrashLoopDelay, AgreesWithDecideRestart) {
  const std::vector<Duration> waits = crashLoopWaits(BackoffPolicy{}, 12);
  for (std::size_t i = 0; i < waits.size(); ++i) {
    SCOPED_TRACE("restart " + std::to_string(i + 1));
    EXPECT_EQ(crashLoopDelay(BackoffPolicy{}, static_cast<std::int64_t>(i)), waits[i]);
  }
}

}  // namespace
}  // namespace daemonlet::decision
