#pragma once
// A valid, already-defaulted DaemonSet built in code (no parser), and a table
// runner that compares the (field path, error type) pairs a tweak produces.
#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "agent/model/validation.h"

namespace daemonlet::model::testing {

inline Container validContainer(const std::string& name) {
  Container c;
  c.name = name;
  c.image = "registry.example.com/agent:1.2.3";
  c.imagePullPolicy = "IfNotPresent";
  c.terminationMessagePath = "/dev/termination-log";
  c.terminationMessagePolicy = "File";
  return c;
}

inline Probe validProbe() {
  Probe p;
  p.exec = ExecAction{{"/bin/true"}};
  p.timeoutSeconds = 1;
  p.periodSeconds = 10;
  p.successThreshold = 1;
  p.failureThreshold = 3;
  return p;
}

inline DaemonSet validDaemonSet() {
  DaemonSet ds;
  ds.apiVersion = "apps/v1";
  ds.kind = "DaemonSet";
  ds.metadata.name = "node-agent";
  ds.metadata.namespace_ = "kube-system";
  ds.spec.selector = LabelSelector{{{"app", "node-agent"}}, {}};
  ds.spec.template_.metadata.labels = {{"app", "node-agent"}};
  PodSpec& pod = ds.spec.template_.spec;
  pod.containers.push_back(validContainer("agent"));
  pod.restartPolicy = "Always";
  pod.dnsPolicy = "ClusterFirst";
  pod.schedulerName = "default-scheduler";
  pod.terminationGracePeriodSeconds = 30;
  pod.securityContext = PodSecurityContext{};
  ds.spec.updateStrategy.type = "RollingUpdate";
  ds.spec.updateStrategy.rollingUpdate = RollingUpdateDaemonSet{IntOrString::fromInt(1), IntOrString::fromInt(0)};
  ds.spec.revisionHistoryLimit = 10;
  return ds;
}

using ErrorKey = std::pair<std::string, FieldError::Type>;

struct Case {
  std::string name;
  std::function<void(DaemonSet&)> tweak;
  std::set<ErrorKey> expected;  // empty: must stay valid
};

inline std::string describe(const FieldErrors& errors) {
  std::string out;
  for (const auto& e : errors) out += "  " + e.toString() + "\n";
  return out;
}

inline void runCases(const std::vector<Case>& cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    DaemonSet ds = validDaemonSet();
    c.tweak(ds);
    const FieldErrors errors = validateDaemonSet(ds);
    std::set<ErrorKey> actual;
    for (const auto& e : errors) actual.insert({e.field, e.type});
    EXPECT_EQ(actual, c.expected) << describe(errors);
  }
}

inline Quantity qty(const char* text) {
  auto q = Quantity::parse(text);
  EXPECT_TRUE(q.has_value()) << text;
  return q.value_or(Quantity{});
}

using T = FieldError::Type;

}  // namespace daemonlet::model::testing
