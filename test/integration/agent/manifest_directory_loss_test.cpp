// A manifest directory that disappears (issue 9, M8): it used to count as empty,
// and every daemon it defined was stopped without an error. Now the last good set
// stays in force, /status sourceErrors says why, and the directory is read again
// as soon as it comes back or its symlink is re-pointed (the parent is watched;
// before, only the 20 s resync noticed).
#include "test/integration/agent/agent_fixture.h"

namespace daemonlet::e2e {
namespace {

class ManifestDirectoryLossTest : public AgentE2eTest {
 protected:
  // Well under the 20 s resync: what is noticed within it came from a watch.
  static constexpr auto kPrompt = 5s;

  std::string listingError() const {
    Json status = getJson("/status");
    for (const auto& e : status["sourceErrors"]) {
      std::string message = e.value("message", "");
      if (message.find("cannot list the manifest directory") != std::string::npos) return message;
    }
    return "";
  }

  // The daemon still runs as the same process, and the API still shows it.
  void expectStillRunning(const std::string& daemonSet, int pid) const {
    auto pod = onlyPod(daemonSet);
    ASSERT_TRUE(pod.has_value()) << "the pod of " << daemonSet << " is gone";
    EXPECT_TRUE(isRunning(*pod)) << pod->dump();
    EXPECT_EQ(pidOf(mainStatus(*pod)), pid) << "the daemon was restarted";
    EXPECT_TRUE(processAlive(pid)) << "the daemon was stopped";
  }
};

TEST_F(ManifestDirectoryLossTest, DirectoryMovedAwayKeepsItsDaemonsAndIsReadAgainWhenBack) {
  writeManifest("a.json", daemonSet("a", {"sleep"}));
  startAgent();
  Json pod = waitRunning("a");
  ASSERT_FALSE(pod.is_null());
  const int pid = pidOf(mainStatus(pod));

  fs::rename(root_ / "manifests", root_ / "manifests.away");
  std::string error;
  ASSERT_TRUE(waitUntil([&] { return !(error = listingError()).empty(); }))
      << "the missing directory is not reported in /status sourceErrors";
  EXPECT_NE(error.find((root_ / "manifests").string()), std::string::npos) << error;
  EXPECT_NE(error.find("keeping the 1 DaemonSets"), std::string::npos) << error;
  // The snapshot with the error has reached the reconciler: had it counted as
  // empty, the pod would be stopping now.
  expectStillRunning("a", pid);
  EXPECT_NE(readFile(root_ / "agent.log").find("cannot list the manifest directory"), std::string::npos);

  fs::rename(root_ / "manifests.away", root_ / "manifests");
  EXPECT_TRUE(waitUntil([&] { return listingError().empty(); }, kPrompt))
      << "the directory's return was not noticed promptly";
  expectStillRunning("a", pid);
  EXPECT_NE(readFile(root_ / "agent.log").find("manifest directory readable again"), std::string::npos);
}

TEST_F(ManifestDirectoryLossTest, RepointedSymlinkIsFollowedPromptlyAndADanglingOneKeepsTheLastSet) {
  // manifests -> dir-a (holding a.json)
  fs::remove_all(root_ / "manifests");
  fs::create_directories(root_ / "dir-a");
  fs::create_directories(root_ / "dir-b");
  fs::create_directory_symlink("dir-a", root_ / "manifests");
  writeManifest("a.json", daemonSet("a", {"sleep"}));
  writeFile(root_ / "dir-b" / "b.json", daemonSet("b", {"sleep"}).dump());
  startAgent();
  ASSERT_FALSE(waitRunning("a").is_null());

  // Re-point it as `ln -sfn dir-b manifests` does: a new link renamed over the old.
  fs::create_directory_symlink("dir-b", root_ / ".manifests.new");
  fs::rename(root_ / ".manifests.new", root_ / "manifests");
  Json b = waitRunning("b", kPrompt);
  ASSERT_FALSE(b.is_null()) << "the re-pointed symlink was not followed promptly";
  EXPECT_TRUE(waitUntil([&] { return podsOf("a").empty(); })) << "a, no longer defined, was not removed";
  const int pid = pidOf(mainStatus(b));

  // Now it dangles: dir-b is gone.
  fs::rename(root_ / "dir-b", root_ / "dir-b.gone");
  ASSERT_TRUE(waitUntil([&] { return !listingError().empty(); }))
      << "the dangling symlink is not reported in /status sourceErrors";
  expectStillRunning("b", pid);
}

}  // namespace
}  // namespace daemonlet::e2e
