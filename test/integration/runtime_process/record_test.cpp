// Record files and ids: round trips, and refusal of damaged input.
#include "runtime/process/container_record.h"

#include <gtest/gtest.h>

#include "runtime/process/shim_protocol.h"

namespace daemonlet::runtime::process {
namespace {

TEST(ContainerRecordTest, RoundTrips) {
  ContainerRecord record;
  record.id = makeRecordId("uid-1", "web", 3);
  record.pod = PodRef{"ns", "web-abc", "uid-1", "web", "ds-1", "rev1"};
  record.containerName = "web";
  record.init = true;
  record.restartCount = 3;
  record.pid = 4242;
  record.pidStartTime = 987654321;
  record.processGroup = 4242;
  record.shimPid = 4241;
  record.shimStartTime = 987654320;
  record.startedAtUnixNano = 1'700'000'000'123'456'789;
  record.logPath = "/var/log/pods/x/web/3.log";
  record.cgroupPath = "/sys/fs/cgroup/daemonlet/uid-1/web";
  record.terminationGracePeriodSeconds = 12;
  auto decoded = decodeRecord(encodeRecord(record));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(encodeRecord(*decoded), encodeRecord(record));
  EXPECT_EQ(decoded->pod, record.pod);
}

TEST(ContainerRecordTest, DamagedRecordsAreErrors) {
  const std::vector<std::string> damaged = {"", "{", "[]", R"({"version": 2})", R"({"version": 1, "id": "x"})"};
  for (const auto& text : damaged) {
    SCOPED_TRACE(text);
    EXPECT_FALSE(decodeRecord(text).has_value());
    EXPECT_FALSE(decodeExitRecord(text).has_value());
  }
}

// Found by the container_record and shim_wire fuzzers (corpus/*/regression-float-pid.json):
// a number that is not an integer in the field's range was converted anyway,
// undefined behaviour for 1e300, and 2^32+4242 wrapped to pid 4242 (a live
// process adoption would then check).
TEST(ContainerRecordTest, NumbersOutsideTheirFieldAreErrors) {
  ContainerRecord record;
  record.id = makeRecordId("uid-1", "web", 0);
  record.pid = 4242;
  const std::string good = encodeRecord(record);
  ASSERT_TRUE(decodeRecord(good).has_value());
  for (const char* pid : {"4294971538", "1e300", "-1e300", "4242.5", "42e2"}) {
    SCOPED_TRACE(pid);
    std::string text = good;
    const std::string field = "\"pid\": 4242";
    text.replace(text.find(field), field.size(), std::string("\"pid\": ") + pid);
    auto decoded = decodeRecord(text);
    ASSERT_FALSE(decoded.has_value());
    EXPECT_NE(decoded.error().message.find("\"pid\""), std::string::npos) << decoded.error().message;
  }
  ShimReport report;
  report.started = true;
  report.pid = 7;
  std::string text = encodeShimReport(report);
  text.replace(text.find("\"pid\":7"), 7, "\"pid\":1e300");
  EXPECT_FALSE(decodeShimReport(text).has_value());
}

TEST(ContainerRecordTest, IdsNameTheirPodAndContainer) {
  struct Case {
    std::string podUid;
    std::string container;
    int restartCount;
  };
  for (const auto& c : std::vector<Case>{{"0f1e-aa", "main", 0}, {"odd_uid_with_underscores", "c-1", 12}}) {
    SCOPED_TRACE(c.podUid);
    std::string id = makeRecordId(c.podUid, c.container, c.restartCount);
    auto parts = parseRecordId(id);
    ASSERT_TRUE(parts.has_value());
    EXPECT_EQ(parts->podUid, c.podUid);
    EXPECT_EQ(parts->containerName, c.container);
    EXPECT_EQ(parts->restartCount, c.restartCount);
    EXPECT_NE(id, makeRecordId(c.podUid, c.container, c.restartCount)) << "each start gets its own id";
  }
  EXPECT_FALSE(parseRecordId("no-underscores").has_value());
  EXPECT_FALSE(parseRecordId("uid_main_notanumber_abc").has_value());
}

TEST(ShimProtocolTest, SpecRoundTripsAndNeedsACommand) {
  ShimSpec spec;
  spec.id = "id";
  spec.argv = {"/bin/daemon", "--flag"};
  spec.env = {"A=1", "B=two words"};
  spec.uid = 1000;
  spec.memoryMaxBytes = 64 << 20;
  auto decoded = decodeShimSpec(encodeShimSpec(spec));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->argv, spec.argv);
  EXPECT_EQ(decoded->env, spec.env);
  EXPECT_EQ(decoded->uid, spec.uid);
  EXPECT_FALSE(decoded->gid.has_value());
  EXPECT_EQ(decoded->memoryMaxBytes, spec.memoryMaxBytes);
  spec.argv.clear();
  EXPECT_FALSE(decodeShimSpec(encodeShimSpec(spec)).has_value());
}

}  // namespace
}  // namespace daemonlet::runtime::process
