#pragma once
// Log rotation of CRI containers. containerd 1.6 writes a container's log file
// but never rotates it: the kubelet does, and so do we, the same way. When the
// live file exceeds maxBytes it is renamed to <file>.<UTC timestamp> and the
// runtime is asked to reopen it (ReopenContainerLog), so the container writes
// to a fresh file; of the rotated files the newest maxFiles-1 are kept.
//
// The file steps here are synchronous and small (a stat, a rename, a directory
// read); the caller runs them beside the ReopenContainerLog call, off the loop.
#include <cstdint>
#include <string>

#include "agent/base/clock.h"
#include "agent/base/result.h"

namespace daemonlet::runtime::cri {

struct LogRotationLimits {
  std::int64_t maxBytes = 10 * 1024 * 1024;
  int maxFiles = 5;  // the live file included
};

// Whether `path` is over the limit now (a missing file is not).
bool logNeedsRotation(const std::string& path, const LogRotationLimits& limits);
// Renames the live file aside (base::rotatedLogPath) and removes the oldest
// rotated files beyond maxFiles-1. The caller then reopens the log.
base::Status rotateLogFile(const std::string& path, const LogRotationLimits& limits, base::WallTime now);

}  // namespace daemonlet::runtime::cri
