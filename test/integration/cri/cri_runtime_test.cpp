// CriRuntime on a real private containerd (the fixture's): the runtime itself,
// without the agent around it. A busybox container starts and runs, a kill -9
// of its process reaches the event handler as an exit, stop and removePod clean
// up, and a new CriRuntime adopts what an earlier one left running.
#include "runtime/cri/cri_runtime.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>

#include "test/integration/cri/cri_runtime_fixture.h"
#include "test/integration/cri/support/shared_containerd.h"

namespace daemonlet::runtime::cri {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// A second stop while StopContainer waits out a long grace: a shorter one
// brings the kill forward (a deletion that shortened the grace period), a
// longer one never delays it.
TEST_F(CriRuntimeTest, AShorterSecondStopKillsSooner) {
  CriRuntime& runtime = makeRuntime();
  const std::string uid = "uid-short-" + std::to_string(::getpid());
  auto stubborn = request(uid, 0);
  stubborn.container.command = {"/bin/sh", "-c", "trap '' TERM; echo started; while :; do sleep 1; done"};
  auto started = startAndWait(stubborn);
  ASSERT_TRUE(started) << started.error().describe();
  ASSERT_EQ(started->state, ContainerState::kRunning) << started->reason << ": " << started->message;

  const auto begin = std::chrono::steady_clock::now();
  std::optional<ContainerStatus> stopped;
  ASSERT_TRUE(runtime.stop(started->containerId, 60s, [&](const ContainerStatus& s) { stopped = s; }));
  EXPECT_FALSE(runUntil([&] { return stopped.has_value(); }, 500ms)) << "SIGTERM is ignored within the 60 s";
  ASSERT_TRUE(runtime.stop(started->containerId, 1s, [](const ContainerStatus&) {}));
  ASSERT_TRUE(runtime.stop(started->containerId, 120s, [](const ContainerStatus&) {}));
  ASSERT_TRUE(runUntil([&] { return stopped.has_value(); }, 20s)) << "the first stop's 60 s stood";
  const auto took = std::chrono::steady_clock::now() - begin;
  EXPECT_GE(took, 1400ms) << "killed before the shorter grace ended";
  EXPECT_LT(took, 15s);
  EXPECT_EQ(stopped->exitCode, 137);
  ASSERT_TRUE(runtime.removePod(uid));
}

TEST_F(CriRuntimeTest, RunsKillNineExitsStopsRemovesAndAdopts) {
  CriRuntime& runtime = makeRuntime();
  const std::string uid = "uid-" + std::to_string(::getpid());

  // Start: running, with a containerd id and the image's id.
  auto started = startAndWait(request(uid, 0));
  ASSERT_TRUE(started) << started.error().describe();
  ASSERT_EQ(started->state, ContainerState::kRunning) << started->reason << ": " << started->message;
  EXPECT_EQ(started->containerId.rfind("containerd://", 0), 0u) << started->containerId;
  EXPECT_FALSE(started->imageId.empty());
  EXPECT_EQ(runtime.podIP(uid), "127.0.0.1") << "hostNetwork: the node's IP";
  bool sawCreating = false;
  for (const auto& event : events_) sawCreating |= event.reason == "ContainerCreating";
  EXPECT_TRUE(sawCreating);

  // kill -9 of its process: an exit event, 137, signal 9.
  int pid = taskPid(started->containerId);
  ASSERT_GT(pid, 0) << "no task for " << started->containerId;
  events_.clear();
  auto killedAt = std::chrono::steady_clock::now();
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  auto exitOf = [&](const std::string& id) -> const ContainerStatus* {
    for (const auto& event : events_) {
      if (event.containerId == id && event.state == ContainerState::kExited) return &event;
    }
    return nullptr;
  };
  ASSERT_TRUE(runUntil([&] { return exitOf(started->containerId) != nullptr; }, 10s));
  auto exitLatency = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - killedAt);
  const ContainerStatus* exited = exitOf(started->containerId);
  EXPECT_EQ(exited->exitCode, 137);
  EXPECT_EQ(exited->signal, 9);
  EXPECT_EQ(exited->reason, "Error");
  RecordProperty("killNineToExitEventMs", static_cast<int>(exitLatency.count()));

  // A restart (attempt 1) in the same sandbox, then stop with a grace.
  auto second = startAndWait(request(uid, 1));
  ASSERT_TRUE(second) << second.error().describe();
  ASSERT_EQ(second->state, ContainerState::kRunning) << second->reason << ": " << second->message;
  EXPECT_NE(second->containerId, started->containerId);
  std::optional<ContainerStatus> stopped;
  ASSERT_TRUE(runtime.stop(second->containerId, 2s, [&](const ContainerStatus& s) { stopped = s; }));
  ASSERT_TRUE(runUntil([&] { return stopped.has_value(); }));
  EXPECT_EQ(stopped->state, ContainerState::kExited);
  EXPECT_TRUE(exitOf(second->containerId)) << "the event handler hears the stop's exit too";

  // Attempt 2 runs on while the runtime object goes away; a new one adopts it.
  auto third = startAndWait(request(uid, 2));
  ASSERT_TRUE(third) << third.error().describe();
  ASSERT_EQ(third->state, ContainerState::kRunning);
  CriRuntime& adopter = makeRuntime();
  auto listed = listAll(adopter);
  ASSERT_TRUE(listed) << listed.error().describe();
  const ContainerStatus* adopted = nullptr;
  for (const auto& status : *listed) {
    if (status.containerId == third->containerId) adopted = &status;
  }
  ASSERT_NE(adopted, nullptr) << "the running container is listed by a new runtime";
  EXPECT_EQ(adopted->state, ContainerState::kRunning);
  EXPECT_EQ(adopted->restartCount, 2);
  EXPECT_EQ(adopted->pod, third->pod);
  EXPECT_EQ(adopted->containerName, "app");
  EXPECT_EQ(adopted->startedAt, third->startedAt);
  EXPECT_EQ(adopted->logPath, third->logPath);
  EXPECT_FALSE(adopted->logPath.empty());

  // removePod refuses while it runs; after stopPod it removes the sandbox.
  EXPECT_FALSE(adopter.removePod(uid));
  events_.clear();
  EXPECT_EQ(adopter.stopPod(uid, 1s), 1);
  ASSERT_TRUE(runUntil([&] { return exitOf(third->containerId) != nullptr; }));
  ASSERT_TRUE(adopter.removePod(uid));
  ASSERT_TRUE(runUntil([&] {
    auto now = listAll(adopter);
    return now && now->empty();
  })) << "the pod's containers are gone from the runtime";
  auto sandboxes = testing::sharedContainerd().ctr({"containers", "ls", "-q"});
  EXPECT_EQ(sandboxes.out.find(criIdOf(third->containerId)), std::string::npos) << sandboxes.out;
}

TEST_F(CriRuntimeTest, AnUnreachableSocketIsRuntimeUnavailableNamingIt) {
  options_.endpoint = "unix://" + (dir_ / "missing.sock").string();
  options_.callTimeout = 2s;
  makeRuntime();
  auto started = startAndWait(request("uid-down", 0));
  ASSERT_TRUE(started) << started.error().describe();
  EXPECT_EQ(started->state, ContainerState::kWaiting);
  EXPECT_EQ(started->reason, "RuntimeUnavailable");
  EXPECT_NE(started->message.find((dir_ / "missing.sock").string()), std::string::npos) << started->message;
  EXPECT_TRUE(started->retryAfter.has_value());
  EXPECT_FALSE(listAll(*runtime_)) << "an outage is an error, never an empty list";
}

TEST_F(CriRuntimeTest, AFailedPullIsErrImagePullThenImagePullBackOff) {
  makeRuntime();
  ContainerStartRequest start = request("uid-pull-" + std::to_string(::getpid()), 0);
  // Nothing serves localhost:443: the pull fails at once.
  start.container.image = "localhost/daemonlet-test/missing:1";
  start.container.imagePullPolicy = "IfNotPresent";
  auto first = startAndWait(start);
  ASSERT_TRUE(first) << first.error().describe();
  EXPECT_EQ(first->state, ContainerState::kWaiting);
  EXPECT_EQ(first->reason, "ErrImagePull") << first->message;
  // Shown briefly, then the next attempt, still inside the 10 s back-off, says
  // ImagePullBackOff without pulling.
  EXPECT_EQ(first->retryAfter, std::chrono::milliseconds(1'000));
  bool sawPulling = false;
  for (const auto& event : events_) sawPulling |= event.reason == "Pulling";
  EXPECT_TRUE(sawPulling);

  auto second = startAndWait(start);
  ASSERT_TRUE(second) << second.error().describe();
  EXPECT_EQ(second->reason, "ImagePullBackOff") << second->message;
  ASSERT_TRUE(second->retryAfter.has_value());
  EXPECT_LE(*second->retryAfter, std::chrono::milliseconds(10'000));
  EXPECT_GT(*second->retryAfter, std::chrono::milliseconds(5'000)) << "the rest of the back-off";

  start.container.imagePullPolicy = "Never";
  auto never = startAndWait(start);
  ASSERT_TRUE(never) << never.error().describe();
  EXPECT_EQ(never->reason, "ErrImageNeverPull") << never->message;
  EXPECT_TRUE(runtime_->removePod(start.pod.uid));
}

TEST_F(CriRuntimeTest, ContainerdRestartIsNoExit) {
  CriRuntime& runtime = makeRuntime();
  const std::string uid = "uid-restart-" + std::to_string(::getpid());
  auto started = startAndWait(request(uid, 0));
  ASSERT_TRUE(started) << started.error().describe();
  ASSERT_EQ(started->state, ContainerState::kRunning) << started->reason << ": " << started->message;
  events_.clear();

  ASSERT_TRUE(testing::sharedContainerd().stop());
  auto down = listAll(runtime);
  EXPECT_FALSE(down) << "while containerd is down nothing is listed, and nothing exited";
  auto waiting = startAndWait(request(uid + "-b", 0));
  ASSERT_TRUE(waiting) << waiting.error().describe();
  EXPECT_EQ(waiting->reason, "RuntimeUnavailable");
  ASSERT_TRUE(testing::sharedContainerd().start()) << testing::sharedContainerd().lastError();

  // Back: the same container runs, no exit was reported.
  std::optional<std::vector<ContainerStatus>> listed;
  ASSERT_TRUE(runUntil([&] {
    auto now = listAll(runtime);
    if (now) listed = *now;
    return now.has_value();
  }));
  bool running = false;
  for (const auto& status : *listed) {
    running |= status.containerId == started->containerId && status.state == ContainerState::kRunning;
  }
  EXPECT_TRUE(running);
  for (const auto& event : events_) EXPECT_NE(event.state, ContainerState::kExited) << event.containerId;

  std::optional<ContainerStatus> stopped;
  ASSERT_TRUE(runtime.stop(started->containerId, 1s, [&](const ContainerStatus& s) { stopped = s; }));
  ASSERT_TRUE(runUntil([&] { return stopped.has_value(); }));
  ASSERT_TRUE(runtime.removePod(uid));
}

// containerd writes the log but never rotates it: the runtime does, on its
// check every 10 s, and the container goes on writing into a fresh file.
TEST_F(CriRuntimeTest, RotatesALogPastItsLimitAndTheContainerWritesOn) {
  options_.maxLogBytes = 4096;
  options_.maxLogFiles = 2;
  makeRuntime();
  ContainerStartRequest start = request("uid-logs-" + std::to_string(::getpid()), 0);
  start.container.command = {"/bin/sh", "-c", "while true; do echo 0123456789012345678901234567890123456789; sleep 0.05; done"};
  auto started = startAndWait(start);
  ASSERT_TRUE(started) << started.error().describe();
  ASSERT_EQ(started->state, ContainerState::kRunning) << started->reason << ": " << started->message;
  const fs::path log = started->logPath;
  ASSERT_FALSE(log.empty());
  auto rotatedFiles = [&] {
    std::vector<fs::path> rotated;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(log.parent_path(), ec)) {
      if (entry.path().filename().string().rfind(log.filename().string() + ".", 0) == 0) rotated.push_back(entry);
    }
    return rotated;
  };
  ASSERT_TRUE(runUntil([&] { return rotatedFiles().size() >= 1; }, 25s)) << "no rotation of " << log;
  // Reopened: the live file gets new lines after the rotation.
  ASSERT_TRUE(runUntil([&] {
    std::error_code ec;
    return fs::file_size(log, ec) > 0 && !ec;
  }, 5s));
  EXPECT_LE(rotatedFiles().size(), 1u) << "maxLogFiles 2: the live file and one rotated";

  std::optional<ContainerStatus> stopped;
  ASSERT_TRUE(runtime_->stop(started->containerId, 1s, [&](const ContainerStatus& s) { stopped = s; }));
  ASSERT_TRUE(runUntil([&] { return stopped.has_value(); }));
  EXPECT_TRUE(runtime_->removePod(start.pod.uid));
}

}  // namespace
}  // namespace daemonlet::runtime::cri
