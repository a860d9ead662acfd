// HttpEndpointSource against a real in-process HTTP server on 127.0.0.1.
// Polls run every 50 ms; assertions wait for conditions, never for fixed times.
#include "agent/sources/http_endpoint_source.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <cstdlib>
#include <mutex>

#include "agent/sources/manifest_set.h"
#include "test/support/running_loop.h"
#include "test/unit/outbound/local_http_server.h"

namespace daemonlet::sources {
namespace {

using namespace std::chrono_literals;

const bool kNoProxy = [] {
  for (const char* name : {"http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"})
    ::unsetenv(name);
  return true;
}();

std::string daemonSetJson(const std::string& name, const std::string& image) {
  return R"({"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":")" + name +
         R"("},"spec":{"selector":{"matchLabels":{"app":")" + name +
         R"("}},"template":{"metadata":{"labels":{"app":")" + name +
         R"("}},"spec":{"containers":[{"name":"main","image":")" + image + R"("}]}}}})";
}

std::string listJson(const std::vector<std::string>& items) {
  std::string joined;
  for (const auto& item : items) joined += (joined.empty() ? "" : ",") + item;
  return R"({"apiVersion":"apps/v1","kind":"DaemonSetList","items":[)" + joined + "]}";
}

std::vector<std::string> names(const EndpointSnapshot& snapshot) {
  std::vector<std::string> out;
  for (const auto& sourced : snapshot.daemonSets) out.push_back(daemonSetKey(*sourced.daemonSet));
  return out;
}

// What the fake endpoint serves; changed by the test between polls.
struct Endpoint {
  std::mutex mutex;
  int status = 200;
  std::string body;
  std::string etag;
  std::vector<std::string> ifNoneMatch;  // as received, "" when absent
  int requests = 0;
  bool slow = false;

  void serve(int newStatus, std::string newBody, std::string newEtag = "") {
    std::lock_guard lock(mutex);
    status = newStatus;
    body = std::move(newBody);
    etag = std::move(newEtag);
  }
};

// Collects what the source reports and lets the test wait for it.
struct Observer {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<EndpointSnapshot> snapshots;
  std::vector<std::pair<EndpointHealth, WallTime>> healths;  // with the time it arrived

  EndpointCallbacks callbacks() {
    return {[this](const EndpointSnapshot& snapshot) {
              std::lock_guard lock(mutex);
              snapshots.push_back(snapshot);
              changed.notify_all();
            },
            [this](const EndpointHealth& health) {
              std::lock_guard lock(mutex);
              healths.emplace_back(health, std::chrono::system_clock::now());
              changed.notify_all();
            }};
  }
  // Runs `predicate` with the mutex held, on every report and every 20 ms (so
  // it may also look at state outside the observer), for up to 10 s.
  template <typename Predicate>
  bool waitFor(Predicate predicate) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    std::unique_lock lock(mutex);
    while (!predicate()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      changed.wait_for(lock, 20ms);
    }
    return true;
  }
  // The latest health; call with the mutex held (inside waitFor predicates).
  EndpointHealth latest() const { return healths.empty() ? EndpointHealth{} : healths.back().first; }
  EndpointHealth lastHealth() {
    std::lock_guard lock(mutex);
    return latest();
  }
};

class HttpEndpointSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.routes().Get("/daemonsets", [this](const httplib::Request& request, httplib::Response& response) {
      bool slow = false;
      {
        std::lock_guard lock(endpoint_.mutex);
        ++endpoint_.requests;
        endpoint_.ifNoneMatch.push_back(request.get_header_value("If-None-Match"));
        slow = endpoint_.slow;
      }
      for (int i = 0; slow && i < 1000 && !released_; ++i) std::this_thread::sleep_for(10ms);
      std::lock_guard lock(endpoint_.mutex);
      if (!endpoint_.etag.empty() && request.get_header_value("If-None-Match") == endpoint_.etag) {
        response.status = 304;
        return;
      }
      response.status = endpoint_.status;
      if (!endpoint_.etag.empty()) response.set_header("ETag", endpoint_.etag);
      response.set_header("Last-Modified", "Fri, 27 Nov 2026 10:00:00 GMT");
      response.set_content(endpoint_.body, "application/json");
    });
    server_.start();
  }
  void TearDown() override {
    released_ = true;
    if (source_) source_->stop();
  }

  HttpEndpointOptions options() const {
    HttpEndpointOptions options;
    options.url = server_.url("/daemonsets");
    options.pollInterval = 50ms;
    options.jitter = 0;
    options.backoffInitial = 50ms;
    options.backoffMax = 200ms;
    options.client.requestTimeout = 5s;
    return options;
  }
  void start(HttpEndpointOptions options, const EndpointSnapshot* seed = nullptr) {
    source_ = std::make_unique<HttpEndpointSource>(std::move(options), observer_.callbacks(), seed,
                                                   loop_.timers(), loop_.pool());
    source_->start();
  }
  std::size_t snapshotCount() {
    std::lock_guard lock(observer_.mutex);
    return observer_.snapshots.size();
  }

  std::atomic<bool> released_{false};
  Endpoint endpoint_;
  Observer observer_;
  testing::LocalHttpServer server_;
  testing::RunningLoop loop_;
  std::unique_ptr<HttpEndpointSource> source_;
};

TEST_F(HttpEndpointSourceTest, EtagMakesUnchangedPollsCheap) {
  endpoint_.serve(200, listJson({daemonSetJson("b", "img:1"), daemonSetJson("a", "img:1")}), "\"v1\"");
  start(options());
  ASSERT_TRUE(observer_.waitFor([&] { return observer_.snapshots.size() == 1; }));
  {
    std::lock_guard lock(observer_.mutex);
    const EndpointSnapshot& first = observer_.snapshots[0];
    EXPECT_EQ(names(first), (std::vector<std::string>{"default/a", "default/b"}));
    EXPECT_EQ(first.etag, "\"v1\"");
    EXPECT_EQ(first.lastModified, "Fri, 27 Nov 2026 10:00:00 GMT");
    EXPECT_EQ(first.url, server_.url("/daemonsets"));
    EXPECT_NE(first.fetchedAt, WallTime{});
    EXPECT_TRUE(first.errors.empty());
  }
  ASSERT_TRUE(observer_.waitFor([&] { return observer_.latest().notModified >= 2; }));
  EXPECT_EQ(snapshotCount(), 1u) << "a 304 carries no new snapshot";
  {
    std::lock_guard lock(endpoint_.mutex);
    ASSERT_GE(endpoint_.ifNoneMatch.size(), 3u);
    EXPECT_EQ(endpoint_.ifNoneMatch[0], "");
    EXPECT_EQ(endpoint_.ifNoneMatch[1], "\"v1\"");
  }
  EndpointHealth health = observer_.lastHealth();
  EXPECT_TRUE(health.connected);
  EXPECT_EQ(health.mode, "http");
  EXPECT_GT(health.bytesReceived, 0u);

  endpoint_.serve(200, listJson({daemonSetJson("a", "img:2")}), "\"v2\"");
  ASSERT_TRUE(observer_.waitFor([&] { return observer_.snapshots.size() == 2; }));
  std::lock_guard lock(observer_.mutex);
  EXPECT_EQ(names(observer_.snapshots[1]), (std::vector<std::string>{"default/a"}));
  EXPECT_EQ(observer_.snapshots[1].etag, "\"v2\"");
}

TEST_F(HttpEndpointSourceTest, ServerErrorGivesNoSnapshotAndBacksOffUntilRecovery) {
  endpoint_.serve(500, "database on fire");
  auto slowBackoff = options();
  slowBackoff.backoffInitial = 30s;
  slowBackoff.backoffMax = 60s;
  start(slowBackoff);
  ASSERT_TRUE(observer_.waitFor([&] { return !observer_.healths.empty(); }));
  {
    std::lock_guard lock(observer_.mutex);
    const auto& [health, arrived] = observer_.healths.back();
    EXPECT_FALSE(health.connected);
    EXPECT_EQ(health.consecutiveFailures, 1);
    EXPECT_NE(health.lastError.find("HTTP 500"), std::string::npos) << health.lastError;
    EXPECT_NE(health.lastError.find(server_.url("/daemonsets")), std::string::npos) << health.lastError;
    // Backoff, not the 50 ms poll interval, decides the next attempt.
    EXPECT_GT(health.nextAttempt - arrived, 20s);
    EXPECT_TRUE(observer_.snapshots.empty());
  }

  endpoint_.serve(200, listJson({daemonSetJson("a", "img:1")}));
  source_->pollNow();
  ASSERT_TRUE(observer_.waitFor([&] { return observer_.snapshots.size() == 1; }));
  ASSERT_TRUE(observer_.waitFor([&] { return observer_.latest().consecutiveFailures == 0; }));
  EndpointHealth health = observer_.lastHealth();
  EXPECT_TRUE(health.connected);
  EXPECT_EQ(health.lastError, "");
  EXPECT_NE(health.lastSuccess, WallTime{});
}

TEST_F(HttpEndpointSourceTest, BackoffGrowsWithEachFailure) {
  endpoint_.serve(503, "");
  start(options());
  ASSERT_TRUE(observer_.waitFor([&] { return observer_.latest().consecutiveFailures >= 4; }));
  EXPECT_TRUE(observer_.lastHealth().lastError.find("HTTP 503") != std::string::npos);
  std::lock_guard lock(observer_.mutex);
  for (const auto& [health, arrived] : observer_.healths) {
    SCOPED_TRACE(health.consecutiveFailures);
    auto expected = std::min(50ms * (1 << (health.consecutiveFailures - 1)), std::chrono::milliseconds(200));
    auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(health.nextAttempt - arrived);
    EXPECT_LE(delay, expected);
    EXPECT_GT(delay, expected - 40ms);
  }
}

TEST_F(HttpEndpointSourceTest, GarbageBodyKeepsThePreviousSnapshot) {
  endpoint_.serve(200, listJson({daemonSetJson("a", "img:1")}), "\"v1\"");
  start(options());
  ASSERT_TRUE(observer_.waitFor([&] { return observer_.snapshots.size() == 1; }));

  endpoint_.serve(200, "{\"apiVersion\": \"apps/v1\", \"items\": [", "\"v2\"");
  ASSERT_TRUE(observer_.waitFor([&] { return !observer_.latest().lastError.empty(); }));
  EndpointHealth broken = observer_.lastHealth();
  EXPECT_NE(broken.lastError.find(server_.url("/daemonsets")), std::string::npos) << broken.lastError;
  EXPECT_FALSE(broken.connected);
  EXPECT_EQ(snapshotCount(), 1u);

  endpoint_.serve(200, listJson({daemonSetJson("a", "img:1"), daemonSetJson("c", "img:1")}), "\"v3\"");
  ASSERT_TRUE(observer_.waitFor([&] { return observer_.snapshots.size() == 2; }));
  std::lock_guard lock(observer_.mutex);
  EXPECT_EQ(names(observer_.snapshots[1]), (std::vector<std::string>{"default/a", "default/c"}));
}

TEST_F(HttpEndpointSourceTest, InvalidDaemonSetIsRejectedAloneAndKeepsItsLastGoodVersion) {
  endpoint_.serve(200, listJson({daemonSetJson("a", "img:1"), daemonSetJson("b", "img:1")}), "\"v1\"");
  start(options());
  ASSERT_TRUE(observer_.waitFor([&] { return observer_.snapshots.size() == 1; }));
  std::string goodRevision;
  {
    std::lock_guard lock(observer_.mutex);
    goodRevision = observer_.snapshots[0].daemonSets[1].revision;
  }

  // b loses its image; a changes and c is new: both apply.
  endpoint_.serve(
      200, listJson({daemonSetJson("a", "img:2"), daemonSetJson("b", ""), daemonSetJson("c", "img:1")}),
      "\"v2\"");
  ASSERT_TRUE(observer_.waitFor([&] { return observer_.snapshots.size() == 2; }));
  std::lock_guard lock(observer_.mutex);
  const EndpointSnapshot& second = observer_.snapshots[1];
  EXPECT_EQ(names(second), (std::vector<std::string>{"default/a", "default/b", "default/c"}));
  EXPECT_EQ(second.daemonSets[1].revision, goodRevision) << "b keeps its last good version";
  ASSERT_FALSE(second.errors.empty());
  EXPECT_NE(second.errors[0].message.find("image"), std::string::npos) << second.errors[0].message;
  EXPECT_EQ(second.errors[0].origin, "endpoint:" + server_.url("/daemonsets"));
}

TEST_F(HttpEndpointSourceTest, EmptyListIsAnAcceptedEmptySnapshot) {
  endpoint_.serve(200, listJson({}), "\"empty\"");
  start(options());
  ASSERT_TRUE(observer_.waitFor([&] { return observer_.snapshots.size() == 1; }));
  std::lock_guard lock(observer_.mutex);
  EXPECT_TRUE(observer_.snapshots[0].daemonSets.empty());
}

TEST_F(HttpEndpointSourceTest, SeedFromTheCacheMakesTheFirstPollConditional) {
  auto seeded =
      acceptEndpointBody(listJson({daemonSetJson("a", "img:1")}), server_.url("/daemonsets"), nullptr);
  ASSERT_TRUE(seeded);
  seeded->etag = "\"v1\"";
  endpoint_.serve(200, listJson({daemonSetJson("a", "img:1")}), "\"v1\"");
  start(options(), &*seeded);
  ASSERT_TRUE(observer_.waitFor([&] { return observer_.latest().notModified >= 1; }));
  EXPECT_EQ(snapshotCount(), 0u);
  std::lock_guard lock(endpoint_.mutex);
  EXPECT_EQ(endpoint_.ifNoneMatch.at(0), "\"v1\"");
}

TEST_F(HttpEndpointSourceTest, UnreachableEndpointIsAConnectError) {
  auto options = this->options();
  server_.stop();
  start(options);
  ASSERT_TRUE(observer_.waitFor([&] { return !observer_.healths.empty(); }));
  EXPECT_NE(observer_.lastHealth().lastError.find("connect"), std::string::npos)
      << observer_.lastHealth().lastError;
  EXPECT_EQ(snapshotCount(), 0u);
}

TEST_F(HttpEndpointSourceTest, StopEndsARequestInFlightPromptly) {
  {
    std::lock_guard lock(endpoint_.mutex);
    endpoint_.slow = true;
  }
  endpoint_.serve(200, listJson({}));
  start(options());
  ASSERT_TRUE(observer_.waitFor([&] {
    std::lock_guard lock(endpoint_.mutex);
    return endpoint_.requests == 1;
  }));
  auto started = std::chrono::steady_clock::now();
  source_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  EXPECT_EQ(snapshotCount(), 0u);
}

}  // namespace
}  // namespace daemonlet::sources
