#pragma once
// The shim's side of starting a container: fork, set the child up (own process
// group, cgroup, stdio pipes held by the shim, working directory, user, groups,
// capabilities, oom_score_adj (shim_privileges.h), environment) and exec. Returns once exec has succeeded or
// failed, so a bad command or working directory is reported as a start error, not as an exit.
#include <sys/resource.h>
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "agent/base/result.h"
#include "runtime/process/shim_protocol.h"
#include "runtime/process/unique_fd.h"

namespace daemonlet::runtime::process {

struct SpawnedContainer {
  pid_t pid = 0;
  std::uint64_t startTime = 0;
  std::int64_t startedAtUnixNano = 0;
  UniqueFd pidfd;
  UniqueFd stdoutRead;
  UniqueFd stderrRead;
  std::vector<std::string> warnings;  // what of the spec's security could not be applied
};

base::Result<SpawnedContainer> spawnContainer(const ShimSpec& spec);

// The open-files limit containers start with, when the caller raised its own
// (the shim host holds four descriptors per container): containers get the
// usual limit back, as they would from any other supervisor.
void rememberContainerFileLimit(const rlimit& limit);

}  // namespace daemonlet::runtime::process
