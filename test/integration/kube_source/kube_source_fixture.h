#pragma once
// Shared fixture: a FakeKubeApiServer on 127.0.0.1:0 and a KubeEndpointSource
// pointed at it, with everything the source reports recorded for waiting on.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "agent/sources/kube_endpoint_source.h"
#include "fake_kube_apiserver.h"
#include "test/support/running_loop.h"

namespace daemonlet::sources {

using fakekube::FakeKubeApiServer;
using fakekube::makeDaemonSetObject;
using fakekube::makeNodeObject;
using fakekube::serverOptions;

class Recorder {
 public:
  EndpointCallbacks callbacks() {
    return EndpointCallbacks{[this](const EndpointSnapshot& s) { push(snapshots_, s); },
                             [this](const EndpointHealth& h) { push(health_, h); }};
  }
  KubeEndpointSource::NodeCallback nodeCallback() {
    return [this](const KubeNodeInfo& n) { push(nodes_, n); };
  }

  // Waits (up to `timeout`) until `condition` holds over the recorded data.
  bool waitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, condition);
  }
  std::size_t snapshotCount() {
    std::lock_guard lock(mutex_);
    return snapshots_.size();
  }
  EndpointSnapshot lastSnapshot() {
    std::lock_guard lock(mutex_);
    return snapshots_.back();
  }
  KubeNodeInfo lastNode() {
    std::lock_guard lock(mutex_);
    return nodes_.back();
  }
  std::size_t nodeCount() {
    std::lock_guard lock(mutex_);
    return nodes_.size();
  }
  EndpointHealth lastHealth() {
    std::lock_guard lock(mutex_);
    return health_.back();
  }

  // Unlocked views for use inside waitFor conditions.
  const std::vector<EndpointSnapshot>& snapshots() const { return snapshots_; }
  const std::vector<EndpointHealth>& health() const { return health_; }
  const std::vector<KubeNodeInfo>& nodes() const { return nodes_; }

 private:
  template <typename T>
  void push(std::vector<T>& list, const T& value) {
    {
      std::lock_guard lock(mutex_);
      list.push_back(value);
    }
    cv_.notify_all();
  }
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<EndpointSnapshot> snapshots_;
  std::vector<EndpointHealth> health_;
  std::vector<KubeNodeInfo> nodes_;
};

// name -> revision of a snapshot's DaemonSets, for comparing snapshots.
inline std::map<std::string, std::string> revisions(const EndpointSnapshot& snapshot) {
  std::map<std::string, std::string> result;
  for (const auto& sourced : snapshot.daemonSets) {
    result[sourced.daemonSet->metadata.namespace_ + "/" + sourced.daemonSet->metadata.name] = sourced.revision;
  }
  return result;
}

inline bool hasDaemonSet(const EndpointSnapshot& snapshot, const std::string& key) {
  return revisions(snapshot).count(key) != 0;
}

class KubeSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.start());
    options_.server = server_.url();
    options_.backoffInitial = std::chrono::milliseconds(20);
    options_.backoffMax = std::chrono::milliseconds(200);
    options_.debounce = std::chrono::milliseconds(30);
    options_.client.connectTimeout = std::chrono::milliseconds(2000);
  }
  void TearDown() override {
    if (source_) source_->stop();
    server_.stop();
  }

  void startSource(const EndpointSnapshot* seed = nullptr) {
    source_ = std::make_unique<KubeEndpointSource>(options_, recorder_.callbacks(), recorder_.nodeCallback(),
                                                   seed, loop_.timers(), loop_.pool());
    source_->start();
  }

  bool waitForSnapshot(const std::function<bool(const EndpointSnapshot&)>& predicate,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    return recorder_.waitFor(
        [&] { return !recorder_.snapshots().empty() && predicate(recorder_.snapshots().back()); }, timeout);
  }

  int countRequests(const std::function<bool(const fakekube::RecordedRequest&)>& predicate) {
    int count = 0;
    for (const auto& request : server_.requests()) count += predicate(request) ? 1 : 0;
    return count;
  }
  int daemonSetLists() {
    return countRequests([](const auto& r) { return r.isList() && r.path.find("daemonsets") != std::string::npos; });
  }
  int daemonSetWatches() {
    return countRequests([](const auto& r) { return r.isWatch() && r.path.find("daemonsets") != std::string::npos; });
  }

  // Waits for the fake to have served `n` DaemonSet watch requests.
  bool waitForWatches(int n) {
    return waitForServer([&] { return daemonSetWatches() >= n; });
  }

  // Polls the fake (up to 10 s) until `condition` holds.
  bool waitForServer(const std::function<bool()>& condition) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      if (condition()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling, not an assertion delay
    }
    return false;
  }

  std::string writeFile(const std::string& name, const std::string& content) {
    auto path = std::filesystem::temp_directory_path() /
                ("kube_source_test_" + std::to_string(::getpid()) + "_" + name);
    std::ofstream(path) << content;
    files_.push_back(path);
    return path.string();
  }

  FakeKubeApiServer server_;
  KubeEndpointOptions options_;
  Recorder recorder_;
  testing::RunningLoop loop_;
  std::unique_ptr<KubeEndpointSource> source_;
  std::vector<std::filesystem::path> files_;

 public:
  ~KubeSourceTest() override {
    for (const auto& file : files_) std::filesystem::remove(file);
  }
};

}  // namespace daemonlet::sources
