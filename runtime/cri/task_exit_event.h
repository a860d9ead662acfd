#pragma once
// Reading a container exit, or an OOM kill, out of one event of containerd's
// event stream (containerd.services.events.v1.Events/Subscribe). Pure: the exit
// watcher feeds it what the stream delivers, and tests feed it hand-made
// envelopes.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "runtime/cri/proto/containerd_events.pb.h"

namespace daemonlet::runtime::cri {

struct TaskExit {
  // The CRI container (or sandbox) id, without the "containerd://" prefix.
  std::string containerId;
  // The wait status's exit code as containerd reports it: 128+N after signal N.
  std::uint32_t exitStatus = 0;
  std::chrono::system_clock::time_point exitedAt{};
  // The CRI's reason ("OOMKilled", "Error", "Completed") when the event came
  // with a CRI ContainerStatus (GetContainerEvents); empty from containerd's
  // own stream, whose OOM kills come apart as TaskOom.
  std::string reason;
};

// The kernel's OOM killer acted in a container's cgroup ("/tasks/oom"). Not an
// exit: the killed process is usually the container's own (exit 137 follows),
// but may be another process in it, after which the container runs on.
struct TaskOom {
  // The CRI container (or sandbox) id.
  std::string containerId;
};

// The exit of a container's own process that `envelope` reports, or nothing when
// it reports something else: another topic, or the exit of a process exec'd in a
// container (an exec probe), whose exec id differs from the container id. A
// "/tasks/exit" payload that does not parse is also nothing: the relist that
// follows every stream break, and the periodic one, still see that exit.
std::optional<TaskExit> taskExitFromEnvelope(const containerd::services::events::v1::Envelope& envelope);

// The OOM kill that `envelope` reports, or nothing for another topic, a payload
// that does not parse or one without container id. A lost OOM event costs only
// the reason: CriRuntime asks the CRI (which records OOMKilled itself) before it
// reports an exit 137 as "Error".
std::optional<TaskOom> taskOomFromEnvelope(const containerd::services::events::v1::Envelope& envelope);

}  // namespace daemonlet::runtime::cri
