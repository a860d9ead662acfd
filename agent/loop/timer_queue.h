#pragma once
// TimerQueue and Timer: the agent's only timers. Every part that waits for a
// moment (a resend, a retry, a poll, a deferred flush) arms a Timer on the one
// queue of its io_context instead of keeping a thread that sleeps on a
// condition variable, so the agent idles on few threads and a test can drive
// every deadline with a ManualClock.
//
// Threading: callbacks run on the io_context thread (the thread that calls
// runDue), one at a time, never inline inside armAt. A Timer may be armed,
// cancelled or destroyed from any thread: once cancel() or the destructor
// returns, its callback is not running and will not run (called from another
// thread while it runs, they wait for it to end, so do not hold a lock there
// that the callback takes). runDue belongs to the loop thread.
// Ownership: the queue outlives every Timer armed on it.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
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
  std::size_t pendingCount() const;

 private:
  friend class Timer;
  using Key = std::pair<base::TimePoint, std::uint64_t>;  // deadline, then arming order

  void arm(Timer& timer, base::TimePoint at, std::function<void()> callback);
  void cancel(Timer& timer);
  void eraseLocked(Timer& timer);
  void armSystemTimer();  // loop thread

  boost::asio::io_context& io_;
  const base::Clock& clock_;
  // A ManualClock does not move by itself, so an asio timer cannot measure it.
  const bool manual_;

  mutable std::mutex mutex_;  // guards pending_, nextSequence_, running_ and every Timer's key_/callback_
  std::condition_variable callbackEnded_;
  std::map<Key, Timer*> pending_;
  std::uint64_t nextSequence_ = 0;
  const Timer* running_ = nullptr;  // whose callback runs now, on runningThread_
  std::thread::id runningThread_;

  // Loop thread only.
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
  bool armed() const;
  std::optional<base::TimePoint> deadline() const;

 private:
  friend class TimerQueue;
  TimerQueue& queue_;
  std::optional<TimerQueue::Key> key_;
  std::function<void()> callback_;
};

}  // namespace daemonlet::loop
