// The local API under abuse (issue 9, M3/M4/M10 and the auth items): slow and
// idle clients, huge bodies and header lists, tokens, a taken port. Raw sockets,
// because a well-behaved HTTP client cannot misbehave on purpose.
#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "test/integration/agent/agent_fixture.h"
#include "test/integration/support/run_command.h"

namespace daemonlet::e2e {
namespace {

// A raw TCP connection to the agent's port, or -1 when it is not established
// within `timeout` (a full listen backlog makes a blocking connect hang).
int connectTo(int port, std::chrono::milliseconds timeout = 2s) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  if (rc != 0 && errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    int error = 0;
    socklen_t length = sizeof error;
    if (::poll(&p, 1, static_cast<int>(timeout.count())) == 1 &&
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0) {
      rc = 0;
    }
  }
  if (rc != 0) {
    ::close(fd);
    return -1;
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  return fd;
}

// Sends what it can (the server may answer and close before taking it all).
void sendAll(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<std::size_t>(n);
  }
}

// Reads until the peer closes or `timeout` passes; returns what arrived.
std::string readReply(int fd, std::chrono::milliseconds timeout) {
  std::string reply;
  auto deadline = Clock::now() + timeout;
  char buffer[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) break;
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    reply.append(buffer, static_cast<std::size_t>(n));
  }
  return reply;
}

// "HTTP/1.1 413 Payload Too Large" -> 413; 0 when nothing (or garbage) came back.
// The reply to `request` from a child process running as nobody: the agent
// trusts root and its own user by their loopback socket (agent/status/
// caller_authority.h), so a caller without the token is another user.
std::string replyAsNobody(int port, const std::string& request) {
  int pipeFds[2];
  if (::pipe(pipeFds) != 0) return "";
  pid_t child = ::fork();
  if (child == 0) {
    ::close(pipeFds[0]);
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(126);
    int fd = connectTo(port);
    sendAll(fd, request);
    std::string reply = readReply(fd, 3s);
    (void)!::write(pipeFds[1], reply.data(), reply.size());
    ::_exit(0);
  }
  ::close(pipeFds[1]);
  std::string reply;
  char buffer[4096];
  for (ssize_t n; (n = ::read(pipeFds[0], buffer, sizeof buffer)) > 0;) reply.append(buffer, static_cast<std::size_t>(n));
  ::close(pipeFds[0]);
  ::waitpid(child, nullptr, 0);
  return reply;
}

int statusOf(const std::string& reply) {
  if (reply.rfind("HTTP/1.", 0) != 0 || reply.size() < 12) return 0;
  return std::atoi(reply.c_str() + 9);
}

long statusField(int pid, const std::string& field) {
  std::istringstream in(readFile("/proc/" + std::to_string(pid) + "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::atol(line.c_str() + field.size() + 1);
  }
  return -1;
}

std::size_t openFds(int pid) {
  std::error_code ec;
  std::size_t count = 0;
  for (auto it = fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec);
       !ec && it != fs::directory_iterator(); it.increment(ec)) {
    ++count;
  }
  return count;
}

class ApiAbuseTest : public AgentE2eTest {
 protected:
  // One GET /livez on a fresh connection: seconds until the 200 (or -1).
  double livezSeconds() const {
    auto start = Clock::now();
    int fd = connectTo(port_);
    if (fd < 0) return -1;
    sendAll(fd, "GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    std::string reply = readReply(fd, 5s);
    ::close(fd);
    return statusOf(reply) == 200 ? secondsSince(start) : -1;
  }

  double medianLivezSeconds(int samples) const {
    std::vector<double> times;
    for (int i = 0; i < samples; ++i) {
      double t = livezSeconds();
      if (t < 0) return -1;
      times.push_back(t);
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
  }
};

// M4: 200 slowloris sockets, each trickling one header byte at a time, must not
// take /livez away (it was unavailable for as long as two of them lasted).
TEST_F(ApiAbuseTest, LivezAnswersUnder200SlowSockets) {
  startAgent();
  std::vector<int> slow;
  for (int i = 0; i < 200; ++i) {
    int fd = connectTo(port_);
    ASSERT_GE(fd, 0);
    sendAll(fd, "GET /livez HTTP/1.1\r\nHost: x\r\n");
    slow.push_back(fd);
  }
  std::atomic<bool> done{false};
  std::thread trickle([&] {
    while (!done) {
      for (int fd : slow) sendAll(fd, "X");
      std::this_thread::sleep_for(200ms);
    }
  });
  auto start = Clock::now();
  double median = medianLivezSeconds(15);
  double total = secondsSince(start);
  done = true;
  trickle.join();
  for (int fd : slow) ::close(fd);
  std::cerr << "median /livez under 200 slow sockets: " << median * 1000 << " ms (15 samples in " << total
            << " s)\n";
  ASSERT_GE(median, 0) << "/livez did not answer within 5 s under 200 slow sockets";
  EXPECT_LT(median, 0.5);
}

// M10: with a low fd limit, idle connections held by a local user must not use
// up the agent's descriptors: /livez answers and a new daemon still starts.
TEST_F(ApiAbuseTest, IdleConnectionsDoNotExhaustALowFdLimit) {
  // Soft and hard limit 128 (prlimit), so the agent cannot raise its way out.
  agent_.binary = "/usr/bin/prlimit";
  auto args = agentArgs();
  args.insert(args.begin(), {"--nofile=128:128", kDaemonlet});
  std::error_code ec;
  fs::remove(root_ / "run" / "listen-address", ec);
  agent_.start(args, root_ / "agent.log", marker_);
  ASSERT_TRUE(waitUntil([&] { return fs::exists(root_ / "run" / "listen-address") || !agent_.running(); }));
  ASSERT_TRUE(agent_.running());
  std::string address = readFile(root_ / "run" / "listen-address");
  port_ = std::atoi(address.c_str() + address.rfind(':') + 1);
  ASSERT_TRUE(waitUntil([&] { return livezSeconds() >= 0; }));

  std::vector<int> idle;
  for (int i = 0; i < 300; ++i) {
    int fd = connectTo(port_, 100ms);
    if (fd >= 0) idle.push_back(fd);
  }
  // The agent has taken (accepted or refused) all of them.
  std::this_thread::sleep_for(300ms);
  std::size_t fds = openFds(agent_.pid());
  double median = medianLivezSeconds(9);
  writeManifest("a.json", daemonSet("a", {"sleep"}));
  Json pod = waitRunning("a", 15s);
  for (int fd : idle) ::close(fd);
  std::cerr << "agent fds with 300 idle connections: " << fds << "; median /livez " << median * 1000 << " ms\n";
  EXPECT_LT(fds, 100u) << "idle API connections hold most of the agent's 128 descriptors";
  EXPECT_GE(median, 0) << "/livez silent while idle connections are held";
  EXPECT_FALSE(pod.is_null()) << "a daemon could not start while idle connections are held";
}

// M3: a body is refused by its declared size before any of it is read.
TEST_F(ApiAbuseTest, GibibyteBodyIs413WithoutMemoryGrowth) {
  startAgent();
  long before = statusField(agent_.pid(), "VmHWM");
  int fd = connectTo(port_);
  ASSERT_GE(fd, 0);
  sendAll(fd, "DELETE /api/v1/namespaces/default/pods/x HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                  apiToken() + "\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n");
  // Push 32 MiB of the body (or until the agent closes) before looking for the answer.
  std::string chunk(1 << 20, 'x');
  std::atomic<bool> stop{false};
  std::thread pusher([&] {
    for (int i = 0; i < 32 && !stop; ++i) {
      ssize_t n = ::send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && errno != EAGAIN) return;
      if (n < 0) std::this_thread::sleep_for(5ms);
    }
  });
  std::string reply = readReply(fd, 5s);
  stop = true;
  pusher.join();
  ::close(fd);
  long after = statusField(agent_.pid(), "VmHWM");
  std::cerr << "VmHWM before " << before << " kB, after " << after << " kB\n";
  EXPECT_EQ(statusOf(reply), 413) << reply.substr(0, 200);
  EXPECT_LT(after - before, 8 * 1024) << "the agent's peak memory grew by more than 8 MiB";
  EXPECT_GE(livezSeconds(), 0);
}

// M3: a header list is capped (100,000 headers were accepted).
TEST_F(ApiAbuseTest, HundredThousandHeadersAre431) {
  startAgent();
  int fd = connectTo(port_);
  ASSERT_GE(fd, 0);
  std::string request = "GET /livez HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 100000; ++i) request += "X-H" + std::to_string(i) + ": v\r\n";
  request += "\r\n";
  std::thread sender([&] { sendAll(fd, request); });
  std::string reply = readReply(fd, 5s);
  ::shutdown(fd, SHUT_RDWR);
  sender.join();
  ::close(fd);
  EXPECT_EQ(statusOf(reply), 431) << reply.substr(0, 200);
}

// The token is checked before the body is read: a client announcing a body
// without a token is answered 401 at once, not after the body (or a timeout).
TEST_F(ApiAbuseTest, BodyWithoutTokenIs401BeforeTheBody) {
  if (::geteuid() != 0) GTEST_SKIP() << "an untrusted caller is another user: needs root to become one";
  startAgent();
  auto start = Clock::now();
  std::string reply = replyAsNobody(
      port_, "DELETE /api/v1/namespaces/default/pods/x HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n");
  double seconds = secondsSince(start);
  EXPECT_EQ(statusOf(reply), 401) << reply.substr(0, 200);
  EXPECT_LT(seconds, 2.0);
}

// RFC 7235: the auth scheme is case-insensitive.
TEST_F(ApiAbuseTest, LowerCaseBearerIsAccepted) {
  startAgent();
  httplib::Headers headers{{"Authorization", "bearer " + apiToken()}};
  auto res = client().Delete("/api/v1/namespaces/default/pods/nope", headers);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404) << "a lower-case bearer scheme was refused";
  if (::geteuid() != 0) GTEST_SKIP() << "an untrusted caller is another user: needs root to become one";
  std::string refused = replyAsNobody(port_, "DELETE /api/v1/namespaces/default/pods/nope HTTP/1.1\r\nHost: x\r\n"
                                             "Authorization: bearer " + apiToken() + "x\r\n\r\n");
  EXPECT_EQ(statusOf(refused), 401) << refused.substr(0, 200);
}

// A second agent on a taken port fails at once and says which port (it shared
// the port through SO_REUSEPORT before).
TEST_F(ApiAbuseTest, SecondAgentOnTakenPortExits1NamingThePort) {
  int port = freeLoopbackPort();
  ASSERT_GT(port, 0);
  auto args = agentArgs();
  std::replace(args.begin(), args.end(), std::string("127.0.0.1:0"), "127.0.0.1:" + std::to_string(port));
  agent_.start(args, root_ / "agent.log", marker_);
  port_ = port;
  ASSERT_TRUE(waitUntil([&] { return livezSeconds() >= 0 || !agent_.running(); }));
  ASSERT_TRUE(agent_.running());

  std::vector<std::string> argv = {kDaemonlet};
  for (auto arg : args) {
    for (const char* dir : {"/state", "/run", "/logs"}) {
      if (arg == (root_.string() + dir)) arg += "2";
    }
    argv.push_back(arg);
  }
  auto result = testing::runCommand(argv, {}, 10s);
  EXPECT_FALSE(result.timedOut) << "a second agent is serving the same port";
  EXPECT_EQ(result.exitCode, 1) << result.err;
  EXPECT_NE(result.err.find(std::to_string(port)), std::string::npos) << result.err;
  EXPECT_LT(result.elapsed, 3s) << "the taken port was noticed late";
  EXPECT_TRUE(agent_.running()) << "the first agent stopped";
  EXPECT_GE(livezSeconds(), 0) << "the first agent stopped answering on its port";
}

}  // namespace
}  // namespace daemonlet::e2e
