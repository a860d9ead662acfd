#pragma once
// The local API's front: one poll thread that owns every client connection.
// It accepts, reads and checks each request head with its own scanner
// (request_head.h) under fixed limits, checks the bearer token before reading
// any body, reads a body only up to its declared and capped length, and hands
// the complete request to the workers (request_dispatcher.h); their response
// comes back as bytes that the front writes, non-blocking. One request per
// connection (`Connection: close`). A handler may answer with a stream instead
// (response_stream.h: watches, followed logs); the front then sends it chunked
// from this same thread, so streams cost no thread each.
//
// What a hostile or broken local client can cost (issue 9, M3/M4/M10):
// - memory: at most maxConnections x (head + body limits), whatever it sends;
// - descriptors: at most maxConnections, by default min(64, soft fd limit / 8),
//   so idle connections cannot starve the agent of fds for daemons and state;
// - time: a request must be complete `requestDeadline` after accept (408);
// - availability: at the cap, a new connection closes the oldest one still
//   sending its request (or lingering after an answer), so slow or idle sockets
//   cannot keep /livez out; complete requests beyond the busy workers and a short
//   queue get 429 at once.
// Threading: start()/stop() from the owner; everything else on the poll thread.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "agent/base/log_throttle.h"
#include "agent/status/api_listener.h"
#include "agent/status/caller_authority.h"
#include "agent/status/peer_address.h"
#include "agent/status/request_head.h"
#include "agent/status/response_stream.h"

namespace daemonlet::status {

class InMemoryServer;
class RequestDispatcher;

struct ApiLimits {
  HeadLimits head;
  // The largest legitimate body is a DeleteOptions object (a few hundred bytes).
  std::size_t maxBodyBytes = 16 * 1024;
  std::chrono::milliseconds requestDeadline{10'000};  // accept -> complete request
  std::chrono::milliseconds writeDeadline{10'000};    // response -> written
  std::chrono::milliseconds lingerTime{2'000};        // drain after answering, so the client sees the answer
  std::size_t maxConnections = 0;                     // 0: connectionCapFor(soft RLIMIT_NOFILE)
  std::size_t workers = 2;
  std::size_t maxQueued = 8;
  // A streaming client that falls this far behind is not pulled for more; one
  // that reads nothing for writeDeadline is dropped.
  std::size_t maxStreamBacklog = 256 * 1024;
};

// min(64, softFdLimit / 8), at least 4: the API's share of the agent's descriptors.
std::size_t connectionCapFor(std::uint64_t softFdLimit);

class ApiFront {
 public:
  ApiFront(ApiListener listener, InMemoryServer& server, CallerAuthority auth, ApiLimits limits);
  ~ApiFront();
  ApiFront(const ApiFront&) = delete;
  ApiFront& operator=(const ApiFront&) = delete;

  // `beforeServing` runs first on the poll thread, before the first accept:
  // setup the owner need not wait for (connections wait in the listen backlog).
  base::Status start(std::function<void()> beforeServing = {});
  void stop();

  int port() const { return listener_.port(); }
  std::size_t maxConnections() const { return limits_.maxConnections; }

 private:
  using Clock = std::chrono::steady_clock;
  enum class Phase { kHead, kBody, kServing, kWriting, kStreaming, kLingering };
  struct Connection {
    int fd = -1;
    Phase phase = Phase::kHead;
    Clock::time_point deadline;
    std::string in;
    RequestHeadScanner scanner;
    std::size_t requestBytes = 0;  // head + body, once the head is in
    std::string out;
    std::size_t written = 0;
    Peer peer;
    Peer local;
    std::unique_ptr<ResponseStream> stream;  // while kStreaming
    Clock::time_point nextPull;
  };
  struct Completed {
    std::uint64_t id = 0;
    std::string response;
    std::unique_ptr<ResponseStream> stream;
  };

  void run();
  void takeResponses();
  void expire(Clock::time_point now);
  void acceptSome(Clock::time_point now);
  bool evictOne();
  void onReadable(std::uint64_t id, Connection& c, Clock::time_point now);
  void onHeadComplete(std::uint64_t id, Connection& c, const RequestHead& head, Clock::time_point now);
  void dispatchIfComplete(std::uint64_t id, Connection& c, Clock::time_point now);
  void answer(Connection& c, std::string response, Clock::time_point now);
  void flush(Connection& c, Clock::time_point now);
  void startStream(Connection& c, std::unique_ptr<ResponseStream> stream, Clock::time_point now);
  void pullStreams(Clock::time_point now);
  void onStreamEvent(std::uint64_t id, Connection& c, short revents, Clock::time_point now);
  bool sendPending(Connection& c, Clock::time_point now);
  void close(std::uint64_t id);
  void completed(Completed done);  // on a worker thread

  ApiListener listener_;
  CallerAuthority auth_;
  ApiLimits limits_;
  std::unique_ptr<RequestDispatcher> dispatcher_;
  int wakeFd_ = -1;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::map<std::uint64_t, Connection> connections_;  // by id = accept order: oldest first
  std::uint64_t nextId_ = 1;
  Clock::time_point acceptPausedUntil_{};
  base::LogThrottle acceptErrorLog_{std::chrono::minutes(1)};  // EMFILE can recur every 100 ms
  std::mutex responsesMutex_;
  std::vector<Completed> responses_;
};

}  // namespace daemonlet::status
