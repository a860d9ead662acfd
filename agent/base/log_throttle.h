#pragma once
// LogThrottle: lets a repeating log line through once per window and counts
// what it held back, so a condition that recurs thousands of times a second
// (a pod that cannot be removed, a pidfd that cannot be opened) costs one line
// per window plus "N similar suppressed", never a flood. Keyed by the caller
// (e.g. "remove:<pod uid>"), so distinct problems are not hidden by each other.
//
// Not thread-safe: one per owner, used on that owner's thread. `now` is passed
// in (Clock), so tests advance a ManualClock.
#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include "agent/base/clock.h"

namespace daemonlet::base {

class LogThrottle {
 public:
  explicit LogThrottle(std::chrono::milliseconds window = std::chrono::seconds(30)) : window_(window) {}

  struct Verdict {
    bool log = false;             // write the line now
    std::uint64_t suppressed = 0;  // similar lines held back since the last one written
  };

  // Asks whether the line for `key` may be written at `now`.
  Verdict allow(const std::string& key, TimePoint now);
  // The condition behind `key` is over: the next occurrence logs at once.
  // Returns how many lines were still held back (for a recovery line).
  std::uint64_t clear(const std::string& key);

  // Keys tracked (bounded by the callers' distinct problems; cleared on recovery).
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    TimePoint lastLogged{};
    std::uint64_t suppressed = 0;
  };
  std::chrono::milliseconds window_;
  std::map<std::string, Entry> entries_;
};

// The field to add to a throttled line: {"suppressed", "N similar suppressed"}.
std::string suppressedNote(std::uint64_t suppressed);

}  // namespace daemonlet::base
