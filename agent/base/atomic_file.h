#pragma once
// Crash-safe file replacement: write a temp file beside the target, fsync it,
// rename it over the target, fsync the directory. A reader (or a restarted agent)
// sees either the old content or the new, never a torn file.
#include <filesystem>
#include <string_view>

#include "agent/base/result.h"

namespace daemonlet::base {

Status writeFileAtomically(const std::filesystem::path& path, std::string_view content, unsigned mode = 0644);

}  // namespace daemonlet::base
