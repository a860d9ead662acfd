#pragma once
// What the benchmark reads from /proc about the processes of one supervisor:
// who is whose parent, memory (smaps_rollup), CPU time and wake-ups.
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace daemonlet::bench {

// pid -> parent pid of every live, non-zombie process.
std::map<pid_t, pid_t> parentsOfAll();

// root and everything below it in the process tree.
std::set<pid_t> subtreeOf(pid_t root, const std::map<pid_t, pid_t>& parents);

// Target of /proc/PID/exe, "" when unreadable.
std::string exePath(pid_t pid);
// Target of /proc/PID/cwd, "" when unreadable.
std::string cwdPath(pid_t pid);
// argv of a process, empty when unreadable.
std::vector<std::string> commandLine(pid_t pid);

bool isAlive(pid_t pid);  // exists and is not a zombie

struct Memory {
  std::int64_t rssKiB = 0;
  std::int64_t pssKiB = 0;
};
Memory memoryOf(pid_t pid);  // from smaps_rollup; zeros when unreadable

// CPU time of every thread in ns (schedstat; clock ticks when that is missing).
std::int64_t cpuNanos(pid_t pid);
// Voluntary plus involuntary context switches of every thread: each wake-up of
// an idle process is one voluntary switch when it goes back to sleep.
std::int64_t contextSwitches(pid_t pid);

}  // namespace daemonlet::bench
