// taskExitFromEnvelope and taskOomFromEnvelope: what the exit watcher takes from
// containerd's events. The envelopes are built the way containerd 1.6 sends them
// (type_url without a "/", the TaskExit or TaskOOM bytes as the Any's value).
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
  // containerd's own exit event has no reason: an OOM kill comes as its own event.
  EXPECT_EQ(exit->reason, "");
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

events::Envelope oomEnvelope(const std::string& containerId) {
  events::TaskOOM oom;
  oom.set_container_id(containerId);
  events::Envelope envelope;
  envelope.set_namespace_("k8s.io");
  envelope.set_topic("/tasks/oom");
  envelope.mutable_event()->set_type_url("containerd.events.TaskOOM");
  envelope.mutable_event()->set_value(oom.SerializeAsString());
  return envelope;
}

TEST(TaskOomFromEnvelope, ReadsTheContainerTheOomKillerActedIn) {
  auto oom = taskOomFromEnvelope(oomEnvelope("abc123"));
  ASSERT_TRUE(oom.has_value());
  EXPECT_EQ(oom->containerId, "abc123");
}

TEST(TaskOomFromEnvelope, IsNotAnExitAndAnExitIsNotAnOom) {
  // The watcher tries both decodes on every envelope of its one stream.
  EXPECT_FALSE(taskExitFromEnvelope(oomEnvelope("abc123")).has_value());
  EXPECT_FALSE(taskOomFromEnvelope(exitEnvelope("abc123", "abc123", 137)).has_value());
}

TEST(TaskOomFromEnvelope, IgnoresAPayloadThatDoesNotParse) {
  auto envelope = oomEnvelope("abc123");
  envelope.mutable_event()->set_value("\xff\xff\xff");
  EXPECT_FALSE(taskOomFromEnvelope(envelope).has_value());
}

TEST(TaskOomFromEnvelope, IgnoresAnEventWithoutContainerId) {
  EXPECT_FALSE(taskOomFromEnvelope(oomEnvelope("")).has_value());
  auto envelope = oomEnvelope("abc123");
  envelope.clear_event();
  EXPECT_FALSE(taskOomFromEnvelope(envelope).has_value());
}

}  // namespace
}  // namespace daemonlet::runtime::cri
