#pragma once
// The one reader of a pod state file (<stateDir>/pods/<uid>.json, written by
// PodStateStore::save). Pure: bytes in, a PodState or an error out, so it can be
// fuzzed and table-tested without a directory or a clock.
//
// Contract: every field is checked for its type and range before it is used; a
// wrong-typed or out-of-range field fails the whole record with an error naming
// the field (e.g. "containers[0].starts: expected an integer, found a string").
// Missing fields take their defaults, as files written by older agents lack
// some. Never throws.
#include <string>
#include <string_view>

#include "agent/base/clock.h"
#include "agent/base/result.h"
#include "agent/reconciler/pod_state.h"

namespace daemonlet::reconciler {

// Steady and wall clock read at the same moment: stored wall times are mapped
// back onto the steady clock through it.
struct ClockReading {
  base::TimePoint steadyNow{};
  base::WallTime wallNow{};
};

// `expectedUid` is the file's stem: a record must describe the pod its name says
// (save() writes <uid>.json, and the uid becomes a path again on the next save).
base::Result<PodState> decodePodState(std::string_view bytes, const std::string& expectedUid,
                                      const ClockReading& now);

}  // namespace daemonlet::reconciler
