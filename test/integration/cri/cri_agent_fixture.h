#pragma once
// End-to-end fixture for pods that run through the CRI: the real `daemonlet run`
// (AgentE2eTest: temp dirs, local API, marker-based cleanup) pointed at this test
// binary's private containerd (support/shared_containerd.h) with cri.endpoint.
// Pods use the busybox test image and hostNetwork (the private containerd has no
// CNI network). What the CRI did is read back with `ctr -n k8s.io`: task pids,
// and the sandboxes and containers that carry a pod's uid label.
//
// Cleanup: container processes carry the test marker in their environment, so the
// base TearDown kills them with the agent; sandboxes and shims go with the
// containerd when the test binary exits.
#include <signal.h>

#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "test/integration/agent/agent_fixture.h"
#include "test/integration/cri/support/shared_containerd.h"

namespace daemonlet::e2e {

using testing::ContainerdFixture;

class CriAgentTest : public AgentE2eTest {
 protected:
  void SetUp() override {
    AgentE2eTest::SetUp();
    ASSERT_TRUE(containerd().running()) << containerd().lastError();
    writeCriConfig("");
  }

  void TearDown() override {
    if (HasFailure()) {
      std::cerr << "---- ctr tasks ls:\n" << containerd().ctr({"tasks", "ls"}).out;
      std::cerr << "---- containerd log (tail):\n" << containerd().logTail(3000) << "\n";
    }
    AgentE2eTest::TearDown();
  }

  static ContainerdFixture& containerd() { return testing::sharedContainerd(); }

  // The agent's config: the cri section with this containerd's endpoint, plus
  // `criExtra` (more keys of the cri section, each line indented by two spaces)
  // and `body` (top-level YAML).
  void writeCriConfig(const std::string& criExtra, const std::string& body = "") {
    writeConfig("cri:\n  endpoint: " + containerd().endpoint() + "\n" + criExtra + body);
  }

  // A DaemonSet whose one container "main" runs `script` with busybox's sh in
  // `image`, on the host network, with the test marker and E2E_DAEMONSET set.
  Json criDaemonSet(const std::string& name, const std::string& script,
                    const std::string& image = testing::kBusyboxImage) const {
    Json ds = daemonSet(name, {});
    Json& spec = podSpec(ds);
    spec.erase("runtimeClassName");
    spec["hostNetwork"] = true;
    Json& container = mainContainer(ds);
    container["image"] = image;
    container["command"] = Json::array({"/bin/sh", "-c", script});
    container.erase("args");
    return ds;
  }

  // "containerd://<id>" -> "<id>" ("" for any other form).
  static std::string containerIdOf(const Json& containerStatus) {
    const std::string id = containerStatus.value("containerID", "");
    const std::string prefix = "containerd://";
    return id.rfind(prefix, 0) == 0 ? id.substr(prefix.size()) : std::string();
  }

  static int taskPid(const std::string& id) { return containerd().taskPid(id); }

  // The ids of the containerd containers (sandboxes and containers) of pod `uid`.
  static std::vector<std::string> criObjectsOf(const std::string& uid) {
    const auto listed =
        containerd().ctr({"containers", "ls", "-q", "labels.\"io.kubernetes.pod.uid\"==" + uid}).out;
    std::vector<std::string> ids;
    std::istringstream lines(listed);
    for (std::string id; std::getline(lines, id);) {
      if (!id.empty()) ids.push_back(id);
    }
    return ids;
  }

  static bool criRunning(const Json& pod) {
    const Json& statuses = pod["status"]["containerStatuses"];
    return statuses.size() == 1 && statuses[0]["state"].contains("running") &&
           processAlive(taskPid(containerIdOf(statuses[0])));
  }

  // Waits until the DaemonSet's one pod runs its container in containerd with a
  // live task whose id differs from `oldId`; returns that pod (null Json on timeout).
  Json waitCriRunning(const std::string& daemonSet, std::chrono::milliseconds timeout = 20s,
                      const std::string& oldId = "") const {
    Json found;
    waitUntil(
        [&] {
          auto pod = onlyPod(daemonSet);
          if (!pod || !criRunning(*pod) || containerIdOf(mainStatus(*pod)) == oldId) return false;
          found = *pod;
          return true;
        },
        timeout);
    return found;
  }

  // The kubelet's log layout: <logDir>/<namespace>_<pod>_<uid>/<container>/<restartCount>.log.
  fs::path containerLog(const Json& pod, const std::string& container, int restartCount) const {
    const Json& meta = pod["metadata"];
    return root_ / "logs" /
           (meta.value("namespace", "default") + "_" + meta.value("name", "") + "_" + meta.value("uid", "")) /
           container / (std::to_string(restartCount) + ".log");
  }
};

}  // namespace daemonlet::e2e
