#pragma once
// RunningLoop: what runAgent builds around the parts that use the loop (an
// io_context run by a thread, its TimerQueue on the real clock, the shared
// BlockingPool), for tests of one such part against real servers. Declare it
// before the part under test so the part is destroyed first.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <thread>

#include "agent/base/clock.h"
#include "agent/loop/blocking_pool.h"
#include "agent/loop/timer_queue.h"

namespace daemonlet::testing {

class RunningLoop {
 public:
  RunningLoop() : thread_([this] { io_.run(); }) {}
  ~RunningLoop() {
    work_.reset();
    io_.stop();
    thread_.join();
  }
  RunningLoop(const RunningLoop&) = delete;
  RunningLoop& operator=(const RunningLoop&) = delete;

  boost::asio::io_context& io() { return io_; }
  loop::TimerQueue& timers() { return timers_; }
  loop::BlockingPool& pool() { return pool_; }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ =
      boost::asio::make_work_guard(io_);
  base::SystemClock clock_;
  loop::TimerQueue timers_{io_, clock_};
  loop::BlockingPool pool_;
  std::thread thread_;
};

}  // namespace daemonlet::testing
