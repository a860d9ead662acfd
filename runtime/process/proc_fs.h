#pragma once
// Reading the live system through /proc: the facts adoption checks a record
// against. A pid alone is never trusted: pids are recycled, so every check pairs
// the pid with the process start time (/proc/<pid>/stat field 22, clock ticks
// since boot), which a recycled pid cannot repeat.
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/result.h"

namespace daemonlet::runtime::process {

struct ProcStat {
  char state = '?';  // R, S, D, Z (zombie: exited, not yet reaped), ...
  pid_t parentPid = 0;
  pid_t processGroup = 0;
  pid_t session = 0;
  std::uint64_t startTime = 0;
};

// kNotFound when the process does not exist.
base::Result<ProcStat> readProcStat(pid_t pid);

// True when `pid` is a live (not zombie) process that started at `startTime`.
bool isSameLiveProcess(pid_t pid, std::uint64_t startTime);

// The same question with our own failures kept apart: kUnknown when /proc could
// not be read for a reason of ours (EMFILE, ENFILE, ENOMEM, EIO), which must
// never be taken for the process's exit (issue 9 H3).
enum class Liveness { kAlive, kGone, kUnknown };
Liveness processLiveness(pid_t pid, std::uint64_t startTime);

// The real uid of a live process, or -1 when it cannot be read.
long processUid(pid_t pid);

struct MarkedProcess {
  pid_t pid = 0;
  std::string value;  // the marker variable's value
  ProcStat stat;
};

// The live children of `parent` whose initial environment holds
// `name`=<value> and also exactly `scopeName`=`scopeValue` (so one agent never
// claims another's processes). Only children: a process is a container only
// when the shim host that started it is its parent, so reading every
// process's environment (hundreds on a node, at every relist) finds nothing
// more. Read from /proc/<parent>/task/*/children; a kernel without that file
// (CONFIG_PROC_CHILDREN) is scanned whole and filtered by parent. Processes we
// may not read (other users, when unprivileged) are skipped.
std::vector<MarkedProcess> findChildrenWithEnvironment(pid_t parent, const std::string& name,
                                                       const std::string& scopeName, const std::string& scopeValue);

// The initial environment of a live process (/proc/<pid>/environ): what it
// was started with. kNotFound when it is gone; an error when we may not read it.
base::Result<std::vector<std::string>> processEnvironment(pid_t pid);

// This boot's id (/proc/sys/kernel/random/boot_id), empty if unreadable.
std::string currentBootId();

// The whitespace-separated words of `text`, as `in >> word` would read them.
// (Not a stream: the static shim host would carry the whole iostream and
// locale machinery, about a megabyte of text, for it.)
std::vector<std::string_view> splitWords(std::string_view text);

// The lines of /proc/<pid>/cgroup reduced to the cgroup v2 path ("0::<path>"),
// empty when unknown.
std::string cgroupV2PathOf(pid_t pid);

}  // namespace daemonlet::runtime::process
