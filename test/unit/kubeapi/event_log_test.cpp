// The reconciler's events (status/pod_event.h) as core/v1 Events, repeats
// counted, and the recent ones the upward report carries.
#include <gtest/gtest.h>

#include "agent/kubeapi/event_recorder.h"
#include "agent/kubeapi/pod_events.h"

namespace daemonlet::kubeapi {
namespace {

status::PodEvent unhealthy(const std::string& container, bool init = false) {
  return {"uid-1", "default", "web-abcde", container,
          init,    "Warning", "Unhealthy", "Liveness probe failed: exit status 1"};
}

TEST(EventLogTest, ReconcilerEventsNameTheContainerAndRepeatsAreCounted) {
  base::ManualClock clock;
  EventLog log(clock, "worker-1", 100);
  recordPodEvent(unhealthy("main"), log);
  clock.advance(std::chrono::seconds(10));
  recordPodEvent(unhealthy("main"), log);
  recordPodEvent(unhealthy("setup", true), log);
  ObjectMap objects = log.objects();
  ASSERT_EQ(objects.size(), 2u);
  bool sawMain = false;
  for (const auto& [key, event] : objects) {
    EXPECT_EQ(event["reason"], "Unhealthy");
    EXPECT_EQ(event["involvedObject"]["name"], "web-abcde");
    if (event["involvedObject"]["fieldPath"] == "spec.containers{main}") {
      sawMain = true;
      EXPECT_EQ(event["count"], 2);
      EXPECT_NE(event["firstTimestamp"], event["lastTimestamp"]);
    } else {
      EXPECT_EQ(event["involvedObject"]["fieldPath"], "spec.initContainers{setup}");
    }
  }
  EXPECT_TRUE(sawMain);
}

TEST(EventLogTest, RecentIsTheLastSeenNewestLast) {
  base::ManualClock clock;
  EventLog log(clock, "worker-1", 100);
  const std::uint64_t before = log.changes();
  for (const char* container : {"a", "b", "c"}) recordPodEvent(unhealthy(container), log);
  recordPodEvent(unhealthy("a"), log);  // seen again: now the newest
  EXPECT_EQ(log.changes(), before + 4);
  auto recent = log.recent(2);
  ASSERT_EQ(recent.size(), 2u);
  EXPECT_EQ(recent[0].fieldPath, "spec.containers{c}");
  EXPECT_EQ(recent[1].fieldPath, "spec.containers{a}");
  EXPECT_EQ(recent[1].count, 2);
  EXPECT_EQ(recent[1].objectKind, "Pod");
  EXPECT_EQ(log.recent(10).size(), 3u);
}

}  // namespace
}  // namespace daemonlet::kubeapi
