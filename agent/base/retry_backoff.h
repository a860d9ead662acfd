#pragma once
// RetryBackoff: when to try again after an operation of our own failed (a pod
// that cannot be removed yet, a record that cannot be written, a pidfd that
// cannot be opened for lack of descriptors). Exponential with full jitter in
// the upper half ("equal jitter"), so many failing items spread out instead of
// retrying in lock step, and never a retry at once: a failure that repeats can
// cost at most one attempt per `initial`, then fewer and fewer.
//
// Pure: `now` is passed in and the jitter source is seeded by the caller, so
// tests are deterministic. Not thread-safe; one per retried item.
#include <chrono>
#include <cstdint>

#include "agent/base/clock.h"

namespace daemonlet::base {

// initial · 2^(failures−1), capped at `max`: the step every retry back-off here
// grows by (this class, the Kubernetes source, the endpoint poll, the upward
// reporter). `failures` counts from 1; 0 gives `initial`. Each caller spreads
// the step with its own jitter.
std::chrono::milliseconds doublingStep(std::chrono::milliseconds initial, std::chrono::milliseconds max,
                                       std::uint64_t failures);

struct RetryBackoffPolicy {
  std::chrono::milliseconds initial{200};
  std::chrono::milliseconds max{30'000};
  double multiplier = 2.0;
};

class RetryBackoff {
 public:
  explicit RetryBackoff(RetryBackoffPolicy policy = {}, std::uint64_t seed = 0x9e3779b97f4a7c15ULL);

  // Records a failure at `now`; returns the delay until the next attempt
  // (between half and all of the current step, the step then grows).
  std::chrono::milliseconds failed(TimePoint now);
  // Records a success: the next failure starts again at `initial`.
  void succeeded();

  // True when no failure is pending or its delay has passed.
  bool ready(TimePoint now) const { return failures_ == 0 || now >= nextAttempt_; }
  TimePoint nextAttempt() const { return nextAttempt_; }
  int failures() const { return failures_; }

 private:
  RetryBackoffPolicy policy_;
  std::uint64_t state_;
  std::chrono::milliseconds step_;
  TimePoint nextAttempt_{};
  int failures_ = 0;
};

}  // namespace daemonlet::base
