#include <dirent.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>

#include <gtest/gtest.h>

#include "agent/base/atomic_file.h"

namespace daemonlet::base {
namespace {

using namespace std::chrono_literals;

int threadCount() {
  int count = 0;
  if (DIR* tasks = opendir("/proc/self/task")) {
    while (dirent* entry = readdir(tasks)) count += entry->d_name[0] != '.';
    closedir(tasks);
  }
  return count;
}

bool eventually(const std::function<bool()>& condition) {
  for (int i = 0; i < 500 && !condition(); ++i) std::this_thread::sleep_for(10ms);
  return condition();
}

class DeferredSyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("deferred-sync-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(DeferredSyncTest, FlushWaitsForTheRequestedSync) {
  DeferredSync sync(dir_, 10ms, 50ms);
  ASSERT_TRUE(writeFileAtomically(dir_ / "a", "1", 0644, FileDurability::kRenameOnly).has_value());
  sync.request();
  sync.flush();  // returns only once synced; a hang fails the test by timeout
  sync.flush();  // nothing pending: returns at once
}

// An idle agent keeps no thread for it: the thread ends after `idleExit` without
// requests and a later request starts a new one.
TEST_F(DeferredSyncTest, ThreadEndsWhenIdleAndComesBackOnRequest) {
  const int before = threadCount();
  DeferredSync sync(dir_, 1ms, 10ms, 20ms);
  EXPECT_EQ(threadCount(), before);  // nothing started before the first request
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE(round);
    sync.request();
    EXPECT_EQ(threadCount(), before + 1);
    sync.flush();
    EXPECT_TRUE(eventually([&] { return threadCount() == before; }));
  }
}

TEST_F(DeferredSyncTest, DestructorSyncsWhatIsPending) {
  const int before = threadCount();
  {
    DeferredSync sync(dir_, 10s, 10s, 10s);  // would wait 10 s for quiet
    sync.request();
    sync.request();
  }  // must not take 10 s: stopping skips the quiet period
  EXPECT_EQ(threadCount(), before);
}

}  // namespace
}  // namespace daemonlet::base
