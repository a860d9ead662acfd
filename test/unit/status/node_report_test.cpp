// NodeReport: building from a snapshot, change detection, and reading back.
#include "agent/status/node_report.h"

#include <gtest/gtest.h>

namespace daemonlet::status {
namespace {

using model::Json;
using std::chrono::seconds;

WallTime at(long long epochSeconds) { return WallTime(seconds(epochSeconds)); }

StatusSnapshot sampleSnapshot() {
  StatusSnapshot s;
  s.sequence = 42;
  s.agentVersion = "0.1.0";
  s.synced = true;
  s.node = {"node-a",
            {{"zone", "z1"}},
            {{"dedicated", "infra", "NoSchedule"}, {"gpu", "", "NoExecute"}},
            "10.0.0.5"};
  DaemonSetView ds;
  ds.namespace_ = "kube-system";
  ds.name = "log-shipper";
  ds.origin = "file:/etc/daemonlet/manifests/log.yaml";
  ds.revision = "abc123";
  ds.shouldRun = true;
  ds.shouldContinueRunning = true;
  ds.reasons = {"nodeSelector matches"};
  ds.state = "Running";
  ds.podUids = {"uid-1"};
  s.daemonSets.push_back(ds);
  PodView pod;
  pod.uid = "uid-1";
  pod.name = "log-shipper-node-a";
  pod.namespace_ = "kube-system";
  pod.daemonSetName = "log-shipper";
  pod.revision = "abc123";
  pod.phase = "Running";
  pod.ready = true;
  pod.available = true;
  pod.startTime = at(1'700'000'000);
  ContainerView main;
  main.name = "main";
  main.restartCount = 2;
  main.lastExitCode = 137;
  main.lastExitReason = "OOMKilled";
  main.lastFinishedAt = at(1'700'000'100);
  ContainerView sidecar;
  sidecar.name = "sidecar";
  sidecar.restartCount = 1;
  sidecar.lastExitCode = 1;
  sidecar.lastExitReason = "Error";
  sidecar.lastFinishedAt = at(1'700'000'050);  // older than main's: main's exit is reported
  pod.containers = {main, sidecar};
  s.pods.push_back(pod);
  PodView stranger = pod;  // another DaemonSet's pod: not listed under log-shipper
  stranger.uid = "uid-2";
  stranger.name = "other-node-a";
  stranger.daemonSetName = "other";
  s.pods.push_back(stranger);
  s.sourceErrors.push_back({"endpoint:https://fleet/ds", "HTTP 500"});
  return s;
}

TEST(NodeReportTest, BuildsVersionedDocumentFromSnapshot) {
  const Json report = buildNodeReport(sampleSnapshot(), 7, at(1'700'000'200));
  EXPECT_EQ(report["apiVersion"], "daemonlet.io/v1alpha1");
  EXPECT_EQ(report["kind"], "NodeReport");
  EXPECT_EQ(report["node"]["name"], "node-a");
  EXPECT_EQ(report["node"]["labels"]["zone"], "z1");
  EXPECT_EQ(report["node"]["hostIP"], "10.0.0.5");
  EXPECT_EQ(report["node"]["taints"][0],
            Json({{"key", "dedicated"}, {"value", "infra"}, {"effect", "NoSchedule"}}));
  EXPECT_EQ(report["node"]["taints"][1], Json({{"key", "gpu"}, {"effect", "NoExecute"}}));
  EXPECT_EQ(report["agentVersion"], "0.1.0");
  EXPECT_EQ(report["reportTime"], "2023-11-14T22:16:40Z");
  EXPECT_EQ(report["sequence"], 7);
  EXPECT_EQ(report["statusSequence"], 42);
  EXPECT_EQ(report["synced"], true);
  ASSERT_EQ(report["daemonSets"].size(), 1u);
  const Json& ds = report["daemonSets"][0];
  EXPECT_EQ(ds["namespace"], "kube-system");
  EXPECT_EQ(ds["name"], "log-shipper");
  EXPECT_EQ(ds["origin"], "file:/etc/daemonlet/manifests/log.yaml");
  EXPECT_EQ(ds["revision"], "abc123");
  EXPECT_EQ(ds["shouldRun"], true);
  EXPECT_EQ(ds["shouldContinueRunning"], true);
  EXPECT_EQ(ds["reasons"], Json::array({"nodeSelector matches"}));
  EXPECT_EQ(ds["state"], "Running");
  ASSERT_EQ(ds["pods"].size(), 1u);
  const Json& pod = ds["pods"][0];
  EXPECT_EQ(pod["name"], "log-shipper-node-a");
  EXPECT_EQ(pod["uid"], "uid-1");
  EXPECT_EQ(pod["revision"], "abc123");
  EXPECT_EQ(pod["phase"], "Running");
  EXPECT_EQ(pod["ready"], true);
  EXPECT_EQ(pod["available"], true);
  EXPECT_EQ(pod["restarts"], 3);
  EXPECT_EQ(pod["lastExitCode"], 137);
  EXPECT_EQ(pod["lastExitReason"], "OOMKilled");
  EXPECT_EQ(pod["startTime"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(report["sourceErrors"],
            Json::array({{{"source", "endpoint:https://fleet/ds"}, {"message", "HTTP 500"}}}));
}

TEST(NodeReportTest, PodWithoutExitsHasNullExitFields) {
  StatusSnapshot s = sampleSnapshot();
  for (auto& c : s.pods[0].containers) c.lastExitCode.reset();
  s.pods[0].startTime.reset();
  const Json pod = buildNodeReport(s, 1, at(0))["daemonSets"][0]["pods"][0];
  EXPECT_TRUE(pod["lastExitCode"].is_null());
  EXPECT_TRUE(pod["lastExitReason"].is_null());
  EXPECT_TRUE(pod["startTime"].is_null());
}

TEST(NodeReportTest, SameContentIgnoresOnlyTimeAndSequences) {
  const StatusSnapshot base = sampleSnapshot();
  const Json reference = buildNodeReport(base, 1, at(100));
  StatusSnapshot resequenced = base;
  resequenced.sequence = 99;
  resequenced.generatedAt = at(5000);
  EXPECT_TRUE(sameContent(reference, buildNodeReport(resequenced, 2, at(200))));

  struct Case {
    const char* name;
    void (*tweak)(StatusSnapshot&);
  };
  const Case cases[] = {
      {"pod becomes unready", [](StatusSnapshot& s) { s.pods[0].ready = false; }},
      {"restart", [](StatusSnapshot& s) { s.pods[0].containers[0].restartCount++; }},
      {"new revision", [](StatusSnapshot& s) { s.daemonSets[0].revision = "def456"; }},
      {"decision", [](StatusSnapshot& s) { s.daemonSets[0].shouldRun = false; }},
      {"node label", [](StatusSnapshot& s) { s.node.labels["zone"] = "z2"; }},
      {"source error cleared", [](StatusSnapshot& s) { s.sourceErrors.clear(); }},
      {"synced", [](StatusSnapshot& s) { s.synced = false; }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    StatusSnapshot changed = base;
    c.tweak(changed);
    EXPECT_FALSE(sameContent(reference, buildNodeReport(changed, 1, at(100))));
  }
}

TEST(NodeReportTest, RoundTripsThroughParse) {
  const Json json = buildNodeReport(sampleSnapshot(), 7, at(1'700'000'200));
  auto parsed = parseNodeReport(json.dump(), "/reports/node-a.json");
  ASSERT_TRUE(parsed) << parsed.error().describe();
  EXPECT_EQ(parsed->origin, "/reports/node-a.json");
  EXPECT_EQ(parsed->nodeName, "node-a");
  EXPECT_EQ(parsed->labels.at("zone"), "z1");
  EXPECT_EQ(parsed->hostIP, "10.0.0.5");
  EXPECT_EQ(parsed->reportTime, at(1'700'000'200));
  EXPECT_EQ(parsed->sequence, 7u);
  EXPECT_EQ(parsed->statusSequence, 42u);
  EXPECT_TRUE(parsed->synced);
  ASSERT_EQ(parsed->daemonSets.size(), 1u);
  const ReportedDaemonSet& ds = parsed->daemonSets[0];
  EXPECT_EQ(ds.namespace_, "kube-system");
  EXPECT_EQ(ds.name, "log-shipper");
  EXPECT_TRUE(ds.shouldRun);
  EXPECT_EQ(ds.reasons, std::vector<std::string>{"nodeSelector matches"});
  ASSERT_EQ(ds.pods.size(), 1u);
  EXPECT_EQ(ds.pods[0].restarts, 3);
  EXPECT_EQ(ds.pods[0].lastExitCode, 137);
  EXPECT_EQ(ds.pods[0].startTime, at(1'700'000'000));
  EXPECT_TRUE(ds.pods[0].ready);
  EXPECT_EQ(parsed->sourceErrors, std::vector<std::string>{"endpoint:https://fleet/ds: HTTP 500"});
}

TEST(NodeReportTest, ParseToleratesUnknownFieldsAndNulls) {
  Json json = buildNodeReport(sampleSnapshot(), 1, at(1'700'000'200));
  json["futureField"] = {{"x", 1}};
  json["daemonSets"][0]["futureField"] = "y";
  json["daemonSets"][0]["pods"][0]["lastExitCode"] = nullptr;
  json.erase("agentVersion");
  auto parsed = parseNodeReport(json.dump(), "r.json");
  ASSERT_TRUE(parsed) << parsed.error().describe();
  EXPECT_FALSE(parsed->daemonSets[0].pods[0].lastExitCode.has_value());
  EXPECT_EQ(parsed->agentVersion, "");
}

TEST(NodeReportTest, ParseErrorsNameTheFileAndField) {
  const Json good = buildNodeReport(sampleSnapshot(), 1, at(1'700'000'200));
  struct Case {
    const char* name;
    std::string text;
    std::string expectedInMessage;
  };
  auto tweaked = [&](void (*tweak)(Json&)) {
    Json copy = good;
    tweak(copy);
    return copy.dump();
  };
  const Case cases[] = {
      {"garbage", "{not json", "not valid JSON"},
      {"truncated", good.dump().substr(0, 40), "not valid JSON"},
      {"array", "[]", "not a NodeReport"},
      {"other kind", tweaked([](Json& j) { j["kind"] = "DaemonSet"; }), "kind must be NodeReport"},
      {"future version", tweaked([](Json& j) { j["apiVersion"] = "daemonlet.io/v2"; }), "apiVersion"},
      {"no node name", tweaked([](Json& j) { j["node"].erase("name"); }), "node.name: required"},
      {"no report time", tweaked([](Json& j) { j.erase("reportTime"); }), "reportTime: required"},
      {"bad report time", tweaked([](Json& j) { j["reportTime"] = "yesterday"; }),
       "reportTime: must be an RFC 3339"},
      {"ready not bool", tweaked([](Json& j) { j["daemonSets"][0]["pods"][0]["ready"] = "yes"; }),
       "daemonSets[0].pods[0].ready: must be a boolean"},
      {"pods not array", tweaked([](Json& j) { j["daemonSets"][0]["pods"] = 3; }),
       "daemonSets[0].pods: must be an array"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto parsed = parseNodeReport(c.text, "/reports/bad.json");
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().context, "/reports/bad.json");
    EXPECT_NE(parsed.error().describe().find(c.expectedInMessage), std::string::npos)
        << parsed.error().describe();
  }
}

TEST(NodeReportTest, ParsesRfc3339Forms) {
  EXPECT_EQ(parseRfc3339("2023-11-14T22:13:20Z"), at(1'700'000'000));
  EXPECT_EQ(parseRfc3339("2023-11-14T23:13:20+01:00"), at(1'700'000'000));
  EXPECT_EQ(
      parseRfc3339("2023-11-14T22:13:20.5Z"),
      at(1'700'000'000) + std::chrono::duration_cast<WallTime::duration>(std::chrono::milliseconds(500)));
  for (const char* bad :
       {"", "2023-11-14", "2023-11-14T22:13:20", "2023-13-14T22:13:20Z", "2023-11-14T22:13:20Zjunk"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(parseRfc3339(bad).has_value());
  }
}

// Found by the node_report fuzzer (corpus/node_report/regression-year-7762.json):
// years a 64-bit nanosecond clock cannot hold overflowed (undefined behaviour).
TEST(NodeReportTest, RefusesRfc3339TimesOutsideTheClockRange) {
  EXPECT_FALSE(parseRfc3339("7762-11-14T22:13:20Z").has_value());
  EXPECT_FALSE(parseRfc3339("1000-01-01T00:00:00Z").has_value());
  EXPECT_FALSE(parseRfc3339("2262-12-31T23:59:59-99:59").has_value());
  EXPECT_EQ(parseRfc3339("1969-12-31T23:59:59Z"), at(-1));
  EXPECT_TRUE(parseRfc3339("2200-01-01T00:00:00Z").has_value());
}

}  // namespace
}  // namespace daemonlet::status

namespace daemonlet::status {
namespace {

RecentEvent sampleEvent(int i) {
  return {"Warning", "Unhealthy", "Liveness probe failed: " + std::to_string(i), i,
          "2026-12-03T10:00:00Z", "2026-12-03T10:00:0" + std::to_string(i % 10) + "Z", "Pod", "kube-system",
          "log-shipper-x7k2p", i % 2 == 0 ? "spec.containers{main}" : ""};
}

TEST(NodeReportTest, CarriesTheLastRecentEventsNewestLast) {
  std::vector<RecentEvent> events;
  for (int i = 1; i <= static_cast<int>(kMaxReportedEvents) + 5; ++i) events.push_back(sampleEvent(i));
  const Json json = buildNodeReport(sampleSnapshot(), 1, at(1'700'000'200), events);
  const Json& reported = json["recentEvents"];
  ASSERT_EQ(reported.size(), kMaxReportedEvents);
  EXPECT_EQ(reported.front()["message"], "Liveness probe failed: 6") << "the oldest five are left out";
  EXPECT_EQ(reported.back()["message"], "Liveness probe failed: 25");
  EXPECT_EQ(reported.back()["count"], 25);
  EXPECT_EQ(reported.back()["involvedObject"]["name"], "log-shipper-x7k2p");
  EXPECT_FALSE(reported.back()["involvedObject"].contains("fieldPath"));
  EXPECT_EQ(reported[0]["involvedObject"]["fieldPath"], "spec.containers{main}");

  auto parsed = parseNodeReport(json.dump(), "r.json");
  ASSERT_TRUE(parsed) << parsed.error().describe();
  ASSERT_EQ(parsed->recentEvents.size(), kMaxReportedEvents);
  EXPECT_EQ(parsed->recentEvents.back(), events.back());

  // A new event (or a repeat's count) is a change worth sending.
  std::vector<RecentEvent> more = events;
  more.back().count++;
  EXPECT_FALSE(sameContent(json, buildNodeReport(sampleSnapshot(), 1, at(1'700'000'200), more)));
  // Reports without the field (older agents) read as no events.
  Json old = json;
  old.erase("recentEvents");
  auto parsedOld = parseNodeReport(old.dump(), "old.json");
  ASSERT_TRUE(parsedOld) << parsedOld.error().describe();
  EXPECT_TRUE(parsedOld->recentEvents.empty());
  Json bad = json;
  bad["recentEvents"][0]["count"] = "many";
  auto refused = parseNodeReport(bad.dump(), "bad.json");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("recentEvents[0].count"), std::string::npos) << refused.error().message;
}

}  // namespace
}  // namespace daemonlet::status
