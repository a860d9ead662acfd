// KubeApi builds its objects only when read: a publish with nobody reading
// records the pod transitions as events and builds nothing; a list after
// several publishes shows the latest; an open watch still sees every
// transition, one event per publish (issue 14: rebuilding every object at
// every publish held most of the agent's heap at 200 pods).
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "agent/kubeapi/kube_api.h"
#include "agent/status/http_api.h"

namespace daemonlet::kubeapi {
namespace {

using model::Json;

// One pod whose container is in `state` (a running one has `containerId`), at `phase`.
std::shared_ptr<status::StatusSnapshot> snapshotOf(std::uint64_t sequence, const std::string& phase,
                                                   const std::string& state, const std::string& containerId,
                                                   const std::string& reason = "") {
  auto snapshot = std::make_shared<status::StatusSnapshot>();
  snapshot->sequence = sequence;
  snapshot->node.name = "worker-1";
  status::PodView pod;
  pod.uid = "uid-1";
  pod.name = "web-abcde";
  pod.namespace_ = "default";
  pod.daemonSetName = "web";
  pod.phase = phase;
  status::ContainerView container;
  container.name = "main";
  container.state = state;
  container.containerId = containerId;
  container.reason = reason;
  pod.containers.push_back(container);
  snapshot->pods.push_back(pod);
  return snapshot;
}

template <typename Condition>
bool eventually(Condition condition) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

class KubeApiLazinessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto noDeleter = [](const std::string&, const std::string&, const status::DeleteRequest&) {
      return status::DeleteResult{status::DeleteOutcome::kNotFound};
    };
    kube_ = std::make_unique<KubeApi>(store_, clock_, noDeleter, KubeApiOptions{"secret", {}});
    publish(snapshotOf(1, "Pending", "waiting", "", "ContainerCreating"));
    status::HttpApiOptions options{"127.0.0.1", 0, "secret", {}, {}, {}};
    options.extraRoutes = [this](httplib::Server& server) { kube_->registerRoutes(server); };
    api_ = std::make_unique<status::HttpApi>(store_, noDeleter, std::move(options));
    auto port = api_->start();
    ASSERT_TRUE(port.has_value()) << port.error().describe();
    port_ = *port;
  }
  void TearDown() override { api_->stop(); }

  // As the reconciler's publish hook does.
  void publish(std::shared_ptr<status::StatusSnapshot> snapshot) {
    store_.publish(std::move(snapshot));
    kube_->published();
  }
  Json get(const std::string& path) {
    httplib::Client client("127.0.0.1", port_);
    auto res = client.Get(path);
    EXPECT_TRUE(res && res->status == 200) << path;
    return res ? Json::parse(res->body) : Json();
  }
  std::vector<std::string> eventReasons() {
    std::vector<std::string> out;
    const Json events = get("/api/v1/namespaces/default/events");
    for (const auto& e : events["items"]) {
      out.push_back(e["reason"].get<std::string>() + " x" + std::to_string(e["count"].get<int>()));
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  base::ManualClock clock_;
  status::SnapshotStore store_;
  std::unique_ptr<KubeApi> kube_;
  std::unique_ptr<status::HttpApi> api_;
  int port_ = 0;
};

TEST_F(KubeApiLazinessTest, PublishesWithNoReaderBuildNothingYetKeepEveryTransitionsEvents) {
  const std::uint64_t before = kube_->historyVersion();
  publish(snapshotOf(2, "Running", "running", "host://10"));
  publish(snapshotOf(3, "Running", "waiting", "", "CrashLoopBackOff"));
  publish(snapshotOf(4, "Running", "running", "host://11"));
  EXPECT_EQ(kube_->historyVersion(), before) << "no object built without a reader";

  Json pods = get("/api/v1/pods");
  ASSERT_EQ(pods["items"].size(), 1u);
  const Json& pod = pods["items"][0];
  EXPECT_EQ(pod["status"]["containerStatuses"][0]["containerID"], "host://11") << "the latest snapshot";
  EXPECT_GT(kube_->historyVersion(), before);
  EXPECT_EQ(pods["metadata"]["resourceVersion"], std::to_string(kube_->historyVersion()));

  // Both starts and the crash between them, though no request came in between.
  EXPECT_EQ(eventReasons(), (std::vector<std::string>{"BackOff x1", "Created x2", "Started x2"}));
}

TEST_F(KubeApiLazinessTest, AnOpenWatchSeesEveryTransitionAndAClosedOneStopsTheBuilding) {
  std::string from = get("/api/v1/pods")["metadata"]["resourceVersion"];
  std::mutex mutex;
  std::vector<Json> seen;
  std::atomic<bool> done = false;
  std::thread watcher([&] {
    httplib::Client client("127.0.0.1", port_);
    std::string buffer;
    (void)client.Get("/api/v1/pods?watch=true&timeoutSeconds=20&resourceVersion=" + from,
                     [&](const char* data, std::size_t size) {
                       buffer.append(data, size);
                       for (auto end = buffer.find('\n'); end != std::string::npos; end = buffer.find('\n')) {
                         std::lock_guard lock(mutex);
                         seen.push_back(Json::parse(buffer.substr(0, end)));
                         buffer.erase(0, end + 1);
                       }
                       std::lock_guard lock(mutex);
                       return seen.size() < 3;
                     });
    done = true;
  });
  ASSERT_TRUE(eventually([&] { return kube_->openWatches() == 1; }));

  // Three publishes in a row, faster than the front pulls (every 200 ms): each still reaches the watch.
  publish(snapshotOf(2, "Running", "running", "host://10"));
  publish(snapshotOf(3, "Failed", "terminated", "host://10", "Error"));
  publish(snapshotOf(4, "Running", "running", "host://11"));
  ASSERT_TRUE(eventually([&] { return done.load(); }));
  watcher.join();
  ASSERT_EQ(seen.size(), 3u);
  std::vector<std::string> phases;
  for (const auto& event : seen) {
    phases.push_back(event["type"].get<std::string>() + " " + event["object"]["status"]["phase"].get<std::string>());
  }
  EXPECT_EQ(phases, (std::vector<std::string>{"MODIFIED Running", "MODIFIED Failed", "MODIFIED Running"}));

  // The client left: publishes go back to building nothing.
  ASSERT_TRUE(eventually([&] { return kube_->openWatches() == 0; }));
  const std::uint64_t after = kube_->historyVersion();
  publish(snapshotOf(5, "Failed", "terminated", "host://11", "Error"));
  EXPECT_EQ(kube_->historyVersion(), after);
}

}  // namespace
}  // namespace daemonlet::kubeapi
