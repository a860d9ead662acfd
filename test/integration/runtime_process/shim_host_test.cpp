// The shim host: one process parents every container of a state directory,
// outlives the runtime that started it, leaves when nothing is left to serve,
// and losing it costs exit statuses, never a running daemon. Also the frame
// format it speaks.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <thread>

#include "runtime/process/proc_fs.h"
#include "runtime/process/shim_wire.h"
#include "runtime_fixture.h"

namespace daemonlet::runtime::process::testing {
namespace {

using namespace std::chrono_literals;

pid_t parentOf(pid_t pid) {
  auto stat = readProcStat(pid);
  return stat ? stat->parentPid : 0;
}

bool waitGone(pid_t pid, std::chrono::milliseconds timeout = 5s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::kill(pid, 0) != 0) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

TEST(ShimWireTest, MessagesSurviveAnySplitOfTheStream) {
  std::string stream = encodeShimMessage({ShimMessageKind::kStart, 7, R"({"id":"a b"})"}) +
                       encodeShimMessage({ShimMessageKind::kExited, 0, "pod_main_0_x"}) +
                       encodeShimMessage({ShimMessageKind::kReport, 18446744073709551615ull, ""});
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    SCOPED_TRACE(cut);
    ShimFrameReader reader;
    std::vector<ShimMessage> got;
    reader.append(std::string_view(stream).substr(0, cut));
    while (auto message = reader.next()) got.push_back(*message);
    reader.append(std::string_view(stream).substr(cut));
    while (auto message = reader.next()) got.push_back(*message);
    ASSERT_FALSE(reader.failed());
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0].kind, ShimMessageKind::kStart);
    EXPECT_EQ(got[0].sequence, 7u);
    EXPECT_EQ(got[0].payload, R"({"id":"a b"})");
    EXPECT_EQ(got[1].kind, ShimMessageKind::kExited);
    EXPECT_EQ(got[1].payload, "pod_main_0_x");
    EXPECT_EQ(got[2].sequence, 18446744073709551615ull);
    EXPECT_EQ(got[2].payload, "");
  }
}

TEST(ShimWireTest, OversizedOrMalformedFramesStopTheReader) {
  auto frameOf = [](const std::string& body) {
    auto length = static_cast<std::uint32_t>(body.size());
    return std::string(reinterpret_cast<const char*>(&length), sizeof length) + body;
  };
  const std::vector<std::string> bad = {
      frameOf("bogus 1 x"), frameOf("start x1 {}"), frameOf("start 1"), frameOf("start"),
      std::string("\xff\xff\xff\x7f", 4),  // announces far more than kMaxFrameBytes
  };
  for (const auto& stream : bad) {
    ShimFrameReader reader;
    reader.append(stream + encodeShimMessage({ShimMessageKind::kExited, 0, "after"}));
    EXPECT_FALSE(reader.next().has_value());
    EXPECT_TRUE(reader.failed());
    EXPECT_FALSE(reader.next().has_value()) << "nothing comes out after a protocol error";
  }
}

TEST_F(ProcessRuntimeTest, OneHostParentsEveryContainerAndOutlivesTheRuntime) {
  makeRuntime();
  std::set<pid_t> parents;
  std::vector<pid_t> pids;
  for (const char* name : {"a", "b", "c"}) {
    ContainerStatus status = startOk(helper({"sleep"}, name));
    pids.push_back(status.pid);
    parents.insert(parentOf(status.pid));
  }
  ASSERT_EQ(parents.size(), 1u) << "one host for all containers";
  pid_t host = *parents.begin();
  EXPECT_NE(host, ::getpid());
  EXPECT_NE(parentOf(host), ::getpid()) << "the host is not the agent's child";

  runtime_.reset();  // the agent goes away
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(::kill(host, 0), 0) << "the host must stay while it parents containers";
  makeRuntime();
  auto listed = listAll();
  ASSERT_TRUE(listed.has_value());
  EXPECT_EQ(listed->size(), 3u);
  // A new start after the restart goes to the same host.
  ContainerStatus later = startOk(helper({"sleep"}, "d"));
  EXPECT_EQ(parentOf(later.pid), host);
  // Exits of adopted containers are recorded by the host and reach the new runtime.
  ::kill(pids[0], SIGKILL);
  ASSERT_TRUE(runUntil([&] { return !exits_.empty(); }));
  EXPECT_EQ(exits_.front().signal, SIGKILL);
  EXPECT_EQ(exits_.front().reason, "Error");

  runtime_.reset();
  for (pid_t pid : pids) ::kill(-pid, SIGKILL);
  ::kill(-later.pid, SIGKILL);
  EXPECT_TRUE(waitGone(host)) << "a host with no container and no agent leaves";
}

TEST_F(ProcessRuntimeTest, KilledHostCostsExitStatusesButNoDaemon) {
  makeRuntime();
  ContainerStatus first = startOk(helper({"sleep"}));
  pid_t host = parentOf(first.pid);
  ASSERT_EQ(::kill(host, SIGKILL), 0);
  ASSERT_TRUE(waitGone(host));
  EXPECT_TRUE(processAlive(first.pid)) << "the daemon outlives its host";

  // The next start gets a new host.
  ContainerStatus second = startOk(helper({"sleep"}, "other"));
  ASSERT_GT(second.pid, 0);
  EXPECT_NE(parentOf(second.pid), host);

  // Nobody recorded the orphan's exit: it is reported, as unknown, at once.
  ::kill(first.pid, SIGKILL);
  ASSERT_TRUE(runUntil([&] { return !exits_.empty(); }, 3s));
  EXPECT_EQ(exits_.front().reason, "ContainerStatusUnknown");
  EXPECT_EQ(exits_.front().exitCode, 137);
}

TEST_F(ProcessRuntimeTest, SecondHostOnTheSameSocketLeavesAtOnce) {
  makeRuntime();
  ContainerStatus status = startOk(helper({"sleep"}));
  pid_t host = parentOf(status.pid);
  const std::string socket = options_.stateDir + "/shim.sock";
  pid_t second = ::fork();
  if (second == 0) {
    ::execl(DAEMONLET_SHIM_PATH, DAEMONLET_SHIM_PATH, "--listen", socket.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int waitStatus = 0;
  ASSERT_EQ(::waitpid(second, &waitStatus, 0), second);
  EXPECT_TRUE(WIFEXITED(waitStatus) && WEXITSTATUS(waitStatus) == 0);
  // Its detached child leaves as well: only the first host remains, and serves.
  std::this_thread::sleep_for(200ms);
  ContainerStatus next = startOk(helper({"sleep"}, "next"));
  EXPECT_EQ(parentOf(next.pid), host);
}

TEST_F(ProcessRuntimeTest, BadUsageOfTheShimExitsTwo) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{}, {"--listen"}, {"--spec-fd", "3", "--report-fd", "4"}}) {
    pid_t child = ::fork();
    if (child == 0) {
      std::vector<char*> argv = {const_cast<char*>(DAEMONLET_SHIM_PATH)};
      for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
      argv.push_back(nullptr);
      ::execv(DAEMONLET_SHIM_PATH, argv.data());
      ::_exit(127);
    }
    int waitStatus = 0;
    ASSERT_EQ(::waitpid(child, &waitStatus, 0), child);
    EXPECT_TRUE(WIFEXITED(waitStatus) && WEXITSTATUS(waitStatus) == 2);
  }
}

}  // namespace
}  // namespace daemonlet::runtime::process::testing
