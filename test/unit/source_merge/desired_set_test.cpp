// The desired-set policy: cache first, nothing before the manifest directory's
// first scan, an incomplete set while a configured endpoint has produced nothing,
// live answers replacing the cache, and the followed Node laid over the local one.
#include "agent/sources/desired_set.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

#include "source_fixtures.h"

namespace daemonlet::sources {
namespace {

namespace fs = std::filesystem;

const std::string kDesiredSetUrl = "https://fleet.example/daemonsets.json";

using testing::manifestSnapshot;
using testing::TempDir;
EndpointSnapshot desiredSetSnapshot(const std::string& body) { return testing::endpointSnapshotOf(body, kDesiredSetUrl); }

std::string desiredSetYaml(const std::string& name, const std::string& image) {
  return "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: " + name +
         "\n  namespace: ops\nspec:\n  selector:\n    matchLabels: {app: " + name +
         "}\n  template:\n    metadata:\n      labels: {app: " + name +
         "}\n    spec:\n      containers:\n      - name: main\n        image: " + image + "\n";
}

// What the policy published, in order.
struct Published {
  std::vector<SourceSnapshot> sets;
  std::vector<EndpointView> views;
  std::vector<model::Node> nodes;
};

std::vector<std::string> origins(const SourceSnapshot& set) {
  std::vector<std::string> out;
  for (const auto& s : set.daemonSets) out.push_back(s.daemonSet->metadata.name + " " + s.origin);
  return out;
}

class DesiredSetTest : public ::testing::Test {
 protected:
  DesiredSetOptions options(bool endpoint) {
    DesiredSetOptions o;
    o.endpointConfigured = endpoint;
    o.endpointUrl = endpoint ? kDesiredSetUrl : "";
    o.endpointMode = "http";
    o.followNode = true;
    o.stateDir = dir_.path();
    return o;
  }
  DesiredSetOutputs outputs() {
    return {[this](SourceSnapshot set) { published_.sets.push_back(std::move(set)); },
            [this](const EndpointView& view) { published_.views.push_back(view); },
            [this](const model::Node& node) { published_.nodes.push_back(node); }};
  }

  TempDir dir_;
  Published published_;
};

TEST_F(DesiredSetTest, WithoutAnEndpointTheManifestDirectoryPassesThroughComplete) {
  DesiredSet desired(options(false), outputs());
  desired.loadCache();
  desired.setManifestSnapshot(manifestSnapshot({{"/m/a.yaml", desiredSetYaml("a", "local:1")}}));

  ASSERT_EQ(published_.sets.size(), 1u);
  EXPECT_TRUE(published_.sets[0].complete);
  EXPECT_EQ(origins(published_.sets[0]), (std::vector<std::string>{"a file:/m/a.yaml"}));
  EXPECT_TRUE(published_.views.empty()) << "no endpoint, no endpoint view";
}

TEST_F(DesiredSetTest, NothingIsPublishedBeforeTheManifestDirectorysFirstScan) {
  DesiredSet desired(options(true), outputs());
  desired.loadCache();
  desired.setEndpointSnapshot(desiredSetSnapshot(desiredSetYaml("a", "remote:1")));
  EXPECT_TRUE(published_.sets.empty())
      << "an endpoint copy could start before a local file that overrides it";

  desired.setManifestSnapshot(manifestSnapshot({{"/m/a.yaml", desiredSetYaml("a", "local:1")}}));
  ASSERT_EQ(published_.sets.size(), 1u);
  EXPECT_EQ(origins(published_.sets[0]), (std::vector<std::string>{"a file:/m/a.yaml"}));
}

TEST_F(DesiredSetTest, TheSetIsIncompleteUntilTheEndpointProducesASnapshot) {
  DesiredSet desired(options(true), outputs());
  desired.loadCache();  // no cache on disk
  ASSERT_EQ(published_.views.size(), 1u);
  EXPECT_FALSE(published_.views.back().settled);

  desired.setManifestSnapshot(manifestSnapshot({}));
  ASSERT_EQ(published_.sets.size(), 1u);
  EXPECT_FALSE(published_.sets[0].complete) << "the reconciler must stop nothing it does not see yet";

  desired.setEndpointSnapshot(desiredSetSnapshot(desiredSetYaml("b", "remote:1")));
  ASSERT_EQ(published_.sets.size(), 2u);
  EXPECT_TRUE(published_.sets[1].complete);
  EXPECT_EQ(origins(published_.sets[1]), (std::vector<std::string>{"b endpoint:" + kDesiredSetUrl}));
  EXPECT_TRUE(published_.views.back().settled);
  EXPECT_FALSE(published_.views.back().servingFromCache);
}

TEST_F(DesiredSetTest, TheCacheIsReadFirstAndALiveAnswerReplacesIt) {
  {
    DesiredSet earlier(options(true), {});
    EndpointSnapshot fetched = desiredSetSnapshot(desiredSetYaml("cached", "remote:1"));
    fetched.fetchedAt = WallTime{} + std::chrono::hours(24 * 365 * 56);
    ASSERT_TRUE(earlier.persist(fetched));
  }
  DesiredSet desired(options(true), outputs());
  desired.loadCache();
  ASSERT_NE(desired.endpointSeed(), nullptr) << "the cache seeds the endpoint source";
  ASSERT_EQ(published_.views.size(), 1u);
  EXPECT_TRUE(published_.views[0].settled);
  EXPECT_TRUE(published_.views[0].servingFromCache);
  ASSERT_TRUE(published_.views[0].cacheFetchedAt.has_value());
  EXPECT_EQ(*published_.views[0].cacheFetchedAt, WallTime{} + std::chrono::hours(24 * 365 * 56));

  desired.setManifestSnapshot(manifestSnapshot({}));
  ASSERT_EQ(published_.sets.size(), 1u);
  EXPECT_TRUE(published_.sets[0].complete) << "a cached snapshot is a whole desired set";
  EXPECT_EQ(origins(published_.sets[0]), (std::vector<std::string>{"cached cache:" + kDesiredSetUrl}));

  desired.setEndpointSnapshot(desiredSetSnapshot(desiredSetYaml("live", "remote:2")));
  ASSERT_EQ(published_.sets.size(), 2u);
  EXPECT_EQ(origins(published_.sets[1]), (std::vector<std::string>{"live endpoint:" + kDesiredSetUrl}));
  EXPECT_FALSE(published_.views.back().servingFromCache);
}

TEST_F(DesiredSetTest, AnUnusableCacheIsReportedUntilAGoodOneIsSaved) {
  fs::create_directories(dir_.path() / "endpoint");
  {
    std::FILE* f = std::fopen((dir_.path() / "endpoint" / "cache.json").c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("{not json", f);
    std::fclose(f);
  }
  DesiredSet desired(options(true), outputs());
  desired.loadCache();
  EXPECT_EQ(desired.endpointSeed(), nullptr);
  ASSERT_FALSE(published_.views.empty());
  EXPECT_FALSE(published_.views.back().cacheError.empty());

  desired.cacheSaved();
  desired.setEndpointHealth({});
  EXPECT_TRUE(published_.views.back().cacheError.empty());
}

TEST_F(DesiredSetTest, HealthCountsEachNewFailureOnce) {
  DesiredSet desired(options(true), outputs());
  EndpointHealth health;
  health.consecutiveFailures = 2;
  health.lastError = "connection refused";
  desired.setEndpointHealth(health);
  desired.setEndpointHealth(health);  // the same two failures, reported again
  health.consecutiveFailures = 3;
  desired.setEndpointHealth(health);
  ASSERT_EQ(published_.views.size(), 3u);
  EXPECT_EQ(published_.views.back().errors, 3u);
  EXPECT_EQ(published_.views.back().lastError, "connection refused");
}

TEST_F(DesiredSetTest, TheFollowedNodeIsLaidOverTheLocalIdentity) {
  DesiredSet desired(options(true), outputs());
  model::Node local;
  local.metadata.name = "node-1";
  local.metadata.labels["local"] = "yes";

  KubeNodeInfo info;
  info.found = true;
  info.name = "node-1";
  info.labels["zone"] = "a";
  desired.setNodeInfo(info);
  EXPECT_TRUE(published_.nodes.empty()) << "no local identity yet to lay it over";

  model::Node effective = desired.effectiveNode(local);
  EXPECT_EQ(effective.metadata.labels.count("zone"), 1u);

  info.labels["zone"] = "b";
  desired.setNodeInfo(info);
  ASSERT_EQ(published_.nodes.size(), 1u);
  EXPECT_EQ(published_.nodes[0].metadata.labels.at("zone"), "b");
}

}  // namespace
}  // namespace daemonlet::sources
