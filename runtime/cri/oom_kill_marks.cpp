#include "runtime/cri/oom_kill_marks.h"

#include <algorithm>

namespace daemonlet::runtime::cri {

void OomKillMarks::mark(const std::string& containerId) {
  if (capacity_ == 0 || contains(containerId)) return;
  if (ids_.size() >= capacity_) ids_.pop_front();
  ids_.push_back(containerId);
}

bool OomKillMarks::contains(const std::string& containerId) const {
  return std::find(ids_.begin(), ids_.end(), containerId) != ids_.end();
}

bool OomKillMarks::take(const std::string& containerId) {
  auto it = std::find(ids_.begin(), ids_.end(), containerId);
  if (it == ids_.end()) return false;
  ids_.erase(it);
  return true;
}

}  // namespace daemonlet::runtime::cri
