#pragma once
// OomKillMarks: the containers in which the kernel's OOM killer acted (containerd
// "/tasks/oom"), remembered until their exit is reported, so that exit reads
// "OOMKilled" as the kubelet shows it, not "Error".
//
// Bounded: OOM events also come for sandboxes, for containers of other clients
// of the same containerd (a kubelet) and for containers removed before they
// exited; past `capacity` the oldest mark goes. A mark lost that way costs only
// the reason, and CriRuntime asks the CRI before it calls an exit 137 "Error".
//
// Not thread-safe: CriRuntime uses it on its io_context only.
#include <cstddef>
#include <deque>
#include <string>

namespace daemonlet::runtime::cri {

class OomKillMarks {
 public:
  explicit OomKillMarks(std::size_t capacity = 256) : capacity_(capacity) {}

  // Marks `containerId` (a second mark of the same id is one mark).
  void mark(const std::string& containerId);
  // Whether `containerId` was marked; the mark is gone afterwards.
  bool take(const std::string& containerId);
  bool contains(const std::string& containerId) const;
  // Forgets `containerId` (removed without an exit seen).
  void forget(const std::string& containerId) { (void)take(containerId); }
  std::size_t size() const { return ids_.size(); }

 private:
  std::size_t capacity_;
  std::deque<std::string> ids_;  // oldest first; a few hundred at most, searched linearly
};

}  // namespace daemonlet::runtime::cri
