// Lifecycle hooks on host pods, with the real agent: postStart runs before the
// container is reported Running, a failing postStart kills it (restarted, the
// exit says FailedPostStartHook), preStop runs before SIGTERM and within the
// grace period, and an httpGet preStop reaches a real HTTP server.
#include <atomic>
#include <mutex>
#include <thread>

#include "test/integration/agent/agent_fixture.h"

namespace daemonlet::e2e {
namespace {

using HooksTest = AgentE2eTest;

Json execHook(const std::string& script) { return {{"exec", {{"command", {"/bin/sh", "-c", script}}}}}; }

// Waits until the daemon printed "ready" (its SIGTERM handler is in place).
bool waitLogged(const fs::path& logs, const std::string& text) {
  return waitUntil([&] {
    for (const auto& entry : fs::recursive_directory_iterator(logs)) {
      if (entry.is_regular_file() && readFile(entry.path()).find(text) != std::string::npos) return true;
    }
    return false;
  });
}

TEST_F(HooksTest, PostStartFinishesBeforeTheContainerIsRunning) {
  const fs::path done = filePath("post-start-done");
  Json ds = daemonSet("hooked", {"sleep"});
  // The pause makes a status that says Running too early visible.
  mainContainer(ds)["lifecycle"] = {{"postStart", execHook("sleep 0.5; echo ran > " + done.string())}};
  writeManifest("hooked.json", ds);
  startAgent();
  bool sawCreating = false;
  bool runningBeforeHook = false;
  ASSERT_TRUE(waitUntil([&] {
    auto pod = onlyPod("hooked");
    if (!pod || (*pod)["status"]["containerStatuses"].empty()) return false;
    const Json& state = mainStatus(*pod)["state"];
    if (state.contains("waiting") && state["waiting"].value("reason", "") == "ContainerCreating")
      sawCreating = true;
    if (!isRunning(*pod)) return false;
    runningBeforeHook = runningBeforeHook || !fs::exists(done);
    return true;
  })) << "never Running";
  EXPECT_FALSE(runningBeforeHook) << "reported Running before its postStart hook had finished";
  EXPECT_TRUE(sawCreating) << "not shown ContainerCreating while the hook ran";
  EXPECT_EQ(readFile(done), "ran\n");
  EXPECT_TRUE(waitUntil([&] {
    auto p = onlyPod("hooked");
    return p && podReady(*p);
  })) << "never Ready after its postStart hook";
  EXPECT_EQ(mainStatus(*onlyPod("hooked"))["restartCount"], 0);
}

TEST_F(HooksTest, FailingPostStartKillsAndRestartsTheContainer) {
  const fs::path runs = filePath("post-start-runs");
  Json ds = daemonSet("refused", {"sleep"});
  mainContainer(ds)["lifecycle"] = {
      {"postStart", execHook("echo run >> " + runs.string() + "; echo hook-said-no; exit 3")}};
  writeManifest("refused.json", ds);
  startAgent();
  // The first restart comes at once, the second failure waits out the back-off.
  Json waiting = waitWaiting("refused", {"CrashLoopBackOff"}, 15s);
  ASSERT_FALSE(waiting.is_null()) << "a container whose postStart hook fails was not killed and backed off";
  EXPECT_NE(waiting.value("message", "").find("Exec lifecycle hook"), std::string::npos) << waiting.dump();
  EXPECT_NE(waiting.value("message", "").find("hook-said-no"), std::string::npos)
      << "the hook's output is not in the message: " << waiting.dump();
  Json pod = *onlyPod("refused");
  EXPECT_GE(mainStatus(pod)["restartCount"].get<int>(), 1);
  EXPECT_EQ(mainStatus(pod)["lastState"]["terminated"]["reason"], "FailedPostStartHook") << pod.dump(2);
  EXPECT_TRUE(daemonProcesses("refused").empty()) << "the container was not killed";
  EXPECT_GE(readFile(runs).size(), std::string("run\nrun\n").size()) << "the hook did not run for each start";
}

TEST_F(HooksTest, PreStopRunsBeforeSigtermWithinTheGracePeriod) {
  const fs::path order = filePath("order");
  Json ds = daemonSet("graceful", {"note-sigterm", order.string()});
  podSpec(ds)["terminationGracePeriodSeconds"] = 2;
  // A hook that outlives the grace period: it is cut at 2 s, and the
  // container still gets its SIGTERM (with the kubelet's 2 s minimum after it).
  mainContainer(ds)["lifecycle"] = {
      {"preStop", execHook("echo prestop >> " + order.string() + "; exec sleep 30")}};
  writeManifest("graceful.json", ds);
  startAgent();
  Json pod = waitRunning("graceful");
  ASSERT_FALSE(pod.is_null());
  int pid = pidOf(mainStatus(pod));
  ASSERT_TRUE(waitLogged(root_ / "logs", "stdout F ready")) << "the daemon never said ready";

  auto removed = Clock::now();
  removeManifest("graceful.json");
  ASSERT_TRUE(waitUntil([&] { return readFile(order).find("sigterm") != std::string::npos; }, 15s))
      << "no SIGTERM after the preStop hook: " << readFile(order);
  double took = secondsSince(removed);
  EXPECT_EQ(readFile(order), "prestop\nsigterm\n") << "the preStop hook must run, and finish, before SIGTERM";
  EXPECT_GE(took, 1.8) << "SIGTERM came before the hook had its grace period";
  EXPECT_LT(took, 6.0) << "the hook held the stop beyond the grace period";
  EXPECT_TRUE(waitUntil([&] { return !processAlive(pid); }));
  EXPECT_TRUE(waitUntil([&] { return podsOf("graceful").empty(); }));
}

TEST_F(HooksTest, HttpGetPreStopReachesTheServerAtThePodsAddress) {
  httplib::Server server;
  std::mutex mutex;
  std::vector<std::string> requests;  // "path user-agent header"
  server.Get("/drain", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex);
    requests.push_back(req.path + " " + req.get_header_value("User-Agent") + " " +
                       req.get_header_value("X-Why"));
    res.status = 503;  // any answer counts as success for a hook
  });
  // Every address: the hook names no host, so it goes to the pod's (the host's) IP.
  int port = server.bind_to_any_port("0.0.0.0");
  ASSERT_GT(port, 0);
  std::thread serving([&] { server.listen_after_bind(); });
  struct StopServer {
    httplib::Server& server;
    std::thread& thread;
    ~StopServer() {
      server.stop();
      thread.join();
    }
  } stopServer{server, serving};

  const fs::path order = filePath("order");
  Json ds = daemonSet("drained", {"note-sigterm", order.string()});
  mainContainer(ds)["ports"] = Json::array({{{"name", "admin"}, {"containerPort", port}}});
  Json httpGet = {{"path", "/drain"},
                  {"port", "admin"},
                  {"httpHeaders", Json::array({{{"name", "X-Why"}, {"value", "stop"}}})}};
  mainContainer(ds)["lifecycle"]["preStop"]["httpGet"] = httpGet;
  writeManifest("drained.json", ds);
  startAgent();
  ASSERT_FALSE(waitRunning("drained").is_null());
  ASSERT_TRUE(waitLogged(root_ / "logs", "stdout F ready"));
  removeManifest("drained.json");
  ASSERT_TRUE(waitUntil([&] { return podsOf("drained").empty(); }, 15s));
  std::lock_guard lock(mutex);
  ASSERT_EQ(requests.size(), 1u) << "the preStop hook did not reach the server once";
  EXPECT_EQ(requests[0], "/drain kube-lifecycle/daemonlet stop");
  EXPECT_EQ(readFile(order), "sigterm\n");
}

}  // namespace
}  // namespace daemonlet::e2e
