#pragma once
// Shared set-up for ProcessRuntime tests: temp directories, a runtime on a real
// io_context, requests running the helper daemon, and clean-up of every process
// a test started (containers outlive the runtime by design).
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "runtime/process/process_runtime.h"
#include "test/support/file_contents.h"
#include "test/support/list_and_wait.h"

namespace daemonlet::runtime::process::testing {

class ProcessRuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/daemonlet-runtime-test-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    root_ = pattern;
    options_.stateDir = root_ + "/state";
    options_.logDir = root_ + "/logs";
    options_.shimCommand = {DAEMONLET_SHIM_PATH};
    options_.cgroupRoot = "";
  }

  void TearDown() override {
    runtime_.reset();
    for (pid_t group : groups_) ::kill(-group, SIGKILL);
    // The killed containers' shims may still be writing exit records into the
    // directory while it is being removed: retry until it is gone.
    for (int attempt = 0; attempt < 200 && std::filesystem::exists(root_); ++attempt) {
      std::error_code ec;
      std::filesystem::remove_all(root_, ec);
      if (std::filesystem::exists(root_)) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  ProcessRuntime& makeRuntime() {
    runtime_ = std::make_unique<ProcessRuntime>(io_, options_);
    runtime_->setEventHandler([this](const ContainerStatus& status) { exits_.push_back(status); });
    return *runtime_;
  }

  static PodRef pod(const std::string& uid = "0f1e2d3c-aaaa-bbbb-cccc-123456789abc") {
    return PodRef{"kube-system", "agent-xyz12", uid, "agent", "ds-uid-1", "5d8f7c6b9"};
  }

  static ContainerStartRequest helper(std::vector<std::string> args, const std::string& name = "main") {
    ContainerStartRequest request;
    request.pod = pod();
    request.container.name = name;
    request.container.command = {DAEMONLET_TEST_HELPER_PATH};
    request.container.args = std::move(args);
    return request;
  }

  // Runtime::start on a loop of its own, waited for (the tests' synchronous start).
  static base::Result<ContainerStatus> startAndWait(boost::asio::io_context& io, Runtime& runtime,
                                                    const ContainerStartRequest& request) {
    std::optional<base::Result<ContainerStatus>> outcome;
    runtime.start(request, [&](base::Result<ContainerStatus> result) { outcome = std::move(result); });
    auto guard = boost::asio::make_work_guard(io);
    while (!outcome) {
      io.restart();
      io.run_one_for(std::chrono::milliseconds(50));
    }
    return std::move(*outcome);
  }
  base::Result<ContainerStatus> startAndWait(const ContainerStartRequest& request) {
    return startAndWait(io_, *runtime_, request);
  }

  // Runtime::list() on the test's loop, waited for.
  base::Result<std::vector<ContainerStatus>> listAll() { return daemonlet::testing::listAndWait(io_, *runtime_); }

  // What list() says of one container (the tests' inspect).
  std::optional<ContainerStatus> listed(const std::string& containerId) {
    auto all = listAll();
    if (!all) return std::nullopt;
    for (const auto& status : *all) {
      if (status.containerId == containerId) return status;
    }
    return std::nullopt;
  }

  // Starts and remembers the process group for clean-up.
  ContainerStatus startOk(const ContainerStartRequest& request) {
    auto started = startAndWait(request);
    EXPECT_TRUE(started.has_value()) << (started ? "" : started.error().describe());
    if (!started) return {};
    groups_.push_back(started->pid);
    return *started;
  }

  // The files in the state directory other than the shim host's socket and
  // lock, which stay for as long as the host runs.
  std::vector<std::string> containerFilesInState() const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(options_.stateDir)) {
      std::string name = entry.path().filename().string();
      if (name != "shim.sock" && name != "shim.sock.lock") names.push_back(name);
    }
    return names;
  }

  // Runs the io_context until `done` holds; false after `timeout`.
  bool runUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    auto guard = boost::asio::make_work_guard(io_);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      io_.restart();
      io_.run_for(std::chrono::milliseconds(5));
    }
    return true;
  }

  static std::string readFile(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  bool waitForLog(const std::string& path, const std::string& needle) {
    return runUntil([&] { return readFile(path).find(needle) != std::string::npos; });
  }

  static std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }

  static bool processAlive(pid_t pid) {
    // A process that ends while its stat is read fails the read (ESRCH): it
    // reads as empty, i.e. not alive, rather than throwing.
    std::string text = ::daemonlet::testing::fileContents("/proc/" + std::to_string(pid) + "/stat");
    auto close = text.rfind(')');
    return close != std::string::npos && text.size() > close + 2 && text[close + 2] != 'Z';
  }

  std::string root_;
  ProcessRuntimeOptions options_;
  boost::asio::io_context io_;
  std::unique_ptr<ProcessRuntime> runtime_;
  std::vector<ContainerStatus> exits_;
  std::vector<pid_t> groups_;
};

}  // namespace daemonlet::runtime::process::testing
