// The endpoint failing in every way nginx can fail: stopped, 500, slow, hanging,
// truncated, garbage. Daemons keep running, the cache is untouched, /status says
// what is wrong, and recovery needs nobody. Plus the reboot: agent and daemons
// killed, endpoint down, agent started again -> the cached daemons run.
#include "test/integration/endpoint/endpoint_fixture.h"

namespace daemonlet::e2e {
namespace {

using Fault = NginxServer::Fault;

class EndpointOutageTest : public EndpointE2eTest {
 protected:
  // Starts the agent on a two-DaemonSet list (JSON or a YAML stream) and waits
  // for both daemons and for the cache to hold the snapshot.
  void startSynced(bool yaml) {
    const std::vector<Json> items = {daemonSet("a", {"sleep"}), daemonSet("b", {"sleep"})};
    std::string url = nginx_.httpsUrl(kListPath);
    if (yaml) {
      nginx_.publish("daemonsets.yaml", yamlStream(items));
      url = nginx_.httpsUrl("/auth/daemonsets.yaml");
    } else {
      publishList(items);
    }
    url_ = url;
    startAgentWith(endpointArgs(url));
    aPid_ = runningPid("a");
    bPid_ = runningPid("b");
    ASSERT_GT(aPid_, 0);
    ASSERT_GT(bPid_, 0);
    ASSERT_TRUE(waitUntil([&] { return !cacheFiles().empty(); }, 10s))
        << "no cache file in the state dir after the first snapshot; state dir:\n" << stateListing();
    // Let any write of the first snapshot settle before taking the reference.
    std::this_thread::sleep_for(500ms);
    cache_ = cacheFiles();
  }

  // Daemons untouched (same processes) and the cache byte-for-byte and mtime the same.
  void expectNothingChanged() {
    EXPECT_TRUE(processAlive(aPid_));
    EXPECT_TRUE(processAlive(bPid_));
    auto a = onlyPod("a");
    auto b = onlyPod("b");
    ASSERT_TRUE(a.has_value() && b.has_value()) << "a DaemonSet vanished from the pod list";
    EXPECT_EQ(pidOf(mainStatus(*a)), aPid_);
    EXPECT_EQ(pidOf(mainStatus(*b)), bPid_);
    EXPECT_TRUE(cacheFiles() == cache_) << "the last-known-good cache changed during the outage";
  }

  // The endpoint works again with a changed list: a is rolled, the error clears.
  void expectRecovery() {
    const std::string extension = url_.ends_with(".yaml") ? "yaml" : "json";
    const std::vector<Json> items = {withTemplateAnnotation(daemonSet("a", {"sleep"}), "2"),
                                     daemonSet("b", {"sleep"})};
    nginx_.publish("daemonsets." + extension, extension == "yaml" ? yamlStream(items) : listOf(items).dump(1));
    EXPECT_FALSE(waitRestarted("a", aPid_, 15s).is_null()) << "no recovery: the changed a was not rolled";
    EXPECT_TRUE(waitUntil([&] { return endpointErrorText().empty(); }, 10s)) << endpointErrorText();
    EXPECT_TRUE(processAlive(bPid_)) << "b did not change and must not restart";
    EXPECT_TRUE(waitUntil([&] { return cacheFiles() != cache_; }, 10s)) << "the new snapshot was not cached";
  }

  std::string url_;
  int aPid_ = 0;
  int bPid_ = 0;
  std::map<std::string, FileStamp> cache_;
};

TEST_F(EndpointOutageTest, NginxStoppedKeepsDaemonsAndCacheThenRecovers) {
  startSynced(false);
  nginx_.stop();
  ASSERT_TRUE(waitUntil([&] { return !endpointErrorText().empty(); }, 10s))
      << "/status does not show the endpoint error: " << getJson("/status").dump(1);
  int failures = endpointFailures();
  ASSERT_TRUE(waitUntil([&] { return endpointFailures() > failures; })) << "no failed poll after the first";
  ASSERT_TRUE(waitPasses());
  expectNothingChanged();
  ASSERT_TRUE(nginx_.start()) << nginx_.lastError();
  expectRecovery();
}

struct FaultCase {
  Fault fault;
  bool yaml;
};

class EndpointFaultTest : public EndpointOutageTest, public ::testing::WithParamInterface<FaultCase> {};

TEST_P(EndpointFaultTest, DaemonsKeepRunningCacheUntouchedRecoveryAutomatic) {
  startSynced(GetParam().yaml);
  ASSERT_TRUE(nginx_.setFault(GetParam().fault)) << nginx_.lastError();
  // Slow and hanging answers fail by the 2 s request timeout; the rest at once.
  ASSERT_TRUE(waitUntil([&] { return !endpointErrorText().empty(); }, 15s))
      << "/status does not show the endpoint error: " << getJson("/status").dump(1);
  int failures = endpointFailures();
  ASSERT_TRUE(waitUntil([&] { return endpointFailures() > failures; }, 15s)) << "no failed poll after the first";
  ASSERT_TRUE(waitPasses());
  expectNothingChanged();
  ASSERT_TRUE(nginx_.setFault(Fault::None)) << nginx_.lastError();
  expectRecovery();
}

INSTANTIATE_TEST_SUITE_P(Faults, EndpointFaultTest,
                         ::testing::Values(FaultCase{Fault::Error500, false}, FaultCase{Fault::Slow, false},
                                           FaultCase{Fault::Hang, false}, FaultCase{Fault::Truncated, false},
                                           FaultCase{Fault::Truncated, true}, FaultCase{Fault::Garbage, false},
                                           FaultCase{Fault::Garbage, true}),
                         [](const ::testing::TestParamInfo<FaultCase>& info) {
                           std::string name = std::string(testing::faultName(info.param.fault)) +
                                              (info.param.yaml ? "Yaml" : "Json");
                           if (name[0] >= '0' && name[0] <= '9') name = "Error" + name;
                           return name;
                         });

TEST_F(EndpointOutageTest, RebootWithTheEndpointDownRunsTheCachedDaemons) {
  startSynced(false);
  // The node goes down: agent and daemons die, and it comes back in a partitioned rack.
  agent_.signal(SIGKILL);
  ASSERT_TRUE(agent_.waitExit(5s).has_value());
  ASSERT_TRUE(waitUntil(
      [&] {
        auto left = processesWith(marker_);
        for (int pid : left) ::kill(pid, SIGKILL);
        return left.empty();
      },
      10s));
  nginx_.stop();

  const auto start = Clock::now();
  startAgentWith(endpointArgs(url_));
  const int a = runningPid("a", 10s);
  const int b = runningPid("b", 10s);
  const double seconds = secondsSince(start);
  EXPECT_GT(a, 0) << "the cached a did not come back";
  EXPECT_GT(b, 0) << "the cached b did not come back";
  EXPECT_NE(a, aPid_);
  std::cerr << "reboot with the endpoint down: cached daemons running " << seconds << " s after the agent started\n";
  EXPECT_LT(seconds, 5.0) << "cached daemons must come back within a few seconds";
  EXPECT_TRUE(waitUntil([&] { return !endpointErrorText().empty(); }, 10s)) << "the endpoint is down";
  EXPECT_TRUE(cacheFiles() == cache_) << "starting from the cache must not rewrite it";

  // And when the endpoint returns, it takes over again.
  ASSERT_TRUE(nginx_.start()) << nginx_.lastError();
  aPid_ = a;
  bPid_ = b;
  expectRecovery();
}

}  // namespace
}  // namespace daemonlet::e2e
