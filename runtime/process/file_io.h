#pragma once
// Whole-file reads and in-place writes of the runtime's files (records, cgroup
// knobs, /proc). Replacing a file atomically is agent/base/atomic_file.h's job.
#include <string>

#include "agent/base/result.h"

namespace daemonlet::runtime::process {

base::Result<std::string> readWholeFile(const std::string& path);
// Writes `content` to an existing file (cgroup knobs, /proc files); no temp file.
base::Status writeExistingFile(const std::string& path, const std::string& content);
bool fileExists(const std::string& path);

}  // namespace daemonlet::runtime::process
