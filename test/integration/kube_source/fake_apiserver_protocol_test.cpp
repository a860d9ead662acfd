// The fake API server itself, spoken to over plain HTTP: the wire details the
// source relies on must match the API's documented behaviour.
#include <gtest/gtest.h>

#include "agent/outbound/http_client.h"
#include "agent/sources/kube_watch_decoder.h"
#include "fake_kube_apiserver.h"

namespace daemonlet::fakekube {
namespace {

class FakeApiServerProtocolTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.start()); }
  void TearDown() override { server_.stop(); }

  outbound::HttpClient::Outcome get(const std::string& pathAndQuery, const std::string& token = "") {
    outbound::Request request;
    request.url = server_.url() + pathAndQuery;
    if (!token.empty()) request.headers.emplace_back("Authorization", "Bearer " + token);
    return client_.perform(request);
  }

  // Reads a watch until `lines` events arrived (or the stream ended).
  std::vector<Json> watch(const std::string& pathAndQuery, std::size_t lines, long* status = nullptr) {
    outbound::Request request;
    request.url = server_.url() + pathAndQuery;
    std::vector<Json> events;
    sources::WatchLineSplitter splitter(1 << 20);
    auto outcome = client_.stream(
        request, [&](long s) { if (status) *status = s; },
        [&](std::string_view chunk) {
          std::vector<std::string> complete;
          EXPECT_TRUE(splitter.feed(chunk, complete));
          for (auto& line : complete) events.push_back(Json::parse(line));
          return events.size() < lines;
        });
    EXPECT_TRUE(outcome.ok()) << outcome.failure.message;
    return events;
  }

  FakeKubeApiServer server_;
  outbound::HttpClient client_{outbound::ClientSettings{}};
};

TEST_F(FakeApiServerProtocolTest, ListCarriesTheResourceVersionAndItemsWithoutTypeMeta) {
  server_.applyDaemonSet(makeDaemonSetObject("ops", "a", "a:1"));
  auto outcome = get("/apis/apps/v1/daemonsets");
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome.response.status, 200);
  Json body = Json::parse(outcome.response.body);
  EXPECT_EQ(body["kind"], "DaemonSetList");
  EXPECT_EQ(body["metadata"]["resourceVersion"], server_.resourceVersion());
  ASSERT_EQ(body["items"].size(), 1u);
  EXPECT_FALSE(body["items"][0].contains("kind"));
  EXPECT_EQ(body["items"][0]["metadata"]["resourceVersion"], server_.resourceVersion());
}

TEST_F(FakeApiServerProtocolTest, PagesShareOneResourceVersionAndExpireWithCompaction) {
  for (int i = 0; i < 3; ++i) server_.applyDaemonSet(makeDaemonSetObject("ops", "d" + std::to_string(i), "x"));
  Json first = Json::parse(get("/apis/apps/v1/daemonsets?limit=2").response.body);
  ASSERT_EQ(first["items"].size(), 2u);
  EXPECT_EQ(first["metadata"]["remainingItemCount"], 1);
  const std::string token = first["metadata"]["continue"];
  server_.applyDaemonSet(makeDaemonSetObject("ops", "d9", "x"));  // not part of this consistent list
  Json second = Json::parse(get("/apis/apps/v1/daemonsets?limit=2&continue=" + token).response.body);
  EXPECT_EQ(second["items"].size(), 1u);
  EXPECT_EQ(second["metadata"]["resourceVersion"], first["metadata"]["resourceVersion"]);
  EXPECT_FALSE(second["metadata"].contains("continue"));

  server_.compactHistory();
  auto expired = get("/apis/apps/v1/daemonsets?limit=2&continue=" + token);
  EXPECT_EQ(expired.response.status, 410);
  auto status = sources::parseApiStatusBody(expired.response.body);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->reason, "Expired");
  EXPECT_EQ(get("/apis/apps/v1/daemonsets?limit=2&continue=garbage!").response.status, 400);
}

TEST_F(FakeApiServerProtocolTest, WatchReplaysChangesAfterTheResourceVersionAndSendsBookmarks) {
  server_.applyDaemonSet(makeDaemonSetObject("ops", "a", "a:1"));
  const std::string from = server_.resourceVersion();
  server_.applyDaemonSet(makeDaemonSetObject("ops", "a", "a:2"));
  server_.deleteDaemonSet("ops", "a");
  server_.requestBookmarks();  // only watches open now get it; ours asks below
  long status = 0;
  std::thread bookmarker([&] {
    while (server_.liveWatches() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    server_.requestBookmarks();
  });
  auto events = watch("/apis/apps/v1/daemonsets?watch=1&allowWatchBookmarks=true&resourceVersion=" + from, 3,
                      &status);
  bookmarker.join();
  EXPECT_EQ(status, 200);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0]["type"], "MODIFIED");
  EXPECT_EQ(events[0]["object"]["kind"], "DaemonSet");
  EXPECT_EQ(events[1]["type"], "DELETED");
  EXPECT_EQ(events[2]["type"], "BOOKMARK");
  EXPECT_EQ(events[2]["object"]["metadata"], (Json{{"resourceVersion", server_.resourceVersion()}}));
}

TEST_F(FakeApiServerProtocolTest, WatchFromACompactedResourceVersionGetsAnExpiredStatusEvent) {
  const std::string old = server_.resourceVersion();
  server_.applyDaemonSet(makeDaemonSetObject("ops", "a", "a:1"));
  server_.compactHistory();
  long status = 0;
  auto events = watch("/apis/apps/v1/daemonsets?watch=true&resourceVersion=" + old, 5, &status);
  EXPECT_EQ(status, 200);
  ASSERT_EQ(events.size(), 1u);  // then the stream ends
  EXPECT_EQ(events[0]["type"], "ERROR");
  const Json& object = events[0]["object"];
  EXPECT_EQ(object["kind"], "Status");
  EXPECT_EQ(object["apiVersion"], "v1");
  EXPECT_EQ(object["status"], "Failure");
  EXPECT_EQ(object["reason"], "Expired");
  EXPECT_EQ(object["code"], 410);
  EXPECT_EQ(object["message"], "too old resource version: " + old + " (" + server_.resourceVersion() + ")");
}

TEST_F(FakeApiServerProtocolTest, WatchWithoutResourceVersionStartsWithTheCurrentObjects) {
  server_.applyNode(makeNodeObject("n1"));
  server_.applyNode(makeNodeObject("n2"));
  auto events = watch("/api/v1/nodes?watch=1&fieldSelector=metadata.name%3Dn2&timeoutSeconds=1", 5);
  ASSERT_EQ(events.size(), 1u);  // timeoutSeconds ended the stream
  EXPECT_EQ(events[0]["type"], "ADDED");
  EXPECT_EQ(events[0]["object"]["metadata"]["name"], "n2");
}

TEST_F(FakeApiServerProtocolTest, BearerTokenIsEnforcedWithAnUnauthorizedStatus) {
  FakeKubeApiServer secured(serverOptions(0, "t0ken"));
  ASSERT_TRUE(secured.start());
  outbound::Request request;
  request.url = secured.url() + "/api/v1/nodes/n1";
  auto denied = client_.perform(request);
  EXPECT_EQ(denied.response.status, 401);
  EXPECT_EQ(sources::parseApiStatusBody(denied.response.body)->reason, "Unauthorized");
  request.headers.emplace_back("Authorization", "Bearer t0ken");
  auto missing = client_.perform(request);
  EXPECT_EQ(missing.response.status, 404);
  EXPECT_EQ(sources::parseApiStatusBody(missing.response.body)->message, "nodes \"n1\" not found");
  secured.stop();
}

TEST_F(FakeApiServerProtocolTest, ControlPathsDriveTheStore) {
  outbound::Request post;
  post.method = "POST";
  post.url = server_.url() + "/__control/daemonsets";
  post.body = makeDaemonSetObject("ops", "a", "a:1").dump();
  ASSERT_EQ(client_.perform(post).response.status, 200);
  Json list = Json::parse(get("/apis/apps/v1/namespaces/ops/daemonsets").response.body);
  EXPECT_EQ(list["items"].size(), 1u);
  outbound::Request remove;
  remove.method = "DELETE";
  remove.url = server_.url() + "/__control/daemonsets/ops/a";
  EXPECT_EQ(client_.perform(remove).response.status, 200);
  Json requests = Json::parse(get("/__control/requests").response.body);
  ASSERT_FALSE(requests.empty());
  EXPECT_EQ(requests[0]["path"], "/apis/apps/v1/namespaces/ops/daemonsets");
  EXPECT_EQ(requests[0]["list"], true);
}

}  // namespace
}  // namespace daemonlet::fakekube
