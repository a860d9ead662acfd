// libcurl and libsystemd are opened at first use (issue 3, agent memory): an
// agent that supervises host processes with local manifests and no HTTP probes
// must not map either; the first httpGet probe maps libcurl, and a notify
// socket from systemd maps libsystemd (and READY=1 still arrives). Likewise the
// CRI runtime (daemonlet-cri.so with gRPC and protobuf) is loaded only for a
// CRI pod, so an agent with host pods only maps none of it.
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>

#include "test/integration/agent/agent_fixture.h"

namespace daemonlet::e2e {
namespace {

class LazyLibrariesTest : public AgentE2eTest {
 protected:
  std::string agentMaps() { return readFile("/proc/" + std::to_string(agent_.pid()) + "/maps"); }
  bool agentMaps(const std::string& library) { return agentMaps().find(library) != std::string::npos; }
};

TEST_F(LazyLibrariesTest, IdleAgentMapsNeitherLibcurlNorLibsystemd) {
  ::unsetenv("NOTIFY_SOCKET");  // as when started by hand, not by systemd
  writeManifest("plain.json", daemonSet("plain", {"sleep"}));
  startAgent();
  ASSERT_FALSE(waitRunning("plain").is_null());
  // A few passes and API calls later (the fixture's client is not curl).
  ASSERT_TRUE(waitPasses(3));
  ASSERT_TRUE(agent_.running());
  const std::string maps = agentMaps();
  ASSERT_FALSE(maps.empty()) << "cannot read the agent's /proc/<pid>/maps";
  EXPECT_EQ(maps.find("libcurl"), std::string::npos) << "an idle agent mapped libcurl";
  EXPECT_EQ(maps.find("libsystemd"), std::string::npos) << "an agent outside systemd mapped libsystemd";
  EXPECT_EQ(maps.find("daemonlet-cri"), std::string::npos) << "an agent with host pods only loaded the CRI module";
  EXPECT_EQ(maps.find("libgrpc"), std::string::npos) << "an agent with host pods only mapped gRPC";
  EXPECT_EQ(maps.find("libprotobuf"), std::string::npos) << "an agent with host pods only mapped protobuf";
}

TEST_F(LazyLibrariesTest, FirstHttpGetProbeLoadsLibcurl) {
  int port = freeLoopbackPort();
  ASSERT_GT(port, 0);
  Json ds = daemonSet("web", {"serve-health", std::to_string(port)});
  mainContainer(ds)["readinessProbe"] = {{"httpGet", {{"path", "/healthz"}, {"port", port}, {"host", "127.0.0.1"}}},
                                         {"periodSeconds", 1}};
  writeManifest("web.json", ds);
  startAgent();
  ASSERT_FALSE(waitRunning("web").is_null());
  EXPECT_TRUE(waitUntil([&] {
    auto p = onlyPod("web");
    return p && podReady(*p);
  })) << "the httpGet readiness probe never passed";
  EXPECT_TRUE(agentMaps("libcurl.so.4")) << "the probe passed without libcurl mapped?";
}

TEST_F(LazyLibrariesTest, NotifySocketLoadsLibsystemdAndReadyArrives) {
  const fs::path socketPath = root_ / "notify.sock";
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  ASSERT_LT(socketPath.string().size(), sizeof address.sun_path);
  std::strcpy(address.sun_path, socketPath.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);

  ::setenv("NOTIFY_SOCKET", socketPath.c_str(), 1);  // inherited by the agent
  startAgent();
  ::unsetenv("NOTIFY_SOCKET");

  std::string received;
  auto deadline = Clock::now() + 10s;
  while (received.find("READY=1") == std::string::npos && Clock::now() < deadline) {
    pollfd waiting{fd, POLLIN, 0};
    if (::poll(&waiting, 1, 200) <= 0) continue;
    char buffer[4096];
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n > 0) received.append(buffer, static_cast<std::size_t>(n)).push_back('\n');
  }
  ::close(fd);
  EXPECT_NE(received.find("READY=1"), std::string::npos) << "got: " << received;
  EXPECT_TRUE(agentMaps("libsystemd.so.0")) << "READY=1 without libsystemd mapped?";
  EXPECT_FALSE(agentMaps("libcurl")) << "notifying systemd must not load libcurl";
}

}  // namespace
}  // namespace daemonlet::e2e
