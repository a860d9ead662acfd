// The manifest directory as a source: a bad edit keeps the last good version
// running and shows the error in /status; the same DaemonSet in two files is an
// error for both; editors' temporary files are ignored.
#include "test/integration/agent/agent_fixture.h"

namespace daemonlet::e2e {
namespace {

using ManifestSourceTest = AgentE2eTest;

bool errorNames(const Json& status, const std::string& file) {
  if (!status.is_object() || !status.contains("sourceErrors")) return false;
  for (const auto& e : status.at("sourceErrors")) {
    if (e.dump().find(file) != std::string::npos) return true;
  }
  return false;
}

TEST_F(ManifestSourceTest, BadManifestEditKeepsThePreviousVersionAndShowsTheError) {
  writeManifest("good.json", daemonSet("good", {"sleep"}));
  writeManifest("other.json", daemonSet("other", {"sleep"}));
  startAgent();
  Json pod = waitRunning("good");
  ASSERT_FALSE(pod.is_null());
  int pid = pidOf(mainStatus(pod));
  std::string revision = revisionOf(pod);

  // Valid JSON, invalid DaemonSet (the selector does not match the template).
  Json broken = daemonSet("good", {"sleep"});
  broken["spec"]["selector"]["matchLabels"]["app"] = "mismatch";
  writeManifest("good.json", broken);
  Json error;
  ASSERT_TRUE(waitUntil([&] {
    Json status = getJson("/status");  // kept: a range-for over a temporary's member dangles
    for (const auto& e : status["sourceErrors"]) {
      if (e.dump().find("good.json") != std::string::npos) error = e;
    }
    return !error.is_null();
  })) << "the bad manifest is not reported in /status sourceErrors";
  EXPECT_FALSE(error.value("message", "").empty());

  // Then plain garbage.
  writeManifest("good.json", std::string("{ this is not json"));
  ASSERT_TRUE(waitUntil([&] {
    Json status = getJson("/status");
    for (const auto& e : status["sourceErrors"]) {
      if (e.value("message", "") != error.value("message", "")) return true;  // the garbage, not the bad manifest
    }
    return false;
  })) << "the garbage was never read";
  ASSERT_TRUE(waitPasses());
  Json status = getJson("/status");
  EXPECT_TRUE(errorNames(status, "good.json")) << status.dump();
  auto still = onlyPod("good");
  ASSERT_TRUE(still.has_value()) << "the last good version was dropped";
  EXPECT_EQ(pidOf(mainStatus(*still)), pid);
  EXPECT_EQ(revisionOf(*still), revision);
  EXPECT_TRUE(processAlive(pid));
  EXPECT_FALSE(waitRunning("other").is_null()) << "another file was affected";

  // Fixing the file clears the error.
  writeManifest("good.json", daemonSet("good", {"sleep"}));
  EXPECT_TRUE(waitUntil([&] { return getJson("/status")["sourceErrors"].empty(); }));
  EXPECT_TRUE(processAlive(pid));
}

TEST_F(ManifestSourceTest, SameDaemonSetInTwoFilesIsAnErrorForBoth) {
  writeManifest("first.json", daemonSet("twin", {"sleep"}));
  writeManifest("second.json", daemonSet("twin", {"sleep"}));
  startAgent();
  Json status;
  EXPECT_TRUE(waitUntil([&] {
    status = getJson("/status");
    return errorNames(status, "first.json") && errorNames(status, "second.json");
  })) << status["sourceErrors"].dump();
}

TEST_F(ManifestSourceTest, EditorTemporaryFilesAreIgnored) {
  startAgent();
  writeFile(root_ / "manifests" / ".hidden.json.swp", "{ not a manifest");
  writeFile(root_ / "manifests" / "real.json~", "{ not a manifest");
  writeFile(root_ / "manifests" / "notes.txt", "not a manifest");
  writeManifest("real.json", daemonSet("real", {"sleep"}));
  ASSERT_FALSE(waitRunning("real").is_null());
  EXPECT_TRUE(getJson("/status")["sourceErrors"].empty()) << getJson("/status")["sourceErrors"].dump();
}

}  // namespace
}  // namespace daemonlet::e2e
