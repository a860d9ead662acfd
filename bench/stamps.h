#pragma once
// The stamp files stamp_daemon writes: one per supervised daemon, one line
// "<pid> <CLOCK_MONOTONIC ns>" per start of that daemon.
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace daemonlet::bench {

struct Stamp {
  pid_t pid = 0;
  std::int64_t monotonicNs = 0;
};

std::int64_t monotonicNow();  // CLOCK_MONOTONIC in ns, the clock stamp_daemon uses

// Every complete line of one stamp file, oldest first.
std::vector<Stamp> readStamps(const std::string& path);
std::optional<Stamp> lastStamp(const std::string& path);
std::optional<Stamp> firstStamp(const std::string& path);

// Names (not paths) of the stamp files in dir, sorted.
std::vector<std::string> stampFileNames(const std::string& dir);

// The pid of the newest start of every daemon in dir.
std::set<pid_t> currentDaemonPids(const std::string& dir);

}  // namespace daemonlet::bench
