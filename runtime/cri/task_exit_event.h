#pragma once
// Reading a container exit out of one event of containerd's event stream
// (containerd.services.events.v1.Events/Subscribe). Pure: the exit watcher feeds
// it what the stream delivers, and tests feed it hand-made envelopes.
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
};

// The exit of a container's own process that `envelope` reports, or nothing when
// it reports something else: another topic, or the exit of a process exec'd in a
// container (an exec probe), whose exec id differs from the container id. A
// "/tasks/exit" payload that does not parse is also nothing: the relist that
// follows every stream break, and the periodic one, still see that exit.
std::optional<TaskExit> taskExitFromEnvelope(const containerd::services::events::v1::Envelope& envelope);

}  // namespace daemonlet::runtime::cri
