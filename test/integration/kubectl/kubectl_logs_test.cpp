// kubectl logs: options, follow (a line written after kubectl
// started), --previous after a crash.
#include "test/integration/kubectl/kubectl_fixture.h"

namespace daemonlet::e2e {
namespace {

TEST_F(KubectlTest, LogsOptionsAndFollowSeesNewLines) {
  fs::path go = filePath("go");
  writeManifest("talk.json", shellDaemonSet("talk", "echo line-one; echo line-two; while [ ! -f '" + go.string() +
                                                        "' ]; do sleep 0.05; done; echo line-three; exec sleep 1000"));
  startAgent();
  std::string pod = runningPodName("talk");
  ASSERT_FALSE(pod.empty());

  KubectlResult logs;
  ASSERT_TRUE(waitUntil([&] {
    logs = kubectl({"logs", pod});
    return logs.output.find("line-two") != std::string::npos;
  })) << logs.output;
  EXPECT_EQ(logs.output, "line-one\nline-two\n");
  auto tail = kubectl({"logs", pod, "--tail=1", "--timestamps"});
  EXPECT_NE(tail.output.find("Z line-two\n"), std::string::npos) << tail.output;
  EXPECT_EQ(tail.output.find("line-one"), std::string::npos) << tail.output;
  auto limited = kubectl({"logs", pod, "--limit-bytes=6"});
  EXPECT_EQ(limited.output, "line-o");
  auto later = kubectl({"logs", pod, "--since-time=2200-01-01T00:00:00Z"});
  EXPECT_EQ(later.output, "");

  auto follow = kubectlStream(withServer({"logs", "-f", pod}));
  ASSERT_TRUE(follow->waitFor("line-two\n")) << follow->output();
  writeFile(go, "");
  EXPECT_TRUE(follow->waitFor("line-three\n")) << follow->output();
  EXPECT_EQ(follow->output(), "line-one\nline-two\nline-three\n");
}

TEST_F(KubectlTest, PreviousShowsTheCrashedRunAndFollowEndsWithTheContainer) {
  fs::path seen = filePath("seen");
  writeManifest("crash.json", shellDaemonSet("crash", "if [ -f '" + seen.string() +
                                                          "' ]; then echo second-run; exec sleep 1000; fi; touch '" +
                                                          seen.string() + "'; echo first-run; exit 3"));
  startAgent();
  Json pod;
  ASSERT_TRUE(waitUntil([&] {
    auto found = onlyPod("crash");
    if (!found || !isRunning(*found) || mainStatus(*found).value("restartCount", 0) != 1) return false;
    pod = *found;
    return true;
  })) << getJson("/api/v1/pods").dump(1);
  std::string name = pod["metadata"]["name"];

  auto previous = kubectl({"logs", name, "--previous"});
  EXPECT_EQ(previous.exitCode, 0) << previous.output;
  EXPECT_EQ(previous.output, "first-run\n");
  KubectlResult current;
  EXPECT_TRUE(waitUntil([&] {
    current = kubectl({"logs", name});
    return current.output == "second-run\n";
  })) << current.output;

  // Following the running container ends when it is stopped.
  auto follow = kubectlStream(withServer({"logs", "-f", name}));
  ASSERT_TRUE(follow->waitFor("second-run\n")) << follow->output();
  ASSERT_EQ(deletePod(name, true), 200);
  EXPECT_TRUE(follow->waitExit(15s)) << "kubectl logs -f still running after the container stopped";
  EXPECT_EQ(follow->exitCode(), 0) << follow->output();
}

}  // namespace
}  // namespace daemonlet::e2e
