// LazyCriRuntime: loads the CRI module only when a CRI pod needs it, forwards
// to it, and turns a module that cannot be loaded into a waiting pod.
#include "runtime/cri_plugin/lazy_cri_runtime.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>

#include "test/support/list_and_wait.h"
#include "test/support/temp_dir.h"

namespace daemonlet::runtime::cri_plugin {
namespace {

namespace fs = std::filesystem;

class LazyCriRuntimeTest : public ::testing::Test {
 protected:
  LazyCriRuntimeTest() {
    options_.stateDir = dir_.path().string();
    options_.endpoint = "unix:///test/containerd.sock";
  }

  std::unique_ptr<LazyCriRuntime> make(const std::string& modulePath) {
    return std::make_unique<LazyCriRuntime>(loop_, clock_, options_, modulePath, kRetry);
  }

  static ContainerStartRequest request(const std::string& container) {
    ContainerStartRequest r;
    r.pod = PodRef{"default", "web-abc", "uid-1", "web", "ds-uid", "rev1"};
    r.container.name = container;
    r.container.image = "busybox:1.36";
    r.restartCount = 2;
    return r;
  }

  // Starts and runs the loop until `done` ran.
  base::Result<ContainerStatus> startAndWait(LazyCriRuntime& runtime, const std::string& container) {
    std::optional<base::Result<ContainerStatus>> outcome;
    runtime.start(request(container), [&](base::Result<ContainerStatus> r) { outcome.emplace(std::move(r)); });
    EXPECT_FALSE(outcome.has_value()) << "done ran before start() returned";
    loop_.restart();
    loop_.run();
    if (!outcome) return base::makeError(base::ErrorCode::kInternal, "start never completed");
    return std::move(*outcome);
  }

  bool markerExists() const { return fs::exists(dir_.path() / kMarkerFileName); }

  static constexpr std::chrono::seconds kRetry{30};
  testing::TempDir dir_;
  boost::asio::io_context loop_;
  base::ManualClock clock_;
  cri::CriRuntimeOptions options_;
};

TEST_F(LazyCriRuntimeTest, NothingIsLoadedUntilACriPodStarts) {
  auto runtime = make(FAKE_CRI_PLUGIN);
  EXPECT_EQ(runtime->name(), "cri");
  auto listed = daemonlet::testing::listAndWait(loop_, *runtime);
  ASSERT_TRUE(listed.has_value()) << listed.error().describe();
  EXPECT_TRUE(listed->empty());
  EXPECT_EQ(runtime->stopPod("uid-1", std::chrono::seconds(1)), 0);
  EXPECT_TRUE(runtime->removePod("uid-1").has_value());
  EXPECT_FALSE(runtime->stop("containerd://x", std::chrono::seconds(1), [](const ContainerStatus&) {}).has_value());
  EXPECT_FALSE(runtime->loaded());
  EXPECT_FALSE(markerExists());
}

TEST_F(LazyCriRuntimeTest, FirstStartLoadsTheModuleForwardsAndWritesTheMarker) {
  auto runtime = make(FAKE_CRI_PLUGIN);
  std::vector<std::string> events;
  runtime->setEventHandler([&](const ContainerStatus& s) { events.push_back(s.reason); });

  auto started = startAndWait(*runtime, "app");
  ASSERT_TRUE(started.has_value()) << started.error().describe();
  EXPECT_EQ(started->state, ContainerState::kRunning);
  EXPECT_EQ(started->containerId, "containerd://fake-app");
  EXPECT_EQ(started->message, options_.endpoint) << "the module's runtime got other options";
  EXPECT_EQ(events, std::vector<std::string>{"Pulling"}) << "the event handler set before loading was not passed on";
  EXPECT_TRUE(runtime->loaded());
  EXPECT_TRUE(markerExists());
  EXPECT_EQ(runtime->podIP("uid-1"), "10.0.0.7");
  auto listed = daemonlet::testing::listAndWait(loop_, *runtime);
  ASSERT_TRUE(listed.has_value());
  EXPECT_EQ(listed->size(), 1u);
}

// cri.loadAtStart: the module opens on a thread while the agent starts; the
// runtime itself is made on the loop when first needed.
TEST_F(LazyCriRuntimeTest, PreloadedModuleServesTheFirstStart) {
  auto runtime = make(FAKE_CRI_PLUGIN);
  runtime->preloadModule();
  EXPECT_FALSE(runtime->loaded()) << "the runtime was made off the loop";
  auto started = startAndWait(*runtime, "app");
  ASSERT_TRUE(started.has_value()) << started.error().describe();
  EXPECT_EQ(started->state, ContainerState::kRunning);
  EXPECT_TRUE(runtime->loaded());
  EXPECT_TRUE(markerExists());
}

// A preload that fails is a failure like a lazy load's: the pod waits, and the
// retry after the interval opens the module again.
TEST_F(LazyCriRuntimeTest, FailedPreloadMakesThePodWaitAndIsRetried) {
  const std::string path = (dir_.path() / "lib" / "daemonlet-cri.so").string();
  auto runtime = make(path);
  runtime->preloadModule();
  auto waiting = startAndWait(*runtime, "app");
  ASSERT_TRUE(waiting.has_value());
  EXPECT_EQ(waiting->reason, reasons::kRuntimeUnavailable);
  fs::create_directories(dir_.path() / "lib");
  fs::copy_file(FAKE_CRI_PLUGIN, path);
  clock_.advance(kRetry);
  auto started = startAndWait(*runtime, "app");
  ASSERT_TRUE(started.has_value()) << started.error().describe();
  EXPECT_EQ(started->state, ContainerState::kRunning);
}

TEST_F(LazyCriRuntimeTest, MarkerFromAnEarlierAgentLoadsAtList) {
  dir_.write(kMarkerFileName, "x\n");
  auto runtime = make(FAKE_CRI_PLUGIN);
  auto listed = daemonlet::testing::listAndWait(loop_, *runtime);
  ASSERT_TRUE(listed.has_value()) << listed.error().describe();
  EXPECT_TRUE(runtime->loaded()) << "a restarted agent must load the module to adopt CRI pods";
}

TEST_F(LazyCriRuntimeTest, MissingModuleMakesThePodWaitAndIsRetriedOnlyAfterTheInterval) {
  const std::string path = (dir_.path() / "lib" / "daemonlet-cri.so").string();
  auto runtime = make(path);

  auto first = startAndWait(*runtime, "app");
  ASSERT_TRUE(first.has_value()) << "a missing module is a waiting pod, not a start error";
  EXPECT_EQ(first->state, ContainerState::kWaiting);
  EXPECT_EQ(first->reason, reasons::kRuntimeUnavailable);
  EXPECT_NE(first->message.find(path), std::string::npos) << first->message;
  EXPECT_NE(first->message.find("libgrpc++"), std::string::npos) << first->message;
  EXPECT_EQ(first->containerName, "app");
  EXPECT_EQ(first->restartCount, 2);
  EXPECT_EQ(first->image, "busybox:1.36");
  ASSERT_TRUE(first->retryAfter.has_value());
  EXPECT_EQ(*first->retryAfter, kRetry);

  // Installed now, but the failure is remembered: no dlopen on every pass.
  fs::create_directories(fs::path(path).parent_path());
  fs::copy_file(FAKE_CRI_PLUGIN, path);
  clock_.advance(std::chrono::seconds(10));
  auto second = startAndWait(*runtime, "app");
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->reason, reasons::kRuntimeUnavailable);
  ASSERT_TRUE(second->retryAfter.has_value());
  EXPECT_EQ(*second->retryAfter, std::chrono::seconds(20));
  EXPECT_FALSE(runtime->loaded());

  clock_.advance(std::chrono::seconds(20));
  auto third = startAndWait(*runtime, "app");
  ASSERT_TRUE(third.has_value());
  EXPECT_EQ(third->state, ContainerState::kRunning);
  EXPECT_TRUE(runtime->loaded());
}

TEST_F(LazyCriRuntimeTest, MarkerWithoutModuleFailsListAndRemove) {
  dir_.write(kMarkerFileName, "x\n");
  auto runtime = make((dir_.path() / "missing.so").string());
  auto listed = daemonlet::testing::listAndWait(loop_, *runtime);
  ASSERT_FALSE(listed.has_value()) << "CRI pods may still run: an empty list would disown them";
  EXPECT_NE(listed.error().message.find("missing.so"), std::string::npos) << listed.error().message;
  EXPECT_FALSE(runtime->removePod("uid-1").has_value());
}

TEST_F(LazyCriRuntimeTest, ModuleOfAnotherBuildIsRefused) {
  auto runtime = make(STALE_CRI_PLUGIN);
  auto started = startAndWait(*runtime, "app");
  ASSERT_TRUE(started.has_value());
  EXPECT_EQ(started->reason, reasons::kRuntimeUnavailable);
  EXPECT_NE(started->message.find("0.0.0-stale"), std::string::npos) << started->message;
  EXPECT_FALSE(runtime->loaded());
}

TEST_F(LazyCriRuntimeTest, ExecBeforeLoadingFailsAsynchronously) {
  auto runtime = make(FAKE_CRI_PLUGIN);
  std::optional<ExecResult> result;
  auto handle = runtime->exec("containerd://x", {"true"}, std::chrono::seconds(1),
                              [&](ExecResult r) { result = std::move(r); });
  ASSERT_NE(handle, nullptr);
  EXPECT_FALSE(result.has_value());
  loop_.run();
  ASSERT_TRUE(result.has_value());
  EXPECT_FALSE(result->success);
}

}  // namespace
}  // namespace daemonlet::runtime::cri_plugin
