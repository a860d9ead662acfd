// Runtime::exec for host processes (exec probes): a command run with the
// container's environment and working directory, never taken for the container.
#include <filesystem>

#include "runtime/process/host_exec.h"
#include "runtime_fixture.h"

namespace daemonlet::runtime::process::testing {
namespace {

class ProcessExecTest : public ProcessRuntimeTest {
 protected:
  ExecResult execAndWait(const std::string& containerId, const std::vector<std::string>& command) {
    std::optional<ExecResult> result;
    auto handle = runtime_->exec(containerId, command, std::chrono::seconds(5),
                                 [&](ExecResult outcome) { result = std::move(outcome); });
    EXPECT_TRUE(runUntil([&] { return result.has_value(); }));
    return result.value_or(ExecResult{false, "no result"});
  }
};

TEST_F(ProcessExecTest, RunsWithTheContainersEnvironmentAndWorkingDirWithoutItsMarkers) {
  makeRuntime();
  auto request = helper({"sleep"});
  request.env = {{"PROBE_VAR", "yes"}};
  request.container.workingDir = root_;
  ContainerStatus started = startOk(request);
  const std::string dir = std::filesystem::canonical(root_).string();
  EXPECT_TRUE(execAndWait(started.containerId, {"/bin/sh", "-c", "test \"$PROBE_VAR\" = yes"}).success);
  EXPECT_TRUE(execAndWait(started.containerId, {"/bin/sh", "-c", "test \"$(pwd -P)\" = '" + dir + "'"}).success);
  // Carrying the container's marker, the command would be adopted as a container.
  EXPECT_TRUE(execAndWait(started.containerId, {"/bin/sh", "-c", "test -z \"$DAEMONLET_CONTAINER_ID\""}).success);
  ExecResult failed = execAndWait(started.containerId, {"/bin/sh", "-c", "exit 3"});
  EXPECT_FALSE(failed.success);
  EXPECT_NE(failed.message.find("exit code 3"), std::string::npos) << failed.message;
}

TEST_F(ProcessExecTest, AFailuresMessageCarriesTheStartOfItsOutput) {
  makeRuntime();
  ContainerStatus started = startOk(helper({"sleep"}));
  ExecResult failed = execAndWait(started.containerId, {"/bin/sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 4"});
  EXPECT_FALSE(failed.success);
  EXPECT_EQ(failed.message, "exit code 4: to-stdout\nto-stderr") << failed.message;
  // Far more than a pipe holds: read as it comes (the command never blocks),
  // kept up to 10 KiB.
  ExecResult chatty = execAndWait(started.containerId, {"/bin/sh", "-c", "yes x | head -c 300000; exit 5"});
  EXPECT_FALSE(chatty.success);
  EXPECT_EQ(chatty.message.rfind("exit code 5: x", 0), 0u) << chatty.message.substr(0, 80);
  EXPECT_LE(chatty.message.size(), 10u * 1024 + 20);
}

TEST_F(ProcessExecTest, AContainerThatIsNotRunningCannotExec) {
  makeRuntime();
  ContainerStatus started = startOk(helper({"exit", "0"}));
  ASSERT_TRUE(runUntil([&] { return !exits_.empty(); }));
  ExecResult result = execAndWait(started.containerId, {"/bin/true"});
  EXPECT_FALSE(result.success);
  EXPECT_NE(result.message.find("not running"), std::string::npos) << result.message;
  result = execAndWait("host://999999999", {"/bin/true"});
  EXPECT_FALSE(result.success);
}

TEST_F(ProcessExecTest, PodsShareTheHostsAddress) {
  options_.hostIP = "192.0.2.7";
  makeRuntime();
  EXPECT_EQ(runtime_->podIP(pod().uid), "192.0.2.7");
  EXPECT_EQ(runtime_->name(), "host");
}

TEST(ResolveExecutableTest, SearchesTheContainerPath) {
  EXPECT_EQ(resolveExecutable("/no/such/thing", {}), "/no/such/thing");  // paths are used as given
  EXPECT_EQ(resolveExecutable("true", {{"PATH", "/nonexistent:/bin"}}), "/bin/true");
  EXPECT_EQ(resolveExecutable("true", {{"PATH", "/nonexistent"}}), "");
  EXPECT_FALSE(resolveExecutable("true", {}).empty());  // the default PATH
}

}  // namespace
}  // namespace daemonlet::runtime::process::testing
