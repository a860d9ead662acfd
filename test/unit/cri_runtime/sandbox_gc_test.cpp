// The sandbox GC's rule (sandbox_gc.h): a table of pods' sandboxes and what the
// runtime tracks, and the sandboxes removed.
#include "runtime/cri/sandbox_gc.h"

#include <gtest/gtest.h>

#include <functional>

namespace daemonlet::runtime::cri {
namespace {

using namespace std::chrono_literals;

const base::WallTime kNow{std::chrono::seconds(1'700'000'000)};
constexpr std::chrono::milliseconds kGrace = 60s;

SandboxGcEntry sandboxOf(std::string id, std::string uid, bool ready, std::chrono::seconds age,
                         std::uint32_t attempt = 0) {
  SandboxGcEntry entry;
  entry.id = std::move(id);
  entry.podUid = std::move(uid);
  entry.ready = ready;
  entry.createdAt = kNow - age;
  entry.attempt = attempt;
  return entry;
}

// "id" for a sandbox removed alone, "+files" when the pod's files go too,
// "+ready" when it is a READY one (a start for its pod waits meanwhile).
std::vector<std::string> describe(const std::vector<SandboxRemoval>& removals) {
  std::vector<std::string> out;
  for (const auto& removal : removals) {
    out.push_back(removal.sandboxId + (removal.podFilesToo ? "+files" : "") +
                  (removal.ready ? "+ready" : ""));
  }
  return out;
}

struct GcCase {
  const char* name;
  std::vector<SandboxGcEntry> sandboxes;
  std::function<void(SandboxGcPods&)> pods;
  std::vector<std::string> removed;
};

TEST(SandboxGc, RemovesWhatNoPodNeedsAndKeepsTheRest) {
  const std::vector<GcCase> cases = {
      {"an untracked pod's stopped sandbox goes, with the pod's files",
       {sandboxOf("s1", "gone", false, 5s)},
       [](SandboxGcPods&) {},
       {"s1+files"}},
      {"every stopped sandbox of an untracked pod goes; the files with the last",
       {sandboxOf("s2", "gone", false, 5s, 1), sandboxOf("s1", "gone", false, 90s, 0)},
       [](SandboxGcPods&) {},
       {"s1", "s2+files"}},
      {"an untracked pod's READY sandbox past the grace goes (agent killed before CreateContainer)",
       {sandboxOf("s1", "gone", true, 61s)},
       [](SandboxGcPods&) {},
       {"s1+files+ready"}},
      {"an untracked pod's READY sandbox within the grace stays: a start may be making it",
       {sandboxOf("s1", "new", true, 59s)},
       [](SandboxGcPods&) {},
       {}},
      {"a stopped one goes beside a young READY one, but the pod's files stay",
       {sandboxOf("s0", "new", false, 300s), sandboxOf("s1", "new", true, 10s, 1)},
       [](SandboxGcPods&) {},
       {"s0"}},
      {"a sandbox with a running container stays, tracked or not, ready or not",
       {[] {
          auto s = sandboxOf("s1", "gone", true, 600s);
          s.hasRunningContainer = true;
          return s;
        }(),
        [] {
          auto s = sandboxOf("s2", "gone2", false, 600s);
          s.hasRunningContainer = true;
          return s;
        }()},
       [](SandboxGcPods&) {},
       {}},
      {"a tracked pod keeps its newest sandbox even when it is stopped",
       {sandboxOf("s1", "live", false, 5s)},
       [](SandboxGcPods& p) { p.tracked.insert("live"); },
       {}},
      {"a tracked pod's older stopped sandboxes go, its files stay",
       {sandboxOf("s0", "live", false, 300s, 0), sandboxOf("s1", "live", false, 200s, 1),
        sandboxOf("s2", "live", true, 100s, 2)},
       [](SandboxGcPods& p) { p.tracked.insert("live"); },
       {"s0", "s1"}},
      {"a tracked pod's READY sandboxes stay, newest or not",
       {sandboxOf("s0", "live", true, 300s, 0), sandboxOf("s1", "live", false, 100s, 1)},
       [](SandboxGcPods& p) { p.tracked.insert("live"); },
       {}},
      {"same creation time: the higher attempt is the newest",
       {sandboxOf("s1", "live", false, 100s, 1), sandboxOf("s0", "live", false, 100s, 0)},
       [](SandboxGcPods& p) { p.tracked.insert("live"); },
       {"s0"}},
      {"nothing of a pod with a start in flight goes",
       {sandboxOf("s0", "busy", false, 300s, 0), sandboxOf("s1", "busy", true, 300s, 1)},
       [](SandboxGcPods& p) { p.starting.insert("busy"); },
       {}},
      {"the sandbox the runtime holds as the pod's ready one stays",
       {sandboxOf("s0", "live", false, 300s, 0), sandboxOf("s1", "live", false, 100s, 1)},
       [](SandboxGcPods& p) {
         p.tracked.insert("live");
         p.heldSandboxIds.insert("s0");
       },
       {}},
      {"a sandbox without a pod uid label is never guessed at",
       {sandboxOf("s1", "", false, 300s)},
       [](SandboxGcPods&) {},
       {}},
      {"pods are judged each on their own",
       {sandboxOf("a0", "live", false, 300s, 0), sandboxOf("a1", "live", true, 100s, 1),
        sandboxOf("b0", "gone", false, 300s)},
       [](SandboxGcPods& p) { p.tracked.insert("live"); },
       {"b0+files", "a0"}},  // by pod uid
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    SandboxGcPods pods;
    c.pods(pods);
    EXPECT_EQ(describe(sandboxesToCollect(c.sandboxes, pods, kNow, kGrace)), c.removed);
  }
}

}  // namespace
}  // namespace daemonlet::runtime::cri
