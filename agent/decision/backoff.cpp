#include "agent/decision/backoff.h"

#include <algorithm>

namespace daemonlet::decision {
namespace {

Duration capped(const BackoffPolicy& policy, Duration delay) {
  return std::clamp(delay, Duration::zero(), std::max(policy.max, Duration::zero()));
}

// delay * multiplier, computed in floating point so large multipliers cannot
// overflow the integer tick count before the cap applies.
Duration grown(const BackoffPolicy& policy, Duration delay) {
  const double factor = std::max(policy.multiplier, 1.0);
  const double ticks = static_cast<double>(delay.count()) * factor;
  const double cap = static_cast<double>(std::max(policy.max, Duration::zero()).count());
  if (ticks >= cap) return capped(policy, policy.max);
  return capped(policy, Duration(static_cast<Duration::rep>(ticks)));
}

}  // namespace

bool backoffEntryExpired(const BackoffPolicy& policy, const BackoffEntry& entry, TimePoint exitTime) {
  return exitTime - entry.lastRestart > policy.resetAfter;
}

RestartDecision decideRestart(const BackoffPolicy& policy, const std::optional<BackoffEntry>& entry,
                              TimePoint lastExit, TimePoint now) {
  RestartDecision decision;
  if (!entry || backoffEntryExpired(policy, *entry, lastExit)) {
    // No recent restart on record: this exit is free, and it opens a new entry.
    decision.startNow = true;
    decision.notBefore = now;
    decision.entryAfterStart = BackoffEntry{capped(policy, policy.initial), now};
    return decision;
  }
  decision.delay = entry->delay;
  const TimePoint allowedAt = lastExit + entry->delay;
  if (now < allowedAt) {
    decision.notBefore = allowedAt;
    return decision;
  }
  decision.startNow = true;
  decision.notBefore = now;
  decision.entryAfterStart = BackoffEntry{grown(policy, entry->delay), now};
  return decision;
}

Duration crashLoopDelay(const BackoffPolicy& policy, std::int64_t restarts) {
  if (restarts <= 0) return Duration::zero();
  Duration delay = capped(policy, policy.initial);
  for (std::int64_t i = 1; i < restarts; ++i) {
    const Duration next = grown(policy, delay);
    if (next == delay) break;  // at the cap (or a multiplier of 1): nothing more changes
    delay = next;
  }
  return delay;
}

}  // namespace daemonlet::decision
