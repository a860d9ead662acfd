// Surviving an agent restart: a new ProcessRuntime on the same state directory
// adopts what is running, never a recycled pid, and never starts a second copy
// when a record is lost.
#include <signal.h>
#include <unistd.h>

#include <sys/wait.h>

#include <filesystem>

#include "agent/base/atomic_file.h"
#include "runtime/process/file_io.h"
#include "runtime/process/container_record.h"
#include "runtime/process/proc_fs.h"
#include "runtime_fixture.h"

namespace daemonlet::runtime::process::testing {
namespace {

std::string onlyRecordFile(const std::string& stateDir) {
  std::string found;
  for (const auto& entry : std::filesystem::directory_iterator(stateDir)) {
    std::string name = entry.path().filename().string();
    if (name.size() > 5 && name.substr(name.size() - 5) == ".json" && name.find(".exit.") == std::string::npos) {
      found = entry.path().string();
    }
  }
  return found;
}

TEST_F(ProcessRuntimeTest, NewRuntimeAdoptsRunningContainerUnchanged) {
  makeRuntime();
  auto request = helper({"sleep"});
  request.restartCount = 4;
  ContainerStatus original = startOk(request);

  makeRuntime();  // the agent restarted: a fresh runtime on the same state
  auto listed = listAll();
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->size(), 1u);
  const ContainerStatus& adopted = listed->front();
  EXPECT_EQ(adopted.state, ContainerState::kRunning);
  EXPECT_EQ(adopted.pid, original.pid);
  EXPECT_EQ(adopted.containerId, original.containerId);
  EXPECT_EQ(adopted.startedAt, original.startedAt);
  EXPECT_EQ(adopted.restartCount, 4);
  EXPECT_EQ(adopted.pod, pod());
  EXPECT_EQ(adopted.containerName, "main");
  EXPECT_EQ(adopted.logPath, original.logPath);

  // A second list() neither duplicates nor re-adopts.
  EXPECT_EQ(listAll()->size(), 1u);

  // The adopted container is watched: its exit reaches the new exit handler,
  // with the status the shim recorded.
  ::kill(original.pid, SIGKILL);
  ASSERT_TRUE(runUntil([&] { return !exits_.empty(); }));
  EXPECT_EQ(exits_.front().pid, original.pid);
  EXPECT_EQ(exits_.front().signal, SIGKILL);
  EXPECT_EQ(exits_.front().restartCount, 4);
}

TEST_F(ProcessRuntimeTest, ExitWhileTheAgentWasDownIsReportedFromTheExitRecord) {
  makeRuntime();
  ContainerStatus original = startOk(helper({"sleep"}));
  runtime_.reset();  // agent gone
  ::kill(original.pid, SIGTERM);
  // Wait for the shim's exit record (written by the shim, not by us).
  ASSERT_TRUE(runUntil([&] {
    for (const auto& entry : std::filesystem::directory_iterator(options_.stateDir)) {
      std::string name = entry.path().filename().string();
      if (name.size() > 10 && name.substr(name.size() - 10) == ".exit.json") return true;
    }
    return false;
  }));
  makeRuntime();
  auto listed = listAll();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().state, ContainerState::kExited);
  EXPECT_EQ(listed->front().signal, SIGTERM);
  EXPECT_EQ(listed->front().exitCode, 143);
}

TEST_F(ProcessRuntimeTest, RecordOfARecycledPidOrAnEarlierBootIsNotAdopted) {
  // A live process that is not our container: the test itself, recorded with a
  // start time that does not match (pid reuse), or with the right start time
  // but another boot's id (same pid and ticks after a reboot).
  auto self = readProcStat(::getpid());
  ASSERT_TRUE(self.has_value());
  struct Case {
    std::string name;
    std::uint64_t startTime;
    std::string bootId;
  };
  const std::vector<Case> cases = {
      {"recycled pid", self->startTime + 12345, currentBootId()},
      {"earlier boot", self->startTime, "00000000-0000-0000-0000-000000000000"},
  };
  for (const auto& c : cases) {
  SCOPED_TRACE(c.name);
  std::filesystem::remove_all(options_.stateDir);
  makeRuntime();
  ContainerRecord fake;
  fake.id = makeRecordId(pod().uid, "main", 7);
  fake.pod = pod();
  fake.containerName = "main";
  fake.restartCount = 7;
  fake.pid = ::getpid();
  fake.pidStartTime = c.startTime;
  fake.bootId = c.bootId;
  fake.processGroup = ::getpgrp();
  fake.startedAtUnixNano = 1;
  std::filesystem::create_directories(options_.stateDir);
  ASSERT_TRUE(base::writeFileAtomically(recordPath(options_.stateDir, fake.id), encodeRecord(fake), 0600).has_value());

  auto listed = listAll();
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().state, ContainerState::kExited);
  EXPECT_EQ(listed->front().reason, "ContainerStatusUnknown");
  // Stopping it must not signal the unrelated live process (us).
  bool done = false;
  ASSERT_TRUE(runtime_->stop(listed->front().containerId, std::chrono::seconds(1),
                             [&](const ContainerStatus&) { done = true; }).has_value());
  ASSERT_TRUE(runUntil([&] { return done; }));
  }
}

TEST_F(ProcessRuntimeTest, LostRecordLeavesTheLiveContainerFindable) {
  struct Case {
    std::string name;
    std::function<void(const std::string&)> damage;
  };
  const std::vector<Case> cases = {
      {"corrupt", [](const std::string& path) { std::ofstream(path) << "{\"version\": 1, \"id\": tru"; }},
      {"empty", [](const std::string& path) { std::ofstream(path, std::ios::trunc); }},
      {"missing", [](const std::string& path) { std::filesystem::remove(path); }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::filesystem::remove_all(options_.stateDir);
    makeRuntime();
    ContainerStatus original = startOk(helper({"sleep"}));
    std::string path = onlyRecordFile(options_.stateDir);
    ASSERT_FALSE(path.empty());
    c.damage(path);

    makeRuntime();
    auto listed = listAll();
    ASSERT_TRUE(listed.has_value());
    ASSERT_EQ(listed->size(), 1u);
    const ContainerStatus& found = listed->front();
    EXPECT_EQ(found.state, ContainerState::kUnknown);
    EXPECT_EQ(found.pid, original.pid);
    EXPECT_EQ(found.pod.uid, pod().uid);
    EXPECT_EQ(found.containerName, "main");

    // The caller can stop it, and its exit is still recorded by the shim.
    std::optional<ContainerStatus> stopped;
    ASSERT_TRUE(runtime_->stop(found.containerId, std::chrono::seconds(5),
                               [&](const ContainerStatus& s) { stopped = s; }).has_value());
    ASSERT_TRUE(runUntil([&] { return stopped.has_value(); }));
    EXPECT_EQ(stopped->signal, SIGTERM);
    EXPECT_FALSE(processAlive(original.pid));
  }
}

TEST_F(ProcessRuntimeTest, ContainerSurvivesSigkillOfTheAgentProcess) {
  // The "agent" is a forked copy of this test that starts the container and is
  // then killed with SIGKILL.
  int pipeFds[2];
  ASSERT_EQ(::pipe(pipeFds), 0);
  pid_t agent = ::fork();
  ASSERT_GE(agent, 0);
  if (agent == 0) {
    ::close(pipeFds[0]);
    boost::asio::io_context io;
    ProcessRuntime runtime(io, options_);
    auto request = helper({"sleep"});
    request.restartCount = 2;
    auto started = startAndWait(io, runtime, request);
    pid_t pid = started ? started->pid : -1;
    (void)!::write(pipeFds[1], &pid, sizeof pid);
    for (;;) ::pause();
  }
  ::close(pipeFds[1]);
  pid_t container = 0;
  ASSERT_EQ(::read(pipeFds[0], &container, sizeof container), static_cast<ssize_t>(sizeof container));
  ::close(pipeFds[0]);
  ASSERT_GT(container, 0);
  groups_.push_back(container);
  ASSERT_EQ(::kill(agent, SIGKILL), 0);
  ASSERT_EQ(::waitpid(agent, nullptr, 0), agent);

  EXPECT_TRUE(processAlive(container));
  makeRuntime();
  auto listed = listAll();
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().state, ContainerState::kRunning);
  EXPECT_EQ(listed->front().pid, container);
  EXPECT_EQ(listed->front().restartCount, 2);
}

TEST_F(ProcessRuntimeTest, AnotherStateDirectorysContainersAreNotClaimed) {
  makeRuntime();
  ContainerStatus theirs = startOk(helper({"sleep"}));
  options_.stateDir = root_ + "/other-agent";
  makeRuntime();
  auto listed = listAll();
  ASSERT_TRUE(listed.has_value());
  EXPECT_TRUE(listed->empty()) << "pid " << theirs.pid << " belongs to another state directory";
}

}  // namespace
}  // namespace daemonlet::runtime::process::testing
