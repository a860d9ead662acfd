#pragma once
// Restart backoff: when may an exited container start again? A pure function
// with the kubelet's CrashLoopBackOff semantics (kuberuntime doBackOff on top of
// client-go's flowcontrol.Backoff), every figure configurable.
//
// How the kubelet does it, and so how we do it:
//   - Each container (of one pod) has a backoff entry {delay, lastRestart}; the
//     first start of a container creates none.
//   - The container exits at `lastExit`. If it has no entry, it restarts at once
//     and gets the entry {initial, now}. So the first crash costs nothing: a
//     `kill -9` of a healthy daemon is repaired immediately.
//   - If it has an entry, it may restart once `lastExit + entry.delay` has come;
//     at that restart the entry becomes {min(delay * multiplier, max), now}.
//     A tight crash loop therefore waits 0, 10s, 20s, 40s, ... 300s, 300s.
//   - Reset: if the container ran for longer than `resetAfter` (lastExit minus
//     the entry's lastRestart), the entry is forgotten and the next restart is
//     immediate again. The kubelet hard-codes this window as 2 * max (= 10 min
//     with the defaults); the issue asks for "reset after 10 minutes of clean
//     running", so it is its own setting, defaulting to the same 10 minutes.
//   - Any exit counts, exit code 0 included (restart policy Always), as in the
//     kubelet.
// The kubelet's jitter is not applied: a node agent has no thundering herd.
//
// Time is steady_clock: decision code never reads a clock; `now` comes in.
#include <chrono>
#include <cstdint>
#include <optional>

namespace daemonlet::decision {

using TimePoint = std::chrono::steady_clock::time_point;
using Duration = std::chrono::steady_clock::duration;

struct BackoffPolicy {
  Duration initial = std::chrono::seconds(10);
  Duration max = std::chrono::seconds(300);
  double multiplier = 2.0;  // values below 1 are treated as 1 (never shrink)
  Duration resetAfter = std::chrono::minutes(10);

  bool operator==(const BackoffPolicy&) const = default;
};

// What the reconciler remembers per container between passes (and persists with
// the pod state, so an adopted crash-looper keeps its delay). Absent until the
// first restart after an exit.
struct BackoffEntry {
  Duration delay{};         // the wait the next exit will cost
  TimePoint lastRestart{};  // when the container was last restarted under this entry

  bool operator==(const BackoffEntry&) const = default;
};

struct RestartDecision {
  bool startNow = false;
  // When not startNow: the earliest moment the container may start (the
  // reconciler wakes up then). When startNow: `now`.
  TimePoint notBefore{};
  // The backoff window in force for this exit (0 when restarting at once without
  // an entry); status shows it as "back-off 20s".
  Duration delay{};
  // When startNow: the entry to store together with the start.
  std::optional<BackoffEntry> entryAfterStart;
};

// True when the entry no longer applies to an exit at `exitTime`: the container
// ran for longer than resetAfter since its last restart. Also what a periodic
// clean-up of entries uses (with exitTime = now), as the kubelet's Backoff.GC.
bool backoffEntryExpired(const BackoffPolicy& policy, const BackoffEntry& entry, TimePoint exitTime);

// The decision for a container that exited at `lastExit`, given its entry.
RestartDecision decideRestart(const BackoffPolicy& policy, const std::optional<BackoffEntry>& entry,
                              TimePoint lastExit, TimePoint now);

// The wait before restart number `restarts + 1` in a tight crash loop where the
// container has already been restarted `restarts` times without ever running for
// resetAfter: 0 for the first restart, then initial, initial * multiplier, ...
// capped at max. For status, docs and tests; decideRestart is the authority.
Duration crashLoopDelay(const BackoffPolicy& policy, std::int64_t restarts);

}  // namespace daemonlet::decision
