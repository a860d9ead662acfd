// What a container sees (environment, working directory, user) and what it
// leaves in its CRI log, including rotation.
#include <unistd.h>

#include <filesystem>
#include <regex>

#include "runtime_fixture.h"

namespace daemonlet::runtime::process::testing {
namespace {

const std::regex kCriLine(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z (stdout|stderr) (F|P) .*$)");

TEST_F(ProcessRuntimeTest, OutputGoesToTheDefaultCriLogPath) {
  makeRuntime();
  auto request = helper({"print", "2", "hello"});
  request.restartCount = 3;
  ContainerStatus started = startOk(request);
  EXPECT_EQ(started.logPath,
            options_.logDir + "/kube-system_agent-xyz12_0f1e2d3c-aaaa-bbbb-cccc-123456789abc/main/3.log");
  ASSERT_TRUE(runUntil([&] { return !exits_.empty(); }));
  auto logLines = lines(readFile(started.logPath));
  ASSERT_EQ(logLines.size(), 4u);
  for (const auto& line : logLines) {
    SCOPED_TRACE(line);
    EXPECT_TRUE(std::regex_match(line, kCriLine));
  }
  std::string text = readFile(started.logPath);
  EXPECT_NE(text.find(" stdout F hello 0\n"), std::string::npos);
  EXPECT_NE(text.find(" stdout F hello 1\n"), std::string::npos);
  EXPECT_NE(text.find(" stderr F hello 0 err\n"), std::string::npos);
  EXPECT_NE(text.find(" stderr F hello 1 err\n"), std::string::npos);
}

TEST_F(ProcessRuntimeTest, UnterminatedLastLineIsPartial) {
  makeRuntime();
  ContainerStatus started = startOk(helper({"partial"}));
  ASSERT_TRUE(runUntil([&] { return !exits_.empty(); }));
  auto logLines = lines(readFile(started.logPath));
  ASSERT_EQ(logLines.size(), 1u);
  EXPECT_TRUE(std::regex_match(logLines[0], kCriLine));
  EXPECT_NE(logLines[0].find(" stdout P no newline"), std::string::npos) << logLines[0];
}

TEST_F(ProcessRuntimeTest, LogRotatesBySizeAndKeepsMaxFiles) {
  options_.logMaxBytes = 4096;
  options_.logMaxFiles = 3;
  makeRuntime();
  ContainerStatus started = startOk(helper({"spam", "40000"}));
  ASSERT_TRUE(waitForLog(started.logPath, "spam line"));
  const std::filesystem::path dir = std::filesystem::path(started.logPath).parent_path();
  auto files = [&] {
    std::vector<std::filesystem::path> found;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) found.push_back(entry.path());
    return found;
  };
  // Lines are 55 bytes, so 40000 bytes end with line 727 (the helper stops at
  // the first line that reaches the total).
  ASSERT_TRUE(waitForLog(started.logPath, "spam line 00000727"));
  ASSERT_TRUE(runUntil([&] { return files().size() == 3; }));
  for (const auto& file : files()) {
    SCOPED_TRACE(file.string());
    EXPECT_LE(std::filesystem::file_size(file), 4096u);
    EXPECT_TRUE(file == started.logPath || file.filename().string().rfind("0.log.", 0) == 0);
    for (const auto& line : lines(readFile(file))) EXPECT_TRUE(std::regex_match(line, kCriLine)) << line;
  }
}

TEST_F(ProcessRuntimeTest, EnvironmentAndWorkingDirectoryAreApplied) {
  makeRuntime();
  auto request = helper({"show-env", "MY_NODE", "GREETING", "PATH", "HOME", "DAEMONLET_CONTAINER_ID"});
  request.env = {{"MY_NODE", "node-a"}, {"GREETING", "hello world"}};
  request.container.workingDir = root_;
  ContainerStatus started = startOk(request);
  ASSERT_TRUE(waitForLog(started.logPath, "uid="));
  std::string log = readFile(started.logPath);
  EXPECT_NE(log.find("MY_NODE=node-a\n"), std::string::npos) << log;
  EXPECT_NE(log.find("GREETING=hello world\n"), std::string::npos) << log;
  EXPECT_NE(log.find("PATH=/usr/local/sbin:"), std::string::npos) << "a default PATH when none is given";
  EXPECT_NE(log.find("HOME unset"), std::string::npos) << "the agent's own environment does not leak in";
  EXPECT_NE(log.find("DAEMONLET_CONTAINER_ID=0f1e2d3c-aaaa-bbbb-cccc-123456789abc_main_0_"), std::string::npos);
  EXPECT_NE(log.find("cwd=" + root_ + "\n"), std::string::npos) << log;
}

TEST_F(ProcessRuntimeTest, RunsAsTheRequestedUserAndGroup) {
  if (::geteuid() != 0) GTEST_SKIP() << "changing user needs root; this run is unprivileged";
  makeRuntime();
  auto request = helper({"show-env"});
  request.runAsUser = 65534;
  request.runAsGroup = 65534;
  ContainerStatus started = startOk(request);
  ASSERT_TRUE(waitForLog(started.logPath, "uid="));
  EXPECT_NE(readFile(started.logPath).find("uid=65534 gid=65534"), std::string::npos) << readFile(started.logPath);
}

}  // namespace
}  // namespace daemonlet::runtime::process::testing
