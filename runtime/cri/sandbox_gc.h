#pragma once
// Which of this agent's pod sandboxes no pod needs any more: the rule of the
// kubelet's container GC for sandboxes (kuberuntime_gc.go, evictSandboxes),
// seen from an agent that has no API server to ask whether a pod still exists.
//
// The kubelet keeps every active sandbox (READY, or holding a container) and,
// of a pod that still exists, the newest sandbox; everything else of a pod that
// is gone is removed. Here "the pod still exists" is "the CRI runtime tracks its
// uid" (a sandbox slot or a container, adopted ones included), and:
//   - a sandbox with a running container is never removed (a running container
//     is someone's: adoption takes it over);
//   - nothing of a pod with a start in flight is removed, nor the sandbox the
//     runtime holds as a pod's ready one;
//   - of a tracked pod, every NOTREADY sandbox but the newest is removed;
//   - of an untracked pod, every NOTREADY sandbox is removed, and a READY one
//     too once it is older than `readyGrace` (an agent killed between
//     RunPodSandbox and CreateContainer leaves one; the grace keeps a sandbox a
//     start is just making out of reach). Deviation from the kubelet, which
//     never removes a READY sandbox: its pod worker stops those first, and we
//     have no pod worker for a pod no DaemonSet asks for any more.
// When every sandbox of an untracked pod goes, its log directory and emptyDir
// volumes go too (podFilesToo), as removePod's removal does.
//
// Pure: the caller lists the sandboxes and containers (off the loop) and reads
// the runtime's state and the clock (on it).
#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "agent/base/clock.h"

namespace daemonlet::runtime::cri {

// One sandbox of ours as listed (ListPodSandbox), with what its containers say.
struct SandboxGcEntry {
  std::string id;
  std::string podUid;          // its io.kubernetes.pod.uid label
  std::uint32_t attempt = 0;   // metadata.attempt: breaks a tie in creation time
  bool ready = false;          // SANDBOX_READY
  base::WallTime createdAt{};  // created_at
  bool hasRunningContainer = false;
};

// What the CRI runtime holds when the rule is applied (on its loop).
struct SandboxGcPods {
  std::set<std::string> tracked;         // pod uids with a sandbox slot or a container
  std::set<std::string> starting;        // pod uids with a start in flight
  std::set<std::string> heldSandboxIds;  // the sandboxes the runtime holds as pods' ready ones
};

struct SandboxRemoval {
  std::string sandboxId;
  std::string podUid;
  // The last sandbox of an untracked pod: its log directory and volumes go too.
  bool podFilesToo = false;
  // A READY one (of an untracked pod): a start must not reuse it while it goes.
  bool ready = false;
};

// The sandboxes to stop and remove, oldest of each pod first.
std::vector<SandboxRemoval> sandboxesToCollect(const std::vector<SandboxGcEntry>& sandboxes,
                                               const SandboxGcPods& pods, base::WallTime now,
                                               std::chrono::milliseconds readyGrace);

}  // namespace daemonlet::runtime::cri
