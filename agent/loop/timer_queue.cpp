#include "agent/loop/timer_queue.h"

namespace daemonlet::loop {

TimerQueue::TimerQueue(boost::asio::io_context& io, const base::Clock& clock)
    : io_(io),
      clock_(clock),
      manual_(dynamic_cast<const base::ManualClock*>(&clock) != nullptr),
      systemTimer_(io),
      alive_(std::make_shared<TimerQueue*>(this)) {}

TimerQueue::~TimerQueue() {
  for (auto& [key, timer] : pending_) timer->key_.reset();
  alive_.reset();
}

std::optional<base::TimePoint> TimerQueue::nextDeadline() const {
  if (pending_.empty()) return std::nullopt;
  return pending_.begin()->first.first;
}

TimerQueue::Key TimerQueue::insert(base::TimePoint at, Timer* timer) {
  const Key key{at, nextSequence_++};
  pending_.emplace(key, timer);
  armSystemTimer();
  return key;
}

void TimerQueue::erase(const Key& key) {
  pending_.erase(key);
  // The system timer may now be early; it then finds nothing due and re-arms,
  // which is cheaper than cancelling it on every cancel().
}

void TimerQueue::runDue() {
  const base::TimePoint now = clock_.now();
  const std::uint64_t armedBefore = nextSequence_;
  // Take one entry at a time: a callback may cancel, re-arm or destroy any timer.
  for (auto it = pending_.begin(); it != pending_.end() && it->first.first <= now;) {
    if (it->first.second >= armedBefore) {
      ++it;
      continue;
    }
    Timer* timer = it->second;
    pending_.erase(it);
    timer->key_.reset();
    std::function<void()> callback = std::move(timer->callback_);
    timer->callback_ = nullptr;
    callback();
    it = pending_.begin();
  }
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
  cancel();
  callback_ = std::move(callback);
  key_ = queue_.insert(at, this);
}

void Timer::armAfter(std::chrono::nanoseconds delay, std::function<void()> callback) {
  armAt(queue_.clock().now() + std::chrono::duration_cast<base::TimePoint::duration>(delay), std::move(callback));
}

void Timer::cancel() {
  if (key_) queue_.erase(*key_);
  key_.reset();
  callback_ = nullptr;
}

std::optional<base::TimePoint> Timer::deadline() const {
  if (!key_) return std::nullopt;
  return key_->first;
}

}  // namespace daemonlet::loop
