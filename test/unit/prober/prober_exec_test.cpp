// exec probes with real processes.
#include <gtest/gtest.h>

#include "test/unit/prober/prober_harness.h"

namespace daemonlet::prober {
namespace {

using testing::execProbe;
using testing::lineCount;
using testing::ProberHarness;
using testing::TempDir;

TEST(ExecProbeTest, SuccessMakesReady) {
  ProberHarness harness;
  model::Container container;
  container.readinessProbe = execProbe({"/bin/true"});
  harness.start(container);
  EXPECT_TRUE(harness.runUntil(harness.reported(ProbeKind::kReadiness, true)));
}

TEST(ExecProbeTest, FailureFailsLiveness) {
  ProberHarness harness;
  model::Container container;
  container.livenessProbe = execProbe({"/bin/false"});
  harness.start(container);
  EXPECT_TRUE(harness.runUntil(harness.reported(ProbeKind::kLiveness, false)));
}

TEST(ExecProbeTest, TimeoutIsFailure) {
  ProberHarness harness;
  model::Container container;
  // sleep would exit 0 after 5 s; only the 1 s timeout can make this fail.
  container.livenessProbe = execProbe({"/bin/sleep", "5"});
  harness.start(container);
  EXPECT_TRUE(harness.runUntil(harness.reported(ProbeKind::kLiveness, false)));
}

TEST(ExecProbeTest, MissingExecutableIsFailure) {
  ProberHarness harness;
  model::Container container;
  container.livenessProbe = execProbe({"no-such-probe-command-xyz"});
  harness.start(container);
  EXPECT_TRUE(harness.runUntil(harness.reported(ProbeKind::kLiveness, false)));
}

TEST(ExecProbeTest, RunsWithTheContainerEnvironmentAndWorkingDir) {
  TempDir dir;
  ProberHarness harness;
  model::Container container;
  container.readinessProbe =
      execProbe({"/bin/sh", "-c", "test \"$PROBE_VAR\" = yes && test \"$(pwd -P)\" = \"$WANT_DIR\""});
  ProbeTarget target;
  target.env = {{"PROBE_VAR", "yes"}, {"WANT_DIR", std::filesystem::canonical(dir.path()).string()}};
  target.workingDir = dir.path().string();
  harness.start(container, target);
  EXPECT_TRUE(harness.runUntil(harness.reported(ProbeKind::kReadiness, true)));
}

TEST(ExecProbeTest, LivenessFailsOnlyAfterFailureThresholdAttempts) {
  TempDir dir;
  auto log = dir.path() / "attempts";
  ProberHarness harness;
  model::Container container;
  container.livenessProbe = execProbe({"/bin/sh", "-c", "echo x >> '" + log.string() + "'; exit 1"}, 3);
  harness.start(container);
  ASSERT_TRUE(harness.runUntil(harness.reported(ProbeKind::kLiveness, false)));
  EXPECT_EQ(lineCount(log), 3);
  // A failed liveness verdict holds the probe until the next start().
  harness.runFor(std::chrono::milliseconds(1500));
  EXPECT_EQ(lineCount(log), 3);
  EXPECT_EQ(harness.reports().size(), 1u);
}

TEST(ExecProbeTest, SuccessThresholdTwoNeedsTwoSuccesses) {
  TempDir dir;
  auto log = dir.path() / "attempts";
  ProberHarness harness;
  model::Container container;
  container.readinessProbe = execProbe({"/bin/sh", "-c", "echo x >> '" + log.string() + "'"}, 1, 2);
  harness.start(container);
  ASSERT_TRUE(harness.runUntil(harness.reported(ProbeKind::kReadiness, true)));
  EXPECT_EQ(lineCount(log), 2);
}

TEST(ExecProbeTest, UnchangedVerdictIsReportedOnce) {
  TempDir dir;
  auto log = dir.path() / "attempts";
  ProberHarness harness;
  model::Container container;
  container.readinessProbe = execProbe({"/bin/sh", "-c", "echo x >> '" + log.string() + "'"});
  harness.start(container);
  ASSERT_TRUE(harness.runUntil([&] { return lineCount(log) >= 3; }));
  ASSERT_EQ(harness.reports().size(), 1u);
  EXPECT_EQ(harness.reports()[0].kind, ProbeKind::kReadiness);
  EXPECT_TRUE(harness.reports()[0].success);
}

TEST(ExecProbeTest, StopDropsTheResultInFlightAndKillsTheProbe) {
  TempDir dir;
  auto marker = dir.path() / "finished";
  ProberHarness harness;
  model::Container container;
  // Succeeds (and leaves a marker) after 2 s, unless killed first.
  container.readinessProbe = execProbe({"/bin/sh", "-c", "sleep 2; touch '" + marker.string() + "'"});
  container.readinessProbe->timeoutSeconds = 5;
  harness.start(container);
  harness.runFor(std::chrono::milliseconds(300));  // the attempt is now running
  harness.prober().stop(harness.key());
  harness.runFor(std::chrono::milliseconds(3000));
  EXPECT_TRUE(harness.reports().empty());
  EXPECT_FALSE(std::filesystem::exists(marker));
}

TEST(ExecProbeTest, StartupProbeGatesReadinessAndLiveness) {
  TempDir dir;
  auto gate = dir.path() / "started";
  auto livenessLog = dir.path() / "liveness";
  ProberHarness harness;
  model::Container container;
  container.startupProbe = execProbe({"/usr/bin/test", "-e", gate.string()}, 100);
  container.readinessProbe = execProbe({"/bin/true"});
  container.livenessProbe = execProbe({"/bin/sh", "-c", "echo x >> '" + livenessLog.string() + "'"});
  harness.start(container);
  harness.runFor(std::chrono::milliseconds(1500));  // a couple of failed startup attempts
  EXPECT_TRUE(harness.reports().empty());
  EXPECT_EQ(lineCount(livenessLog), 0);

  std::ofstream(gate).put('\n');
  ASSERT_TRUE(harness.runUntil(harness.reported(ProbeKind::kReadiness, true)));
  ASSERT_GE(harness.reports().size(), 2u);
  EXPECT_EQ(harness.reports()[0].kind, ProbeKind::kStartup);
  EXPECT_TRUE(harness.reports()[0].success);
  EXPECT_FALSE(harness.hasReport(ProbeKind::kStartup, false));
  EXPECT_TRUE(harness.runUntil([&] { return lineCount(livenessLog) >= 1; }));  // liveness runs now
}

TEST(ExecProbeTest, StartupFailureIsReported) {
  ProberHarness harness;
  model::Container container;
  container.startupProbe = execProbe({"/bin/false"}, 2);
  container.readinessProbe = execProbe({"/bin/true"});
  harness.start(container);
  ASSERT_TRUE(harness.runUntil(harness.reported(ProbeKind::kStartup, false)));
  harness.runFor(std::chrono::milliseconds(1500));
  EXPECT_FALSE(harness.hasReport(ProbeKind::kReadiness, true));
}

TEST(ExecProbeTest, StartReplacesEarlierProbingOfTheSameKey) {
  ProberHarness harness;
  model::Container failing;
  failing.livenessProbe = execProbe({"/bin/false"}, 2);
  harness.start(failing);
  model::Container ready;
  ready.readinessProbe = execProbe({"/bin/true"});
  harness.start(ready);
  ASSERT_TRUE(harness.runUntil(harness.reported(ProbeKind::kReadiness, true)));
  harness.runFor(std::chrono::milliseconds(2500));  // the old liveness probe would have failed by now
  EXPECT_FALSE(harness.hasReport(ProbeKind::kLiveness, false));
}

}  // namespace
}  // namespace daemonlet::prober
