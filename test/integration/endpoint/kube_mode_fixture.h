#pragma once
// End-to-end fixture for Kubernetes API mode: the real `daemonlet run` (see
// ../agent/agent_fixture.h) listing and watching DaemonSets on the
// fake-kube-apiserver process (test/support/fake_kube_apiserver/) over TLS
// with a throwaway CA and a bearer token.
//
// The fake runs as our child with the test marker in its environment, so the
// base fixture's /proc sweep would catch it too; TearDown kills it first by pid.
// Objects change through its test-only /__control/ paths.
#include <algorithm>

#include "test/integration/agent/agent_fixture.h"
#include "test/integration/support/test_certificates.h"

namespace daemonlet::e2e {

inline const std::string kFakeKubeApiServer = DAEMONLET_FAKE_KUBE_APISERVER_PATH;

class KubeModeE2eTest : public AgentE2eTest {
 protected:
  static constexpr const char* kToken = "kube-e2e-token";

  void SetUp() override {
    AgentE2eTest::SetUp();
    fs::create_directories(root_ / "tls");
    std::string error;
    ASSERT_TRUE(testing::generateTestCertificates(root_ / "tls", certs_, error)) << error;
    writeFile(tokenFile(), std::string(kToken) + "\n");
    // Short timeouts and backoff: a lost server shows within seconds.
    writeKubeConfig(false);
    ASSERT_NO_FATAL_FAILURE(startFake());
  }

  void TearDown() override {
    if (HasFailure()) {
      std::cerr << "---- fake-kube-apiserver output:\n" << readFile(root_ / "fake-kube.log") << "\n";
      if (fakeRunning()) std::cerr << "---- fake requests:\n" << requestLog().dump().substr(0, 4000) << "\n";
    }
    stopFake();
    AgentE2eTest::TearDown();
  }

  fs::path tokenFile() const { return root_ / "token"; }

  void writeKubeConfig(bool followNode) {
    writeConfig(std::string("endpoint:\n"
                            "  connectTimeout: 1s\n"
                            "  requestTimeout: 2s\n"
                            "  backoff:\n"
                            "    initial: 100ms\n"
                            "    max: 500ms\n") +
                (followNode ? "  kubernetes:\n    followNode: true\n" : ""));
  }

  // --- the fake API server process -------------------------------------------

  void startFake() {
    const fs::path portFile = root_ / "fake-kube.port";
    std::error_code ec;
    fs::remove(portFile, ec);
    std::vector<std::string> argv = {kFakeKubeApiServer,  "--tls-cert",  certs_.serverCert.string(),
                                     "--tls-key",         certs_.serverKey.string(), "--token-file",
                                     tokenFile().string(), "--port-file", portFile.string()};
    const fs::path log = root_ / "fake-kube.log";
    fakePid_ = fork();
    if (fakePid_ == 0) {
      setenv(kMarkerVariable, marker_.c_str(), 1);
      int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
      }
      std::vector<char*> raw;
      for (auto& a : argv) raw.push_back(a.data());
      raw.push_back(nullptr);
      execv(raw[0], raw.data());
      _exit(127);
    }
    ASSERT_GT(fakePid_, 0);
    ASSERT_TRUE(waitUntil([&] { return fs::exists(portFile) || !fakeRunning(); }, 10s))
        << "fake-kube-apiserver never wrote its port";
    ASSERT_TRUE(fakeRunning()) << "fake-kube-apiserver exited:\n" << readFile(log);
    fakePort_ = std::atoi(readFile(portFile).c_str());
    ASSERT_GT(fakePort_, 0);
  }

  bool fakeRunning() {
    if (fakePid_ <= 0) return false;
    int status = 0;
    if (waitpid(fakePid_, &status, WNOHANG) == fakePid_) {
      fakePid_ = -1;
      return false;
    }
    return true;
  }

  // SIGKILL: the server vanishes mid-stream, as a crashed or partitioned one does.
  void stopFake() {
    if (!fakeRunning()) return;
    ::kill(fakePid_, SIGKILL);
    waitUntil([&] { return !fakeRunning(); }, 5s);
  }

  std::string serverUrl() const { return "https://127.0.0.1:" + std::to_string(fakePort_); }

  // POST/DELETE/GET on a /__control/ path; the HTTP status (0: no answer) and body.
  std::pair<int, std::string> control(const std::string& method, const std::string& path,
                                      const std::string& body = "") const {
    httplib::SSLClient c("127.0.0.1", fakePort_);
    c.set_ca_cert_path(certs_.caCert.c_str());
    c.set_connection_timeout(2);
    c.set_read_timeout(5);
    httplib::Result res = method == "POST"     ? c.Post(path.c_str(), body, "application/json")
                          : method == "DELETE" ? c.Delete(path.c_str())
                                               : c.Get(path.c_str());
    return res ? std::make_pair(res->status, res->body) : std::make_pair(0, std::string());
  }

  void applyDaemonSet(const Json& ds) const {
    auto [status, body] = control("POST", "/__control/daemonsets", ds.dump());
    ASSERT_EQ(status, 200) << body;
  }
  void deleteDaemonSet(const std::string& name) const {
    auto [status, body] = control("DELETE", "/__control/daemonsets/default/" + name);
    ASSERT_EQ(status, 200) << body;
  }
  void applyNode(const Json& node) const {
    auto [status, body] = control("POST", "/__control/nodes", node.dump());
    ASSERT_EQ(status, 200) << body;
  }
  void controlPost(const std::string& path) const {
    auto [status, body] = control("POST", path);
    ASSERT_EQ(status, 200) << path << ": " << body;
  }

  // The fake's request log (API requests only), as /__control/requests gives it.
  Json requestLog() const {
    auto [status, body] = control("GET", "/__control/requests");
    if (status != 200) return Json::array();
    try {
      return Json::parse(body);
    } catch (const std::exception&) {
      return Json::array();
    }
  }
  // DaemonSet requests of one kind ("watch" or "list") in the log.
  int daemonSetRequests(const char* kind) const {
    int count = 0;
    for (const Json& entry : requestLog()) {
      if (entry.value("path", "").find("daemonsets") != std::string::npos && entry.value(kind, false)) ++count;
    }
    return count;
  }
  Json fakeState() const {
    auto [status, body] = control("GET", "/__control/state");
    return status == 200 ? Json::parse(body, nullptr, false) : Json();
  }

  // A Node object named like the agent's node ("n1").
  static Json nodeObject(const Json& labels, const Json& taints = Json::array()) {
    Json node = {{"metadata", {{"name", "n1"}, {"labels", labels}}}, {"spec", Json::object()}};
    if (!taints.empty()) node["spec"]["taints"] = taints;
    return node;
  }

  // --- the agent ---------------------------------------------------------------

  std::vector<std::string> kubeArgs() const {
    return {"--endpoint",          serverUrl(),           "--endpoint-mode",         "kubernetes",
            "--endpoint-ca-file",  certs_.caCert.string(), "--endpoint-token-file", tokenFile().string()};
  }

  void startKubeAgent() {
    std::vector<std::string> args = agentArgs();
    const std::vector<std::string> extra = kubeArgs();
    args.insert(args.end(), extra.begin(), extra.end());
    std::error_code ec;
    fs::remove(root_ / "run" / "listen-address", ec);
    agent_.start(args, root_ / "agent.log", marker_);
    ASSERT_TRUE(waitUntil([&] { return fs::exists(root_ / "run" / "listen-address") || !agent_.running(); }))
        << "the agent never wrote run/listen-address";
    ASSERT_TRUE(agent_.running()) << "the agent exited at start:\n" << readFile(root_ / "agent.log");
    std::string address = readFile(root_ / "run" / "listen-address");
    port_ = std::atoi(address.c_str() + address.rfind(':') + 1);
    ASSERT_GT(port_, 0) << address;
    ASSERT_TRUE(waitUntil([&] {
      auto res = client().Get("/readyz");
      return res && res->status == 200;
    })) << "the agent never became ready";
  }

  Json endpointStatus() const { return getJson("/status").value("endpoint", Json()); }

  // The agent's placement decision for a DaemonSet in /status (null: not there).
  Json decisionOf(const std::string& name) const {
    for (const Json& ds : getJson("/status").value("daemonSets", Json::array())) {
      if (ds.value("name", "") == name) return ds.value("decision", Json());
    }
    return Json();
  }

  int runningPid(const std::string& name, std::chrono::milliseconds timeout = 15s) const {
    Json pod = waitRunning(name, timeout);
    return pod.is_null() ? 0 : pidOf(mainStatus(pod));
  }

  // `ds` with a changed pod template (a new revision, so a rolling replacement).
  static Json withTemplateAnnotation(Json ds, const std::string& value) {
    ds["spec"]["template"]["metadata"]["annotations"]["e2e/version"] = value;
    return ds;
  }

  testing::TestCertificates certs_;
  pid_t fakePid_ = -1;
  int fakePort_ = 0;
};

}  // namespace daemonlet::e2e
