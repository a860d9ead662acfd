// Probes against real processes: readiness flips the pod's Ready condition both
// ways; a failing liveness probe restarts the container.

#include "test/integration/agent/agent_fixture.h"

namespace daemonlet::e2e {
namespace {

using ProbesTest = AgentE2eTest;

TEST_F(ProbesTest, ReadinessProbeFlipsReady) {
  Json ds = daemonSet("gated", {"sleep"});
  mainContainer(ds)["readinessProbe"] = countedFileProbe(filePath("ready"));
  writeManifest("gated.json", ds);
  startAgent();
  Json pod = waitRunning("gated");
  ASSERT_FALSE(pod.is_null());
  int pid = pidOf(mainStatus(pod));
  ASSERT_TRUE(waitProbeAttempts(filePath("ready"), 2)) << "the readiness probe does not run";  // all failing
  pod = *onlyPod("gated");
  EXPECT_FALSE(podReady(pod)) << "ready without its readiness probe passing";
  EXPECT_EQ(mainStatus(pod)["ready"], false);

  writeFile(filePath("ready"), "");
  EXPECT_TRUE(waitUntil([&] {
    auto p = onlyPod("gated");
    return p && podReady(*p) && mainStatus(*p)["ready"] == true;
  })) << "never became Ready after the probe passed";

  fs::remove(filePath("ready"));
  EXPECT_TRUE(waitUntil([&] {
    auto p = onlyPod("gated");
    return p && !podReady(*p) && mainStatus(*p)["ready"] == false;
  })) << "still Ready after the probe failed";
  // Readiness never restarts anything.
  auto p = onlyPod("gated");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(pidOf(mainStatus(*p)), pid);
  EXPECT_EQ(mainStatus(*p)["restartCount"], 0);
}

TEST_F(ProbesTest, PodWithoutProbesIsReady) {
  writeManifest("plain.json", daemonSet("plain", {"sleep"}));
  startAgent();
  ASSERT_FALSE(waitRunning("plain").is_null());
  EXPECT_TRUE(waitUntil([&] {
    auto p = onlyPod("plain");
    return p && podReady(*p);
  })) << "a running pod without a readiness probe must be Ready";
}

TEST_F(ProbesTest, LivenessFailureRestartsTheContainer) {
  writeFile(filePath("alive"), "");
  Json ds = daemonSet("watched", {"sleep"});
  mainContainer(ds)["livenessProbe"] = countedFileProbe(filePath("alive"));
  writeManifest("watched.json", ds);
  startAgent();
  Json pod = waitRunning("watched");
  ASSERT_FALSE(pod.is_null());
  int pid = pidOf(mainStatus(pod));
  ASSERT_TRUE(waitProbeAttempts(filePath("alive"), 3)) << "the liveness probe does not run";  // all passing
  ASSERT_TRUE(waitPasses());  // and change nothing
  EXPECT_TRUE(processAlive(pid));
  EXPECT_EQ((*onlyPod("watched"))["status"]["containerStatuses"][0]["restartCount"], 0);

  fs::remove(filePath("alive"));
  EXPECT_TRUE(waitUntil([&] { return !processAlive(pid); })) << "a failing liveness probe did not kill it";
  writeFile(filePath("alive"), "");  // let the replacement live
  // The replacement can start (and fail its first probe) before the file is back;
  // that costs one backoff window (10 s by default), so allow for it.
  Json restarted = waitRestarted("watched", pid, 25s);
  ASSERT_FALSE(restarted.is_null()) << "not restarted after the liveness failure";
  EXPECT_GE(mainStatus(restarted)["restartCount"].get<int>(), 1);
  EXPECT_EQ(restarted["metadata"]["uid"], pod["metadata"]["uid"]) << "liveness restarts the container, not the pod";
}

TEST_F(ProbesTest, HttpReadinessProbeAgainstTheDaemon) {
  // serve-health listens on a fixed port we pick free now; tcpSocket and
  // httpGet probes both talk to it.
  int port = freeLoopbackPort();
  ASSERT_GT(port, 0);
  Json ds = daemonSet("web", {"serve-health", std::to_string(port)});
  mainContainer(ds)["readinessProbe"] = {{"httpGet", {{"path", "/healthz"}, {"port", port}, {"host", "127.0.0.1"}}},
                                         {"periodSeconds", 1}};
  mainContainer(ds)["livenessProbe"] = {{"tcpSocket", {{"port", port}, {"host", "127.0.0.1"}}},
                                        {"periodSeconds", 1}};
  writeManifest("web.json", ds);
  startAgent();
  Json pod = waitRunning("web");
  ASSERT_FALSE(pod.is_null());
  EXPECT_TRUE(waitUntil([&] {
    auto p = onlyPod("web");
    return p && podReady(*p);
  })) << "the httpGet readiness probe never passed";
  auto p = onlyPod("web");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(mainStatus(*p)["restartCount"], 0) << "the tcpSocket liveness probe failed against a live port";
}

TEST_F(ProbesTest, ProbesKeepWorkingForAdoptedDaemons) {
  writeFile(filePath("alive"), "");
  Json ds = daemonSet("adopted", {"sleep"});
  // The delay keeps the replacement's first liveness probe from running before
  // the test has put "alive" back (with failureThreshold 1 it would be killed
  // again and sit out a 10-s backoff).
  Json liveness = countedFileProbe(filePath("alive"));
  liveness["initialDelaySeconds"] = 3;
  mainContainer(ds)["livenessProbe"] = liveness;
  mainContainer(ds)["readinessProbe"] = countedFileProbe(filePath("ready"));
  writeManifest("adopted.json", ds);
  auto firstStart = std::chrono::steady_clock::now();
  startAgent();
  Json pod = waitRunning("adopted");
  ASSERT_FALSE(pod.is_null());
  int pid = pidOf(mainStatus(pod));
  ASSERT_TRUE(waitProbeAttempts(filePath("ready"), 2));  // readiness failing: not ready, as recorded

  restartAgentAfterKill();
  ASSERT_EQ(pidOf(mainStatus(*onlyPod("adopted"))), pid) << "not adopted";
  EXPECT_FALSE(podReady(*onlyPod("adopted"))) << "adopted as Ready although its probe never passed";

  writeFile(filePath("ready"), "");
  EXPECT_TRUE(waitUntil([&] {
    auto p = onlyPod("adopted");
    return p && podReady(*p);
  })) << "readiness is no longer probed after adoption";
  fs::remove(filePath("ready"));
  EXPECT_TRUE(waitUntil([&] {
    auto p = onlyPod("adopted");
    return p && !podReady(*p);
  })) << "readiness failures are no longer seen after adoption";

  std::this_thread::sleep_until(firstStart + 3500ms);  // past the first container's initial delay
  fs::remove(filePath("alive"));
  EXPECT_TRUE(waitUntil([&] { return !processAlive(pid); })) << "liveness is no longer probed after adoption";
  writeFile(filePath("alive"), "");
  EXPECT_FALSE(waitRestarted("adopted", pid).is_null());
}

// An adopted container keeps the readiness it had recorded, and its first
// failing readiness probe under the new agent must clear it: readiness starts
// unknown in the prober, so that first verdict is always reported.
// (Disabled during session 2: the restarted ASan agent logged no verdict for
// the resumed probe within 10 s. Not seen since containers run under the
// shim host: 5/5 under ASan, 2026-11-28.)
TEST_F(ProbesTest, FirstFailingReadinessAfterAdoptionClearsReady) {
  writeFile(filePath("ready"), "");
  Json ds = daemonSet("adopted", {"sleep"});
  mainContainer(ds)["readinessProbe"] = countedFileProbe(filePath("ready"));
  writeManifest("adopted.json", ds);
  startAgent();
  ASSERT_TRUE(waitUntil([&] {
    auto p = onlyPod("adopted");
    return p && podReady(*p);
  }));
  agent_.signal(SIGKILL);
  ASSERT_TRUE(agent_.waitExit(5s).has_value());
  fs::remove(filePath("ready"));  // fails from the first attempt of the new agent on
  startAgent();
  EXPECT_TRUE(waitUntil([&] {
    auto p = onlyPod("adopted");
    return p && !podReady(*p);
  })) << "still Ready although every probe of the new agent failed";
}

}  // namespace
}  // namespace daemonlet::e2e
