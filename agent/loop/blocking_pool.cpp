#include "agent/loop/blocking_pool.h"

#include <algorithm>

namespace daemonlet::loop {

BlockingPool::BlockingPool(std::size_t maxThreads, std::chrono::milliseconds idleExit)
    : maxThreads_(std::max<std::size_t>(1, maxThreads)), idleExit_(idleExit) {}

BlockingPool::~BlockingPool() {
  std::list<Worker> workers;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  // Workers finish the queue before they see stopping_ with nothing left.
  std::unique_lock lock(mutex_);
  workers.swap(workers_);
  lock.unlock();
  for (Worker& worker : workers) {
    if (worker.thread.joinable()) worker.thread.join();
  }
}

void BlockingPool::post(std::function<void()> job) {
  std::lock_guard lock(mutex_);
  jobs_.push_back(std::move(job));
  reapFinished();
  const std::size_t live = workers_.size();
  if (idle_ < jobs_.size() && live < maxThreads_) {
    Worker& worker = workers_.emplace_back();
    worker.thread = std::thread([this, &worker] { run(worker); });
  }
  wake_.notify_one();
}

std::size_t BlockingPool::threadCount() const {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(
      std::count_if(workers_.begin(), workers_.end(), [](const Worker& w) { return !w.finished; }));
}

void BlockingPool::reapFinished() {
  for (auto it = workers_.begin(); it != workers_.end();) {
    if (it->finished) {
      it->thread.join();  // it has left run(): returns at once
      it = workers_.erase(it);
    } else {
      ++it;
    }
  }
}

void BlockingPool::run(Worker& self) {
  std::unique_lock lock(mutex_);
  while (true) {
    if (!jobs_.empty()) {
      std::function<void()> job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      job();
      job = nullptr;  // captured state dies off the lock
      lock.lock();
      continue;
    }
    if (stopping_) break;
    ++idle_;
    const bool woken = wake_.wait_for(lock, idleExit_, [this] { return stopping_ || !jobs_.empty(); });
    --idle_;
    if (!woken) break;  // idle for idleExit_: end, a later post starts a new thread
  }
  self.finished = true;
}

}  // namespace daemonlet::loop
