// The CRI test fixtures against the real tools: containerd comes up with the test
// images in k8s.io, a container survives restart(), teardown leaves nothing
// behind, and the registry serves pulls only with credentials.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>

#include "test/integration/cri/support/containerd_fixture.h"
#include "test/integration/cri/support/host_cleanup.h"
#include "test/integration/cri/support/registry_fixture.h"
#include "test/integration/cri/support/shared_containerd.h"

namespace daemonlet::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Runs a detached busybox `sleep` under the fixture's runc root and cgroup parent.
void runSleeper(const ContainerdFixture& containerd, const std::string& id) {
  const CommandResult run = containerd.ctr(
      {"run", "-d", "--null-io", "--net-host", "--runc-root", (containerd.runcRoot() / "k8s.io").string(),
       "--cgroup", containerd.cgroupParent() + "/" + id, kBusyboxImage, id, "sleep", "600"});
  ASSERT_EQ(run.exitCode, 0) << run.err << run.out;
}

TEST(CriFixtureTest, ContainerdServesTheTestImagesInK8sNamespace) {
  ContainerdFixture& containerd = sharedContainerd();
  ASSERT_TRUE(containerd.running()) << containerd.lastError();
  const CommandResult images = containerd.ctr({"images", "ls", "-q"});
  ASSERT_EQ(images.exitCode, 0) << images.err;
  for (const char* image : {kBusyboxImage, kBusyboxNonRootImage, kPauseImage}) {
    EXPECT_NE(images.out.find(image), std::string::npos) << image << " missing from:\n" << images.out;
  }
  EXPECT_EQ(containerd.endpoint(), "unix://" + containerd.socket().string());
  std::cout << "containerd ready in " << containerd.timings().readySeconds
            << " s; images built and imported in " << containerd.timings().imagesSeconds << " s\n";
}

TEST(CriFixtureTest, ImagesRunWithTheirUser) {
  ContainerdFixture& containerd = sharedContainerd();
  ASSERT_TRUE(containerd.running()) << containerd.lastError();
  for (const auto& [image, uid] : {std::pair{kBusyboxImage, "0"}, std::pair{kBusyboxNonRootImage, "1000"}}) {
    const std::string id = std::string("whoami-") + uid;
    const CommandResult run = containerd.ctr({"run", "--rm", "--net-host", "--runc-root",
                                              (containerd.runcRoot() / "k8s.io").string(), "--cgroup",
                                              containerd.cgroupParent() + "/" + id, image, id, "id", "-u"});
    ASSERT_EQ(run.exitCode, 0) << run.err;
    EXPECT_EQ(run.out, std::string(uid) + "\n") << image;
  }
}

TEST(CriFixtureTest, ContainerSurvivesRestartAndTeardownLeavesNothing) {
  ContainerdFixture containerd;
  ASSERT_TRUE(containerd.start()) << containerd.lastError();
  ASSERT_NO_FATAL_FAILURE(runSleeper(containerd, "sleeper"));
  const int pid = containerd.taskPid("sleeper");
  ASSERT_GT(pid, 0);
  // One more in containerd's default cgroup (/k8s.io/<id>), outside the fixture's parent.
  const std::string otherId = "default-cgroup-" + containerd.root().filename().string();
  const CommandResult other =
      containerd.ctr({"run", "-d", "--null-io", "--net-host", "--runc-root",
                      (containerd.runcRoot() / "k8s.io").string(), kBusyboxImage, otherId, "sleep", "600"});
  ASSERT_EQ(other.exitCode, 0) << other.err;
  ASSERT_FALSE(cgroupDirs("/k8s.io/" + otherId).empty());
  ASSERT_FALSE(containerd.shimPids().empty()) << "no shim names this fixture's socket";
  ASSERT_FALSE(cgroupDirs(containerd.cgroupParent()).empty()) << "the container's cgroup parent was not made";

  const int oldContainerd = containerd.pid();
  ASSERT_TRUE(containerd.restart()) << containerd.lastError();
  EXPECT_NE(containerd.pid(), oldContainerd);
  EXPECT_EQ(containerd.taskPid("sleeper"), pid) << "the container did not survive the restart";
  EXPECT_TRUE(processAlive(pid));
  std::cout << "containerd: SIGTERM stop " << containerd.timings().lastStopSeconds << " s, ready again in "
            << containerd.timings().readySeconds << " s\n";

  const fs::path root = containerd.root();
  const std::string socket = containerd.socket().string();
  const int containerdPid = containerd.pid();
  containerd.teardown();
  std::cout << "containerd teardown with one container: " << containerd.timings().teardownSeconds << " s\n";
  EXPECT_FALSE(processAlive(containerdPid));
  EXPECT_FALSE(processAlive(pid)) << "the container outlived the teardown";
  EXPECT_TRUE(processesWithCommandLine(socket).empty()) << "a process still names " << socket;
  EXPECT_TRUE(mountsUnder(root).empty()) << "mounts left under " << root;
  EXPECT_TRUE(cgroupDirs(containerd.cgroupParent()).empty())
      << "cgroup " << containerd.cgroupParent() << " left";
  if (!std::getenv("DAEMONLET_E2E_KEEP")) {
    EXPECT_FALSE(fs::exists(root));
  }
}

TEST(CriFixtureTest, RegistryServesPullsOnlyWithCredentials) {
  ContainerdFixture& containerd = sharedContainerd();
  ASSERT_TRUE(containerd.running()) << containerd.lastError();
  RegistryFixture registry;
  ASSERT_TRUE(registry.start()) << registry.lastError();
  std::cout << "registry ready in " << registry.readySeconds() << " s\n";
  const auto pushStart = std::chrono::steady_clock::now();
  ASSERT_TRUE(registry.push(containerd.images().busybox, "daemonlet-test/busybox:1")) << registry.lastError();
  std::cout << "skopeo push: "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - pushStart).count() << " s\n";
  ASSERT_TRUE(registry.trust(containerd.hostsDir()));

  const std::string reference = registry.reference("daemonlet-test/busybox:1");
  const std::string hostsDir = containerd.hostsDir().string();
  const CommandResult anonymous = containerd.ctr({"images", "pull", "--hosts-dir", hostsDir, reference});
  EXPECT_NE(anonymous.exitCode, 0) << "pulled without credentials";
  EXPECT_NE((anonymous.err + anonymous.out).find("401"), std::string::npos) << anonymous.err;
  const CommandResult wrong = containerd.ctr(
      {"images", "pull", "--hosts-dir", hostsDir, "--user", registry.username() + ":wrong", reference});
  EXPECT_NE(wrong.exitCode, 0) << "pulled with a wrong password";
  const CommandResult pulled = containerd.ctr({"images", "pull", "--hosts-dir", hostsDir, "--user",
                                               registry.username() + ":" + registry.password(), reference});
  EXPECT_EQ(pulled.exitCode, 0) << pulled.err << pulled.out;
  EXPECT_NE(containerd.ctr({"images", "ls", "-q"}).out.find(reference), std::string::npos);
  EXPECT_TRUE(fs::exists(registry.dockerConfig()));

  registry.stop();
  const CommandResult down = containerd.ctr({"images", "pull", "--hosts-dir", hostsDir, "--user",
                                             registry.username() + ":" + registry.password(), reference},
                                            20s);
  EXPECT_NE(down.exitCode, 0) << "pulled from a stopped registry";
  EXPECT_EQ(containerd.ctr({"images", "rm", reference}).exitCode, 0);
}

}  // namespace
}  // namespace daemonlet::testing
