#pragma once
// BlockingPool: the agent's one place for blocking work that must not run on
// the loop (an HTTP PUT, a poll, a LIST, a syncfs). Jobs run in order of
// posting on up to `maxThreads` threads. Threads start when work arrives and end
// after `idleExit` without work, so an idle agent keeps none of them (nor their
// stacks) and has no wake-ups from them. A job hands its result back to the
// loop itself (boost::asio::post to the io_context).
//
// Threading: post() from any thread. The destructor waits for the jobs already
// posted to finish (callers cancel their long requests first) and joins.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <list>
#include <mutex>
#include <thread>

namespace daemonlet::loop {

class BlockingPool {
 public:
  explicit BlockingPool(std::size_t maxThreads = 2,
                        std::chrono::milliseconds idleExit = std::chrono::seconds(1));
  ~BlockingPool();
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  void post(std::function<void()> job);

  std::size_t threadCount() const;  // threads alive now (tests)

 private:
  struct Worker {
    std::thread thread;
    bool finished = false;
  };
  void run(Worker& self);
  void reapFinished();  // under mutex_

  const std::size_t maxThreads_;
  const std::chrono::milliseconds idleExit_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  std::list<Worker> workers_;  // list: a running worker's address stays valid
  std::size_t idle_ = 0;       // workers waiting for a job
  bool stopping_ = false;
};

}  // namespace daemonlet::loop
