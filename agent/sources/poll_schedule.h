#pragma once
// When an endpoint source polls next. Pure: the random draw is passed in, so
// the schedule is table-tested without clocks or sleeps.
//
// - After a success the next poll comes one interval later, spread by ±jitter
//   so a fleet restarted together does not poll in lockstep.
// - After the n-th failure in a row it waits backoffInitial·2^(n-1), capped at
//   backoffMax, spread by the same jitter and never beyond the cap.
#include <chrono>

namespace daemonlet::sources {

struct PollSchedule {
  std::chrono::milliseconds interval{30000};
  double jitter = 0.1;  // fraction of the delay, applied ±
  std::chrono::milliseconds backoffInitial{1000};
  std::chrono::milliseconds backoffMax{300000};
};

// `consecutiveFailures` is 0 after a success. `unitRandom` is a draw from
// [0, 1); 0.5 means "no jitter". The result is at least 1 ms.
std::chrono::milliseconds nextPollDelay(const PollSchedule& schedule, int consecutiveFailures,
                                        double unitRandom);

}  // namespace daemonlet::sources
