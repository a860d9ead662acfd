// The endpoint view, source notices and completeness as /status and /metrics show them.
#include <gtest/gtest.h>

#include "agent/status/metrics_text.h"
#include "agent/status/status_json.h"

namespace daemonlet::status {
namespace {

TEST(StatusEndpointTest, WithoutEndpointTheFieldIsNullAndNoMetrics) {
  StatusSnapshot snapshot;
  model::Json json = statusJson(snapshot);
  EXPECT_TRUE(json["endpoint"].is_null());
  EXPECT_EQ(json["sourcesComplete"], true);
  EXPECT_TRUE(json["sourceNotices"].is_array());
  EXPECT_EQ(metricsText(snapshot).find("daemonlet_endpoint_"), std::string::npos);
}

TEST(StatusEndpointTest, EndpointViewIsRendered) {
  StatusSnapshot snapshot;
  snapshot.sourcesComplete = false;
  snapshot.sourceNotices.push_back({"endpoint:https://f/x", "DaemonSet ops/a is overridden"});
  EndpointView view;
  view.url = "https://f/x";
  view.mode = "http";
  view.connected = false;
  view.lastError = "connect: refused";
  view.consecutiveFailures = 3;
  view.servingFromCache = true;
  view.settled = true;
  view.cacheFetchedAt = std::chrono::system_clock::from_time_t(1'800'000'000);
  view.etag = "\"e\"";
  view.requests = 7;
  view.errors = 3;
  view.notModified = 2;
  view.bytesReceived = 1234;
  snapshot.endpoint = view;

  model::Json json = statusJson(snapshot);
  const model::Json& e = json["endpoint"];
  EXPECT_EQ(e["url"], "https://f/x");
  EXPECT_EQ(e["connected"], false);
  EXPECT_EQ(e["servingFromCache"], true);
  EXPECT_EQ(e["settled"], true);
  EXPECT_EQ(e["lastError"], "connect: refused");
  EXPECT_EQ(e["consecutiveFailures"], 3);
  EXPECT_EQ(e["cacheFetchedAt"], "2027-01-15T08:00:00Z");
  EXPECT_TRUE(e["lastSuccess"].is_null());
  EXPECT_EQ(e["etag"], "\"e\"");
  EXPECT_EQ(json["sourcesComplete"], false);
  ASSERT_EQ(json["sourceNotices"].size(), 1u);
  EXPECT_EQ(json["sourceNotices"][0]["source"], "endpoint:https://f/x");

  const std::string metrics = metricsText(snapshot);
  for (const char* line :
       {"daemonlet_endpoint_requests_total 7\n", "daemonlet_endpoint_errors_total 3\n",
        "daemonlet_endpoint_not_modified_total 2\n", "daemonlet_endpoint_received_bytes_total 1234\n",
        "daemonlet_endpoint_connected 0\n", "daemonlet_endpoint_serving_from_cache 1\n"}) {
    SCOPED_TRACE(line);
    EXPECT_NE(metrics.find(line), std::string::npos);
  }
  EXPECT_EQ(metrics.find("daemonlet_endpoint_last_success_timestamp_seconds"), std::string::npos);
}

}  // namespace
}  // namespace daemonlet::status
