// The API front on a real loopback socket, with limits made small and short so
// each rule shows in milliseconds: deadlines (408), Content-Length (411), the
// worker queue (429), the connection cap (the oldest pending one goes), 100-continue.
#include "agent/status/api_front.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>

#include <gtest/gtest.h>

#include "agent/status/in_memory_server.h"

namespace daemonlet::status {
namespace {

using namespace std::chrono_literals;

int connectTo(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

void sendText(int fd, const std::string& text) { (void)::send(fd, text.data(), text.size(), MSG_NOSIGNAL); }

// Until the peer closes, `timeout` passes or `stopAfter` has arrived.
std::string readReply(int fd, std::chrono::milliseconds timeout, const std::string& stopAfter = {}) {
  std::string reply;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buffer[4096];
  while (stopAfter.empty() || reply.find(stopAfter) == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    reply.append(buffer, static_cast<std::size_t>(n));
  }
  return reply;
}

int statusOf(const std::string& reply) { return reply.rfind("HTTP/1.", 0) == 0 ? std::atoi(reply.c_str() + 9) : 0; }

class ApiFrontTest : public ::testing::Test {
 protected:
  void start(ApiLimits limits) {
    server_.Get("/livez", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok\n", "text/plain"); });
    server_.Get("/block", [this](const httplib::Request&, httplib::Response& res) {
      entered_ = true;
      release_.wait();
      res.set_content("done\n", "text/plain");
    });
    server_.Delete("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content("got " + req.body, "text/plain");
    });
    auto listener = ApiListener::bind("127.0.0.1", 0);
    ASSERT_TRUE(listener) << listener.error().describe();
    front_ = std::make_unique<ApiFront>(std::move(listener).value(), server_, BearerAuth("tok"), limits);
    ASSERT_TRUE(front_->start());
  }
  void TearDown() override {
    releaser_.set_value();
    if (front_) front_->stop();
  }

  int get(const std::string& path) {
    int fd = connectTo(front_->port());
    sendText(fd, "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
    int status = statusOf(readReply(fd, 3s));
    ::close(fd);
    return status;
  }

  InMemoryServer server_;
  std::promise<void> releaser_;
  std::shared_future<void> release_ = releaser_.get_future().share();
  std::atomic<bool> entered_{false};
  std::unique_ptr<ApiFront> front_;
};

TEST(ConnectionCapTest, ShareOfTheFdLimit) {
  EXPECT_EQ(connectionCapFor(1048576), 64u);
  EXPECT_EQ(connectionCapFor(1024), 64u);
  EXPECT_EQ(connectionCapFor(128), 16u);
  EXPECT_EQ(connectionCapFor(16), 4u);
}

TEST_F(ApiFrontTest, SilentOrSlowClientGets408AtTheDeadline) {
  ApiLimits limits;
  limits.requestDeadline = 300ms;
  start(limits);
  int silent = connectTo(front_->port());
  int slow = connectTo(front_->port());
  sendText(slow, "GET /livez HTTP/1.1\r\n");
  auto begin = std::chrono::steady_clock::now();
  EXPECT_EQ(statusOf(readReply(silent, 3s)), 408);
  EXPECT_EQ(statusOf(readReply(slow, 3s)), 408);
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 2s);
  ::close(silent);
  ::close(slow);
}

TEST_F(ApiFrontTest, ChunkedBodyIs411) {
  start({});
  int fd = connectTo(front_->port());
  sendText(fd, "DELETE /echo HTTP/1.1\r\nAuthorization: Bearer tok\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
  EXPECT_EQ(statusOf(readReply(fd, 3s)), 411);
  ::close(fd);
}

TEST_F(ApiFrontTest, BodyOverTheCapIs413AndTokenComesFirst) {
  start({});
  int fd = connectTo(front_->port());
  sendText(fd, "DELETE /echo HTTP/1.1\r\nAuthorization: Bearer tok\r\nContent-Length: 16385\r\n\r\n");
  EXPECT_EQ(statusOf(readReply(fd, 3s)), 413);
  ::close(fd);
  fd = connectTo(front_->port());
  sendText(fd, "DELETE /echo HTTP/1.1\r\nContent-Length: 16385\r\n\r\n");
  EXPECT_EQ(statusOf(readReply(fd, 3s)), 401);
  ::close(fd);
}

TEST_F(ApiFrontTest, ExpectContinueThenBody) {
  start({});
  int fd = connectTo(front_->port());
  sendText(fd, "DELETE /echo HTTP/1.1\r\nAuthorization: bearer tok\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
  EXPECT_EQ(statusOf(readReply(fd, 3s, "\r\n\r\n")), 100);
  sendText(fd, "hello");
  std::string reply = readReply(fd, 3s);
  EXPECT_NE(reply.find("HTTP/1.1 200"), std::string::npos) << reply;
  EXPECT_NE(reply.find("got hello"), std::string::npos) << reply;
  EXPECT_NE(reply.find("Connection: close"), std::string::npos) << reply;
  ::close(fd);
}

TEST_F(ApiFrontTest, FullQueueIs429AndLivezStillAnswersAfterwards) {
  ApiLimits limits;
  limits.workers = 1;
  limits.maxQueued = 1;
  start(limits);
  int first = connectTo(front_->port());
  sendText(first, "GET /block HTTP/1.1\r\n\r\n");
  ASSERT_TRUE([&] {
    for (int i = 0; i < 200 && !entered_; ++i) std::this_thread::sleep_for(10ms);
    return entered_.load();
  }()) << "the worker never took the first request";
  int second = connectTo(front_->port());
  sendText(second, "GET /block HTTP/1.1\r\n\r\n");
  int third = connectTo(front_->port());
  sendText(third, "GET /block HTTP/1.1\r\n\r\n");
  // One of the two waits in the queue, the other is refused at once.
  pollfd p[2] = {{second, POLLIN, 0}, {third, POLLIN, 0}};
  ASSERT_EQ(::poll(p, 2, 3000), 1);
  int refused = (p[0].revents & POLLIN) ? second : third;
  int queued = refused == second ? third : second;
  EXPECT_EQ(statusOf(readReply(refused, 3s)), 429);
  releaser_.set_value();
  releaser_ = std::promise<void>();  // TearDown's set_value goes to a fresh promise
  EXPECT_EQ(statusOf(readReply(first, 3s)), 200);
  EXPECT_EQ(statusOf(readReply(queued, 3s)), 200);
  EXPECT_EQ(get("/livez"), 200);
  for (int fd : {first, second, third}) ::close(fd);
}

TEST_F(ApiFrontTest, AtTheCapTheOldestPendingConnectionMakesRoom) {
  ApiLimits limits;
  limits.maxConnections = 4;
  start(limits);
  std::vector<int> idle;
  for (int i = 0; i < 4; ++i) idle.push_back(connectTo(front_->port()));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(get("/livez"), 200) << i;
  // The oldest idle connections were closed to make room.
  pollfd p{idle[0], POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 2000), 1);
  char byte;
  EXPECT_EQ(::recv(idle[0], &byte, 1, 0), 0);
  for (int fd : idle) ::close(fd);
}

}  // namespace
}  // namespace daemonlet::status
