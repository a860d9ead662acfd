#include "agent/loop/timer_queue.h"

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace daemonlet::loop {
namespace {

using namespace std::chrono_literals;

class ManualTimerQueueTest : public ::testing::Test {
 protected:
  boost::asio::io_context io_;
  base::ManualClock clock_;
  TimerQueue queue_{io_, clock_};
  std::vector<std::string> fired_;
};

TEST_F(ManualTimerQueueTest, NothingFiresUntilTheClockReachesTheDeadline) {
  Timer timer(queue_);
  timer.armAfter(5s, [&] { fired_.push_back("t"); });
  EXPECT_TRUE(timer.armed());
  EXPECT_EQ(queue_.nextDeadline(), clock_.now() + 5s);

  io_.poll();  // a manual clock never fires by itself, even with the loop running
  clock_.advance(4s);
  queue_.runDue();
  EXPECT_TRUE(fired_.empty());

  clock_.advance(1s);
  queue_.runDue();
  EXPECT_EQ(fired_, std::vector<std::string>{"t"});
  EXPECT_FALSE(timer.armed());
  EXPECT_EQ(queue_.nextDeadline(), std::nullopt);
}

TEST_F(ManualTimerQueueTest, DueCallbacksRunEarliestFirst) {
  Timer late(queue_), early(queue_), middle(queue_);
  late.armAfter(3s, [&] { fired_.push_back("late"); });
  early.armAfter(1s, [&] { fired_.push_back("early"); });
  middle.armAfter(2s, [&] { fired_.push_back("middle"); });
  clock_.advance(10s);
  queue_.runDue();
  EXPECT_EQ(fired_, (std::vector<std::string>{"early", "middle", "late"}));
}

TEST_F(ManualTimerQueueTest, ArmingNeverRunsTheCallbackInline) {
  Timer timer(queue_);
  timer.armAt(clock_.now() - 1s, [&] { fired_.push_back("past"); });
  EXPECT_TRUE(fired_.empty());
  queue_.runDue();
  EXPECT_EQ(fired_, std::vector<std::string>{"past"});
}

TEST_F(ManualTimerQueueTest, ReArmingReplacesThePendingDeadline) {
  Timer timer(queue_);
  timer.armAfter(1s, [&] { fired_.push_back("first"); });
  timer.armAfter(5s, [&] { fired_.push_back("second"); });
  EXPECT_EQ(timer.deadline(), clock_.now() + 5s);
  EXPECT_EQ(queue_.pendingCount(), 1u);
  clock_.advance(2s);
  queue_.runDue();
  EXPECT_TRUE(fired_.empty());
  clock_.advance(3s);
  queue_.runDue();
  EXPECT_EQ(fired_, std::vector<std::string>{"second"});
}

TEST_F(ManualTimerQueueTest, CancelAndDestructionKeepTheCallbackFromRunning) {
  Timer cancelled(queue_);
  cancelled.armAfter(1s, [&] { fired_.push_back("cancelled"); });
  cancelled.cancel();
  EXPECT_FALSE(cancelled.armed());
  {
    Timer destroyed(queue_);
    destroyed.armAfter(1s, [&] { fired_.push_back("destroyed"); });
  }
  clock_.advance(2s);
  queue_.runDue();
  EXPECT_TRUE(fired_.empty());
  EXPECT_EQ(queue_.pendingCount(), 0u);
}

TEST_F(ManualTimerQueueTest, ACallbackMayCancelALaterDueTimer) {
  Timer first(queue_), second(queue_);
  first.armAfter(1s, [&] {
    fired_.push_back("first");
    second.cancel();
  });
  second.armAfter(2s, [&] { fired_.push_back("second"); });
  clock_.advance(3s);
  queue_.runDue();
  EXPECT_EQ(fired_, std::vector<std::string>{"first"});
}

TEST_F(ManualTimerQueueTest, ACallbackThatReArmsForNowWaitsForTheNextRun) {
  Timer timer(queue_);
  std::function<void()> tick = [&] {
    fired_.push_back("tick");
    timer.armAt(clock_.now(), tick);
  };
  timer.armAt(clock_.now(), tick);
  queue_.runDue();
  EXPECT_EQ(fired_.size(), 1u);
  queue_.runDue();
  EXPECT_EQ(fired_.size(), 2u);
  EXPECT_TRUE(timer.armed());
}

TEST_F(ManualTimerQueueTest, ACallbackMayDestroyItsOwnTimer) {
  auto timer = std::make_unique<Timer>(queue_);
  std::string captured = "kept alive by the running callback";
  timer->armAfter(1s, [&, captured] {
    timer.reset();
    fired_.push_back(captured);
  });
  clock_.advance(1s);
  queue_.runDue();
  EXPECT_EQ(fired_, std::vector<std::string>{captured});
}

// With the system clock the queue arms one asio timer; the callback runs on the
// thread that runs the io_context.
TEST(SystemTimerQueueTest, ACallbackRunsOnTheLoopThreadWhenItsDeadlinePasses) {
  boost::asio::io_context io;
  base::SystemClock clock;
  TimerQueue queue(io, clock);
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::string> fired;
  std::thread::id callbackThread;

  Timer later(queue), sooner(queue), cancelled(queue);
  boost::asio::post(io, [&] {
    later.armAfter(30ms, [&] {
      std::lock_guard lock(mutex);
      fired.push_back("later");
      callbackThread = std::this_thread::get_id();
      changed.notify_all();
    });
    sooner.armAfter(10ms, [&] {
      std::lock_guard lock(mutex);
      fired.push_back("sooner");
    });
    cancelled.armAfter(20ms, [&] {
      std::lock_guard lock(mutex);
      fired.push_back("cancelled");
    });
    cancelled.cancel();
  });
  std::thread loop([&] { io.run(); });  // returns once nothing is pending
  const std::thread::id loopThread = loop.get_id();
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(changed.wait_for(lock, 10s, [&] { return fired.size() >= 2; }));
  }
  loop.join();
  EXPECT_EQ(fired, (std::vector<std::string>{"sooner", "later"}));
  EXPECT_EQ(callbackThread, loopThread);
}

// Cancelled from another thread while its callback runs, a timer waits for the
// callback to end: afterwards the callback's state may be freed.
TEST(SystemTimerQueueTest, CancelFromAnotherThreadWaitsForARunningCallback) {
  boost::asio::io_context io;
  base::SystemClock clock;
  TimerQueue queue(io, clock);
  std::mutex mutex;
  std::condition_variable changed;
  bool entered = false, release = false, finished = false;
  Timer timer(queue);
  timer.armAfter(0ms, [&] {
    std::unique_lock lock(mutex);
    entered = true;
    changed.notify_all();
    changed.wait(lock, [&] { return release; });
    finished = true;
  });
  std::thread loop([&] { io.run(); });
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(changed.wait_for(lock, 10s, [&] { return entered; }));
  }
  std::thread releaser([&] {
    std::this_thread::sleep_for(
        50ms);  // lets cancel() reach its wait; the assertion below does not depend on it
    std::lock_guard lock(mutex);
    release = true;
    changed.notify_all();
  });
  timer.cancel();
  {
    std::lock_guard lock(mutex);
    EXPECT_TRUE(finished);
  }
  releaser.join();
  loop.join();
}

}  // namespace
}  // namespace daemonlet::loop
