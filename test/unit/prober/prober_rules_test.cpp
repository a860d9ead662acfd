// Scheduling rules of the Prober: initial delay, stopping, shutdown.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
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

// The server holds the request until the test releases it (or for 10 s). With
// cancellation working, ~Prober aborts the transfer and returns while the request
// is still held; with it broken, ~Prober waits for the answer (the probe's 30 s
// timeout is longer than the hold), so `answered` is already true when it returns.
TEST(ProberRulesTest, DestroyingTheProberCancelsAnHttpAttemptInFlight) {
  std::mutex mutex;
  std::condition_variable releasedChanged;
  bool released = false;
  std::atomic<bool> arrived{false};
  std::atomic<bool> answered{false};
  httplib::Server server;
  server.Get("/slow", [&](const httplib::Request&, httplib::Response& res) {
    arrived = true;
    std::unique_lock lock(mutex);
    releasedChanged.wait_for(lock, std::chrono::seconds(10), [&] { return released; });
    answered = true;
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
    container.readinessProbe->timeoutSeconds = 30;
    container.readinessProbe->httpGet =
        model::HttpGetAction{"/slow", model::IntOrString::fromInt(port), "", "HTTP", {}};
    harness.start(container);
    EXPECT_TRUE(harness.runUntil([&] { return arrived.load(); }));
  }  // ~Prober cancels the transfer and joins its pool
  EXPECT_FALSE(answered) << "~Prober waited for the server's answer instead of cancelling the transfer";
  {
    std::lock_guard lock(mutex);
    released = true;
  }
  releasedChanged.notify_all();
  server.stop();
  serverThread.join();
}

}  // namespace
}  // namespace daemonlet::prober
