#include "runtime/cri/task_exit_event.h"

namespace daemonlet::runtime::cri {

namespace events = containerd::services::events::v1;

// containerd writes the type_url without a "/" ("containerd.events.TaskExit"),
// which Any::UnpackTo rejects: each payload is parsed as its message directly.

std::optional<TaskExit> taskExitFromEnvelope(const events::Envelope& envelope) {
  if (envelope.topic() != "/tasks/exit" || !envelope.has_event()) return std::nullopt;
  events::TaskExit exit;
  if (!exit.ParseFromString(envelope.event().value())) return std::nullopt;
  if (exit.container_id().empty() || exit.id() != exit.container_id()) return std::nullopt;

  TaskExit result;
  result.containerId = exit.container_id();
  result.exitStatus = exit.exit_status();
  const auto& at = exit.exited_at();
  result.exitedAt = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::seconds(at.seconds()) +
                                                                      std::chrono::nanoseconds(at.nanos())));
  return result;
}

std::optional<TaskOom> taskOomFromEnvelope(const events::Envelope& envelope) {
  if (envelope.topic() != "/tasks/oom" || !envelope.has_event()) return std::nullopt;
  events::TaskOOM oom;
  if (!oom.ParseFromString(envelope.event().value()) || oom.container_id().empty()) return std::nullopt;
  return TaskOom{oom.container_id()};
}

}  // namespace daemonlet::runtime::cri
