// Adoption with two live instances of one container (issue 9 H2): the newer
// is kept, the older stopped, and list() never reports both, whatever order
// their record ids sort in ("_10_" sorts before "_9_").
#include <functional>
#include <optional>
#include <vector>

#include "runtime_fixture.h"

namespace daemonlet::runtime::process::testing {
namespace {

TEST_F(ProcessRuntimeTest, AdoptionKeepsTheNewerOfTwoLiveInstancesAndStopsTheOther) {
  makeRuntime();
  auto older = helper({"sleep"});
  older.restartCount = 9;
  auto newer = helper({"sleep"});
  newer.restartCount = 10;
  ContainerStatus nine = startOk(older);
  ContainerStatus ten = startOk(newer);

  makeRuntime();  // the agent restarted
  auto listed = listAll();
  ASSERT_TRUE(listed.has_value());
  int running = 0;
  for (const auto& status : *listed) {
    if (status.state == ContainerState::kExited) continue;
    ++running;
    EXPECT_EQ(status.pid, ten.pid) << "the older instance was kept";
  }
  EXPECT_EQ(running, 1);
  EXPECT_TRUE(runUntil([&] { return !processAlive(nine.pid); })) << "the older instance was not stopped";
  EXPECT_TRUE(processAlive(ten.pid));
}

TEST_F(ProcessRuntimeTest, ListNamesTheNewestInstanceOfAContainerLast) {
  makeRuntime();
  for (int restart = 8; restart <= 10; ++restart) {
    auto request = helper(restart == 10 ? std::vector<std::string>{"sleep"} : std::vector<std::string>{"exit", "1"});
    request.restartCount = restart;
    exits_.clear();
    startOk(request);
    if (restart < 10) {
      ASSERT_TRUE(runUntil([&] { return !exits_.empty(); }));
    }
  }
  makeRuntime();
  auto listed = listAll();
  ASSERT_TRUE(listed.has_value());
  ASSERT_FALSE(listed->empty());
  // A caller keeping the last status per container keeps the running 10th.
  EXPECT_EQ(listed->back().restartCount, 10);
  EXPECT_EQ(listed->back().state, ContainerState::kRunning);
}

}  // namespace
}  // namespace daemonlet::runtime::process::testing

namespace daemonlet::runtime::process::testing {
namespace {

// A start the runtime gave up on (its report came after shimReportTimeout,
// as under heavy load) is retried by the caller: the late instance must not
// run on beside the retry. Before: it ran on, untracked (a second copy).
// The report is held back until the timeout has fired, so the order is certain.
TEST_F(ProcessRuntimeTest, ContainerReportedAfterItsStartTimedOutIsStopped) {
  makeRuntime();
  startOk(helper({"sleep"}, "first"));  // the shim host runs from here on
  std::vector<std::function<void()>> held;
  options_.shimReportTimeout = std::chrono::milliseconds(0);
  options_.holdStartReports = [&](std::function<void()> handle) { held.push_back(std::move(handle)); };
  makeRuntime();
  auto request = helper({"sleep"}, "late");
  request.env["LATE_MARKER"] = root_;
  std::optional<base::Result<ContainerStatus>> outcome;
  runtime_->start(request, [&](base::Result<ContainerStatus> result) { outcome = std::move(result); });
  ASSERT_TRUE(runUntil([&] { return outcome.has_value(); }));
  ASSERT_FALSE(outcome->has_value()) << "the start did not time out; the test cannot tell";
  const std::string needle = "LATE_MARKER=" + root_;
  auto lateAlive = [&] {
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
      std::string name = entry.path().filename().string();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      if (readFile("/proc/" + name + "/environ").find(needle) != std::string::npos &&
          processAlive(std::stoi(name))) {
        groups_.push_back(std::stoi(name));  // its own group: killed by TearDown should this test fail
        return true;
      }
    }
    return false;
  };
  ASSERT_TRUE(runUntil([&] { return !held.empty(); })) << "the host never reported the start";
  ASSERT_TRUE(lateAlive()) << "the late instance never ran; the test cannot tell";
  held.front()();  // the report arrives after the timeout; the instance it names goes
  EXPECT_TRUE(runUntil([&] { return !lateAlive(); }, std::chrono::seconds(5))) << "the late instance runs on";
}

}  // namespace
}  // namespace daemonlet::runtime::process::testing
