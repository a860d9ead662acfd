#include "agent/loop/timer_queue.h"

#include <boost/asio/post.hpp>

namespace daemonlet::loop {

TimerQueue::TimerQueue(boost::asio::io_context& io, const base::Clock& clock)
    : io_(io),
      clock_(clock),
      manual_(dynamic_cast<const base::ManualClock*>(&clock) != nullptr),
      systemTimer_(io),
      alive_(std::make_shared<TimerQueue*>(this)) {}

TimerQueue::~TimerQueue() {
  std::lock_guard lock(mutex_);
  for (auto& [key, timer] : pending_) {
    timer->key_.reset();
    timer->callback_ = nullptr;
  }
  pending_.clear();
  alive_.reset();
}

std::optional<base::TimePoint> TimerQueue::nextDeadline() const {
  std::lock_guard lock(mutex_);
  if (pending_.empty()) return std::nullopt;
  return pending_.begin()->first.first;
}

std::size_t TimerQueue::pendingCount() const {
  std::lock_guard lock(mutex_);
  return pending_.size();
}

void TimerQueue::arm(Timer& timer, base::TimePoint at, std::function<void()> callback) {
  bool earliest = false;
  {
    std::lock_guard lock(mutex_);
    eraseLocked(timer);
    const Key key{at, nextSequence_++};
    pending_.emplace(key, &timer);
    timer.key_ = key;
    timer.callback_ = std::move(callback);
    earliest = pending_.begin()->first == key;
  }
  if (manual_ || !earliest) return;
  // The asio timer belongs to the loop thread; a post also keeps the callback
  // from ever running inline here.
  std::weak_ptr<TimerQueue*> alive = alive_;
  boost::asio::post(io_, [alive] {
    if (const std::shared_ptr<TimerQueue*> queue = alive.lock()) (*queue)->armSystemTimer();
  });
}

void TimerQueue::eraseLocked(Timer& timer) {
  if (timer.key_) pending_.erase(*timer.key_);
  timer.key_.reset();
  timer.callback_ = nullptr;
  // The system timer may now be early; it then finds nothing due and re-arms,
  // which is cheaper than re-arming it on every cancel().
}

void TimerQueue::cancel(Timer& timer) {
  std::unique_lock lock(mutex_);
  eraseLocked(timer);
  if (runningThread_ != std::this_thread::get_id()) {
    callbackEnded_.wait(lock, [&] { return running_ != &timer; });
  }
}

void TimerQueue::runDue() {
  const base::TimePoint now = clock_.now();
  std::unique_lock lock(mutex_);
  const std::uint64_t armedBefore = nextSequence_;
  // Take one entry at a time: a callback may cancel, re-arm or destroy any timer.
  while (true) {
    auto it = pending_.begin();
    while (it != pending_.end() && it->first.first <= now && it->first.second >= armedBefore) ++it;
    if (it == pending_.end() || it->first.first > now) break;
    Timer* timer = it->second;
    pending_.erase(it);
    timer->key_.reset();
    std::function<void()> callback = std::move(timer->callback_);
    timer->callback_ = nullptr;
    running_ = timer;
    runningThread_ = std::this_thread::get_id();
    lock.unlock();
    callback();
    callback = nullptr;  // captured state dies before the timer counts as idle
    lock.lock();
    running_ = nullptr;
    runningThread_ = {};
    callbackEnded_.notify_all();
  }
  lock.unlock();
  armSystemTimer();
}

void TimerQueue::armSystemTimer() {
  if (manual_) return;
  const std::optional<base::TimePoint> next = nextDeadline();
  if (!next || (systemTimerAt_ && *systemTimerAt_ <= *next)) return;
  systemTimerAt_ = *next;
  systemTimer_.expires_at(*next);  // cancels an outstanding wait (operation_aborted)
  std::weak_ptr<TimerQueue*> alive = alive_;
  systemTimer_.async_wait([alive](const boost::system::error_code& error) {
    if (error) return;  // replaced by an earlier deadline, or the queue is going away
    const std::shared_ptr<TimerQueue*> queue = alive.lock();
    if (!queue) return;
    (*queue)->systemTimerAt_.reset();
    (*queue)->runDue();
  });
}

Timer::Timer(TimerQueue& queue) : queue_(queue) {}

Timer::~Timer() { cancel(); }

void Timer::armAt(base::TimePoint at, std::function<void()> callback) {
  queue_.arm(*this, at, std::move(callback));
}

void Timer::armAfter(std::chrono::nanoseconds delay, std::function<void()> callback) {
  armAt(queue_.clock().now() + std::chrono::duration_cast<base::TimePoint::duration>(delay),
        std::move(callback));
}

void Timer::cancel() { queue_.cancel(*this); }

bool Timer::armed() const {
  std::lock_guard lock(queue_.mutex_);
  return key_.has_value();
}

std::optional<base::TimePoint> Timer::deadline() const {
  std::lock_guard lock(queue_.mutex_);
  if (!key_) return std::nullopt;
  return key_->first;
}

}  // namespace daemonlet::loop
