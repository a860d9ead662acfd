// Scheduling rules of the Prober: initial delay, stopping, shutdown.
#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

#include "test/unit/prober/prober_harness.h"

namespace daemonlet::prober {
namespace {

using testing::execProbe;
using testing::ProberHarness;

TEST(ProberRulesTest, InitialDelayPostponesTheFirstAttempt) {
  ProberHarness harness;
  model::Container container;
  container.readinessProbe = execProbe({"/bin/true"});
  container.readinessProbe->initialDelaySeconds = 2;
  harness.start(container);
  harness.runFor(std::chrono::milliseconds(1000));  // well inside the delay
  EXPECT_TRUE(harness.reports().empty());
  EXPECT_TRUE(harness.runUntil(harness.reported(ProbeKind::kReadiness, true)));
}

TEST(ProberRulesTest, ContainerWithoutProbesReportsNothing) {
  ProberHarness harness;
  harness.start(model::Container{});
  harness.runFor(std::chrono::milliseconds(200));
  EXPECT_TRUE(harness.reports().empty());
}

TEST(ProberRulesTest, StopAllDropsEverything) {
  ProberHarness harness;
  model::Container container;
  container.readinessProbe = execProbe({"/bin/true"});
  container.livenessProbe = execProbe({"/bin/false"});
  harness.start(container);
  harness.prober().stopAll();
  harness.runFor(std::chrono::milliseconds(1500));
  EXPECT_TRUE(harness.reports().empty());
}

TEST(ProberRulesTest, DestroyingTheProberCancelsAnHttpAttemptInFlight) {
  httplib::Server server;
  server.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(std::chrono::seconds(2));
    res.status = 200;
  });
  int port = server.bind_to_any_port("127.0.0.1");
  std::thread serverThread([&] { server.listen_after_bind(); });
  // bind_to_any_port already listens: connections queue until the accept loop runs.
  {
    ProberHarness harness;
    model::Container container;
    container.readinessProbe = execProbe({});
    container.readinessProbe->exec.reset();
    container.readinessProbe->timeoutSeconds = 5;
    container.readinessProbe->httpGet =
        model::HttpGetAction{"/slow", model::IntOrString::fromInt(port), "", "HTTP", {}};
    harness.start(container);
    harness.runFor(std::chrono::milliseconds(300));  // the request is now waiting on the server
  }  // ~Prober cancels the transfer and joins its pool; the test hangs if it cannot
  server.stop();
  serverThread.join();
  SUCCEED();
}

}  // namespace
}  // namespace daemonlet::prober
