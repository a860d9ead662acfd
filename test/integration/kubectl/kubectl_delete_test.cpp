// kubectl delete with DeleteOptions against the real agent: --grace-period
// overrides the manifest's terminationGracePeriodSeconds (a daemon ignoring
// SIGTERM is gone long before it), --force --grace-period=0 removes the pod
// from the API at once and kills it after the kubelet's 1 s,
// --dry-run=server deletes nothing, a second delete with a shorter
// --grace-period shortens deletionGracePeriodSeconds and kills sooner, and
// `get pods` says Terminating while a pod stops. describe shows the Unhealthy event of a failing probe.
#include <sstream>

#include "test/integration/kubectl/kubectl_fixture.h"

namespace daemonlet::e2e {
namespace {

// The STATUS cell of `pod`'s row in `kubectl get pods` output ("" when absent).
std::string statusCellOf(const std::string& table, const std::string& pod) {
  std::istringstream lines(table);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream cells(line);
    std::string name, ready, status;
    if (cells >> name >> ready >> status && name == pod) return status;
  }
  return "";
}

class KubectlDeleteTest : public KubectlTest {
 protected:
  // The agent running one daemon that ignores SIGTERM, with a 60 s grace period
  // in its manifest; returns its running pod (null Json when it never ran).
  Json startStubbornDaemon() {
    Json ds = daemonSet("stubborn", {"ignore-sigterm"});
    podSpec(ds)["terminationGracePeriodSeconds"] = 60;
    writeManifest("stubborn.json", ds);
    startAgent();
    return waitRunning("stubborn");
  }
};

TEST_F(KubectlDeleteTest, GracePeriodOverridesTheManifestsForADaemonIgnoringSigterm) {
  const Json pod = startStubbornDaemon();
  ASSERT_FALSE(pod.is_null()) << "the daemon never ran";
  const std::string name = pod["metadata"]["name"];
  const int pid = pidOf(mainStatus(pod));

  auto began = Clock::now();
  auto deleted = kubectl({"delete", "pod", name, "--grace-period=1"});
  EXPECT_EQ(deleted.exitCode, 0) << deleted.output;
  EXPECT_NE(deleted.output.find("pod \"" + name + "\" deleted"), std::string::npos) << deleted.output;
  EXPECT_TRUE(waitUntil([&] { return !processAlive(pid); }, 10s))
      << "still running after the 1 s grace period";
  const double took = secondsSince(began);
  EXPECT_LT(took, 15.0) << "the manifest's 60 s grace period was used";
  EXPECT_GE(took, 0.9) << "SIGKILL came before the 1 s grace period ended";

  // --force --grace-period=0: the API server removes the pod at once; the
  // kubelet still gives it a second after SIGTERM (calculateEffectiveGracePeriod).
  Json replacement = waitRunning("stubborn");
  ASSERT_FALSE(replacement.is_null());
  const std::string second = replacement["metadata"]["name"];
  ASSERT_NE(second, name);
  const int secondPid = pidOf(mainStatus(replacement));
  began = Clock::now();
  auto forced = kubectl({"delete", "pod", second, "--force", "--grace-period=0"});
  EXPECT_EQ(forced.exitCode, 0) << forced.output;
  EXPECT_NE(forced.output.find("force deleted"), std::string::npos) << forced.output;
  auto gone = kubectl({"get", "pod", second});
  EXPECT_NE(gone.exitCode, 0) << gone.output;
  EXPECT_NE(gone.output.find("NotFound"), std::string::npos) << gone.output;
  EXPECT_TRUE(waitUntil([&] { return !processAlive(secondPid); }, 10s));
  EXPECT_LT(secondsSince(began), 5.0);
}

// As against a real cluster: a pod already terminating with its 60 s may be
// deleted again with a shorter grace period; the API server shortens
// deletionGracePeriodSeconds and the kubelet kills sooner. A longer one would
// change nothing.
TEST_F(KubectlDeleteTest, ASecondDeleteWithAShorterGracePeriodKillsSooner) {
  const Json pod = startStubbornDaemon();
  ASSERT_FALSE(pod.is_null()) << "the daemon never ran";
  const std::string name = pod["metadata"]["name"];
  const int pid = pidOf(mainStatus(pod));

  auto first = kubectl({"delete", "pod", name, "--wait=false"});
  ASSERT_EQ(first.exitCode, 0) << first.output;
  auto watch = kubectlStream({"get", "pod", name, "--watch", "-o", "json"});
  ASSERT_TRUE(watch->waitFor("\"deletionGracePeriodSeconds\": 60,")) << watch->output();
  auto longer = kubectl({"delete", "pod", name, "--grace-period=90", "--wait=false"});
  ASSERT_EQ(longer.exitCode, 0) << longer.output;
  auto asJson = kubectl({"get", "pod", name, "-o", "json"});
  ASSERT_EQ(asJson.exitCode, 0) << asJson.output;
  EXPECT_EQ(Json::parse(asJson.output)["metadata"].value("deletionGracePeriodSeconds", -1), 60)
      << asJson.output;
  EXPECT_TRUE(processAlive(pid)) << "SIGTERM is ignored: it runs on within the 60 s";

  const auto began = Clock::now();
  auto shorter = kubectl({"delete", "pod", name, "--grace-period=1"});  // waits until the pod is gone
  EXPECT_EQ(shorter.exitCode, 0) << shorter.output;
  EXPECT_NE(shorter.output.find("pod \"" + name + "\" deleted"), std::string::npos) << shorter.output;
  EXPECT_TRUE(waitUntil([&] { return !processAlive(pid); }, 10s)) << "the first deletion's 60 s stood";
  const double took = secondsSince(began);
  EXPECT_LT(took, 10.0) << "the first deletion's 60 s stood";
  EXPECT_GE(took, 0.9) << "SIGKILL came before the 1 s grace period ended";
  EXPECT_TRUE(watch->waitFor("\"deletionGracePeriodSeconds\": 1,")) << watch->output();
}

TEST_F(KubectlTest, GetPodsShowsTerminatingWhileAPodStops) {
  Json ds = daemonSet("slow", {"ignore-sigterm"});
  podSpec(ds)["terminationGracePeriodSeconds"] = 4;  // its stop takes the whole grace period
  writeManifest("slow.json", ds);
  startAgent();
  Json pod = waitRunning("slow");
  ASSERT_FALSE(pod.is_null());
  const std::string name = pod["metadata"]["name"];
  const int pid = pidOf(mainStatus(pod));

  // A server-side dry run answers as a deletion would and deletes nothing.
  auto dry = kubectl({"delete", "pod", name, "--dry-run=server"});
  EXPECT_EQ(dry.exitCode, 0) << dry.output;
  EXPECT_NE(dry.output.find("(server dry run)"), std::string::npos) << dry.output;
  ASSERT_TRUE(waitPasses());
  EXPECT_TRUE(processAlive(pid));
  EXPECT_FALSE((*onlyPod("slow"))["metadata"].contains("deletionTimestamp"));

  auto began = Clock::now();
  auto deleted = kubectl({"delete", "pod", name, "--wait=false"});
  ASSERT_EQ(deleted.exitCode, 0) << deleted.output;
  std::string table;
  EXPECT_TRUE(waitUntil([&] {
    table = kubectl({"get", "pods"}).output;
    return statusCellOf(table, name) == "Terminating";
  })) << table;
  auto asJson = kubectl({"get", "pod", name, "-o", "json"});
  ASSERT_EQ(asJson.exitCode, 0) << asJson.output;
  Json object = Json::parse(asJson.output);
  EXPECT_TRUE(object["metadata"].contains("deletionTimestamp")) << asJson.output;
  EXPECT_EQ(object["metadata"].value("deletionGracePeriodSeconds", -1), 4) << asJson.output;

  EXPECT_TRUE(waitUntil([&] { return !processAlive(pid); }, 15s));
  EXPECT_GE(secondsSince(began), 3.0) << "the manifest's grace period was cut short";
  EXPECT_TRUE(waitUntil([&] { return statusCellOf(kubectl({"get", "pods"}).output, name).empty(); }));
}

TEST_F(KubectlTest, DescribeShowsTheUnhealthyEventOfAFailingProbe) {
  Json ds = daemonSet("unready", {"sleep"});
  mainContainer(ds)["readinessProbe"] = countedFileProbe(filePath("ready"));  // the file never exists
  writeManifest("unready.json", ds);
  startAgent();
  std::string name = runningPodName("unready");
  ASSERT_FALSE(name.empty());
  ASSERT_TRUE(waitProbeAttempts(filePath("ready"), 2));
  std::string described;
  EXPECT_TRUE(waitUntil([&] {
    described = kubectl({"describe", "pod", name}).output;
    return described.find("Unhealthy") != std::string::npos &&
           described.find("Readiness probe failed") != std::string::npos;
  })) << described;
}

// The kubelet's hook events: a failing postStart (the container is killed and
// restarted) and a failing preStop (the stop goes on).
TEST_F(KubectlTest, FailedHooksAreEvents) {
  auto execHook = [](const std::string& script) {
    return Json{{"exec", {{"command", {"/bin/sh", "-c", script}}}}};
  };
  Json postStart = daemonSet("poststart", {"sleep"});
  mainContainer(postStart)["lifecycle"] = {{"postStart", execHook("exit 3")}};
  writeManifest("poststart.json", postStart);
  Json preStop = daemonSet("prestop", {"sleep"});
  mainContainer(preStop)["lifecycle"] = {{"preStop", execHook("exit 4")}};
  writeManifest("prestop.json", preStop);
  startAgent();
  std::string name = runningPodName("prestop");
  ASSERT_FALSE(name.empty());
  auto deleted = kubectl({"delete", "pod", name});
  EXPECT_EQ(deleted.exitCode, 0) << deleted.output;

  std::string events;
  EXPECT_TRUE(waitUntil([&] {
    events = kubectl({"get", "events"}).output;
    return events.find("FailedPostStartHook") != std::string::npos &&
           events.find("FailedPreStopHook") != std::string::npos;
  })) << events;
  EXPECT_NE(events.find("PreStopHook failed"), std::string::npos) << events;
}

}  // namespace
}  // namespace daemonlet::e2e
