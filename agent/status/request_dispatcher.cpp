#include "agent/status/request_dispatcher.h"

namespace daemonlet::status {

RequestDispatcher::RequestDispatcher(InMemoryServer& server, std::size_t workers, std::size_t maxQueued)
    : server_(server), workerCount_(workers == 0 ? 1 : workers), maxQueued_(maxQueued) {}

RequestDispatcher::~RequestDispatcher() { stop(); }

void RequestDispatcher::start(Done done) {
  done_ = std::move(done);
  for (std::size_t i = 0; i < workerCount_; ++i) workers_.emplace_back([this] { work(); });
}

bool RequestDispatcher::submit(std::uint64_t connection, std::string request, Peer peer, Peer local) {
  {
    std::lock_guard lock(mutex_);
    // Jobs an idle worker is about to take do not count against the queue.
    std::size_t waiting = queue_.size() >= idle_ ? queue_.size() - idle_ : 0;
    if (stopping_ || waiting >= maxQueued_) return false;
    queue_.push_back(Job{connection, std::move(request), std::move(peer), std::move(local)});
  }
  wake_.notify_one();
  return true;
}

void RequestDispatcher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  wake_.notify_all();
  for (auto& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
  workers_.clear();
}

void RequestDispatcher::work() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      ++idle_;
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      --idle_;
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    (void)takeOfferedResponseStream();  // nothing left over from an earlier request
    std::string response = server_.serve(job.request, job.peer, job.local);
    done_(job.connection, std::move(response), takeOfferedResponseStream());
  }
}

}  // namespace daemonlet::status
