#pragma once
// The open-files limit of a supervisor: the agent holds a pidfd per container
// and the shim host four descriptors per container, so the usual soft limit
// (1024, or 256 under some launchers) runs out long before the hard one. Both
// raise their soft limit to the hard limit at start and give the original
// soft limit back to the containers they start, as any supervisor would
// (issue 9 H3: at soft limit 256 a failing pidfd_open was taken for an exit).
#include <sys/resource.h>

namespace daemonlet::base {

struct FileLimitChange {
  rlimit original{};  // what the process was started with (containers get this)
  rlimit now{};       // after the raise
  bool raised = false;
};

// Raises RLIMIT_NOFILE's soft limit to its hard limit. Never fails: when the
// limit cannot be read or set, `raised` is false and `now` is what holds.
FileLimitChange raiseOpenFileLimit();

}  // namespace daemonlet::base
