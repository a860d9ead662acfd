#include "agent/sources/kube_watch_decoder.h"

#include <gtest/gtest.h>

#include "agent/sources/kube_request_urls.h"

namespace daemonlet::sources {
namespace {

std::vector<std::string> feedAll(WatchLineSplitter& splitter, const std::vector<std::string>& chunks) {
  std::vector<std::string> lines;
  for (const auto& chunk : chunks) EXPECT_TRUE(splitter.feed(chunk, lines));
  return lines;
}

TEST(WatchLineSplitterTest, SplitsLinesAcrossArbitraryChunks) {
  struct Case {
    const char* name;
    std::vector<std::string> chunks;
    std::vector<std::string> lines;
    std::size_t pending;
  };
  const std::vector<Case> cases = {
      {"one chunk two lines", {"{\"a\":1}\n{\"b\":2}\n"}, {"{\"a\":1}", "{\"b\":2}"}, 0},
      {"line split mid-token", {"{\"ty", "pe\":1}\n"}, {"{\"type\":1}"}, 0},
      {"byte by byte", {"{", "}", "\n"}, {"{}"}, 0},
      {"partial tail kept", {"{\"a\":1}\n{\"b\""}, {"{\"a\":1}"}, 4},
      {"crlf trimmed", {"{}\r\n"}, {"{}"}, 0},
      {"blank lines skipped", {"\n\n{}\n \n"}, {"{}"}, 0},
      {"newline alone completes", {"{}", "\n"}, {"{}"}, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    WatchLineSplitter splitter(1024);
    EXPECT_EQ(feedAll(splitter, c.chunks), c.lines);
    EXPECT_EQ(splitter.pendingBytes(), c.pending);
  }
}

TEST(WatchLineSplitterTest, RejectsALineOverTheLimit) {
  WatchLineSplitter splitter(8);
  std::vector<std::string> lines;
  EXPECT_TRUE(splitter.feed("12345678\n", lines));
  EXPECT_FALSE(splitter.feed("123456789", lines));
  WatchLineSplitter complete(8);
  EXPECT_FALSE(complete.feed("123456789\n", lines));
}

TEST(ParseWatchEventTest, ReadsEveryTypeAndRejectsMalformedLines) {
  struct Case {
    const char* line;
    bool ok;
    WatchEventType type;
  };
  const std::vector<Case> cases = {
      {R"({"type":"ADDED","object":{"metadata":{"name":"a"}}})", true, WatchEventType::kAdded},
      {R"({"type":"MODIFIED","object":{}})", true, WatchEventType::kModified},
      {R"({"type":"DELETED","object":{}})", true, WatchEventType::kDeleted},
      {R"({"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"7"}}})", true, WatchEventType::kBookmark},
      {R"({"type":"ERROR","object":{"kind":"Status","code":410}})", true, WatchEventType::kError},
      {R"({"type":"SYNC","object":{}})", false, WatchEventType::kAdded},
      {R"({"type":"ADDED"})", false, WatchEventType::kAdded},
      {R"({"type":"ADDED","object":[]})", false, WatchEventType::kAdded},
      {R"({"type":"ADDED","obj)", false, WatchEventType::kAdded},
      {R"([1,2])", false, WatchEventType::kAdded},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.line);
    auto event = parseWatchEvent(c.line);
    ASSERT_EQ(event.has_value(), c.ok);
    if (c.ok) {
      EXPECT_EQ(event->type, c.type);
    }
  }
}

// Found with the watch fuzzer (corpus/watch/regression-deep-nesting.jsonl): an
// event of deeply nested brackets was accepted, and writing the list state out
// (dump(), recursive) overflowed the stack for events up to the 16 MiB limit.
TEST(WatchEventTest, NestingDeeperThanAManifestMayIsRefused) {
  const auto nested = [](int depth) {
    return R"({"type":"ADDED","object":{"spec":)" + std::string(depth, '[') + std::string(depth, ']') + "}}";
  };
  EXPECT_TRUE(parseWatchEvent(nested(40)).has_value());
  EXPECT_FALSE(parseWatchEvent(nested(100)).has_value());
  EXPECT_FALSE(parseWatchEvent(nested(1'000'000)).has_value());
  EXPECT_FALSE(parseApiStatusBody(R"({"kind":"Status","code":)" + std::string(100, '[') + std::string(100, ']') + "}")
                   .has_value());
}

TEST(ApiStatusTest, ReadsTheGoneStatusOfAnExpiredWatch) {
  auto event = parseWatchEvent(
      R"json({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)json"
      R"json("message":"too old resource version: 5 (9)","reason":"Expired","code":410}})json");
  ASSERT_TRUE(event.has_value());
  auto status = parseApiStatus(event->object);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->code, 410);
  EXPECT_EQ(status->reason, "Expired");
  EXPECT_EQ(describeApiStatus(*status), "410 Expired: too old resource version: 5 (9)");
  EXPECT_FALSE(parseApiStatus(model::Json{{"kind", "DaemonSet"}}).has_value());
  EXPECT_FALSE(parseApiStatusBody("<html>").has_value());
}

TEST(ObjectKeyTest, DefaultsTheNamespaceOnlyForNamespacedObjects) {
  model::Json object = {{"metadata", {{"name", "agent"}, {"resourceVersion", "12"}}}};
  EXPECT_EQ(objectKey(object, true), "default/agent");
  EXPECT_EQ(objectKey(object, false), "agent");
  EXPECT_EQ(objectResourceVersion(object), "12");
  EXPECT_EQ(objectKey(model::Json::object(), true), "");
}

TEST(KubeRequestUrlsTest, BuildsListAndWatchRequestsAsTheApiDocumentsThem) {
  CollectionQuery query{"tier=node,team!=x", ""};
  EXPECT_EQ(kubeListUrl("https://api:6443/", daemonSetCollectionPath(""), query, 500, ""),
            "https://api:6443/apis/apps/v1/daemonsets?labelSelector=tier%3Dnode%2Cteam%21%3Dx&limit=500");
  EXPECT_EQ(kubeListUrl("https://api:6443", daemonSetCollectionPath("kube-system"), {}, 0, "tok/+="),
            "https://api:6443/apis/apps/v1/namespaces/kube-system/daemonsets?continue=tok%2F%2B%3D");
  EXPECT_EQ(kubeWatchUrl("https://api:6443", std::string(kNodeCollectionPath), {"", "metadata.name=n1"}, "42", 300),
            "https://api:6443/api/v1/nodes?fieldSelector=metadata.name%3Dn1&watch=1&resourceVersion=42"
            "&allowWatchBookmarks=true&timeoutSeconds=300");
}

}  // namespace
}  // namespace daemonlet::sources
