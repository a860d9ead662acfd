#include "agent/sources/poll_schedule.h"

#include <algorithm>
#include <cmath>

#include "agent/base/retry_backoff.h"

namespace daemonlet::sources {

std::chrono::milliseconds nextPollDelay(const PollSchedule& schedule, int consecutiveFailures,
                                        double unitRandom) {
  const double jitter = std::clamp(schedule.jitter, 0.0, 1.0);
  const double spread = 1.0 + jitter * (2.0 * std::clamp(unitRandom, 0.0, 1.0) - 1.0);
  double nominal = static_cast<double>(schedule.interval.count());
  double cap = 0;
  if (consecutiveFailures > 0) {
    const auto capMs = std::max(schedule.backoffMax, schedule.backoffInitial);
    cap = static_cast<double>(capMs.count());
    nominal = static_cast<double>(
        base::doublingStep(schedule.backoffInitial, capMs, static_cast<std::uint64_t>(consecutiveFailures)).count());
  }
  double delay = nominal * spread;
  if (consecutiveFailures > 0) delay = std::min(delay, cap);
  return std::chrono::milliseconds(std::max<long long>(1, std::llround(delay)));
}

}  // namespace daemonlet::sources
