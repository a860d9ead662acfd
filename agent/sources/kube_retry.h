#pragma once
// Retry pacing for the Kubernetes API source: jittered exponential backoff.
// The waits themselves are Timers on the loop (kube_reflector.h), so stop()
// never waits out a backoff.
#include <algorithm>
#include <chrono>
#include <random>

namespace daemonlet::sources {

// delay(n) = min(max, initial * 2^(n-1)), then jittered uniformly into
// [delay/2, delay] so that many agents cut off by the same API-server restart do
// not come back in lockstep.
class JitteredBackoff {
 public:
  JitteredBackoff(std::chrono::milliseconds initial, std::chrono::milliseconds max)
      : initial_(std::max(initial, std::chrono::milliseconds(1))), max_(std::max(max, initial_)),
        random_(std::random_device{}()) {}

  std::chrono::milliseconds next() {
    auto delay = initial_;
    for (int i = 0; i < failures_ && delay < max_; ++i) delay *= 2;
    delay = std::min(delay, max_);
    ++failures_;
    std::uniform_int_distribution<long long> jitter(delay.count() / 2, delay.count());
    return std::chrono::milliseconds(jitter(random_));
  }
  void reset() { failures_ = 0; }
  int failures() const { return failures_; }

  // A random value in [base, 2*base): client-go's spread of watch timeouts.
  std::chrono::seconds spread(std::chrono::seconds base) {
    if (base.count() <= 0) return base;
    std::uniform_int_distribution<long long> pick(base.count(), 2 * base.count() - 1);
    return std::chrono::seconds(pick(random_));
  }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  int failures_ = 0;
  std::mt19937_64 random_;
};

}  // namespace daemonlet::sources
