// Lifecycle hooks of a CRI pod through the real agent and a real containerd:
// the exec hooks run inside the container (ExecSync); postStart finishes before
// the container is reported Running, preStop before the container's SIGTERM.
#include "test/integration/cri/cri_agent_fixture.h"

namespace daemonlet::e2e {
namespace {

class CriHooksTest : public CriAgentTest {};

TEST_F(CriHooksTest, ExecPostStartAndPreStopRunInTheContainer) {
  ASSERT_NO_FATAL_FAILURE(startAgent());
  const fs::path shared = filePath("shared");
  fs::create_directories(shared);
  const fs::path order = shared / "order";
  // The TERM trap notes the signal; the short sleeps let it run promptly.
  Json ds = criDaemonSet("hooked",
                         "trap 'echo sigterm >> /shared/order; exit 0' TERM; "
                         "while :; do sleep 0.1; done");
  podSpec(ds)["volumes"] = Json::array({{{"name", "shared"}, {"hostPath", {{"path", shared.string()}}}}});
  Json& container = mainContainer(ds);
  container["volumeMounts"] = Json::array({{{"name", "shared"}, {"mountPath", "/shared"}}});
  // Only inside the container is /shared the test's directory: a hook run on
  // the host would fail.
  container["lifecycle"] = {
      {"postStart", {{"exec", {{"command", {"/bin/sh", "-c", "sleep 0.3; echo poststart >> /shared/order"}}}}}},
      {"preStop", {{"exec", {{"command", {"/bin/sh", "-c", "echo prestop >> /shared/order"}}}}}}};
  writeManifest("hooked.json", ds);

  bool runningBeforeHook = false;
  Json pod;
  ASSERT_TRUE(waitUntil(
      [&] {
        auto p = onlyPod("hooked");
        if (!p || !criRunning(*p)) return false;
        runningBeforeHook = runningBeforeHook || readFile(order).find("poststart") == std::string::npos;
        pod = *p;
        return true;
      },
      20s))
      << "the CRI pod never ran";
  EXPECT_FALSE(runningBeforeHook) << "reported Running before its postStart hook had finished";
  EXPECT_EQ(readFile(order), "poststart\n");

  const std::string uid = pod["metadata"]["uid"];
  removeManifest("hooked.json");
  EXPECT_TRUE(waitUntil([&] { return podsOf("hooked").empty(); }, 20s)) << "the pod is still listed";
  EXPECT_EQ(readFile(order), "poststart\nprestop\nsigterm\n") << "preStop must run in the container before SIGTERM";
  EXPECT_TRUE(waitUntil([&] { return criObjectsOf(uid).empty(); }, 10s));
}

}  // namespace
}  // namespace daemonlet::e2e
