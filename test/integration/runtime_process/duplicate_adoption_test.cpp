// Adoption with two live instances of one container (issue 9 H2): the newer
// is kept, the older stopped, and list() never reports both, whatever order
// their record ids sort in ("_10_" sorts before "_9_").
#include <optional>

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
  auto listed = runtime_->list();
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
  auto listed = runtime_->list();
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
// Disabled: a zero report timeout races the report itself, and under ASan the
// report won (CI of 2026-12-03); it needs a hook that holds the report back.
TEST_F(ProcessRuntimeTest, DISABLED_ContainerReportedAfterItsStartTimedOutIsStopped) {
  makeRuntime();
  startOk(helper({"sleep"}, "first"));  // the shim host runs from here on
  options_.shimReportTimeout = std::chrono::milliseconds(0);
  makeRuntime();
  auto request = helper({"sleep"}, "late");
  request.env["LATE_MARKER"] = root_;
  std::optional<base::Result<ContainerStatus>> outcome;
  runtime_->startAsync(request, [&](base::Result<ContainerStatus> result) { outcome = std::move(result); });
  ASSERT_TRUE(runUntil([&] { return outcome.has_value(); }));
  ASSERT_FALSE(outcome->has_value()) << "the start did not time out; the test cannot tell";
  const std::string needle = "LATE_MARKER=" + root_;
  auto lateAlive = [&] {
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
      std::string name = entry.path().filename().string();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      if (readFile("/proc/" + name + "/environ").find(needle) != std::string::npos &&
          processAlive(std::stoi(name))) {
        return true;
      }
    }
    return false;
  };
  // The report arrives a moment later; the instance it names goes.
  EXPECT_TRUE(runUntil([&] { return !lateAlive(); }, std::chrono::seconds(5))) << "the late instance runs on";
}

}  // namespace
}  // namespace daemonlet::runtime::process::testing
