#include "runtime/cri/sandbox_gc.h"

#include <algorithm>
#include <map>

namespace daemonlet::runtime::cri {
namespace {

// Oldest first: creation time, then the attempt (a sandbox made again has a
// higher one).
bool sandboxGcOlder(const SandboxGcEntry* a, const SandboxGcEntry* b) {
  if (a->createdAt != b->createdAt) return a->createdAt < b->createdAt;
  return a->attempt < b->attempt;
}

}  // namespace

std::vector<SandboxRemoval> sandboxesToCollect(const std::vector<SandboxGcEntry>& sandboxes,
                                               const SandboxGcPods& pods, base::WallTime now,
                                               std::chrono::milliseconds readyGrace) {
  std::map<std::string, std::vector<const SandboxGcEntry*>> byPod;
  for (const auto& sandbox : sandboxes) byPod[sandbox.podUid].push_back(&sandbox);

  std::vector<SandboxRemoval> removals;
  for (auto& [uid, ofPod] : byPod) {
    // No uid label: not a pod's sandbox as we make them; never guess.
    if (uid.empty() || pods.starting.count(uid)) continue;
    std::sort(ofPod.begin(), ofPod.end(), sandboxGcOlder);
    const bool tracked = pods.tracked.count(uid) > 0;
    std::size_t removed = 0;
    for (std::size_t i = 0; i < ofPod.size(); ++i) {
      const SandboxGcEntry& sandbox = *ofPod[i];
      if (sandbox.hasRunningContainer || pods.heldSandboxIds.count(sandbox.id)) continue;
      bool remove = false;
      if (tracked) {
        remove = !sandbox.ready && i + 1 < ofPod.size();  // the newest stays
      } else {
        remove = !sandbox.ready || sandbox.createdAt + readyGrace <= now;
      }
      if (!remove) continue;
      removals.push_back({sandbox.id, uid, false, sandbox.ready});
      ++removed;
    }
    if (!tracked && removed > 0 && removed == ofPod.size()) removals.back().podFilesToo = true;
  }
  return removals;
}

}  // namespace daemonlet::runtime::cri
