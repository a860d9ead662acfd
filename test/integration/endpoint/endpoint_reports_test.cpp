// Upward status reports: the agent PUTs its node report to nginx's WebDAV
// directory, on change and as a heartbeat, with the same TLS and token.
#include "test/integration/endpoint/endpoint_fixture.h"

namespace daemonlet::e2e {
namespace {

// Every string in `value` (keys excluded), for "does the report mention X".
void collectStrings(const Json& value, std::string& out) {
  if (value.is_string()) {
    out += value.get<std::string>() + "\n";
  } else if (value.is_structured()) {
    for (const auto& item : value) collectStrings(item, out);
  }
}

TEST_F(EndpointE2eTest, StatusReportsArriveByWebDavPut) {
  publishList({daemonSet("a", {"sleep"})});
  std::vector<std::string> args = endpointArgs();
  for (const std::string& flag :
       {std::string("--report-url"), nginx_.httpsUrl("/reports/nodes/{node}/status"), std::string("--report-interval"),
        std::string("1s")}) {
    args.push_back(flag);
  }
  startAgentWith(args);
  ASSERT_GT(runningPid("a"), 0);

  const fs::path reportFile = nginx_.reportsDir() / "nodes" / "n1" / "status";
  Json report;
  ASSERT_TRUE(waitUntil(
      [&] {
        report = Json::parse(readFile(reportFile), nullptr, false);
        std::string strings;
        collectStrings(report, strings);
        return !report.is_discarded() && strings.find("\na\n") != std::string::npos;
      },
      15s))
      << "no report naming DaemonSet a at " << reportFile << ": " << readFile(reportFile);
  std::string strings;
  collectStrings(report, strings);
  EXPECT_NE(("\n" + strings).find("\nn1\n"), std::string::npos) << "the report names the node: " << report.dump(1);

  // Heartbeat: the report is sent again (a new sequence or report time) within seconds.
  const std::string first = readFile(reportFile);
  EXPECT_TRUE(waitUntil([&] { return readFile(reportFile) != first; }, 10s)) << "no heartbeat report";

  // nginx logs a request after answering it, so the second PUT's file can be in
  // place before its log line: wait for the line rather than counting once.
  auto countPuts = [&] {
    int n = 0;
    for (const auto& entry : nginx_.accessLog()) n += entry.method == "PUT" ? 1 : 0;
    return n;
  };
  EXPECT_TRUE(waitUntil([&] { return countPuts() >= 2; }, 5s)) << "access log has " << countPuts() << " PUTs";
  int puts = 0;
  for (const auto& entry : nginx_.accessLog()) {
    if (entry.method != "PUT") continue;
    ++puts;
    SCOPED_TRACE(entry.uri);
    EXPECT_EQ(entry.uri, "/reports/nodes/n1/status");
    EXPECT_TRUE(entry.status == 201 || entry.status == 204) << entry.status;
    EXPECT_TRUE(entry.https);
    EXPECT_EQ(entry.authorization, "Bearer " + nginx_.token());
  }
  EXPECT_GE(puts, 2);
}

TEST_F(EndpointE2eTest, ReportsFailingNeverDisturbTheDaemons) {
  publishList({daemonSet("a", {"sleep"})});
  ASSERT_TRUE(nginx_.setReportsFault(NginxServer::Fault::Hang));
  std::vector<std::string> args = endpointArgs();
  args.insert(args.end(), {"--report-url", nginx_.httpsUrl("/reports/nodes/{node}/status"), "--report-interval", "1s"});
  startAgentWith(args);
  const int pid = runningPid("a");
  ASSERT_GT(pid, 0);
  std::this_thread::sleep_for(3s);
  EXPECT_TRUE(processAlive(pid));
  EXPECT_FALSE(getJson("/status").is_null()) << "the local API answers while reports hang";

  // Reports work again: the next one lands.
  ASSERT_TRUE(nginx_.setReportsFault(NginxServer::Fault::None));
  EXPECT_TRUE(waitUntil([&] { return fs::exists(nginx_.reportsDir() / "nodes" / "n1" / "status"); }, 15s));
}

}  // namespace
}  // namespace daemonlet::e2e
