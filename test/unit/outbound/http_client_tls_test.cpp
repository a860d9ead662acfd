// TLS against a real httplib SSLServer with a CA, server and client certificate
// generated here by the openssl command line tool.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>

#include "agent/outbound/http_client.h"
#include "test/unit/outbound/local_http_server.h"

namespace daemonlet::outbound {
namespace {

namespace fs = std::filesystem;

std::string run(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return output;
  std::array<char, 256> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe)) output += buffer.data();
  int status = ::pclose(pipe);
  if (status != 0) throw std::runtime_error("command failed: " + command);
  return output;
}

struct Certificates {
  fs::path dir;
  std::string file(const char* name) const { return (dir / name).string(); }
  std::string serverPin;  // sha256//base64 of the server's public key
};

const Certificates& certificates() {
  static const Certificates generated = [] {
    std::string pattern = (fs::temp_directory_path() / "outbound-tls-XXXXXX").string();
    Certificates certs{fs::path(::mkdtemp(pattern.data())), ""};
    const std::string d = certs.dir.string();
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes ";
    std::ofstream(certs.dir / "server.ext") << "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                                               "extendedKeyUsage=serverAuth\n";
    std::ofstream(certs.dir / "client.ext") << "extendedKeyUsage=clientAuth\n";
    run("cd " + d + " && openssl req -x509" + ec +
        "-keyout ca.key -out ca.crt -days 2 -subj /CN=test-ca 2>&1");
    for (const std::string who : {"server", "client"}) {
      run("cd " + d + " && openssl req" + ec + "-keyout " + who + ".key -out " + who +
          ".csr -subj /CN=" + (who == "server" ? "localhost" : "node-1") + " 2>&1");
      run("cd " + d + " && openssl x509 -req -in " + who +
          ".csr -CA ca.crt -CAkey ca.key -CAcreateserial -out " + who + ".crt -days 2 -extfile " + who +
          ".ext 2>&1");
    }
    // An unrelated CA, to check that trusting the wrong CA fails.
    run("cd " + d + " && openssl req -x509" + ec +
        "-keyout other.key -out other.crt -days 2 -subj /CN=other 2>&1");
    std::string pin =
        run("cd " + d +
            " && openssl x509 -in server.crt -pubkey -noout | openssl pkey -pubin -outform der |"
            " openssl dgst -sha256 -binary | openssl base64");
    while (!pin.empty() && (pin.back() == '\n' || pin.back() == '\r')) pin.pop_back();
    certs.serverPin = "sha256//" + pin;
    return certs;
  }();
  return generated;
}

HttpClient::Outcome getOverTls(const ClientSettings& settings, const std::string& url) {
  HttpClient client(settings);
  Request request;
  request.url = url;
  return client.perform(request);
}

class HttpClientTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto& certs = certificates();
    server_ = std::make_unique<testing::LocalHttpServer>(certs.file("server.crt"), certs.file("server.key"));
    server_->routes().Get("/hello", [](const httplib::Request&, httplib::Response& response) {
      response.set_content("hello over tls", "text/plain");
    });
    server_->start();
  }
  ClientSettings withCa() const {
    ClientSettings settings;
    settings.tls.caFile = certificates().file("ca.crt");
    return settings;
  }
  std::unique_ptr<testing::LocalHttpServer> server_;
};

TEST_F(HttpClientTlsTest, TrustedCaSucceedsByIpAndName) {
  for (const char* host : {"127.0.0.1", "localhost"}) {
    SCOPED_TRACE(host);
    auto outcome = getOverTls(withCa(), server_->url("/hello", host));
    ASSERT_TRUE(outcome.ok()) << outcome.failure.message;
    EXPECT_EQ(outcome.response.body, "hello over tls");
  }
}

TEST_F(HttpClientTlsTest, UntrustedCertificateIsTls) {
  auto systemStore = getOverTls(ClientSettings{}, server_->url("/hello"));
  EXPECT_FALSE(systemStore.ok());
  EXPECT_EQ(systemStore.failure.kind, FailureKind::kTls) << systemStore.failure.message;

  ClientSettings otherCa;
  otherCa.tls.caFile = certificates().file("other.crt");
  auto outcome = getOverTls(otherCa, server_->url("/hello"));
  EXPECT_EQ(outcome.failure.kind, FailureKind::kTls) << outcome.failure.message;
}

TEST_F(HttpClientTlsTest, PinnedPublicKeyMustMatch) {
  ClientSettings pinned = withCa();
  pinned.tls.pinnedPublicKey = certificates().serverPin;
  auto right = getOverTls(pinned, server_->url("/hello"));
  EXPECT_TRUE(right.ok()) << right.failure.message << " pin " << pinned.tls.pinnedPublicKey;

  pinned.tls.pinnedPublicKey = "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  auto wrong = getOverTls(pinned, server_->url("/hello"));
  EXPECT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.failure.kind, FailureKind::kTls) << wrong.failure.message;
}

TEST_F(HttpClientTlsTest, RedirectFromHttpsToPlainHttpIsRefused) {
  testing::LocalHttpServer plain;
  plain.routes().Get("/hello", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("downgraded", "text/plain");
  });
  plain.start();
  const std::string target = plain.url("/hello");
  server_->routes().Get("/down", [target](const httplib::Request&, httplib::Response& response) {
    response.set_redirect(target, 302);
  });
  auto outcome = getOverTls(withCa(), server_->url("/down"));
  EXPECT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.failure.kind, FailureKind::kProtocol);
  EXPECT_NE(outcome.failure.message.find("refusing a redirect"), std::string::npos)
      << outcome.failure.message;
}

TEST(HttpClientMutualTlsTest, ClientCertificateIsPresentedWhenRequired) {
  const auto& certs = certificates();
  testing::LocalHttpServer server(certs.file("server.crt"), certs.file("server.key"), certs.file("ca.crt"));
  server.routes().Get("/hello", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("hello client", "text/plain");
  });
  server.start();

  ClientSettings settings;
  settings.tls.caFile = certs.file("ca.crt");
  settings.connectTimeout = std::chrono::milliseconds(2000);
  settings.requestTimeout = std::chrono::milliseconds(3000);
  auto without = getOverTls(settings, server.url("/hello"));
  EXPECT_FALSE(without.ok()) << "status " << without.response.status;

  settings.tls.certFile = certs.file("client.crt");
  settings.tls.keyFile = certs.file("client.key");
  auto with = getOverTls(settings, server.url("/hello"));
  ASSERT_TRUE(with.ok()) << with.failure.message;
  EXPECT_EQ(with.response.body, "hello client");
}

// A server that counts the TCP connections it accepted (by client source port).
class CountingTlsServer {
 public:
  explicit CountingTlsServer(const std::string& clientCaFile = "")
      : server_(certificates().file("server.crt"), certificates().file("server.key"), clientCaFile) {
    server_.routes().set_keep_alive_max_count(1000);
    server_.routes().set_tcp_nodelay(true);  // no Nagle delay on kept-alive responses
    server_.routes().Get("/hello", [this](const httplib::Request& request, httplib::Response& response) {
      std::lock_guard lock(mutex_);
      ports_.insert(request.remote_port);
      response.set_content("hello", "text/plain");
    });
    server_.start();
  }
  std::string url() const { return server_.url("/hello"); }
  std::size_t connections() {
    std::lock_guard lock(mutex_);
    return ports_.size();
  }

 private:
  testing::LocalHttpServer server_;
  std::mutex mutex_;
  std::set<int> ports_;
};

void requestTimes(HttpClient& client, const std::string& url, int times) {
  for (int i = 0; i < times; ++i) {
    SCOPED_TRACE(i);
    Request request;
    request.url = url;
    auto outcome = client.perform(request);
    ASSERT_TRUE(outcome.ok()) << outcome.failure.message;
    EXPECT_EQ(outcome.response.body, "hello");
  }
}

// Replaces `path` the way secret rotation does: a new file renamed over it.
void replaceWithCopyOf(const std::string& source, const fs::path& path) {
  fs::copy_file(source, path.string() + ".new", fs::copy_options::overwrite_existing);
  fs::rename(path.string() + ".new", path);
}

TEST(HttpClientTlsReuseTest, SequentialRequestsShareOneTlsConnection) {
  CountingTlsServer server;
  ClientSettings settings;
  settings.tls.caFile = certificates().file("ca.crt");
  settings.tls.pinnedPublicKey = certificates().serverPin;
  HttpClient client(settings);
  requestTimes(client, server.url(), 10);
  EXPECT_EQ(server.connections(), 1u);
}

TEST(HttpClientTlsReuseTest, ReplacedCaFileStartsANewConnection) {
  CountingTlsServer server;
  const fs::path ca = certificates().dir / "rotating-ca.crt";
  replaceWithCopyOf(certificates().file("ca.crt"), ca);
  ClientSettings settings;
  settings.tls.caFile = ca.string();
  HttpClient client(settings);
  requestTimes(client, server.url(), 3);
  EXPECT_EQ(server.connections(), 1u);
  replaceWithCopyOf(certificates().file("ca.crt"), ca);
  requestTimes(client, server.url(), 3);
  EXPECT_EQ(server.connections(), 2u);
}

TEST(HttpClientTlsReuseTest, RotatedClientCertificateStartsANewConnection) {
  const auto& certs = certificates();
  CountingTlsServer server(certs.file("ca.crt"));
  const fs::path cert = certs.dir / "rotating-client.crt";
  replaceWithCopyOf(certs.file("client.crt"), cert);
  ClientSettings settings;
  settings.tls.caFile = certs.file("ca.crt");
  settings.tls.certFile = cert.string();
  settings.tls.keyFile = certs.file("client.key");
  HttpClient client(settings);
  requestTimes(client, server.url(), 3);
  EXPECT_EQ(server.connections(), 1u);
  replaceWithCopyOf(certs.file("client.crt"), cert);
  requestTimes(client, server.url(), 3);
  EXPECT_EQ(server.connections(), 2u);
}

}  // namespace
}  // namespace daemonlet::outbound
