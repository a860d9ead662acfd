// taskExitFromEnvelope: what the exit watcher takes from containerd's events.
// The envelopes are built the way containerd 1.6 sends them (type_url without a
// "/", the TaskExit bytes as the Any's value).
#include "runtime/cri/task_exit_event.h"

#include <gtest/gtest.h>

namespace daemonlet::runtime::cri {
namespace {

namespace events = containerd::services::events::v1;

events::Envelope exitEnvelope(const std::string& containerId, const std::string& execId, std::uint32_t status) {
  events::TaskExit exit;
  exit.set_container_id(containerId);
  exit.set_id(execId);
  exit.set_pid(4242);
  exit.set_exit_status(status);
  exit.mutable_exited_at()->set_seconds(1'700'000'000);
  exit.mutable_exited_at()->set_nanos(250'000'000);
  events::Envelope envelope;
  envelope.set_namespace_("k8s.io");
  envelope.set_topic("/tasks/exit");
  envelope.mutable_event()->set_type_url("containerd.events.TaskExit");
  envelope.mutable_event()->set_value(exit.SerializeAsString());
  return envelope;
}

TEST(TaskExitFromEnvelope, ReadsTheExitOfAContainersOwnProcess) {
  auto exit = taskExitFromEnvelope(exitEnvelope("abc123", "abc123", 137));
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->containerId, "abc123");
  EXPECT_EQ(exit->exitStatus, 137u);
  auto sinceEpoch = exit->exitedAt.time_since_epoch();
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(sinceEpoch).count(), 1'700'000'000'250LL);
}

TEST(TaskExitFromEnvelope, IgnoresTheExitOfAnExecdProcess) {
  // An exec probe's process ends with its own exec id in the container.
  EXPECT_FALSE(taskExitFromEnvelope(exitEnvelope("abc123", "probe-7f3e", 0)).has_value());
}

TEST(TaskExitFromEnvelope, IgnoresOtherTopics) {
  auto envelope = exitEnvelope("abc123", "abc123", 0);
  envelope.set_topic("/tasks/start");
  EXPECT_FALSE(taskExitFromEnvelope(envelope).has_value());
}

TEST(TaskExitFromEnvelope, IgnoresAPayloadThatDoesNotParse) {
  auto envelope = exitEnvelope("abc123", "abc123", 0);
  envelope.mutable_event()->set_value("\xff\xff\xff");
  EXPECT_FALSE(taskExitFromEnvelope(envelope).has_value());
}

TEST(TaskExitFromEnvelope, IgnoresAnEnvelopeWithoutEvent) {
  auto envelope = exitEnvelope("abc123", "abc123", 0);
  envelope.clear_event();
  EXPECT_FALSE(taskExitFromEnvelope(envelope).has_value());
}

}  // namespace
}  // namespace daemonlet::runtime::cri
