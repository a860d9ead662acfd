// kubectl sees changes: get -w shows a crash loop as it happens, delete pod,
// describe and events, rollout status after a template change; and who may
// read logs and delete.
#include "test/integration/kubectl/kubectl_fixture.h"

namespace daemonlet::e2e {
namespace {

TEST_F(KubectlTest, WatchShowsACrashLoopAsItHappens) {
  fs::path go = filePath("go");
  // Runs until `go` exists, then crashes on every start.
  writeManifest("flaky.json", shellDaemonSet("flaky", "while [ ! -f '" + go.string() +
                                                          "' ]; do sleep 0.05; done; exit 1"));
  startAgent();
  std::string pod = runningPodName("flaky");
  ASSERT_FALSE(pod.empty());
  auto watch = kubectlStream(withServer({"get", "pods", "-w"}));
  ASSERT_TRUE(watch->waitFor(pod)) << watch->output();
  writeFile(go, "");
  EXPECT_TRUE(watch->waitFor("CrashLoopBackOff")) << watch->output();
  EXPECT_TRUE(watch->waitFor("   2 (")) << "the restart count climbs:\n" << watch->output();

  // The raw watch from a version the history no longer holds: 410 Gone.
  auto gone = client().Get("/api/v1/pods?watch=true&resourceVersion=1");
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 410);
  EXPECT_EQ(Json::parse(gone->body).value("reason", ""), "Expired");
}

TEST_F(KubectlTest, DeleteDescribeEventsAndRolloutStatus) {
  writeManifest("web.json", daemonSet("web", {"sleep"}));
  startAgent();
  std::string pod = runningPodName("web");
  ASSERT_FALSE(pod.empty());

  auto deleted = kubectl({"delete", "pod", pod});
  EXPECT_EQ(deleted.exitCode, 0) << deleted.output;
  EXPECT_NE(deleted.output.find("pod \"" + pod + "\" deleted"), std::string::npos) << deleted.output;
  std::string replacement = runningPodName("web");
  EXPECT_FALSE(replacement.empty());
  EXPECT_NE(replacement, pod);

  auto described = kubectl({"describe", "pod", replacement});
  ASSERT_EQ(described.exitCode, 0) << described.output;
  EXPECT_NE(described.output.find("Controlled By:  DaemonSet/web"), std::string::npos) << described.output;
  EXPECT_NE(described.output.find("Started container main"), std::string::npos) << described.output;
  auto events = kubectl({"get", "events"});
  EXPECT_NE(events.output.find("Killing"), std::string::npos) << events.output;
  EXPECT_NE(events.output.find("pod/" + pod), std::string::npos) << events.output;

  auto settled = kubectl({"rollout", "status", "ds/web", "--timeout=20s"});
  EXPECT_EQ(settled.exitCode, 0) << settled.output;
  EXPECT_NE(settled.output.find("daemon set \"web\" successfully rolled out"), std::string::npos) << settled.output;

  Json changed = daemonSet("web", {"sleep"});
  mainContainer(changed)["env"].push_back({{"name", "VERSION"}, {"value", "2"}});
  auto revision = [&] {
    Json status = getJson("/status");
    for (const auto& ds : status["daemonSets"]) {
      if (ds["name"] == "web") return ds.value("revision", std::string());
    }
    return std::string();
  };
  std::string oldRevision = revision();
  ASSERT_FALSE(oldRevision.empty());
  writeManifest("web.json", changed);
  // From the moment the agent has the new template, rollout status must wait for the new pod.
  ASSERT_TRUE(waitUntil([&] { return revision() != oldRevision; }));
  auto rollout = kubectl({"rollout", "status", "ds/web", "--timeout=30s"});
  EXPECT_EQ(rollout.exitCode, 0) << rollout.output;
  EXPECT_NE(rollout.output.find("daemon set \"web\" successfully rolled out"), std::string::npos) << rollout.output;
  Json now = waitRunning("web");
  ASSERT_FALSE(now.is_null());
  EXPECT_NE(now["metadata"]["name"], replacement) << "the update replaced the pod";
}

// Watches and followed logs hold no thread each, but are capped: beyond 16 the
// answer is 429 with Retry-After, and a closed watch frees its slot.
TEST_F(KubectlTest, OpenStreamsAreCapped) {
  writeManifest("web.json", daemonSet("web", {"sleep"}));
  startAgent();
  ASSERT_FALSE(runningPodName("web").empty());
  auto openWatch = [&] {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<uint16_t>(port_));
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    std::string request = "GET /api/v1/pods?watch=true HTTP/1.1\r\nHost: x\r\n\r\n";
    (void)::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    return fd;
  };
  auto head = [](int fd) {
    std::string reply;
    char buffer[4096];
    while (reply.find("\r\n\r\n") == std::string::npos) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) break;
      ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      reply.append(buffer, static_cast<std::size_t>(n));
    }
    return reply;
  };
  std::vector<int> open;
  for (int i = 0; i < 16; ++i) {
    open.push_back(openWatch());
    EXPECT_EQ(head(open.back()).rfind("HTTP/1.1 200", 0), 0u) << "watch " << i;
  }
  int refused = openWatch();
  std::string reply = head(refused);
  EXPECT_EQ(reply.rfind("HTTP/1.1 429", 0), 0u) << reply;
  EXPECT_NE(reply.find("Retry-After: 1"), std::string::npos) << reply;
  ::close(refused);
  ::close(open.back());
  open.pop_back();
  EXPECT_TRUE(waitUntil([&] {
    int fd = openWatch();
    bool ok = head(fd).rfind("HTTP/1.1 200", 0) == 0;
    if (ok) open.push_back(fd); else ::close(fd);
    return ok;
  })) << "a closed watch frees its slot";
  for (int fd : open) ::close(fd);
}

// kubectl sends no credentials over plain HTTP, so the agent trusts the
// loopback caller's user: root and its own user may, anyone else may not, and
// reads stay open.
TEST_F(KubectlTest, LogsAndDeleteRefuseOtherUsers) {
  if (::geteuid() != 0) GTEST_SKIP() << "running kubectl as another user needs root";
  writeManifest("web.json", daemonSet("web", {"sleep"}));
  startAgent();
  std::string pod = runningPodName("web");
  ASSERT_FALSE(pod.empty());
  fs::permissions(root_, fs::perms::others_exec | fs::perms::others_read, fs::perm_options::add);

  auto read = kubectl({"get", "pods"}, 30s, /*asNobody=*/true);
  EXPECT_NE(read.output.find(pod), std::string::npos) << read.output;
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"logs", pod}, std::vector<std::string>{"delete", "pod", pod, "--wait=false"}}) {
    auto refused = kubectl(args, 30s, /*asNobody=*/true);
    EXPECT_NE(refused.exitCode, 0) << args[0];
    EXPECT_NE(refused.output.find("You must be logged in to the server"), std::string::npos) << refused.output;
  }
  EXPECT_EQ(runningPodName("web"), pod) << "the refused delete left the pod alone";

  // A client with the token may, whoever it is (curl, scripts).
  httplib::Headers token = {{"Authorization", "Bearer " + apiToken()}};
  auto logs = client().Get(("/api/v1/namespaces/default/pods/" + pod + "/log").c_str(), token);
  ASSERT_TRUE(logs);
  EXPECT_EQ(logs->status, 200);
}

}  // namespace
}  // namespace daemonlet::e2e
