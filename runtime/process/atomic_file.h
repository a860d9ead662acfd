#pragma once
// Durable small files: state that must survive a crash of the agent or the host is
// written whole or not at all (temp file, fsync, rename, directory fsync), so a
// reader sees the old content or the new one, never a torn mix.
#include <string>

#include "agent/base/result.h"

namespace daemonlet::runtime::process {

enum class Durability {
  // temp file, fsync, rename, directory fsync: survives power loss. Costs two
  // journal commits (bench/README.md).
  kSynced,
  // temp file, rename: readers never see a torn file and it survives a crash of
  // any process, but not of the host.
  kRenameOnly,
};
base::Status writeFileAtomically(const std::string& path, const std::string& content,
                                 Durability durability = Durability::kSynced);
base::Result<std::string> readWholeFile(const std::string& path);
// Writes `content` to an existing file (cgroup knobs, /proc files); no temp file.
base::Status writeExistingFile(const std::string& path, const std::string& content);
bool fileExists(const std::string& path);

}  // namespace daemonlet::runtime::process
