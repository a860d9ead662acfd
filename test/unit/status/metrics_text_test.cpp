#include "agent/status/metrics_text.h"

#include <gtest/gtest.h>

namespace daemonlet::status {
namespace {

TEST(MetricsTextTest, ExposesCountersGaugesAndHistogram) {
  StatusSnapshot s;
  s.agentVersion = "0.1.0";
  PodView running;
  running.phase = "Running";
  running.ready = true;
  PodView pending;
  pending.phase = "Pending";
  s.pods = {running, pending};
  s.counters.containerRestarts = 5;
  s.counters.reconcilePasses = 3;
  s.counters.reconcileBucketCounts.assign(kReconcileBuckets.size(), 0);
  s.counters.reconcileBucketCounts[0] = 2;  // <= 0.5 ms
  s.counters.reconcileBucketCounts[4] = 1;  // <= 10 ms
  s.counters.reconcileSecondsSum = 0.007;
  s.counters.decisions["run"] = 4;

  std::string text = metricsText(s);
  for (const char* line : {
           "daemonlet_pods{phase=\"Running\"} 1",
           "daemonlet_pods{phase=\"Pending\"} 1",
           "daemonlet_pods_ready 1",
           "daemonlet_container_restarts_total 5",
           "daemonlet_placement_decisions_total{decision=\"run\"} 4",
           "daemonlet_reconcile_duration_seconds_bucket{le=\"0.0005\"} 2",
           "daemonlet_reconcile_duration_seconds_bucket{le=\"0.005\"} 2",
           "daemonlet_reconcile_duration_seconds_bucket{le=\"0.01\"} 3",
           "daemonlet_reconcile_duration_seconds_bucket{le=\"+Inf\"} 3",
           "daemonlet_reconcile_duration_seconds_count 3",
           "# TYPE daemonlet_container_restarts_total counter",
       }) {
    EXPECT_NE(text.find(std::string(line) + "\n"), std::string::npos) << line;
  }
}

}  // namespace
}  // namespace daemonlet::status
