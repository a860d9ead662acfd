#include "agent/outbound/http_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "agent/outbound/curl_failure.h"
#include "test/unit/outbound/local_http_server.h"
#include "test/unit/outbound/raw_socket_server.h"

namespace daemonlet::outbound {
namespace {

using namespace std::chrono_literals;
using testing::LocalHttpServer;

// Hermetic: a proxy exported in the developer's shell must not see our loopback traffic.
const bool kNoProxy = [] {
  for (const char* name : {"http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"})
    ::unsetenv(name);
  return true;
}();

std::filesystem::path tempFile(const std::string& name) {
  static const std::filesystem::path dir = [] {
    std::string pattern = (std::filesystem::temp_directory_path() / "outbound-test-XXXXXX").string();
    return std::filesystem::path(::mkdtemp(pattern.data()));
  }();
  return dir / name;
}

void writeFile(const std::filesystem::path& path, const std::string& content) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.routes().Get("/status/(\\d+)", [](const httplib::Request& request, httplib::Response& response) {
      response.status = std::stoi(request.matches[1]);
      response.set_content("status " + std::string(request.matches[1]), "text/plain");
    });
    server_.routes().Get("/auth", [](const httplib::Request& request, httplib::Response& response) {
      response.set_content(request.get_header_value("Authorization"), "text/plain");
    });
    server_.routes().Get("/redirect", [](const httplib::Request& request, httplib::Response& response) {
      response.set_redirect(request.get_param_value("to"), 302);
    });
    server_.routes().Get("/loop", [](const httplib::Request&, httplib::Response& response) {
      response.set_redirect("/loop", 302);
    });
    server_.routes().Get("/big", [](const httplib::Request& request, httplib::Response& response) {
      response.set_content(std::string(std::stoul(request.get_param_value("n")), 'x'), "application/json");
    });
    server_.routes().Get("/slow", [this](const httplib::Request&, httplib::Response& response) {
      for (int i = 0; i < 500 && !release_; ++i) std::this_thread::sleep_for(10ms);
      response.set_content("late", "text/plain");
    });
    server_.routes().Put("/put", [](const httplib::Request& request, httplib::Response& response) {
      response.status = 201;
      response.set_content(request.method + " " + request.body, "text/plain");
    });
    server_.start();
  }
  void TearDown() override { release_ = true; }

  std::atomic<bool> release_{false};
  LocalHttpServer server_;
};

HttpClient::Outcome get(HttpClient& client, const std::string& url) {
  Request request;
  request.url = url;
  return client.perform(request);
}

TEST_F(HttpClientTest, EveryStatusIsAValue) {
  HttpClient client({});
  for (int status : {200, 404, 500}) {
    SCOPED_TRACE(status);
    auto outcome = get(client, server_.url("/status/" + std::to_string(status)));
    ASSERT_TRUE(outcome.ok()) << outcome.failure.message;
    EXPECT_EQ(outcome.response.status, status);
    EXPECT_EQ(outcome.response.body, "status " + std::to_string(status));
    EXPECT_EQ(outcome.response.header("content-type"), "text/plain");
    EXPECT_GT(outcome.response.bytesReceived, outcome.response.body.size());
  }
}

TEST_F(HttpClientTest, BearerTokenIsSentAndReReadWhenTheFileChanges) {
  auto tokenFile = tempFile("token");
  writeFile(tokenFile, "first-token\n");
  ClientSettings settings;
  settings.bearerTokenFile = tokenFile.string();
  HttpClient client(settings);
  EXPECT_EQ(get(client, server_.url("/auth")).response.body, "Bearer first-token");
  EXPECT_EQ(get(client, server_.url("/auth")).response.body, "Bearer first-token");

  // Rotation by rename (a new inode), as kubelet's atomic writer does.
  writeFile(tokenFile.string() + ".new", "second-token");
  std::filesystem::rename(tokenFile.string() + ".new", tokenFile);
  EXPECT_EQ(get(client, server_.url("/auth")).response.body, "Bearer second-token");
  // Rotation in place, same length.
  writeFile(tokenFile, "third--token");
  EXPECT_EQ(get(client, server_.url("/auth")).response.body, "Bearer third--token");
}

TEST_F(HttpClientTest, MissingOrEmptyTokenFileIsAConfigFailure) {
  ClientSettings settings;
  settings.bearerTokenFile = tempFile("absent-token").string();
  HttpClient missing(settings);
  auto outcome = get(missing, server_.url("/auth"));
  EXPECT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.failure.kind, FailureKind::kConfig);
  EXPECT_NE(outcome.failure.message.find("absent-token"), std::string::npos) << outcome.failure.message;

  writeFile(tempFile("empty-token"), " \n");
  settings.bearerTokenFile = tempFile("empty-token").string();
  HttpClient empty(settings);
  EXPECT_EQ(get(empty, server_.url("/auth")).failure.kind, FailureKind::kConfig);
}

TEST_F(HttpClientTest, RedirectKeepsTheTokenOnlyOnTheSameHost) {
  auto tokenFile = tempFile("redirect-token");
  writeFile(tokenFile, "secret");
  ClientSettings settings;
  settings.bearerTokenFile = tokenFile.string();
  HttpClient client(settings);

  auto same = get(client, server_.url("/redirect?to=" + server_.url("/auth")));
  ASSERT_TRUE(same.ok()) << same.failure.message;
  EXPECT_EQ(same.response.status, 200);
  EXPECT_EQ(same.response.body, "Bearer secret");
  EXPECT_EQ(same.response.effectiveUrl, server_.url("/auth"));

  // Same socket, other host name: another origin, so no credentials.
  auto other = get(client, server_.url("/redirect?to=" + server_.url("/auth", "localhost")));
  ASSERT_TRUE(other.ok()) << other.failure.message;
  EXPECT_EQ(other.response.status, 200);
  EXPECT_EQ(other.response.body, "");
  EXPECT_EQ(other.response.effectiveUrl, server_.url("/auth", "localhost"));

  // A caller's own Authorization header is dropped the same way.
  HttpClient plain({});
  Request request;
  request.url = server_.url("/redirect?to=" + server_.url("/auth", "localhost"));
  request.headers.push_back({"Authorization", "Basic abc"});
  EXPECT_EQ(plain.perform(request).response.body, "");
  request.url = server_.url("/auth");
  EXPECT_EQ(plain.perform(request).response.body, "Basic abc");
}

TEST_F(HttpClientTest, RedirectLoopStopsAfterFiveHops) {
  HttpClient client({});
  auto outcome = get(client, server_.url("/loop"));
  EXPECT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.failure.kind, FailureKind::kProtocol);
  EXPECT_NE(outcome.failure.message.find("redirects"), std::string::npos) << outcome.failure.message;
}

TEST_F(HttpClientTest, BodyAboveTheLimitIsTooLarge) {
  ClientSettings settings;
  settings.maxBodyBytes = 1000;
  HttpClient client(settings);
  EXPECT_TRUE(get(client, server_.url("/big?n=1000")).ok());
  auto outcome = get(client, server_.url("/big?n=1001"));
  EXPECT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.failure.kind, FailureKind::kTooLarge);
}

TEST_F(HttpClientTest, CompressedBodyIsDecoded) {
  HttpClient client({});
  // Without a caller header curl offers every encoding it decodes; the server picks one.
  for (const char* offer : {"", "gzip", "br"}) {
    SCOPED_TRACE(offer);
    Request request;
    request.url = server_.url("/big?n=100000");
    if (*offer) request.headers.push_back({"Accept-Encoding", offer});
    auto outcome = client.perform(request);
    ASSERT_TRUE(outcome.ok()) << outcome.failure.message;
    if (*offer) {
      EXPECT_EQ(outcome.response.header("content-encoding"), offer);
    }
    EXPECT_FALSE(outcome.response.header("content-encoding").empty());
    EXPECT_EQ(outcome.response.body, std::string(100000, 'x'));
    EXPECT_LT(outcome.response.bytesReceived, 10000u);
  }
}

TEST_F(HttpClientTest, SlowServerTimesOut) {
  ClientSettings settings;
  settings.requestTimeout = 200ms;
  HttpClient client(settings);
  auto started = std::chrono::steady_clock::now();
  auto outcome = get(client, server_.url("/slow"));
  EXPECT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.failure.kind, FailureKind::kTimeout) << outcome.failure.message;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
}

TEST_F(HttpClientTest, PutSendsTheBody) {
  HttpClient client({});
  Request request;
  request.method = "PUT";
  request.url = server_.url("/put");
  request.headers.push_back({"Content-Type", "application/json"});
  request.body = R"({"node":"a"})";
  auto outcome = client.perform(request);
  ASSERT_TRUE(outcome.ok()) << outcome.failure.message;
  EXPECT_EQ(outcome.response.status, 201);
  EXPECT_EQ(outcome.response.body, R"(PUT {"node":"a"})");
}

TEST(HttpClientFailureTest, TruncatedBodyIsTruncated) {
  testing::RawSocketServer server("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly a part");
  HttpClient client({});
  auto outcome = get(client, "http://127.0.0.1:" + std::to_string(server.port()) + "/x");
  EXPECT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.failure.kind, FailureKind::kTruncated) << outcome.failure.message;
}

TEST(HttpClientFailureTest, RefusedConnectionIsConnect) {
  HttpClient client({});
  std::string url = "http://127.0.0.1:" + std::to_string(testing::unusedLoopbackPort()) + "/x";
  auto outcome = get(client, url);
  EXPECT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.failure.kind, FailureKind::kConnect) << outcome.failure.message;
  EXPECT_NE(outcome.failure.message.find(url), std::string::npos) << outcome.failure.message;
}

TEST(HttpClientFailureTest, UnreadableCaFileIsConfig) {
  ClientSettings settings;
  settings.tls.caFile = "/nonexistent/ca.pem";
  HttpClient client(settings);
  auto outcome = get(client, "https://127.0.0.1:1/x");
  EXPECT_EQ(outcome.failure.kind, FailureKind::kConfig);
  EXPECT_NE(outcome.failure.message.find("/nonexistent/ca.pem"), std::string::npos);
}

TEST(HttpClientFailureTest, CurlCodesMapToKinds) {
  struct Row {
    CURLcode code;
    FailureKind kind;
  };
  for (const Row& row :
       {Row{CURLE_PARTIAL_FILE, FailureKind::kTruncated},
        Row{CURLE_PEER_FAILED_VERIFICATION, FailureKind::kTls},
        Row{CURLE_SSL_PINNEDPUBKEYNOTMATCH, FailureKind::kTls},
        Row{CURLE_SSL_CONNECT_ERROR, FailureKind::kTls}, Row{CURLE_OPERATION_TIMEDOUT, FailureKind::kTimeout},
        Row{CURLE_COULDNT_CONNECT, FailureKind::kConnect},
        Row{CURLE_COULDNT_RESOLVE_HOST, FailureKind::kConnect},
        Row{CURLE_URL_MALFORMAT, FailureKind::kConfig}, Row{CURLE_GOT_NOTHING, FailureKind::kProtocol}}) {
    SCOPED_TRACE(curl_easy_strerror(row.code));
    EXPECT_EQ(detail::failureKindFor(row.code), row.kind);
  }
}

TEST(HttpClientFailureTest, CancelledClientFailsUntilReset) {
  HttpClient client({});
  client.cancel();
  EXPECT_EQ(get(client, "http://127.0.0.1:1/").failure.kind, FailureKind::kCancelled);
  client.resetCancel();
  EXPECT_EQ(
      get(client, "http://127.0.0.1:" + std::to_string(testing::unusedLoopbackPort()) + "/").failure.kind,
      FailureKind::kConnect);
}

TEST(UrlTemplateTest, NodeNameIsPercentEncoded) {
  EXPECT_EQ(expandUrlTemplate("https://e/nodes/{node}/status", "node-1.a_b~"),
            "https://e/nodes/node-1.a_b~/status");
  EXPECT_EQ(expandUrlTemplate("https://e/{node}/{node}", "a/b c"), "https://e/a%2Fb%20c/a%2Fb%20c");
  EXPECT_EQ(expandUrlTemplate("https://e/static", "n"), "https://e/static");
}

TEST(FailureKindTest, NamesAreStable) {
  EXPECT_EQ(failureKindName(FailureKind::kTooLarge), "too-large");
  EXPECT_EQ(failureKindName(FailureKind::kTls), "tls");
  EXPECT_EQ(failureKindName(FailureKind::kCancelled), "cancelled");
}

}  // namespace
}  // namespace daemonlet::outbound
