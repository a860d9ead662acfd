// The CRI runtime's sandbox GC on the real private containerd: sandboxes of
// this agent that no pod needs (one stopped, one left READY as by an agent
// killed between RunPodSandbox and CreateContainer) are removed, with their
// pod's log directory; another agent's, one without our labels, and a running
// pod's stay.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <string>

#include "runtime/cri/cri_client.h"
#include "runtime/cri/cri_labels.h"
#include "runtime/cri/cri_runtime.h"
#include "runtime/cri/pod_sandbox.h"
#include "runtime/cri/sandbox_config.h"
#include "test/integration/cri/cri_runtime_fixture.h"

namespace daemonlet::runtime::cri {
namespace {

using namespace std::chrono_literals;
namespace v1 = ::runtime::v1;

class CriSandboxGcTest : public CriRuntimeTest {
 protected:
  void SetUp() override {
    CriRuntimeTest::SetUp();
    if (HasFatalFailure()) return;
    client_ = std::make_unique<CriClient>(options_.endpoint, options_.callTimeout);
    spec_.hostNetwork = true;
    spec_.dnsPolicy = "ClusterFirst";
  }
  void TearDown() override {
    for (const auto& id : leftToClean_) (void)removeSandbox(*client_, id);
    CriRuntimeTest::TearDown();
  }

  PodRef podNamed(const std::string& what) {
    const std::string uid = what + "-" + std::to_string(::getpid());
    return PodRef{"default", "gc-" + uid, uid, "ds", "ds-uid", "rev-1"};
  }

  // A sandbox made as the runtime makes them, labelled for `agentId`.
  std::string sandboxFor(const PodRef& pod, const std::string& agentId) {
    CriRuntimeOptions options = options_;
    options.agentId = agentId;
    auto made = ensurePodSandbox(*client_, pod, spec_, nullptr, options);
    EXPECT_TRUE(made) << made.error().describe();
    return made ? made->id : std::string();
  }

  // A sandbox without daemonlet's labels: a kubelet's, on a shared containerd.
  std::string foreignSandbox(const PodRef& pod) {
    SandboxInputs inputs;
    inputs.pod = pod;
    inputs.spec = &spec_;
    inputs.node.cgroupParent = options_.cgroupParent;
    inputs.node.logDir = options_.logDir;
    auto config = makeSandboxConfig(inputs);
    EXPECT_TRUE(config) << config.error().describe();
    if (!config) return {};
    config->mutable_labels()->erase(labels::kManagedBy);
    config->mutable_labels()->erase(labels::kAgent);
    v1::RunPodSandboxRequest request;
    *request.mutable_config() = *config;
    auto response = client_->call("RunPodSandbox", &v1::RuntimeService::Stub::RunPodSandbox, request, 60s);
    EXPECT_TRUE(response) << response.error().describe();
    return response ? response->pod_sandbox_id() : std::string();
  }

  void stopSandbox(const std::string& id) {
    v1::StopPodSandboxRequest stop;
    stop.set_pod_sandbox_id(id);
    auto stopped = client_->call("StopPodSandbox", &v1::RuntimeService::Stub::StopPodSandbox, stop);
    EXPECT_TRUE(stopped) << stopped.error().describe();
  }

  // Every sandbox on the containerd, whoever made it: id → READY.
  std::map<std::string, bool> allSandboxes() {
    auto listed = client_->call("ListPodSandbox", &v1::RuntimeService::Stub::ListPodSandbox,
                                v1::ListPodSandboxRequest{});
    EXPECT_TRUE(listed) << listed.error().describe();
    std::map<std::string, bool> out;
    if (!listed) return out;
    for (const auto& item : listed->items()) out[item.id()] = item.state() == v1::SANDBOX_READY;
    return out;
  }

  std::unique_ptr<CriClient> client_;
  model::PodSpec spec_;
  std::set<std::string> leftToClean_;  // sandboxes the GC must not remove
};

TEST_F(CriSandboxGcTest, RemovesOurOrphanSandboxesAndNoOneElses) {
  options_.sandboxGcPeriod = 200ms;

  // Left by an earlier agent of ours: a stopped pod's sandbox, and a READY one
  // it never created a container in; each pod with a log directory.
  const PodRef stoppedPod = podNamed("stopped");
  const std::string stopped = sandboxFor(stoppedPod, options_.agentId);
  ASSERT_FALSE(stopped.empty());
  stopSandbox(stopped);
  const PodRef readyPod = podNamed("ready");
  const std::string ready = sandboxFor(readyPod, options_.agentId);
  ASSERT_FALSE(ready.empty());
  const auto stoppedLogs = std::filesystem::path(runtime::podLogDirectory(options_.logDir, stoppedPod));
  std::filesystem::create_directories(stoppedLogs / "app");

  // Not ours: another agent's stopped sandbox, and a stopped one without our labels.
  const std::string otherAgent = sandboxFor(podNamed("other-agent"), options_.agentId + "-other");
  ASSERT_FALSE(otherAgent.empty());
  leftToClean_.insert(otherAgent);
  stopSandbox(otherAgent);
  const std::string foreign = foreignSandbox(podNamed("foreign"));
  ASSERT_FALSE(foreign.empty());
  leftToClean_.insert(foreign);
  stopSandbox(foreign);

  // A running pod of this runtime.
  CriRuntime& runtime = makeRuntime();
  auto listed = listAll(runtime);  // the GC's first round is a period after the first list
  ASSERT_TRUE(listed) << listed.error().describe();
  const std::string runningUid = "running-" + std::to_string(::getpid());
  auto running = startAndWait(request(runningUid, 0));
  ASSERT_TRUE(running) << running.error().describe();
  ASSERT_EQ(running->state, ContainerState::kRunning) << running->reason << ": " << running->message;
  auto ours = listOurSandboxes(*client_, options_.agentId, runningUid);
  ASSERT_TRUE(ours && ours->size() == 1u);
  const std::string runningSandbox = ours->front().id();

  ASSERT_TRUE(runUntil(
      [&] {
        auto all = allSandboxes();
        return !all.count(stopped) && !all.count(ready);
      },
      30s))
      << "the orphan sandboxes are still there";
  auto all = allSandboxes();
  EXPECT_TRUE(all.count(otherAgent)) << "another agent's sandbox was removed";
  EXPECT_TRUE(all.count(foreign)) << "a sandbox without our labels was removed";
  ASSERT_TRUE(all.count(runningSandbox)) << "a running pod's sandbox was removed";
  EXPECT_TRUE(all[runningSandbox]) << "a running pod's sandbox was stopped";
  EXPECT_FALSE(std::filesystem::exists(stoppedLogs)) << "the orphan pod's log directory stays";

  // Later rounds leave them alone too: wait for a sandbox of ours made now
  // (stopped, no pod) to be collected, which takes at least one more round.
  const std::string late = sandboxFor(podNamed("late"), options_.agentId);
  ASSERT_FALSE(late.empty());
  stopSandbox(late);
  ASSERT_TRUE(runUntil([&] { return !allSandboxes().count(late); }, 30s)) << "a later orphan stays";
  all = allSandboxes();
  EXPECT_TRUE(all.count(otherAgent) && all.count(foreign));
  EXPECT_TRUE(all.count(runningSandbox) && all[runningSandbox]);

  // The running pod's own teardown still works after the GC rounds.
  std::optional<ContainerStatus> stoppedStatus;
  ASSERT_TRUE(runtime.stop(running->containerId, 2s, [&](const ContainerStatus& s) { stoppedStatus = s; }));
  ASSERT_TRUE(runUntil([&] { return stoppedStatus.has_value(); }));
  ASSERT_TRUE(runtime.removePod(runningUid));
  ASSERT_TRUE(runUntil([&] { return !allSandboxes().count(runningSandbox); }));
}

}  // namespace
}  // namespace daemonlet::runtime::cri
