// DELETE /api/v1/namespaces/{ns}/pods/{name} with DeleteOptions: the answers
// (400, 422, 404, 409, dry run, the marked object) and what reaches the deleter.
#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

#include "agent/kubeapi/kube_api.h"
#include "agent/status/status_json.h"

namespace daemonlet::kubeapi {
namespace {

using model::Json;

class KubeDeleteRouteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto snapshot = std::make_shared<status::StatusSnapshot>();
    snapshot->sequence = 1;
    snapshot->node.name = "worker-1";
    status::PodView pod;
    pod.uid = "uid-1";
    pod.name = "web-abcde";
    pod.namespace_ = "default";
    pod.daemonSetName = "web";
    pod.phase = "Running";
    pod.containers.push_back({});
    pod.containers.back().name = "main";
    pod.containers.back().state = "running";
    snapshot->pods.push_back(pod);
    store_.publish(snapshot);

    api_ = std::make_unique<KubeApi>(
        store_, clock_,
        [this](const std::string& ns, const std::string& name, const status::DeleteRequest& request) {
          requests_.push_back(request);
          if (ns != "default" || name != "web-abcde")
            return status::DeleteResult{status::DeleteOutcome::kNotFound};
          return status::DeleteResult{status::DeleteOutcome::kDeleted, clock_.wallNow(),
                                      request.gracePeriod.value_or(std::chrono::seconds(30))};
        },
        KubeApiOptions{"secret", {}});
    api_->registerRoutes(server_);
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // Bound already (connections queue); stop() must not come before the loop runs.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  void TearDown() override {
    server_.stop();
    thread_.join();
  }

  httplib::Result remove(const std::string& pathAndQuery, const std::string& body) {
    httplib::Client client("127.0.0.1", port_);
    return client.Delete(pathAndQuery, {{"Authorization", "Bearer secret"}}, body, "application/json");
  }
  static constexpr const char* kPod = "/api/v1/namespaces/default/pods/web-abcde";

  base::ManualClock clock_;
  status::SnapshotStore store_;
  std::vector<status::DeleteRequest> requests_;
  std::unique_ptr<KubeApi> api_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

TEST_F(KubeDeleteRouteTest, TheGracePeriodReachesTheDeleterAndTheAnswerIsMarked) {
  auto res = remove(
      kPod,
      R"({"kind":"DeleteOptions","apiVersion":"v1","gracePeriodSeconds":2,"propagationPolicy":"Background"})");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  ASSERT_EQ(requests_.size(), 1u);
  EXPECT_EQ(requests_[0].gracePeriod, std::chrono::seconds(2));
  EXPECT_EQ(requests_[0].uid, "uid-1");
  Json body = Json::parse(res->body);
  EXPECT_EQ(body["kind"], "Pod");
  // deletionTimestamp is when the grace period ends, as the API server sets it.
  EXPECT_EQ(body["metadata"]["deletionTimestamp"],
            status::formatTime(clock_.wallNow() + std::chrono::seconds(2)));
  EXPECT_EQ(body["metadata"]["deletionGracePeriodSeconds"], 2);
}

TEST_F(KubeDeleteRouteTest, ForceWithGraceZeroAsksForAnImmediateStop) {
  auto res = remove(std::string(kPod) + "?gracePeriodSeconds=0", "");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  ASSERT_EQ(requests_.size(), 1u);
  EXPECT_EQ(requests_[0].gracePeriod, std::chrono::seconds(0));
}

TEST_F(KubeDeleteRouteTest, DryRunAnswersTheObjectAndDeletesNothing) {
  // kubectl --dry-run=server sends it in the body (a body hides the query).
  auto res = remove(kPod, R"({"dryRun":["All"],"gracePeriodSeconds":4})");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_TRUE(requests_.empty());
  Json body = Json::parse(res->body);
  EXPECT_EQ(body["metadata"]["deletionGracePeriodSeconds"], 4);
  EXPECT_EQ(body["metadata"]["deletionTimestamp"],
            status::formatTime(clock_.wallNow() + std::chrono::seconds(4)));

  auto defaulted = remove(std::string(kPod) + "?dryRun=All", "");
  ASSERT_TRUE(defaulted);
  EXPECT_EQ(Json::parse(defaulted->body)["metadata"]["deletionGracePeriodSeconds"], 30);
  EXPECT_TRUE(requests_.empty());
}

// As kube-apiserver answers: unsupported values are a 422 Invalid Status for
// DeleteOptions.meta.k8s.io whose details.causes name the fields; what cannot
// be decoded is a 400 BadRequest.
TEST_F(KubeDeleteRouteTest, UnsupportedOptionsAre422WithCausesNamingTheField) {
  struct Row {
    std::string query, body, field;
  };
  for (const Row& row : std::vector<Row>{
           {"?propagationPolicy=Sometimes", "", "propagationPolicy"},
           {"", R"({"propagationPolicy":"Sometimes"})", "propagationPolicy"},
           {"?dryRun=Partly", "", "dryRun"},
       }) {
    SCOPED_TRACE(row.query + " " + row.body);
    auto res = remove(kPod + row.query, row.body);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 422);
    Json status = Json::parse(res->body);
    EXPECT_EQ(status["kind"], "Status");
    EXPECT_EQ(status["status"], "Failure");
    EXPECT_EQ(status["reason"], "Invalid");
    EXPECT_EQ(status["code"], 422);
    EXPECT_EQ(status["details"]["kind"], "DeleteOptions");
    EXPECT_EQ(status["details"]["group"], "meta.k8s.io");
    ASSERT_EQ(status["details"]["causes"].size(), 1u) << res->body;
    const Json& cause = status["details"]["causes"][0];
    EXPECT_EQ(cause["field"], row.field);
    EXPECT_EQ(cause["reason"], "FieldValueNotSupported");
    const std::string message = status["message"];
    EXPECT_EQ(
        message.rfind("DeleteOptions.meta.k8s.io \"\" is invalid: " + row.field + ": Unsupported value: ", 0),
        0u)
        << message;
  }
  for (const std::string& body :
       {std::string("{not json"), std::string(R"({"gracePeriodSeconds":"soon"})")}) {
    SCOPED_TRACE(body);
    auto res = remove(kPod, body);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400);
    EXPECT_EQ(Json::parse(res->body)["reason"], "BadRequest");
  }
  EXPECT_TRUE(requests_.empty());
}

// rest.BeforeDelete and the pod strategy: a negative grace period is 1, no error.
TEST_F(KubeDeleteRouteTest, ANegativeGracePeriodIsOneSecond) {
  auto res = remove(kPod, R"({"gracePeriodSeconds":-5})");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  ASSERT_EQ(requests_.size(), 1u);
  EXPECT_EQ(requests_[0].gracePeriod, std::chrono::seconds(1));
  EXPECT_EQ(Json::parse(res->body)["metadata"]["deletionGracePeriodSeconds"], 1);
}

// A pod deleted with gracePeriodSeconds=0 is removed from the API at once, as
// the API server deletes such an object without waiting for the kubelet.
TEST_F(KubeDeleteRouteTest, APodForceDeletedIsGoneFromTheApiAtOnce) {
  auto snapshot = std::make_shared<status::StatusSnapshot>(*store_.latest());
  snapshot->sequence = 2;
  snapshot->pods.front().deletionTimestamp = clock_.wallNow();
  snapshot->pods.front().deletionGracePeriodSeconds = 0;
  store_.publish(snapshot);
  httplib::Client client("127.0.0.1", port_);
  auto one = client.Get(kPod, {{"Authorization", "Bearer secret"}});
  ASSERT_TRUE(one);
  EXPECT_EQ(one->status, 404) << one->body;
  auto list = client.Get("/api/v1/namespaces/default/pods", {{"Authorization", "Bearer secret"}});
  ASSERT_TRUE(list);
  EXPECT_EQ(list->status, 200);
  EXPECT_TRUE(Json::parse(list->body)["items"].empty()) << list->body;
  auto again = remove(kPod, "");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 404);
  EXPECT_TRUE(requests_.empty());
}

TEST_F(KubeDeleteRouteTest, PreconditionsThatDoNotMatchAre409) {
  auto res = remove(kPod, R"({"preconditions":{"uid":"someone-else"}})");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 409);
  Json status = Json::parse(res->body);
  EXPECT_EQ(status["reason"], "Conflict");
  EXPECT_NE(status["message"].get<std::string>().find("UID in precondition: someone-else"),
            std::string::npos);

  auto stale = remove(kPod, R"({"preconditions":{"resourceVersion":"1"}})");
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->status, 409);
  EXPECT_TRUE(requests_.empty());

  auto matching = remove(kPod, R"({"preconditions":{"uid":"uid-1"}})");
  ASSERT_TRUE(matching);
  EXPECT_EQ(matching->status, 200) << matching->body;
  EXPECT_EQ(requests_.size(), 1u);
}

TEST_F(KubeDeleteRouteTest, AnUnknownPodIs404) {
  auto res = remove("/api/v1/namespaces/default/pods/nobody", "");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_TRUE(requests_.empty());
}

}  // namespace
}  // namespace daemonlet::kubeapi
