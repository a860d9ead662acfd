// Connection reuse: one HttpClient keeps its connection alive between requests,
// and reuse never carries credentials to another host. The server tells
// connections apart by the client's source port.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "agent/outbound/http_client.h"
#include "test/unit/outbound/local_http_server.h"

namespace daemonlet::outbound {
namespace {

// Source ports seen by the server, one per TCP connection it accepted.
class ConnectionLog {
 public:
  void record(const httplib::Request& request) {
    std::lock_guard lock(mutex_);
    ports_.insert(request.remote_port);
  }
  std::size_t connections() {
    std::lock_guard lock(mutex_);
    return ports_.size();
  }

 private:
  std::mutex mutex_;
  std::set<int> ports_;
};

class HttpClientReuseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.routes().set_keep_alive_max_count(1000);
    server_.routes().set_tcp_nodelay(true);  // no Nagle delay on kept-alive responses
    server_.routes().Get("/poll", [this](const httplib::Request& request, httplib::Response& response) {
      log_.record(request);
      response.set_content("ok", "text/plain");
    });
    server_.routes().Get("/auth", [this](const httplib::Request& request, httplib::Response& response) {
      log_.record(request);
      response.set_content(request.get_header_value("Authorization"), "text/plain");
    });
    server_.routes().Get("/redirect", [this](const httplib::Request& request, httplib::Response& response) {
      log_.record(request);
      response.set_redirect(request.get_param_value("to"), 302);
    });
    server_.start();
  }

  HttpClient::Outcome get(HttpClient& client, const std::string& url) {
    Request request;
    request.url = url;
    return client.perform(request);
  }

  testing::LocalHttpServer server_;
  ConnectionLog log_;
};

TEST_F(HttpClientReuseTest, SequentialRequestsShareOneConnection) {
  HttpClient client(ClientSettings{});
  for (int i = 0; i < 10; ++i) {
    SCOPED_TRACE(i);
    auto outcome = get(client, server_.url("/poll"));
    ASSERT_TRUE(outcome.ok()) << outcome.failure.message;
    EXPECT_EQ(outcome.response.body, "ok");
  }
  EXPECT_EQ(log_.connections(), 1u);
}

TEST_F(HttpClientReuseTest, SeparateClientsDoNotShareConnections) {
  for (int i = 0; i < 3; ++i) {
    HttpClient client(ClientSettings{});
    ASSERT_TRUE(get(client, server_.url("/poll")).ok());
  }
  EXPECT_EQ(log_.connections(), 3u);
}

TEST_F(HttpClientReuseTest, ConcurrentRequestsEachGetAWorkingConnection) {
  HttpClient client(ClientSettings{});
  std::vector<std::thread> threads;
  std::atomic<int> succeeded{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        if (get(client, server_.url("/poll")).ok()) ++succeeded;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(succeeded.load(), 80);
  // Idle connections are handed from request to request, so far fewer than one
  // connection per request.
  EXPECT_LE(log_.connections(), 8u);
}

TEST_F(HttpClientReuseTest, TokenStaysOnTheRequestHostWhenConnectionsAreWarm) {
  auto tokenFile = std::filesystem::temp_directory_path() / ("reuse-token-" + std::to_string(::getpid()));
  std::ofstream(tokenFile) << "secret";
  ClientSettings settings;
  settings.bearerTokenFile = tokenFile.string();
  HttpClient client(settings);

  // Warm connections to both names of the same socket.
  EXPECT_EQ(get(client, server_.url("/auth")).response.body, "Bearer secret");
  Request unauthenticated;
  unauthenticated.url = server_.url("/redirect?to=" + server_.url("/poll", "localhost"));
  ASSERT_TRUE(client.perform(unauthenticated).ok());

  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    auto other = get(client, server_.url("/redirect?to=" + server_.url("/auth", "localhost")));
    ASSERT_TRUE(other.ok()) << other.failure.message;
    EXPECT_EQ(other.response.effectiveUrl, server_.url("/auth", "localhost"));
    EXPECT_EQ(other.response.body, "") << "the token followed the redirect to another host";
    EXPECT_EQ(get(client, server_.url("/auth")).response.body, "Bearer secret");
  }
  // One kept-alive connection per host name, however many requests.
  EXPECT_EQ(log_.connections(), 2u);
  std::filesystem::remove(tokenFile);
}

}  // namespace
}  // namespace daemonlet::outbound
