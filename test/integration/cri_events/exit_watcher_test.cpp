// ExitWatcher against Debian's containerd 1.6 (private instance): the CRI event
// probe falls back to containerd's events, a container's exit arrives with its
// status, a containerd restart is a break followed by a resubscription, and
// stop() ends a stream that would otherwise wait forever.
#include "runtime/cri/exit_watcher.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <random>
#include <vector>

#include "test/integration/cri/support/containerd_fixture.h"
#include "test/integration/cri/support/shared_containerd.h"

namespace daemonlet::runtime::cri {
namespace {

using namespace std::chrono_literals;
using testing::ContainerdFixture;

// What the watcher reported, from its thread, waited on by the test's.
class Recorder {
 public:
  ExitWatcherCallbacks callbacks() {
    ExitWatcherCallbacks callbacks;
    callbacks.onExit = [this](const TaskExit& exit) { add([&] { exits_.push_back(exit); }); };
    callbacks.onOom = [](const TaskOom&) {};
    callbacks.onSubscribed = [this] { add([&] { ++subscribed_; }); };
    callbacks.onLost = [this](const std::string& why) { add([&] { lost_.push_back(why); }); };
    return callbacks;
  }
  template <typename Predicate>
  bool waitFor(Predicate done, std::chrono::milliseconds timeout = 20s) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return done(); });
  }
  // Under the lock, for predicates.
  int subscribed() const { return subscribed_; }
  const std::vector<std::string>& lost() const { return lost_; }
  std::optional<TaskExit> exitOf(const std::string& id) const {
    for (const auto& exit : exits_) {
      if (exit.containerId == id) return exit;
    }
    return std::nullopt;
  }
  std::size_t lostCount() {
    std::lock_guard lock(mutex_);
    return lost_.size();
  }
  std::string describe() {
    std::lock_guard lock(mutex_);
    std::string text = "subscribed " + std::to_string(subscribed_) + " times; exits:";
    for (const auto& exit : exits_) text += " " + exit.containerId + "=" + std::to_string(exit.exitStatus);
    text += "; lost:";
    for (const auto& why : lost_) text += " [" + why + "]";
    return text;
  }

 private:
  template <typename Change>
  void add(Change change) {
    {
      std::lock_guard lock(mutex_);
      change();
    }
    changed_.notify_all();
  }
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<TaskExit> exits_;
  std::vector<std::string> lost_;
  int subscribed_ = 0;
};

std::string uniqueId(const std::string& prefix) {
  std::random_device random;
  return prefix + "-" + std::to_string(random() % 1'000'000);
}

// Runs busybox `sh -c "exit <code>"` to its end in k8s.io, as the CRI's containers run.
void runToExit(const ContainerdFixture& containerd, const std::string& id, int code) {
  const auto run = containerd.ctr({"run", "--rm", "--null-io", "--net-host", "--runc-root",
                                   (containerd.runcRoot() / "k8s.io").string(), "--cgroup",
                                   containerd.cgroupParent() + "/" + id, testing::kBusyboxImage, id, "sh", "-c",
                                   "exit " + std::to_string(code)});
  ASSERT_EQ(run.exitCode, code) << run.err << run.out;
}

// A watcher on the binary's shared containerd, started and listening.
class SharedContainerdWatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(containerd_.running()) << containerd_.lastError();
    watcher_.start();
    // containerd 1.6: the CRI stream is opened first and found UNIMPLEMENTED.
    ASSERT_TRUE(recorder_.waitFor([&] { return recorder_.subscribed() >= 2; })) << recorder_.describe();
  }

  ContainerdFixture& containerd_ = testing::sharedContainerd();
  Recorder recorder_;
  ExitWatcher watcher_{containerd_.endpoint(), recorder_.callbacks()};
};

TEST_F(SharedContainerdWatcherTest, ContainerExitArrivesFromContainerdsEventsAfterTheCriProbe) {
  EXPECT_EQ(watcher_.source(), "containerd");
  const auto before = std::chrono::system_clock::now() - 1s;
  const std::string id = uniqueId("exit-watch");
  runToExit(containerd_, id, 7);
  std::optional<TaskExit> exit;
  ASSERT_TRUE(recorder_.waitFor([&] { return (exit = recorder_.exitOf(id)).has_value(); })) << recorder_.describe();
  EXPECT_EQ(exit->exitStatus, 7u);
  EXPECT_GE(exit->exitedAt, before);
  EXPECT_LE(exit->exitedAt, std::chrono::system_clock::now() + 1s);
  EXPECT_EQ(recorder_.lostCount(), 0u) << recorder_.describe();
}

TEST_F(SharedContainerdWatcherTest, StopEndsAStreamThatWaitsForEvents) {
  // Without the cancel, stop() would wait for the next event, which never comes.
  auto stopped = std::async(std::launch::async, [&] { watcher_.stop(); });
  EXPECT_EQ(stopped.wait_for(5s), std::future_status::ready) << "stop() hangs on the idle stream";
  stopped.wait();
  EXPECT_EQ(recorder_.lostCount(), 0u) << "a stop is not a break: " << recorder_.describe();
}

TEST(ExitWatcherTest, ContainerdRestartIsALossThenAResubscription) {
  ContainerdFixture containerd;  // its own: restarting the shared one would disturb the others
  ASSERT_TRUE(containerd.start()) << containerd.lastError();
  Recorder recorder;
  ExitWatcher watcher(containerd.endpoint(), recorder.callbacks(), {std::chrono::milliseconds(50), 1s});
  watcher.start();
  ASSERT_TRUE(recorder.waitFor([&] { return recorder.subscribed() >= 2; })) << recorder.describe();

  ASSERT_TRUE(containerd.stop()) << containerd.lastError();
  ASSERT_TRUE(recorder.waitFor([&] { return recorder.lost().size() == 1; })) << recorder.describe();
  int subscribedBefore = 0;
  recorder.waitFor([&] { return subscribedBefore = recorder.subscribed(), true; });
  ASSERT_TRUE(containerd.start()) << containerd.lastError();
  ASSERT_TRUE(recorder.waitFor([&] { return recorder.subscribed() > subscribedBefore; })) << recorder.describe();
  EXPECT_EQ(recorder.lostCount(), 1u) << "one break, reported once however many retries: " << recorder.describe();

  const std::string id = uniqueId("after-restart");
  runToExit(containerd, id, 3);
  std::optional<TaskExit> exit;
  ASSERT_TRUE(recorder.waitFor([&] { return (exit = recorder.exitOf(id)).has_value(); })) << recorder.describe();
  EXPECT_EQ(exit->exitStatus, 3u);
}

}  // namespace
}  // namespace daemonlet::runtime::cri
