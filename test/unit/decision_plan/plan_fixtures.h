#pragma once
// Builders for plan tables: a base scenario (one DaemonSet "ns/a" at revision r1
// with one ready pod p1), tweaks on top, and actions rendered as short strings
// so an expected plan reads like a list of commands.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "agent/decision/plan.h"

namespace daemonlet::decision::testing {

using std::chrono::seconds;

inline const TimePoint kT0 = TimePoint{} + std::chrono::hours(1000);
inline TimePoint at(int s) { return kT0 + seconds(s); }
inline const TimePoint kNow = at(100);

inline ObservedContainer runningContainer(std::string name) {
  ObservedContainer c;
  c.name = std::move(name);
  c.state = ContainerState::Running;
  c.started = true;
  return c;
}

inline ObservedContainer waitingContainer(std::string name) {
  ObservedContainer c;
  c.name = std::move(name);
  return c;
}

inline ObservedContainer exitedContainer(std::string name, int exitCode, TimePoint finishedAt,
                                         std::optional<BackoffEntry> backoff = std::nullopt) {
  ObservedContainer c;
  c.name = std::move(name);
  c.state = ContainerState::Exited;
  c.exitCode = exitCode;
  c.finishedAt = finishedAt;
  c.backoff = backoff;
  c.restartCount = backoff ? 1 : 0;
  return c;
}

// A ready pod with one running main container "main".
inline ObservedPod readyPod(std::string uid, std::string revision, TimePoint createdAt,
                            std::string key = "ns/a") {
  ObservedPod p;
  p.uid = std::move(uid);
  p.daemonSetKey = std::move(key);
  p.revision = std::move(revision);
  p.createdAt = createdAt;
  p.ready = true;
  p.readySince = createdAt + seconds(1);
  p.containers = {runningContainer("main")};
  return p;
}

// A pod just created by StartPod: nothing started, not ready.
inline ObservedPod newPod(std::string uid, std::string revision, TimePoint createdAt,
                          std::string key = "ns/a") {
  ObservedPod p = readyPod(std::move(uid), std::move(revision), createdAt, std::move(key));
  p.ready = false;
  p.containers = {waitingContainer("main")};
  return p;
}

// The reconciler has issued StopPod; processes still up unless `exited`.
inline void markStopping(ObservedPod& p, bool exited = false) {
  p.stopRequested = true;
  p.ready = false;
  for (ObservedContainer& c : p.containers) {
    if (exited) c = exitedContainer(c.name, 143, kNow);
  }
}

inline DesiredDaemonSet desiredSet(std::string key = "ns/a", std::string revision = "r1") {
  DesiredDaemonSet ds;
  ds.key = std::move(key);
  ds.revision = std::move(revision);
  ds.shouldRun = true;
  ds.shouldContinueRunning = true;
  return ds;
}

inline UpdateStrategy surgeStrategy() { return UpdateStrategy{UpdateStrategyType::RollingUpdate, 1, 0}; }
inline UpdateStrategy onDeleteStrategy() { return UpdateStrategy{UpdateStrategyType::OnDelete, 0, 1}; }

struct Scenario {
  std::vector<DesiredDaemonSet> desired{desiredSet()};
  std::vector<ObservedPod> observed{readyPod("p1", "r1", at(0))};
  BackoffPolicy policy;
  TimePoint now = kNow;

  DesiredDaemonSet& ds() { return desired.at(0); }
  ObservedPod& pod(const std::string& uid) {
    for (ObservedPod& p : observed) {
      if (p.uid == uid) return p;
    }
    throw std::out_of_range("no pod " + uid);
  }
  void removePod(const std::string& uid) {
    std::erase_if(observed, [&](const ObservedPod& p) { return p.uid == uid; });
  }
  Plan plan() const { return planPods(desired, observed, policy, now); }
};

inline std::string describe(const Action& action) {
  return std::visit(
      [](const auto& a) -> std::string {
        using A = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<A, StartPod>) {
          return "start-pod " + a.daemonSetKey + " " + a.revision;
        } else if constexpr (std::is_same_v<A, StopPod>) {
          return "stop-pod " + a.podUid + " " + toString(a.reason);
        } else if constexpr (std::is_same_v<A, StartContainer>) {
          std::string s = "start-container " + a.podUid + " " + (a.init ? "init:" : "") + a.container;
          if (a.backoffAfterStart) {
            s += " backoff=" +
                 std::to_string(std::chrono::duration_cast<seconds>(a.backoffAfterStart->delay).count()) +
                 "s";
          }
          return s;
        } else {
          return "delete-state " + a.podUid;
        }
      },
      action);
}

inline std::vector<std::string> describe(const Plan& plan) {
  std::vector<std::string> out;
  for (const Action& a : plan.actions) out.push_back(describe(a));
  return out;
}

// True when some waiting reason of `key` contains `text`.
inline bool waitingMentions(const Plan& plan, const std::string& key, const std::string& text) {
  const auto it = plan.waiting.find(key);
  if (it == plan.waiting.end()) return false;
  for (const std::string& reason : it->second) {
    if (reason.find(text) != std::string::npos) return true;
  }
  return false;
}

// One table row: a tweak on the base scenario and what the plan must say.
struct PlanCase {
  std::string name;
  std::function<void(Scenario&)> tweak;
  std::vector<std::string> actions;
  std::optional<TimePoint> wakeAt;
  std::string waiting;  // a substring of some waiting reason of ns/a; empty: no reason at all
};

inline void checkPlanCase(const PlanCase& c) {
  SCOPED_TRACE(c.name);
  Scenario s;
  if (c.tweak) c.tweak(s);
  const Plan plan = s.plan();
  EXPECT_EQ(describe(plan), c.actions);
  EXPECT_EQ(plan.wakeAt, c.wakeAt);
  if (c.waiting.empty()) {
    EXPECT_EQ(plan.waiting.count("ns/a"), 0u) << plan.waiting.at("ns/a").front();
  } else {
    EXPECT_TRUE(waitingMentions(plan, "ns/a", c.waiting)) << "expected a reason with: " << c.waiting;
  }
}

}  // namespace daemonlet::decision::testing
