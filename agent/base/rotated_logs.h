#pragma once
// How a container log is rotated on disk, one rule for both runtimes (the host
// runtime's shim writes and rotates its logs itself; the CRI runtime renames
// containerd's and asks it to reopen): the file is renamed to
// "<path>.<UTC time to the nanosecond>", fixed width so the names sort by time,
// and only the newest rotated files are kept beside the live one. Readers
// (kubectl logs, agent/kubeapi/cri_log_files.h) rely on that order.
#include <cstdint>
#include <string>

namespace daemonlet::base {

// "<path>.20261203-221500.123456789" for a rotation at `unixNano` (UTC).
std::string rotatedLogPath(const std::string& path, std::int64_t unixNano);

// Removes all but the `keep` newest rotated files of `path` (the live file is
// never touched). Errors are ignored: a file left is removed at the next rotation.
void removeOldRotatedLogs(const std::string& path, int keep);

}  // namespace daemonlet::base
