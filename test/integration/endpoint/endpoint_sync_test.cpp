// The agent follows the central endpoint: daemons from nginx over TLS with a CA
// and a bearer token, changes rolled, conditional polls, per-DaemonSet rejection,
// and an empty list meaning "run nothing from the endpoint".
#include "test/integration/endpoint/endpoint_fixture.h"

namespace daemonlet::e2e {
namespace {

TEST_F(EndpointE2eTest, DaemonsFromTheEndpointStartOverTlsWithTheToken) {
  publishList({daemonSet("a", {"sleep"}), daemonSet("b", {"sleep"})});
  startAgentWith(endpointArgs());
  EXPECT_GT(runningPid("a"), 0);
  EXPECT_GT(runningPid("b"), 0);
  EXPECT_NE(sourceOf("a").find("endpoint"), std::string::npos) << sourceOf("a");
  EXPECT_EQ(endpointErrorText(), "");

  const auto log = nginx_.accessLog();
  ASSERT_FALSE(log.empty());
  for (const auto& entry : log) {
    SCOPED_TRACE(entry.uri);
    EXPECT_TRUE(entry.https);
    EXPECT_EQ(entry.authorization, "Bearer " + nginx_.token());
    EXPECT_TRUE(entry.status == 200 || entry.status == 304) << entry.status;
  }
}

TEST_F(EndpointE2eTest, ChangesOnTheServerAreRolledOnTheNode) {
  const Json a = daemonSet("a", {"sleep"});
  publishList({a, daemonSet("b", {"sleep"})});
  startAgentWith(endpointArgs());
  const int aPid = runningPid("a");
  ASSERT_GT(aPid, 0);
  const std::string oldRevision = revisionOf(waitRunning("a"));
  const int bPid = runningPid("b");
  ASSERT_GT(bPid, 0);

  // Changed template for a, b removed, c added: all in one new list.
  const auto start = Clock::now();
  publishList({withTemplateAnnotation(a, "2"), daemonSet("c", {"sleep"})});
  Json rolled = waitRestarted("a", aPid, 15s);
  ASSERT_FALSE(rolled.is_null()) << "a was not replaced after its template changed on the server";
  EXPECT_NE(revisionOf(rolled), oldRevision);
  EXPECT_GT(runningPid("c"), 0);
  EXPECT_TRUE(waitUntil([&] { return daemonProcesses("b").empty(); }, 15s)) << "b was removed on the server";
  std::cerr << "manifest change on the server to the daemons rolled: " << secondsSince(start) << " s\n";
  EXPECT_FALSE(processAlive(aPid));
}

TEST_F(EndpointE2eTest, UnchangedPollsAreConditionalAndGet304) {
  publishList({daemonSet("a", {"sleep"})});
  startAgentWith(endpointArgs());
  ASSERT_GT(runningPid("a"), 0);
  nginx_.clearAccessLog();
  ASSERT_TRUE(waitUntil([&] { return nginx_.accessLog().size() >= 5; })) << "the agent should poll every 200 ms";
  const auto log = nginx_.accessLog();
  ASSERT_GE(log.size(), 3u) << "the agent should poll every 200 ms";
  std::int64_t bytes = 0;
  for (const auto& entry : log) {
    SCOPED_TRACE(entry.uri);
    EXPECT_EQ(entry.status, 304);
    EXPECT_FALSE(entry.ifNoneMatch.empty() && entry.ifModifiedSince.empty()) << "not a conditional request";
    EXPECT_EQ(entry.bodyBytesSent, 0);
    bytes += entry.bytesSent + entry.requestLength;
  }
  std::cerr << "unchanged poll: " << bytes / static_cast<std::int64_t>(log.size())
            << " bytes on the wire per request (request + response, TLS excluded)\n";
  EXPECT_GT(runningPid("a"), 0);
}

TEST_F(EndpointE2eTest, AnInvalidDaemonSetIsRejectedAloneAndTheRestApplies) {
  const Json stays = daemonSet("stays", {"sleep"});
  publishList({daemonSet("good", {"sleep"}), stays});
  startAgentWith(endpointArgs());
  const int staysPid = runningPid("stays");
  ASSERT_GT(staysPid, 0);

  // "bad" is new and invalid; "stays" turns invalid (its last good version keeps
  // running); "fresh" is new and valid.
  Json bad = daemonSet("bad", {"sleep"});
  bad["spec"]["selector"]["matchLabels"]["app"] = "does-not-match-the-template";
  Json staysBroken = stays;
  staysBroken["spec"]["template"]["spec"]["containers"][0].erase("image");
  staysBroken["spec"]["template"]["spec"]["containers"][0]["name"] = "Not_A_DNS_Label";
  publishList({daemonSet("good", {"sleep"}), bad, staysBroken, daemonSet("fresh", {"sleep"})});

  EXPECT_GT(runningPid("fresh"), 0) << "the valid rest of the list applies";
  ASSERT_TRUE(waitUntil([&] { return endpointErrorText().find("bad") != std::string::npos; }, 10s))
      << "the rejected DaemonSet's error is in /status: " << getJson("/status").dump(1);
  EXPECT_NE(endpointErrorText().find("stays"), std::string::npos) << endpointErrorText();
  EXPECT_TRUE(daemonProcesses("bad").empty());
  ASSERT_TRUE(waitPasses());
  auto staysPod = onlyPod("stays");
  ASSERT_TRUE(staysPod.has_value()) << "the last good version of a DaemonSet that turned invalid stays";
  EXPECT_EQ(pidOf(mainStatus(*staysPod)), staysPid);
  EXPECT_TRUE(processAlive(staysPid));
  EXPECT_GT(runningPid("good"), 0);
}

TEST_F(EndpointE2eTest, AnEmptyListStopsEverythingFromTheEndpointButNotLocalManifests) {
  writeManifest("local.json", daemonSet("local", {"sleep"}));
  publishList({daemonSet("a", {"sleep"}), daemonSet("b", {"sleep"})});
  startAgentWith(endpointArgs());
  ASSERT_GT(runningPid("a"), 0);
  ASSERT_GT(runningPid("b"), 0);
  const int localPid = runningPid("local");
  ASSERT_GT(localPid, 0);

  publishList({});
  EXPECT_TRUE(waitUntil([&] { return daemonProcesses("a").empty() && daemonProcesses("b").empty(); }, 15s))
      << "a well-formed empty list is the operator asking for nothing";
  EXPECT_TRUE(processAlive(localPid)) << "the local manifest directory is not the endpoint's";
  EXPECT_EQ(endpointErrorText(), "");
}

TEST_F(EndpointE2eTest, PlainHttpAndYamlStreamsWork) {
  nginx_.publish("daemonsets.yaml", yamlStream({daemonSet("a", {"sleep"}), daemonSet("b", {"sleep"})}));
  startAgentWith(endpointArgs(nginx_.httpUrl("/auth/daemonsets.yaml")));
  EXPECT_GT(runningPid("a"), 0);
  EXPECT_GT(runningPid("b"), 0);
}

TEST_F(EndpointE2eTest, AWrongTokenIsAnErrorUntilTheTokenFileIsFixed) {
  publishList({daemonSet("a", {"sleep"})});
  const fs::path tokenFile = root_ / "files" / "token";
  writeFile(tokenFile, "wrong-token\n");
  std::vector<std::string> args = endpointArgs();
  auto flag = std::find(args.begin(), args.end(), "--endpoint-token-file");
  ASSERT_NE(flag, args.end());
  *(flag + 1) = tokenFile.string();
  startAgentWith(args);
  ASSERT_TRUE(waitUntil([&] { return endpointErrorText().find("401") != std::string::npos; }, 10s))
      << "a 401 shows in /status: " << getJson("/status").dump(1);
  EXPECT_TRUE(daemonProcesses("a").empty());

  // The token rotates: the agent re-reads the file and recovers on its own.
  fs::path temp = root_ / "files" / ".token.tmp";
  writeFile(temp, nginx_.token() + "\n");
  fs::rename(temp, tokenFile);
  EXPECT_GT(runningPid("a", 20s), 0);
  EXPECT_TRUE(waitUntil([&] { return endpointErrorText().empty(); }, 10s)) << endpointErrorText();
}

}  // namespace
}  // namespace daemonlet::e2e
