// The merge rule: the local manifest directory overrides the endpoint per
// namespace/name; origins say where each DaemonSet came from.
#include "agent/sources/source_merge.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "source_fixtures.h"

namespace daemonlet::sources {
namespace {

const std::string kMergeUrl = "https://fleet.example/ds.yaml";

using testing::manifestSnapshot;
EndpointSnapshot mergeSnapshot(const std::string& body) { return testing::endpointSnapshotOf(body, kMergeUrl); }

std::string mergeDaemonSetYaml(const std::string& ns, const std::string& name, const std::string& image) {
  return "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: " + name + "\n  namespace: " + ns +
         "\nspec:\n  selector:\n    matchLabels: {app: " + name + "}\n  template:\n    metadata:\n      labels: {app: " +
         name + "}\n    spec:\n      containers:\n      - name: main\n        image: " + image + "\n";
}

std::vector<std::string> described(const SourceSnapshot& snapshot) {
  std::vector<std::string> out;
  for (const auto& s : snapshot.daemonSets) {
    out.push_back(daemonSetKey(*s.daemonSet) + " " + s.origin + " " +
                  s.daemonSet->spec.template_.spec.containers[0].image);
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(SourceMergeTest, Table) {
  const std::string local = mergeDaemonSetYaml("ops", "agent", "local:1");
  const std::string remoteSame = mergeDaemonSetYaml("ops", "agent", "remote:1");
  const std::string remoteOther = mergeDaemonSetYaml("ops", "logs", "remote:2");
  const std::string remoteOtherNamespace = mergeDaemonSetYaml("kube-system", "agent", "remote:3");
  const struct {
    std::string name;
    std::vector<std::pair<std::string, std::string>> files;
    std::optional<std::string> endpointBody;
    EndpointOrigin how;
    std::vector<std::string> expected;
    std::size_t notices;
  } cases[] = {
      {"no endpoint: the directory alone", {{"/m/a.yaml", local}}, std::nullopt, EndpointOrigin::kLive,
       {"ops/agent file:/m/a.yaml local:1"}, 0},
      {"disjoint sets combine", {{"/m/a.yaml", local}}, remoteOther, EndpointOrigin::kLive,
       {"ops/agent file:/m/a.yaml local:1", "ops/logs endpoint:" + kMergeUrl + " remote:2"}, 0},
      {"same namespace/name: the local copy wins", {{"/m/a.yaml", local}}, remoteSame + "---\n" + remoteOther,
       EndpointOrigin::kLive, {"ops/agent file:/m/a.yaml local:1", "ops/logs endpoint:" + kMergeUrl + " remote:2"}, 1},
      {"same name in another namespace is another DaemonSet", {{"/m/a.yaml", local}}, remoteOtherNamespace,
       EndpointOrigin::kLive,
       {"kube-system/agent endpoint:" + kMergeUrl + " remote:3", "ops/agent file:/m/a.yaml local:1"}, 0},
      {"from the cache", {}, remoteOther, EndpointOrigin::kCache, {"ops/logs cache:" + kMergeUrl + " remote:2"}, 0},
      {"empty endpoint list keeps the local ones", {{"/m/a.yaml", local}},
       std::string(R"({"apiVersion":"v1","kind":"List","items":[]})"), EndpointOrigin::kLive,
       {"ops/agent file:/m/a.yaml local:1"}, 0},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::optional<EndpointSnapshot> endpoint;
    if (c.endpointBody) endpoint = mergeSnapshot(*c.endpointBody);
    SourceSnapshot merged = mergeSources(manifestSnapshot(c.files), endpoint, c.how);
    EXPECT_EQ(described(merged), c.expected);
    EXPECT_EQ(merged.notices.size(), c.notices);
    EXPECT_TRUE(merged.errors.empty());
    EXPECT_TRUE(merged.complete);
  }
}

TEST(SourceMergeTest, OverrideNoticeNamesTheFileAndTheEndpoint) {
  SourceSnapshot merged = mergeSources(manifestSnapshot({{"/m/a.yaml", mergeDaemonSetYaml("ops", "agent", "local:1")}}),
                                       mergeSnapshot(mergeDaemonSetYaml("ops", "agent", "remote:1")),
                                       EndpointOrigin::kCache);
  ASSERT_EQ(merged.notices.size(), 1u);
  EXPECT_EQ(merged.notices[0].origin, "cache:" + kMergeUrl);
  EXPECT_NE(merged.notices[0].message.find("ops/agent"), std::string::npos);
  EXPECT_NE(merged.notices[0].message.find("overridden on this node by the local manifest /m/a.yaml"),
            std::string::npos)
      << merged.notices[0].message;
}

TEST(SourceMergeTest, ErrorsOfBothSourcesAreKeptAndRelabelled) {
  SourceSnapshot local = manifestSnapshot({{"/m/bad.yaml", "kind: DaemonSet\nmetadata: {name: x\n"}});
  ASSERT_EQ(local.errors.size(), 1u);
  EndpointSnapshot endpoint =
      mergeSnapshot(mergeDaemonSetYaml("ops", "logs", "remote:2") + "---\n" + mergeDaemonSetYaml("ops", "bad", ""));
  ASSERT_EQ(endpoint.daemonSets.size(), 1u);
  ASSERT_FALSE(endpoint.errors.empty());
  SourceSnapshot merged = mergeSources(local, endpoint, EndpointOrigin::kCache);
  ASSERT_EQ(merged.errors.size(), 1u + endpoint.errors.size());
  EXPECT_EQ(merged.errors[0].origin, "file:/m/bad.yaml");
  EXPECT_EQ(merged.errors[1].origin, "cache:" + kMergeUrl);
}

TEST(SourceMergeTest, CompleteComesFromTheDirectorySnapshot) {
  SourceSnapshot local;
  local.complete = false;
  EXPECT_FALSE(mergeSources(local, std::nullopt, EndpointOrigin::kLive).complete);
  EXPECT_FALSE(mergeSources(local, EndpointSnapshot{}, EndpointOrigin::kLive).complete);
}

}  // namespace
}  // namespace daemonlet::sources
