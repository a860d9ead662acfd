#include "agent/base/retry_backoff.h"

#include <algorithm>

namespace daemonlet::base {
namespace {

// splitmix64: small, good enough to spread retries, no <random> state to carry.
std::uint64_t nextRandom(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

std::chrono::milliseconds doublingStep(std::chrono::milliseconds initial, std::chrono::milliseconds max,
                                       std::uint64_t failures) {
  auto step = initial;
  for (std::uint64_t i = 1; i < failures && step < max && step.count() > 0; ++i) step *= 2;
  return std::min(step, max);
}

RetryBackoff::RetryBackoff(RetryBackoffPolicy policy, std::uint64_t seed)
    : policy_(policy), state_(seed), step_(policy.initial) {
  if (policy_.initial.count() <= 0) policy_.initial = std::chrono::milliseconds(1);
  if (policy_.max < policy_.initial) policy_.max = policy_.initial;
  if (policy_.multiplier < 1.0) policy_.multiplier = 1.0;
  step_ = policy_.initial;
}

std::chrono::milliseconds RetryBackoff::failed(TimePoint now) {
  const auto half = step_.count() / 2;
  const auto jitter = half > 0 ? static_cast<std::int64_t>(nextRandom(state_) % static_cast<std::uint64_t>(half + 1)) : 0;
  std::chrono::milliseconds delay(std::max<std::int64_t>(1, step_.count() - half + jitter));
  ++failures_;
  nextAttempt_ = now + delay;
  auto grown = static_cast<std::int64_t>(static_cast<double>(step_.count()) * policy_.multiplier);
  step_ = std::min(policy_.max, std::chrono::milliseconds(std::max<std::int64_t>(grown, step_.count())));
  return delay;
}

void RetryBackoff::succeeded() {
  failures_ = 0;
  step_ = policy_.initial;
  nextAttempt_ = TimePoint{};
}

}  // namespace daemonlet::base
