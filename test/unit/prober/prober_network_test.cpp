// tcpSocket, httpGet and grpc probes against real local servers.
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <thread>

#include "agent/prober/probe_grpc.h"
#include "agent/prober/probe_http.h"
#include "test/unit/prober/prober_harness.h"

namespace daemonlet::prober {
namespace {

using boost::asio::ip::tcp;
using testing::ProberHarness;
using testing::quickProbe;

model::Probe tcpProbe(int port) {
  model::Probe probe = quickProbe();
  probe.tcpSocket = model::TcpSocketAction{model::IntOrString::fromInt(port), ""};
  return probe;
}

model::Probe httpProbe(model::IntOrString port, std::string path) {
  model::Probe probe = quickProbe();
  probe.httpGet = model::HttpGetAction{std::move(path), std::move(port), "", "HTTP", {}};
  return probe;
}

TEST(TcpProbeTest, ListeningPortIsSuccess) {
  ProberHarness harness;
  tcp::acceptor acceptor(harness.io(), tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  model::Container container;
  container.readinessProbe = tcpProbe(acceptor.local_endpoint().port());
  harness.start(container);
  EXPECT_TRUE(harness.runUntil(harness.reported(ProbeKind::kReadiness, true)));
}

TEST(TcpProbeTest, ClosedPortIsFailure) {
  ProberHarness harness;
  int port = 0;
  {
    tcp::acceptor acceptor(harness.io(), tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    port = acceptor.local_endpoint().port();
  }  // closed again: nothing listens there now
  model::Container container;
  container.livenessProbe = tcpProbe(port);
  harness.start(container);
  EXPECT_TRUE(harness.runUntil(harness.reported(ProbeKind::kLiveness, false)));
}

// A cpp-httplib server on 127.0.0.1 with a status the test can change.
class HealthServer {
 public:
  HealthServer() {
    server_.Get("/healthz",
                [this](const httplib::Request&, httplib::Response& res) { res.status = status_; });
    server_.Get("/needs-header", [](const httplib::Request& req, httplib::Response& res) {
      bool ok = req.get_header_value("X-Probe") == "yes" &&
                req.get_header_value("User-Agent").rfind("kube-probe/", 0) == 0;
      res.status = ok ? 200 : 500;
    });
    server_.Get("/redirect-to-failure",
                [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/fail"); });
    server_.Get("/redirect-to-success",
                [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/healthz"); });
    server_.Get("/fail", [](const httplib::Request&, httplib::Response& res) { res.status = 500; });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // bind_to_any_port already listens: connections queue until the accept loop runs.
  }
  ~HealthServer() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  void setStatus(int status) { status_ = status; }

 private:
  httplib::Server server_;
  std::atomic<int> status_{200};
  int port_ = 0;
  std::thread thread_;
};

TEST(HttpProbeTest, ReadinessFollowsTheStatusCode) {
  HealthServer server;
  ProberHarness harness;
  model::Container container;
  container.readinessProbe = httpProbe(model::IntOrString::fromInt(server.port()), "/healthz");
  harness.start(container);
  ASSERT_TRUE(harness.runUntil(harness.reported(ProbeKind::kReadiness, true)));
  server.setStatus(500);
  ASSERT_TRUE(harness.runUntil(harness.reported(ProbeKind::kReadiness, false)));
  ASSERT_EQ(harness.reports().size(), 2u);
  EXPECT_TRUE(harness.reports()[0].success);
  EXPECT_FALSE(harness.reports()[1].success);
}

TEST(HttpProbeTest, NamedPortAndHeaders) {
  HealthServer server;
  ProberHarness harness;
  model::Container container;
  container.ports.push_back({"health", server.port(), 0, "TCP", ""});
  container.readinessProbe = httpProbe(model::IntOrString::fromString("health"), "needs-header");
  container.readinessProbe->httpGet->httpHeaders.push_back({"X-Probe", "yes"});
  harness.start(container);
  EXPECT_TRUE(harness.runUntil(harness.reported(ProbeKind::kReadiness, true)));
}

TEST(HttpProbeTest, MissingHeaderFails) {
  HealthServer server;
  ProberHarness harness;
  model::Container container;
  container.livenessProbe = httpProbe(model::IntOrString::fromInt(server.port()), "/needs-header");
  harness.start(container);
  EXPECT_TRUE(harness.runUntil(harness.reported(ProbeKind::kLiveness, false)));
}

TEST(HttpProbeTest, UnknownNamedPortFails) {
  ProberHarness harness;
  model::Container container;
  container.livenessProbe = httpProbe(model::IntOrString::fromString("nope"), "/healthz");
  harness.start(container);
  EXPECT_TRUE(harness.runUntil(harness.reported(ProbeKind::kLiveness, false)));
}

TEST(HttpProbeTest, SameHostRedirectsAreFollowed) {
  HealthServer server;
  std::atomic<bool> notCancelled{false};
  HttpProbeRequest request;
  request.host = "127.0.0.1";
  request.port = static_cast<std::uint16_t>(server.port());
  request.path = "/redirect-to-failure";
  EXPECT_FALSE(runHttpProbe(request, std::chrono::seconds(2), notCancelled).success);
  request.path = "/redirect-to-success";
  EXPECT_TRUE(runHttpProbe(request, std::chrono::seconds(2), notCancelled).success);
}

TEST(HttpProbeTest, RefusedConnectionFails) {
  ProberHarness harness;
  int port = 0;
  {
    tcp::acceptor acceptor(harness.io(), tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    port = acceptor.local_endpoint().port();
  }
  model::Container container;
  container.livenessProbe = httpProbe(model::IntOrString::fromInt(port), "/healthz");
  harness.start(container);
  EXPECT_TRUE(harness.runUntil(harness.reported(ProbeKind::kLiveness, false)));
}

// A real gRPC server with the library's built-in health service, which answers
// SERVING for "" and NOT_FOUND for services it does not know.
class GrpcHealthServer {
 public:
  GrpcHealthServer() {
    grpc::EnableDefaultHealthCheckService(true);
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    // The builder refuses a server with no service of its own; the health
    // service is only added at start. Any callback service satisfies it.
    builder.RegisterCallbackGenericService(&unusedService_);
    server_ = builder.BuildAndStart();
  }
  ~GrpcHealthServer() { server_->Shutdown(); }
  int port() const { return port_; }
  grpc::Server& server() { return *server_; }

 private:
  int port_ = 0;
  grpc::CallbackGenericService unusedService_;
  std::unique_ptr<grpc::Server> server_;
};

model::Probe grpcProbe(int port, std::optional<std::string> service) {
  model::Probe probe = quickProbe();
  probe.timeoutSeconds = 2;
  probe.grpc = model::GrpcAction{port, std::move(service)};
  return probe;
}

TEST(GrpcProbeTest, ServingServerIsReady) {
  GrpcHealthServer server;
  ASSERT_GT(server.port(), 0);
  ProberHarness harness;
  model::Container container;
  container.readinessProbe = grpcProbe(server.port(), std::nullopt);
  harness.start(container);
  EXPECT_TRUE(harness.runUntil(harness.reported(ProbeKind::kReadiness, true)));
}

TEST(GrpcProbeTest, NotServingAndUnknownServicesFail) {
  GrpcHealthServer server;
  ASSERT_GT(server.port(), 0);
  server.server().GetHealthCheckService()->SetServingStatus("db", false);
  std::atomic<bool> notCancelled{false};
  GrpcProbeRequest request{"127.0.0.1", static_cast<std::uint16_t>(server.port()), "db"};
  ProbeOutcome notServing = runGrpcProbe(request, std::chrono::seconds(2), notCancelled);
  EXPECT_FALSE(notServing.success);
  EXPECT_NE(notServing.message.find("status 2"), std::string::npos) << notServing.message;

  request.service = "unknown";
  ProbeOutcome unknown = runGrpcProbe(request, std::chrono::seconds(2), notCancelled);
  EXPECT_FALSE(unknown.success);
  EXPECT_NE(unknown.message.find("grpc-status 5"), std::string::npos) << unknown.message;  // NOT_FOUND

  request.service = "";
  EXPECT_TRUE(runGrpcProbe(request, std::chrono::seconds(2), notCancelled).success);
}

TEST(GrpcProbeTest, PlainHttpServerIsNotHealthy) {
  HealthServer server;  // speaks HTTP/1.1 only
  std::atomic<bool> notCancelled{false};
  GrpcProbeRequest request{"127.0.0.1", static_cast<std::uint16_t>(server.port()), ""};
  EXPECT_FALSE(runGrpcProbe(request, std::chrono::seconds(2), notCancelled).success);
}

}  // namespace
}  // namespace daemonlet::prober
