#pragma once
// The real Reconciler on an in-memory runtime and a manual clock. The test is
// the loop: settle() runs every pass the reconciler has posted, advance() moves
// the clock and runs the timers then due, so each step of a test is "report
// something (or let time pass), settle, look".
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "agent/base/clock.h"
#include "agent/loop/timer_queue.h"
#include "agent/model/decode.h"
#include "agent/model/revision_hash.h"
#include "agent/reconciler/reconciler.h"
#include "agent/status/status_snapshot.h"
#include "in_memory_runtime.h"
#include "test/support/temp_dir.h"

namespace daemonlet::reconciler::testing {

// A DaemonSet as a manifest file gives it: decoded and defaulted.
inline model::DaemonSet manifest(const std::string& name) {
  std::string yaml = R"(apiVersion: apps/v1
kind: DaemonSet
metadata: {name: NAME, namespace: kube-system}
spec:
  selector: {matchLabels: {app: NAME}}
  template:
    metadata: {labels: {app: NAME}}
    spec:
      runtimeClassName: host
      containers:
      - {name: main, image: v1, command: [/bin/daemon]}
)";
  for (auto at = yaml.find("NAME"); at != std::string::npos; at = yaml.find("NAME", at))
    yaml.replace(at, 4, name);
  model::DecodedFile decoded = model::decodeFile(yaml, name + ".yaml");
  EXPECT_TRUE(decoded.errors.empty());
  EXPECT_EQ(decoded.daemonSets.size(), 1u);
  return decoded.daemonSets.empty() ? model::DaemonSet{} : decoded.daemonSets.front();
}

// The same DaemonSet without runtimeClassName: its pod is the CRI runtime's.
inline model::DaemonSet criManifest(const std::string& name) {
  model::DaemonSet ds = manifest(name);
  ds.spec.template_.spec.runtimeClassName.reset();
  return ds;
}

inline sources::SourcedDaemonSet sourced(const model::DaemonSet& ds) {
  return {std::make_shared<const model::DaemonSet>(ds), model::revisionHash(ds),
          "file:/test/" + ds.metadata.name};
}

class ReconcilerHarness : public ::testing::Test {
 protected:
  ReconcilerOptions options() const {
    ReconcilerOptions o;
    o.stateDir = stateDir_.path();
    o.agentVersion = "test";
    o.hostIP = "127.0.0.1";
    o.nodeMemoryBytes = std::int64_t{8} << 30;
    return o;
  }

  model::Node node() const {
    model::Node n;
    n.metadata.name = "worker-1";
    n.metadata.labels = {{"kubernetes.io/hostname", "worker-1"}};
    return n;
  }

  void startAgent() {
    reconciler_->start(node());
    settle();
  }

  // Runs every pass and callback the reconciler has posted, until none is ready.
  void settle() {
    io_.restart();
    io_.poll();
  }

  // Time passes: the timers due by then fire, and what they post runs.
  void advance(std::chrono::nanoseconds by) {
    clock_.advance(by);
    timers_.runDue();
    settle();
  }

  std::optional<base::TimePoint> wakeAt() const { return timers_.nextDeadline(); }

  void setDaemonSets(const std::vector<model::DaemonSet>& set, bool complete = true) {
    sources::SourceSnapshot snapshot;
    for (const auto& ds : set) snapshot.daemonSets.push_back(sourced(ds));
    snapshot.complete = complete;
    reconciler_->setSourceSnapshot(std::move(snapshot));
    settle();
  }

  std::shared_ptr<const status::StatusSnapshot> status() const { return store_.latest(); }

  // The pods of a DaemonSet in the latest status.
  std::vector<status::PodView> podsOf(const std::string& daemonSet) const {
    std::vector<status::PodView> pods;
    if (auto latest = status()) {
      for (const auto& pod : latest->pods) {
        if (pod.daemonSetName == daemonSet) pods.push_back(pod);
      }
    }
    return pods;
  }

  // The one pod of a DaemonSet, and its one container.
  status::ContainerView containerOf(const std::string& daemonSet) const {
    auto pods = podsOf(daemonSet);
    EXPECT_EQ(pods.size(), 1u) << daemonSet;
    if (pods.empty() || pods.front().containers.empty()) return {};
    return pods.front().containers.back();
  }

  // The agent stops (every daemon keeps running) and a new one starts on the
  // same state directory and runtime, as after `systemctl restart`;
  // `whileDown` happens in between, with nobody listening.
  void restartAgent(const std::function<void()>& whileDown = {}) {
    reconciler_.reset();
    settle();
    if (whileDown) whileDown();
    reconciler_ = std::make_unique<Reconciler>(timers_, runtimes_, store_, options());
    startAgent();
  }


  daemonlet::testing::TempDir stateDir_;  // a private temporary directory
  boost::asio::io_context io_;
  base::ManualClock clock_;
  loop::TimerQueue timers_{io_, clock_};
  InMemoryRuntime runtime_{io_};
  runtime::RuntimeSet runtimes_ = [this] {
    runtime::RuntimeSet set;
    set.add(runtime_);
    return set;
  }();
  status::SnapshotStore store_;
  std::unique_ptr<Reconciler> reconciler_ = std::make_unique<Reconciler>(timers_, runtimes_, store_, options());
};

}  // namespace daemonlet::reconciler::testing
