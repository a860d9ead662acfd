// Images through the CRI: a missing image shows ErrImagePull then
// ImagePullBackOff while another pod keeps running; a private TLS registry is
// pulled from with the node's credentials (cri.registryCredentialsFile); wrong
// credentials and a registry that is down are clear statuses, and the pod runs
// once the registry is back.
#include <algorithm>
#include <cctype>

#include "test/integration/cri/cri_agent_fixture.h"
#include "test/integration/cri/support/registry_fixture.h"

namespace daemonlet::e2e {
namespace {

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

class CriImageTest : public CriAgentTest {
 protected:
  // Starts the registry with the busybox image pushed and trusted by containerd;
  // returns the image's reference there.
  std::string startRegistry() {
    if (!registry_.start() || !registry_.push(containerd().images().busybox, "daemonlet-test/busybox:1") ||
        !registry_.trust(containerd().hostsDir())) {
      ADD_FAILURE() << registry_.lastError();
      return {};
    }
    return registry_.reference("daemonlet-test/busybox:1");
  }

  Json pulledDaemonSet(const std::string& name, const std::string& image) const {
    Json ds = criDaemonSet(name, "exec sleep 600", image);
    mainContainer(ds)["imagePullPolicy"] = "Always";
    return ds;
  }

  testing::RegistryFixture registry_;
};

TEST_F(CriImageTest, MissingImageShowsErrImagePullWhileAnotherPodKeepsRunning) {
  ASSERT_NO_FATAL_FAILURE(startAgent());
  writeManifest("steady.json", criDaemonSet("steady", "exec sleep 600"));
  const Json steady = waitCriRunning("steady");
  ASSERT_FALSE(steady.is_null());
  const std::string steadyId = containerIdOf(mainStatus(steady));

  const std::string missing = "localhost/daemonlet-test/missing:1";
  writeManifest("missing.json", criDaemonSet("missing", "exec sleep 600", missing));
  const Json pulling = waitWaiting("missing", {"ErrImagePull", "ImagePullBackOff"}, 20s);
  ASSERT_FALSE(pulling.is_null()) << "no ErrImagePull for an image that exists nowhere";
  EXPECT_NE(pulling.value("message", "").find(missing), std::string::npos) << pulling.dump();
  const Json backOff = waitWaiting("missing", {"ImagePullBackOff"}, 15s);
  EXPECT_FALSE(backOff.is_null()) << "the failed pull never turned into ImagePullBackOff";
  const Json missingPod = *onlyPod("missing");
  EXPECT_EQ(mainStatus(missingPod)["restartCount"], 0) << "a pull failure is not a restart";

  const Json after = waitCriRunning("steady");
  ASSERT_FALSE(after.is_null());
  EXPECT_EQ(containerIdOf(mainStatus(after)), steadyId) << "the other pod was disturbed";
  EXPECT_EQ(mainStatus(after)["restartCount"], 0);
}

TEST_F(CriImageTest, PrivateRegistryImageRunsWithTheNodeCredentials) {
  const std::string image = startRegistry();
  ASSERT_FALSE(image.empty());
  writeCriConfig("  registryCredentialsFile: " + registry_.dockerConfig().string() + "\n");
  ASSERT_NO_FATAL_FAILURE(startAgent());
  writeManifest("private.json", pulledDaemonSet("private", image));
  const Json pod = waitCriRunning("private", 30s);
  ASSERT_FALSE(pod.is_null()) << "the image was not pulled and run";
  EXPECT_EQ(mainStatus(pod).value("image", ""), image);
}

TEST_F(CriImageTest, WrongRegistryCredentialsShowErrImagePull) {
  const std::string image = startRegistry();
  ASSERT_FALSE(image.empty());
  const fs::path wrong = root_ / "wrong-config.json";
  ASSERT_TRUE(registry_.writeDockerConfig(wrong, registry_.username(), "not-the-password"));
  writeCriConfig("  registryCredentialsFile: " + wrong.string() + "\n");
  ASSERT_NO_FATAL_FAILURE(startAgent());
  writeManifest("denied.json", pulledDaemonSet("denied", image));
  const Json waiting = waitWaiting("denied", {"ErrImagePull", "ImagePullBackOff"}, 30s);
  ASSERT_FALSE(waiting.is_null());
  const std::string message = lowercase(waiting.value("message", ""));
  EXPECT_TRUE(message.find("401") != std::string::npos || message.find("unauthorized") != std::string::npos)
      << waiting.dump();
}

TEST_F(CriImageTest, RegistryDownShowsErrImagePullAndThePodRunsOnceItIsBack) {
  const std::string image = startRegistry();
  ASSERT_FALSE(image.empty());
  registry_.stop();
  writeCriConfig("  registryCredentialsFile: " + registry_.dockerConfig().string() + "\n");
  ASSERT_NO_FATAL_FAILURE(startAgent());
  writeManifest("outage.json", pulledDaemonSet("outage", image));
  const Json waiting = waitWaiting("outage", {"ErrImagePull", "ImagePullBackOff"}, 30s);
  ASSERT_FALSE(waiting.is_null());
  EXPECT_NE(lowercase(waiting.value("message", "")).find("connection refused"), std::string::npos)
      << waiting.dump();

  ASSERT_TRUE(registry_.start()) << registry_.lastError();
  // The next pull comes after the kubelet's first back-off step (10 s).
  EXPECT_FALSE(waitCriRunning("outage", 30s).is_null()) << "the pod did not run once the registry was back";
}

}  // namespace
}  // namespace daemonlet::e2e
