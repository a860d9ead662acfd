#pragma once
// TimerQueue and Timer: the agent's only timers. Every part that waits for a
// moment (a resend, a retry, a poll, a deferred flush) arms a Timer on the one
// queue of its io_context instead of keeping a thread that sleeps on a
// condition variable, so the agent idles on few threads and a test can drive
// every deadline with a ManualClock.
//
// Threading: a queue and its timers are used on the io_context thread only
// (arm, cancel, destroy, runDue); callbacks run there too, never inline inside
// armAt. Code on other threads posts to the io_context first. That single
// thread is what lets cancel() promise the callback will not run.
// Ownership: the queue outlives every Timer armed on it.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <utility>

#include "agent/base/clock.h"

namespace daemonlet::loop {

class Timer;

// One per io_context: every timer of the agent runs through it, timed by one base::Clock.
class TimerQueue {
 public:
  TimerQueue(boost::asio::io_context& io, const base::Clock& clock);
  ~TimerQueue();
  TimerQueue(const TimerQueue&) = delete;
  TimerQueue& operator=(const TimerQueue&) = delete;

  const base::Clock& clock() const { return clock_; }
  boost::asio::io_context& io() const { return io_; }

  // With a ManualClock, nothing fires by itself: a test advances the clock and calls runDue()
  // on the loop thread, which runs every callback due at clock().now(), earliest first.
  // Callbacks armed by a callback during this call wait for the next runDue, so a
  // callback that re-arms itself "now" cannot spin forever.
  // With the SystemClock, one asio steady_timer is armed for the earliest deadline.
  void runDue();
  std::optional<base::TimePoint> nextDeadline() const;
  std::size_t pendingCount() const { return pending_.size(); }

 private:
  friend class Timer;
  using Key = std::pair<base::TimePoint, std::uint64_t>;  // deadline, then arming order

  Key insert(base::TimePoint at, Timer* timer);
  void erase(const Key& key);
  void armSystemTimer();

  boost::asio::io_context& io_;
  const base::Clock& clock_;
  // A ManualClock does not move by itself, so an asio timer cannot measure it.
  const bool manual_;
  std::map<Key, Timer*> pending_;
  std::uint64_t nextSequence_ = 0;
  boost::asio::steady_timer systemTimer_;
  std::optional<base::TimePoint> systemTimerAt_;
  // Handlers already queued in the io_context when the queue dies see this expire.
  std::shared_ptr<TimerQueue*> alive_;
};

// One pending deadline. Re-arming replaces it; cancel() or destruction guarantees the callback will not run.
class Timer {
 public:
  explicit Timer(TimerQueue& queue);
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  void armAt(base::TimePoint at, std::function<void()> callback);
  void armAfter(std::chrono::nanoseconds delay, std::function<void()> callback);
  void cancel();
  bool armed() const { return key_.has_value(); }
  std::optional<base::TimePoint> deadline() const;

 private:
  friend class TimerQueue;
  TimerQueue& queue_;
  std::optional<TimerQueue::Key> key_;
  std::function<void()> callback_;
};

}  // namespace daemonlet::loop
