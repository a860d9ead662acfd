#include "runtime/cri/image_pull_backoff.h"

#include <algorithm>

namespace daemonlet::runtime::cri {

std::optional<std::chrono::milliseconds> ImagePullBackoff::remaining(const std::string& key,
                                                                     base::TimePoint now) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  auto until = it->second.lastFailure + it->second.delay;
  if (now >= until) return std::nullopt;
  return std::chrono::ceil<std::chrono::milliseconds>(until - now);
}

std::chrono::milliseconds ImagePullBackoff::failed(const std::string& key, base::TimePoint now) {
  auto [it, inserted] = entries_.try_emplace(key);
  Entry& entry = it->second;
  bool stale = !inserted && now - entry.lastFailure > 2 * kMax;
  if (inserted || stale || entry.delay.count() == 0) {
    entry.delay = kInitial;
  } else {
    entry.delay = std::min(entry.delay * 2, kMax);
  }
  entry.lastFailure = now;
  return entry.delay;
}

void ImagePullBackoff::succeeded(const std::string& key) { entries_.erase(key); }

std::string ImagePullBackoff::keyOf(const std::string& podUid, const std::string& image) {
  return podUid + "_" + image;
}

}  // namespace daemonlet::runtime::cri
