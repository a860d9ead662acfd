#pragma once
// The fixture of the CriRuntime integration tests: a CriRuntime on the shared
// private containerd, in temp log and state directories, its loop run by the
// test until a condition holds, and a busybox pod to start.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/cri/cri_runtime.h"
#include "test/integration/cri/support/shared_containerd.h"
#include "test/support/list_and_wait.h"

namespace daemonlet::runtime::cri {

class CriRuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& containerd = testing::sharedContainerd();
    ASSERT_TRUE(containerd.running()) << containerd.lastError();
    dir_ = std::filesystem::temp_directory_path() /
           ("cri-runtime-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "logs");
    std::filesystem::create_directories(dir_ / "state");
    options_.endpoint = containerd.endpoint();
    options_.agentId = "cri-runtime-test-" + std::to_string(::getpid());
    options_.nodeName = "node-1";
    options_.hostIP = "127.0.0.1";
    options_.logDir = (dir_ / "logs").string();
    options_.stateDir = (dir_ / "state").string();
    options_.cgroupParent = containerd.cgroupParent();
    options_.callTimeout = std::chrono::seconds(10);
  }
  void TearDown() override {
    runtime_.reset();
    std::filesystem::remove_all(dir_);
  }

  CriRuntime& makeRuntime() {
    runtime_ = std::make_unique<CriRuntime>(io_, options_);
    runtime_->setEventHandler([this](const ContainerStatus& status) { events_.push_back(status); });
    return *runtime_;
  }

  // Runs the loop until `done` holds; false after `timeout`.
  bool runUntil(const std::function<bool()>& done,
                std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      io_.restart();
      io_.run_for(std::chrono::milliseconds(10));
    }
    return true;
  }

  ContainerStartRequest request(const std::string& uid, int restartCount) {
    auto spec = std::make_shared<model::PodSpec>();
    spec->hostNetwork = true;
    spec->dnsPolicy = "ClusterFirst";
    spec->restartPolicy = "Always";
    model::Container container;
    container.name = "app";
    container.image = testing::kBusyboxImage;
    container.imagePullPolicy = "Never";
    container.command = {"/bin/sh", "-c", "echo started; exec sleep 3600"};
    spec->containers.push_back(container);
    ContainerStartRequest request;
    request.pod = PodRef{"default", "ds-" + uid, uid, "ds", "ds-uid", "rev-1"};
    request.podSpec = spec;
    request.container = container;
    request.restartCount = restartCount;
    request.env = {{"PATH", "/bin"}};
    request.terminationGracePeriod = std::chrono::seconds(2);
    return request;
  }

  base::Result<ContainerStatus> startAndWait(const ContainerStartRequest& request) {
    std::optional<base::Result<ContainerStatus>> result;
    runtime_->start(request, [&](base::Result<ContainerStatus> r) { result = std::move(r); });
    if (!runUntil([&] { return result.has_value(); }, std::chrono::seconds(60))) {
      return base::makeError(base::ErrorCode::kUnavailable, "start did not complete");
    }
    return *result;
  }

  // Runtime::list() on the test's loop, waited for.
  base::Result<std::vector<ContainerStatus>> listAll(Runtime& runtime) {
    return ::daemonlet::testing::listAndWait(io_, runtime);
  }

  // The container's process on the host, from containerd's task list.
  int taskPid(const std::string& containerId) {
    auto tasks = testing::sharedContainerd().ctr({"tasks", "ls"});
    std::istringstream lines(tasks.out);
    std::string id;
    int pid = 0;
    std::string rest;
    std::string line;
    const std::string want = criIdOf(containerId);
    while (std::getline(lines, line)) {
      std::istringstream words(line);
      if (words >> id >> pid && id == want) return pid;
    }
    return 0;
  }

  boost::asio::io_context io_;
  std::filesystem::path dir_;
  CriRuntimeOptions options_;
  std::unique_ptr<CriRuntime> runtime_;
  std::vector<ContainerStatus> events_;
};

}  // namespace daemonlet::runtime::cri
