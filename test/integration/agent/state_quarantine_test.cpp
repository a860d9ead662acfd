// A pod state file that is valid JSON but wrong inside (issue 9, M1): the agent
// used to exit 70 on every start without naming the file. Now the record is
// moved aside, reported in /status and the log, and the agent keeps its daemons.
#include "test/integration/agent/agent_fixture.h"

namespace daemonlet::e2e {
namespace {

class StateQuarantineTest : public AgentE2eTest {
 protected:
  std::vector<fs::path> podStateFiles(const std::string& suffix) const {
    std::vector<fs::path> found;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root_ / "state" / "pods", ec)) {
      const std::string name = entry.path().filename().string();
      if (name.size() >= suffix.size() && name.find(suffix) != std::string::npos) found.push_back(entry.path());
    }
    return found;
  }
};

TEST_F(StateQuarantineTest, WrongTypedPodStateFieldIsQuarantinedAndTheAgentKeepsRunning) {
  writeManifest("a.json", daemonSet("a", {"sleep"}));
  startAgent();
  Json before = waitRunning("a");
  ASSERT_FALSE(before.is_null());
  const int pid = pidOf(mainStatus(before));

  agent_.signal(SIGKILL);
  ASSERT_TRUE(agent_.waitExit(5s).has_value());
  auto files = podStateFiles(".json");
  ASSERT_EQ(files.size(), 1u) << "expected one pod state file under " << root_ / "state" / "pods";
  Json record = Json::parse(readFile(files[0]));
  ASSERT_TRUE(record["containers"].is_array() && !record["containers"].empty()) << record.dump();
  record["containers"][0]["starts"] = "three";  // valid JSON, wrong type
  writeFile(files[0], record.dump());

  startAgent();  // used to fail here: exit 70 at every start
  Json status;
  ASSERT_TRUE(waitUntil([&] {
    status = getJson("/status");
    return status.contains("stateErrors") && !status["stateErrors"].empty();
  })) << "no stateErrors in /status: " << status.dump();
  const Json& error = status["stateErrors"][0];
  EXPECT_EQ(error.value("file", ""), files[0].string());
  const std::string message = error.value("message", "");
  EXPECT_NE(message.find(files[0].string()), std::string::npos) << message;
  EXPECT_NE(message.find("containers[0].starts"), std::string::npos) << message;
  EXPECT_NE(message.find("moved aside"), std::string::npos) << message;

  auto aside = podStateFiles(".json.bad-");
  ASSERT_EQ(aside.size(), 1u) << "the bad record was not moved aside";
  EXPECT_EQ(Json::parse(readFile(aside[0]))["containers"][0]["starts"], "three") << "the bad record was altered";
  EXPECT_NE(readFile(root_ / "agent.log").find(files[0].string()), std::string::npos)
      << "the log does not name the bad file";

  // The daemon was adopted from the runtime's record: one copy, the same process.
  Json after = waitRunning("a");
  ASSERT_FALSE(after.is_null());
  EXPECT_EQ(pidOf(mainStatus(after)), pid) << "the daemon was restarted instead of adopted";
  EXPECT_EQ(daemonProcesses("a").size(), 1u);
  // And the pod's state is saved again, under its own name.
  EXPECT_TRUE(waitUntil([&] { return fs::exists(files[0]); })) << "the pod state was not written again";
}

}  // namespace
}  // namespace daemonlet::e2e
