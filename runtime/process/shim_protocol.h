#pragma once
// What the agent and the shim tell each other when a container starts. The agent
// runs `<shim> --spec-fd 3 --report-fd 4 --id <id>` and writes the spec (JSON) on
// fd 3; the shim answers with one report (JSON) on fd 4 once the container has
// exec'd or failed to. The environment travels in the spec, not in argv, so values
// are not visible in `ps` and the shim's own environment carries no marker.
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agent/base/result.h"
#include "runtime/process/shim_security.h"

namespace daemonlet::runtime::process {

struct ShimSpec {
  std::string id;
  std::string recordDir;  // where the shim writes <id>.exit.json
  std::vector<std::string> argv;  // command + args; argv[0] is looked up in the container's PATH
  std::vector<std::string> env;   // "NAME=value", complete
  std::string workingDir;         // empty: "/"
  std::optional<std::int64_t> uid;
  std::optional<std::int64_t> gid;
  std::string logPath;
  std::int64_t logMaxBytes = 10 * 1024 * 1024;
  int logMaxFiles = 5;
  // The container's cgroup v2 directory; empty: no cgroup placement.
  std::string cgroupPath;
  // Joined too (a pod scope's directory in each cgroup v1 hierarchy: pod_scopes.h).
  std::vector<std::string> extraCgroupPaths;
  std::optional<std::int64_t> memoryMaxBytes;
  std::optional<std::int64_t> cpuMaxMillis;
  bool syncExitRecord = true;  // fsync the exit record (see base::FileDurability)
  ShimSecurity security;       // applied in the child before exec (shim_privileges.h)
};

struct ShimReport {
  bool started = false;
  std::string error;  // why it did not start
  pid_t pid = 0;
  std::uint64_t pidStartTime = 0;
  pid_t shimPid = 0;
  std::uint64_t shimStartTime = 0;
  std::int64_t startedAtUnixNano = 0;
  std::string cgroupPath;  // where the container really went; empty when nowhere
  std::vector<std::string> warnings;
  // The host applied ShimSpec::security; false from a host that predates it.
  bool securityApplied = false;
};

std::string encodeShimSpec(const ShimSpec& spec);
base::Result<ShimSpec> decodeShimSpec(const std::string& text);
std::string encodeShimReport(const ShimReport& report);
base::Result<ShimReport> decodeShimReport(const std::string& text);

}  // namespace daemonlet::runtime::process
