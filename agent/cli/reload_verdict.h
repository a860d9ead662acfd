#pragma once
// The agent's answer to each configuration reload, in <runDir>/reload-verdict,
// so `daemonlet reload` (systemd's ExecReload) can wait for the verdict of the
// reload it asked for: the agent writes generation 0 at start and the next
// generation after each SIGHUP, whole (rename), with its pid. A reader that saw
// generation N before signalling knows a later generation answers its signal
// (or one that arrived with it: the kernel merges pending SIGHUPs, and the
// verdict then covers the file as read after both).
#include <sys/types.h>

#include <cstdint>
#include <string>

#include "agent/base/result.h"

namespace daemonlet::cli {

struct ReloadVerdict {
  pid_t pid = 0;
  std::uint64_t generation = 0;
  bool applied = true;
  std::string message;  // why the configuration was refused (file, field)
};

std::string reloadVerdictPath(const std::string& runDir);
base::Status writeReloadVerdict(const std::string& runDir, const ReloadVerdict& verdict);
// kNotFound when the agent never wrote one (not running, or another run dir).
base::Result<ReloadVerdict> readReloadVerdict(const std::string& runDir);

}  // namespace daemonlet::cli
