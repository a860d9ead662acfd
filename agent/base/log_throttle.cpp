#include "agent/base/log_throttle.h"

namespace daemonlet::base {

LogThrottle::Verdict LogThrottle::allow(const std::string& key, TimePoint now) {
  auto [it, inserted] = entries_.try_emplace(key);
  Entry& entry = it->second;
  if (inserted || now - entry.lastLogged >= window_) {
    Verdict verdict{true, entry.suppressed};
    entry.lastLogged = now;
    entry.suppressed = 0;
    return verdict;
  }
  ++entry.suppressed;
  return Verdict{false, 0};
}

std::uint64_t LogThrottle::clear(const std::string& key) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return 0;
  std::uint64_t suppressed = it->second.suppressed;
  entries_.erase(it);
  return suppressed;
}

std::string suppressedNote(std::uint64_t suppressed) {
  return std::to_string(suppressed) + " similar suppressed";
}

}  // namespace daemonlet::base
