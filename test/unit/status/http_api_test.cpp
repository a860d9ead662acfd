#include "agent/status/http_api.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

namespace daemonlet::status {
namespace {

std::shared_ptr<StatusSnapshot> sampleSharedSnapshot() {
  auto s = std::make_shared<StatusSnapshot>();
  s->agentVersion = "0.1.0";
  s->sequence = 7;
  s->synced = true;
  s->node = {"node-1", {{"kubernetes.io/hostname", "node-1"}}, {{"dedicated", "infra", "NoSchedule"}}, "10.0.0.5"};
  DaemonSetView ds;
  ds.namespace_ = "kube-system";
  ds.name = "fluentd";
  ds.origin = "file:/etc/daemonlet/manifests/fluentd.yaml";
  ds.revision = "abcdefghij";
  ds.shouldRun = true;
  ds.shouldContinueRunning = true;
  ds.reasons = {"all rules pass"};
  s->daemonSets.push_back(ds);
  PodView pod;
  pod.uid = "uid-1";
  pod.name = "fluentd-node-1";
  pod.namespace_ = "kube-system";
  pod.daemonSetName = "fluentd";
  pod.daemonSetUid = "ds-uid";
  pod.revision = "abcdefghij";
  pod.phase = "Running";
  pod.ready = true;
  pod.initialized = true;
  pod.startTime = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
  ContainerView c;
  c.name = "main";
  c.image = "fluentd:v1";
  c.containerId = "host://1234";
  c.state = "running";
  c.ready = true;
  c.started = true;
  c.restartCount = 2;
  c.startedAt = pod.startTime;
  c.lastExitCode = 137;
  c.lastExitReason = "Error";
  pod.containers.push_back(c);
  s->pods.push_back(pod);
  s->sourceErrors.push_back({"file:/m/bad.yaml", "/m/bad.yaml: document 0: spec.selector: Required value"});
  return s;
}

class HttpApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_.publish(sampleSharedSnapshot());
    api_ = std::make_unique<HttpApi>(
        store_,
        [this](const std::string& ns, const std::string& name, const DeleteRequest&) {
          deleted_.push_back(ns + "/" + name);
          return DeleteResult{name == "fluentd-node-1" ? DeleteOutcome::kDeleted : DeleteOutcome::kNotFound};
        },
        HttpApiOptions{"127.0.0.1", 0, "secret-token", {}, {}, {}});
    auto port = api_->start();
    ASSERT_TRUE(port.has_value()) << port.error().describe();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", *port);
  }
  void TearDown() override { api_->stop(); }

  SnapshotStore store_;
  std::unique_ptr<HttpApi> api_;
  std::unique_ptr<httplib::Client> client_;
  std::vector<std::string> deleted_;
};

TEST_F(HttpApiTest, LivezAndReadyz) {
  EXPECT_EQ(client_->Get("/livez")->status, 200);
  EXPECT_EQ(client_->Get("/readyz")->status, 200);
  auto notSynced = sampleSharedSnapshot();
  notSynced->synced = false;
  store_.publish(notSynced);
  auto res = client_->Get("/readyz?verbose");
  EXPECT_EQ(res->status, 503);
  EXPECT_NE(res->body.find("[-]first-reconcile"), std::string::npos);
}

TEST_F(HttpApiTest, StatusDocument) {
  auto res = client_->Get("/status");
  ASSERT_EQ(res->status, 200);
  auto body = nlohmann::json::parse(res->body);
  EXPECT_EQ(body["node"]["name"], "node-1");
  EXPECT_EQ(body["daemonSets"][0]["source"], "file:/etc/daemonlet/manifests/fluentd.yaml");
  EXPECT_EQ(body["daemonSets"][0]["decision"]["shouldRun"], true);
  EXPECT_EQ(body["daemonSets"][0]["pods"][0]["containers"][0]["restartCount"], 2);
  EXPECT_EQ(body["daemonSets"][0]["pods"][0]["containers"][0]["lastExitCode"], 137);
  EXPECT_EQ(body["sourceErrors"][0]["message"], "/m/bad.yaml: document 0: spec.selector: Required value");
}

TEST_F(HttpApiTest, PodListIsCoreV1) {
  auto res = client_->Get("/api/v1/pods");
  ASSERT_EQ(res->status, 200);
  auto body = nlohmann::json::parse(res->body);
  EXPECT_EQ(body["kind"], "PodList");
  EXPECT_EQ(body["apiVersion"], "v1");
  const auto& pod = body["items"][0];
  EXPECT_EQ(pod["metadata"]["ownerReferences"][0]["kind"], "DaemonSet");
  EXPECT_EQ(pod["metadata"]["ownerReferences"][0]["name"], "fluentd");
  EXPECT_EQ(pod["status"]["phase"], "Running");
  EXPECT_EQ(pod["status"]["startTime"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(pod["status"]["containerStatuses"][0]["containerID"], "host://1234");
  EXPECT_EQ(pod["status"]["containerStatuses"][0]["lastState"]["terminated"]["exitCode"], 137);
  EXPECT_TRUE(pod["status"]["containerStatuses"][0]["state"].contains("running"));
  bool readyTrue = false;
  for (const auto& c : pod["status"]["conditions"]) readyTrue |= c["type"] == "Ready" && c["status"] == "True";
  EXPECT_TRUE(readyTrue);
}

TEST_F(HttpApiTest, SinglePodAndNotFound) {
  EXPECT_EQ(client_->Get("/api/v1/namespaces/kube-system/pods/fluentd-node-1")->status, 200);
  auto res = client_->Get("/api/v1/namespaces/kube-system/pods/nope");
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(nlohmann::json::parse(res->body)["reason"], "NotFound");
}

TEST_F(HttpApiTest, DeleteNeedsToken) {
  auto res = client_->Delete("/api/v1/namespaces/kube-system/pods/fluentd-node-1");
  EXPECT_EQ(res->status, 401);
  EXPECT_TRUE(deleted_.empty());
  httplib::Headers wrong = {{"Authorization", "Bearer wrong"}};
  EXPECT_EQ(client_->Delete("/api/v1/namespaces/kube-system/pods/fluentd-node-1", wrong, "", "")->status, 401);
  httplib::Headers auth = {{"Authorization", "Bearer secret-token"}};
  EXPECT_EQ(client_->Delete("/api/v1/namespaces/kube-system/pods/fluentd-node-1", auth, "", "")->status, 200);
  EXPECT_EQ(client_->Delete("/api/v1/namespaces/kube-system/pods/other", auth, "", "")->status, 404);
  EXPECT_EQ(deleted_, (std::vector<std::string>{"kube-system/fluentd-node-1", "kube-system/other"}));
}

TEST_F(HttpApiTest, UnknownPathsAndMethods) {
  EXPECT_EQ(client_->Get("/nope")->status, 404);
  auto res = client_->Post("/status", "", "application/json");
  EXPECT_EQ(res->status, 405);
  EXPECT_EQ(res->get_header_value("Allow"), "GET");
  EXPECT_EQ(client_->Put("/api/v1/namespaces/a/pods/b", "", "application/json")->status, 405);
}

TEST(ApiTokenTest, WrittenPrivately) {
  char pattern[] = "/tmp/daemonlet-token-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  std::filesystem::path path = std::filesystem::path(pattern) / "api-token";
  auto token = writeApiToken(path);
  ASSERT_TRUE(token.has_value());
  EXPECT_EQ(token->size(), 64u);
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::filesystem::remove_all(pattern);
}

}  // namespace
}  // namespace daemonlet::status
