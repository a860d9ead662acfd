#pragma once
// What the agent and the shim write down about each container, in the state
// directory (<stateDir>/<id>.json by the agent, <id>.exit.json by the shim). These
// files are the only memory that survives an agent restart; adoption trusts them
// only after checking them against /proc.
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "agent/base/result.h"
#include "runtime/runtime.h"

namespace daemonlet::runtime::process {

// The environment variable set on every container process; its value is the
// record id. It lets list() find a live container whose record is lost.
inline constexpr const char* kContainerIdMarker = "DAEMONLET_CONTAINER_ID";
// Set beside it: the state directory of the runtime that started the container,
// so that two agents (or parallel tests) never claim each other's processes.
inline constexpr const char* kStateDirMarker = "DAEMONLET_STATE_DIR";

struct ContainerRecord {
  std::string id;
  PodRef pod;
  std::string containerName;
  bool init = false;
  int restartCount = 0;
  pid_t pid = 0;
  std::uint64_t pidStartTime = 0;
  pid_t processGroup = 0;
  pid_t shimPid = 0;
  std::uint64_t shimStartTime = 0;
  std::int64_t startedAtUnixNano = 0;
  std::string logPath;
  std::string workingDir;  // the container's workingDir, for exec; empty: the shim's
  std::string cgroupPath;  // empty when the container was not placed in a cgroup
  // The container's cgroup as /proc/<pid>/cgroup names it ("0::<this>"), taken
  // at start; adoption requires the live pid to be there still.
  std::string cgroupMembership;
  std::int64_t terminationGracePeriodSeconds = model::kDefaultTerminationGracePeriodSeconds;
  // /proc/sys/kernel/random/boot_id when recorded: a record from an earlier boot
  // never matches a live process, even one with the same pid and start ticks.
  std::string bootId;
};

struct ExitRecord {
  std::string id;
  pid_t pid = 0;
  int exitCode = 0;  // 128+signal when signalled
  int signal = 0;
  bool coreDumped = false;
  bool oomKilled = false;
  std::int64_t finishedAtUnixNano = 0;
};

std::string encodeRecord(const ContainerRecord& record);
base::Result<ContainerRecord> decodeRecord(const std::string& text);
std::string encodeExitRecord(const ExitRecord& record);
base::Result<ExitRecord> decodeExitRecord(const std::string& text);

std::string recordPath(const std::string& stateDir, const std::string& id);
std::string exitRecordPath(const std::string& stateDir, const std::string& id);

// Ids read "<podUid>_<container>_<restartCount>_<nonce>" so that a file name, or a
// marker found on a live process, still tells which pod and container it is.
std::string makeRecordId(const std::string& podUid, const std::string& containerName, int restartCount);
struct RecordIdParts {
  std::string podUid;
  std::string containerName;
  int restartCount = 0;
};
std::optional<RecordIdParts> parseRecordId(const std::string& id);

std::int64_t toUnixNano(base::WallTime time);
base::WallTime fromUnixNano(std::int64_t nanos);

}  // namespace daemonlet::runtime::process
