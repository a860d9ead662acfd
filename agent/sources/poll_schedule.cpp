#include "agent/sources/poll_schedule.h"

#include <algorithm>
#include <cmath>

namespace daemonlet::sources {

std::chrono::milliseconds nextPollDelay(const PollSchedule& schedule, int consecutiveFailures,
                                        double unitRandom) {
  const double jitter = std::clamp(schedule.jitter, 0.0, 1.0);
  const double spread = 1.0 + jitter * (2.0 * std::clamp(unitRandom, 0.0, 1.0) - 1.0);
  double base = static_cast<double>(schedule.interval.count());
  double cap = 0;
  if (consecutiveFailures > 0) {
    cap = static_cast<double>(std::max(schedule.backoffMax, schedule.backoffInitial).count());
    // Doubling stops at the cap; the exponent is bounded so it cannot overflow.
    double doubled = static_cast<double>(schedule.backoffInitial.count()) *
                     std::pow(2.0, std::min(consecutiveFailures - 1, 62));
    base = std::min(doubled, cap);
  }
  double delay = base * spread;
  if (consecutiveFailures > 0) delay = std::min(delay, cap);
  return std::chrono::milliseconds(std::max<long long>(1, std::llround(delay)));
}

}  // namespace daemonlet::sources
