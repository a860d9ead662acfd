#pragma once
// Shared inputs for the placement tables: one base node and DaemonSet, small
// builders, and the loop that runs a table of per-case tweaks.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "agent/decision/placement.h"

namespace daemonlet::decision::testing {

using Tweak = std::function<void(model::Node&, model::DaemonSet&)>;

struct PlacementCase {
  std::string name;
  Tweak tweak;
  bool shouldRun = false;
  bool shouldContinueRunning = false;
  std::string firstReason;  // substring of reasons[0] (the deciding reason); empty: not checked
  std::string anyReason;    // substring of some reason; empty: not checked
};

inline model::Node baseNode() {
  model::Node node;
  node.metadata.name = "worker-1";
  node.metadata.labels = {
      {"kubernetes.io/hostname", "worker-1"}, {"disktype", "ssd"}, {"zone", "a"}, {"cpus", "8"}};
  return node;
}

inline model::DaemonSet baseDaemonSet() {
  model::DaemonSet ds;
  ds.apiVersion = "apps/v1";
  ds.kind = "DaemonSet";
  ds.metadata.name = "fluentd-elasticsearch";
  ds.metadata.namespace_ = "kube-system";
  ds.spec.selector = model::LabelSelector{{{"name", "fluentd-elasticsearch"}}, {}};
  ds.spec.template_.metadata.labels = {{"name", "fluentd-elasticsearch"}};
  model::Container container;
  container.name = "fluentd-elasticsearch";
  container.image = "quay.io/fluentd_elasticsearch/fluentd:v2.5.2";
  ds.spec.template_.spec.containers.push_back(container);
  return ds;
}

inline model::NodeSelectorRequirement req(std::string key, std::string op,
                                          std::vector<std::string> values = {}) {
  return model::NodeSelectorRequirement{std::move(key), std::move(op), std::move(values)};
}

inline model::NodeSelectorTerm term(std::vector<model::NodeSelectorRequirement> expressions,
                                    std::vector<model::NodeSelectorRequirement> fields = {}) {
  return model::NodeSelectorTerm{std::move(expressions), std::move(fields)};
}

inline void setRequiredAffinity(model::DaemonSet& ds, std::vector<model::NodeSelectorTerm> terms) {
  model::NodeAffinity nodeAffinity;
  nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = model::NodeSelector{std::move(terms)};
  ds.spec.template_.spec.affinity = model::Affinity{nodeAffinity};
}

inline model::Taint taint(std::string key, std::string value, std::string effect) {
  return model::Taint{std::move(key), std::move(value), std::move(effect)};
}

inline model::Toleration toleration(std::string key, std::string op, std::string value, std::string effect) {
  model::Toleration t;
  t.key = std::move(key);
  t.op = std::move(op);
  t.value = std::move(value);
  t.effect = std::move(effect);
  return t;
}

inline std::string joinReasons(const std::vector<std::string>& reasons) {
  std::string text;
  for (const auto& r : reasons) text += "\n  - " + r;
  return text;
}

inline void runPlacementTable(const std::vector<PlacementCase>& cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    model::Node node = baseNode();
    model::DaemonSet ds = baseDaemonSet();
    if (c.tweak) c.tweak(node, ds);
    PlacementDecision decision = decidePlacement(node, ds);
    SCOPED_TRACE("reasons:" + joinReasons(decision.reasons));
    EXPECT_EQ(decision.shouldRun, c.shouldRun);
    EXPECT_EQ(decision.shouldContinueRunning, c.shouldContinueRunning);
    ASSERT_FALSE(decision.reasons.empty());
    if (!c.firstReason.empty()) {
      EXPECT_NE(decision.reasons.front().find(c.firstReason), std::string::npos)
          << "first reason lacks: " << c.firstReason;
    }
    if (!c.anyReason.empty()) {
      bool found = false;
      for (const auto& r : decision.reasons) found = found || r.find(c.anyReason) != std::string::npos;
      EXPECT_TRUE(found) << "no reason contains: " << c.anyReason;
    }
  }
}

}  // namespace daemonlet::decision::testing
