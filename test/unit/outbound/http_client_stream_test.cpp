// stream(): bytes arrive as the server sends them; cancel() and the stall
// timeout end a stream promptly.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>

#include "agent/outbound/http_client.h"
#include "test/unit/outbound/local_http_server.h"

namespace daemonlet::outbound {
namespace {

using namespace std::chrono_literals;

// Chunks the server sends, one per step the test allows.
class Drip {
 public:
  void allow(int steps) {
    std::lock_guard lock(mutex_);
    allowed_ = steps;
    changed_.notify_all();
  }
  void finish() {
    std::lock_guard lock(mutex_);
    finished_ = true;
    changed_.notify_all();
  }
  // Waits (briefly) until step `index` may be sent; false when the test is done.
  bool waitFor(int index) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, 20ms, [&] { return finished_ || allowed_ > index; });
    return !finished_;
  }
  bool mayWrite(int index) {
    std::lock_guard lock(mutex_);
    return allowed_ > index;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int allowed_ = 0;
  bool finished_ = false;
};

class HttpClientStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.routes().Get("/watch", [this](const httplib::Request&, httplib::Response& response) {
      auto sent = std::make_shared<int>(0);
      // A type httplib does not compress: its gzip stream would hold events back.
      response.set_chunked_content_provider(
          "application/octet-stream", [this, sent](size_t, httplib::DataSink& sink) {
            if (!drip_.waitFor(*sent)) return false;
            if (drip_.mayWrite(*sent) && *sent < 3) {
              std::string event = "{\"event\":" + std::to_string(*sent) + "}\n";
              sink.write(event.data(), event.size());
              ++*sent;
            }
            return sink.is_writable();
          });
    });
    server_.start();
  }
  void TearDown() override {
    drip_.finish();
    server_.stop();
  }

  Drip drip_;
  testing::LocalHttpServer server_;
};

// A stall timeout far below the default keeps a failing test from hanging for a minute.
ClientSettings quickStall() {
  ClientSettings settings;
  settings.stallTimeout = 5s;
  return settings;
}

TEST_F(HttpClientStreamTest, ChunksArriveIncrementallyAndCancelEndsTheStream) {
  HttpClient client(quickStall());
  std::mutex mutex;
  std::condition_variable arrived;
  std::string received;
  long status = 0;
  Request request;
  request.url = server_.url("/watch");
  auto running = std::async(std::launch::async, [&] {
    return client.stream(
        request, [&](long s) { status = s; },
        [&](std::string_view chunk) {
          std::lock_guard lock(mutex);
          received.append(chunk);
          arrived.notify_all();
          return true;
        });
  });
  auto waitForText = [&](const std::string& text) {
    std::unique_lock lock(mutex);
    return arrived.wait_for(lock, 5s, [&] { return received.find(text) != std::string::npos; });
  };

  drip_.allow(1);
  ASSERT_TRUE(waitForText("{\"event\":0}"));
  {
    std::lock_guard lock(mutex);
    EXPECT_EQ(received.find("{\"event\":1}"), std::string::npos) << "the second event is not sent yet";
  }
  EXPECT_EQ(status, 200);
  drip_.allow(2);
  ASSERT_TRUE(waitForText("{\"event\":1}"));

  auto cancelledAt = std::chrono::steady_clock::now();
  client.cancel();
  ASSERT_EQ(running.wait_for(2s), std::future_status::ready) << "cancel() must end the stream promptly";
  EXPECT_LT(std::chrono::steady_clock::now() - cancelledAt, 500ms);
  auto outcome = running.get();
  EXPECT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.failure.kind, FailureKind::kCancelled);
  EXPECT_EQ(outcome.response.status, 200);
}

TEST_F(HttpClientStreamTest, SilentStreamEndsWithTimeoutAfterTheStallTimeout) {
  ClientSettings settings;
  settings.stallTimeout = 300ms;
  HttpClient client(settings);
  Request request;
  request.url = server_.url("/watch");
  drip_.allow(1);
  std::string received;
  auto started = std::chrono::steady_clock::now();
  auto outcome = client.stream(
      request, [](long) {},
      [&](std::string_view chunk) {
        received.append(chunk);
        return true;
      });
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(received, "{\"event\":0}\n");
  EXPECT_EQ(outcome.failure.kind, FailureKind::kTimeout) << outcome.failure.message;
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 3s);
}

TEST_F(HttpClientStreamTest, ConsumerReturningFalseEndsTheStreamCleanly) {
  HttpClient client(quickStall());
  Request request;
  request.url = server_.url("/watch");
  drip_.allow(3);
  int chunks = 0;
  auto outcome = client.stream(
      request, [](long) {}, [&](std::string_view) { return ++chunks < 1; });
  EXPECT_TRUE(outcome.ok()) << outcome.failure.message;
  EXPECT_EQ(chunks, 1);
  EXPECT_EQ(outcome.response.status, 200);
}

}  // namespace
}  // namespace daemonlet::outbound
