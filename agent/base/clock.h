#pragma once
// Clock: the only way non-decision code reads time, so tests can advance a
// ManualClock instead of sleeping. Decision code takes `now` as a parameter.
#include <chrono>

namespace daemonlet::base {

using TimePoint = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;       // monotonic: for timers and backoff
  virtual WallTime wallNow() const = 0;    // wall clock: for timestamps shown to people
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::steady_clock::now(); }
  WallTime wallNow() const override { return std::chrono::system_clock::now(); }
};

class ManualClock final : public Clock {
 public:
  TimePoint now() const override { return now_; }
  WallTime wallNow() const override { return wall_; }
  void advance(std::chrono::nanoseconds by) {
    now_ += by;
    wall_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(by);
  }

 private:
  TimePoint now_{std::chrono::hours(1000)};
  WallTime wall_{std::chrono::seconds(1'700'000'000)};
};

}  // namespace daemonlet::base
