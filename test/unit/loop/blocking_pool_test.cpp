#include "agent/loop/blocking_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

namespace daemonlet::loop {
namespace {

using namespace std::chrono_literals;

bool eventually(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

TEST(BlockingPoolTest, KeepsNoThreadUntilWorkArrivesAndNoneOnceIdle) {
  BlockingPool pool(2, 50ms);
  EXPECT_EQ(pool.threadCount(), 0u);
  std::atomic<int> done = 0;
  pool.post([&] { ++done; });
  EXPECT_TRUE(eventually([&] { return done == 1; }));
  EXPECT_TRUE(eventually([&] { return pool.threadCount() == 0; }));  // ended after 50 ms idle
  pool.post([&] { ++done; });                                        // a new thread for new work
  EXPECT_TRUE(eventually([&] { return done == 2; }));
}

TEST(BlockingPoolTest, RunsTwoBlockingJobsAtOnceButNoMoreThreadsThanItsLimit) {
  BlockingPool pool(2, 1s);
  std::mutex mutex;
  std::condition_variable changed;
  int inside = 0;
  bool release = false;
  std::set<std::thread::id> threads;
  for (int i = 0; i < 4; ++i) {
    pool.post([&] {
      std::unique_lock lock(mutex);
      ++inside;
      threads.insert(std::this_thread::get_id());
      changed.notify_all();
      changed.wait(lock, [&] { return release; });
    });
  }
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(changed.wait_for(lock, 10s, [&] { return inside == 2; }));
  }
  EXPECT_EQ(pool.threadCount(), 2u);
  {
    std::lock_guard lock(mutex);
    release = true;
  }
  changed.notify_all();
  std::unique_lock lock(mutex);
  ASSERT_TRUE(changed.wait_for(lock, 10s, [&] { return inside == 4; }));
  EXPECT_EQ(threads.size(), 2u);
}

TEST(BlockingPoolTest, DestructionFinishesTheJobsAlreadyPosted) {
  std::atomic<int> done = 0;
  {
    BlockingPool pool(1, 1s);
    for (int i = 0; i < 5; ++i) pool.post([&] { ++done; });
  }
  EXPECT_EQ(done, 5);
}

}  // namespace
}  // namespace daemonlet::loop
