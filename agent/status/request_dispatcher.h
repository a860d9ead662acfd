#pragma once
// The local API's workers: a few threads that run complete, already-checked
// requests through httplib's routing (InMemoryServer) and hand the response
// bytes back. The queue in front of them is bounded: when it is full, submit()
// says no and the front answers 429 itself, so a burst can neither grow memory
// nor delay /livez behind an unbounded line. Workers never touch a socket, so a
// client that stops reading cannot hold one.
// Threading: submit() and stop() from the front's thread; `Done` runs on a worker.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agent/status/in_memory_server.h"
#include "agent/status/response_stream.h"

namespace daemonlet::status {

class RequestDispatcher {
 public:
  // `stream` is set when the handler offered one (response_stream.h): then
  // `response` is unused and the front streams instead.
  using Done = std::function<void(std::uint64_t connection, std::string response, std::unique_ptr<ResponseStream> stream)>;

  RequestDispatcher(InMemoryServer& server, std::size_t workers, std::size_t maxQueued);
  ~RequestDispatcher();
  RequestDispatcher(const RequestDispatcher&) = delete;
  RequestDispatcher& operator=(const RequestDispatcher&) = delete;

  void start(Done done);
  // False when every worker is busy and the queue is full (answer 429).
  bool submit(std::uint64_t connection, std::string request, Peer peer, Peer local);
  // Finishes the requests being served, drops the queued ones, joins the workers.
  void stop();

 private:
  struct Job {
    std::uint64_t connection = 0;
    std::string request;
    Peer peer;
    Peer local;
  };
  void work();

  InMemoryServer& server_;
  std::size_t workerCount_;
  std::size_t maxQueued_;
  Done done_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;
  std::size_t idle_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace daemonlet::status
