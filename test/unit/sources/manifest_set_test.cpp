#include "agent/sources/manifest_set.h"

#include <gtest/gtest.h>

namespace daemonlet::sources {
namespace {

std::string daemonSetYaml(const std::string& name, const std::string& image) {
  return "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: " + name +
         "\nspec:\n  selector:\n    matchLabels: {app: " + name + "}\n  template:\n    metadata:\n      labels: {app: " +
         name + "}\n    spec:\n      containers:\n      - name: main\n        image: " + image + "\n";
}

std::vector<std::string> keys(const SourceSnapshot& snapshot) {
  std::vector<std::string> out;
  for (const auto& sourced : snapshot.daemonSets) out.push_back(daemonSetKey(*sourced.daemonSet));
  return out;
}

TEST(ManifestSetTest, ReadsEveryFile) {
  ManifestSet set;
  set.update({{"/m/a.yaml", daemonSetYaml("a", "img:1"), {}}, {"/m/b.yaml", daemonSetYaml("b", "img:1"), {}}});
  EXPECT_EQ(keys(set.snapshot()), (std::vector<std::string>{"default/a", "default/b"}));
  EXPECT_TRUE(set.snapshot().errors.empty());
  EXPECT_EQ(set.snapshot().daemonSets[0].origin, "file:/m/a.yaml");
  EXPECT_EQ(set.snapshot().daemonSets[0].revision.size(), 10u);
}

TEST(ManifestSetTest, BrokenFileKeepsItsLastGoodVersion) {
  ManifestSet set;
  set.update({{"/m/a.yaml", daemonSetYaml("a", "img:1"), {}}, {"/m/b.yaml", daemonSetYaml("b", "img:1"), {}}});
  std::string goodRevision = set.snapshot().daemonSets[0].revision;

  set.update({{"/m/a.yaml", std::string("apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: a\n"), {}},
              {"/m/b.yaml", daemonSetYaml("b", "img:2"), {}}});
  ASSERT_EQ(keys(set.snapshot()), (std::vector<std::string>{"default/a", "default/b"}));
  EXPECT_EQ(set.snapshot().daemonSets[0].revision, goodRevision);
  ASSERT_EQ(set.snapshot().errors.size(), 1u);
  EXPECT_EQ(set.snapshot().errors[0].origin, "file:/m/a.yaml");
  EXPECT_NE(set.snapshot().errors[0].message.find("/m/a.yaml"), std::string::npos);
}

TEST(ManifestSetTest, InvalidDaemonSetIsRejectedWithFieldPath) {
  ManifestSet set;
  std::string noImage = daemonSetYaml("a", "img:1");
  noImage.replace(noImage.find("image: img:1"), 12, "image: \"\"");
  set.update({{"/m/a.yaml", noImage, {}}});
  EXPECT_TRUE(set.snapshot().daemonSets.empty());
  ASSERT_FALSE(set.snapshot().errors.empty());
  EXPECT_NE(set.snapshot().errors[0].message.find("spec.template.spec.containers[0].image"), std::string::npos)
      << set.snapshot().errors[0].message;
}

TEST(ManifestSetTest, RemovedFileTakesItsDaemonSetsAway) {
  ManifestSet set;
  set.update({{"/m/a.yaml", daemonSetYaml("a", "img:1"), {}}, {"/m/b.yaml", daemonSetYaml("b", "img:1"), {}}});
  set.update({{"/m/b.yaml", daemonSetYaml("b", "img:1"), {}}});
  EXPECT_EQ(keys(set.snapshot()), (std::vector<std::string>{"default/b"}));
}

TEST(ManifestSetTest, DuplicateNewKeyAppliesNeither) {
  ManifestSet set;
  set.update({{"/m/a.yaml", daemonSetYaml("x", "img:1"), {}}, {"/m/b.yaml", daemonSetYaml("x", "img:2"), {}}});
  EXPECT_TRUE(set.snapshot().daemonSets.empty());
  ASSERT_EQ(set.snapshot().errors.size(), 2u);
  EXPECT_EQ(set.snapshot().errors[0].origin, "file:/m/a.yaml");
  EXPECT_EQ(set.snapshot().errors[1].origin, "file:/m/b.yaml");
}

TEST(ManifestSetTest, DuplicateKeepsTheCopyAlreadyInForce) {
  ManifestSet set;
  set.update({{"/m/a.yaml", daemonSetYaml("x", "img:1"), {}}});
  std::string revision = set.snapshot().daemonSets.at(0).revision;
  set.update({{"/m/a.yaml", daemonSetYaml("x", "img:1"), {}}, {"/m/b.yaml", daemonSetYaml("x", "img:2"), {}}});
  ASSERT_EQ(set.snapshot().daemonSets.size(), 1u);
  EXPECT_EQ(set.snapshot().daemonSets[0].revision, revision);
  EXPECT_EQ(set.snapshot().daemonSets[0].origin, "file:/m/a.yaml");
  EXPECT_EQ(set.snapshot().errors.size(), 2u);
}

TEST(ManifestSetTest, UnreadableFileKeepsLastGood) {
  ManifestSet set;
  set.update({{"/m/a.yaml", daemonSetYaml("a", "img:1"), {}}});
  set.update({{"/m/a.yaml", std::nullopt, "Permission denied"}});
  EXPECT_EQ(keys(set.snapshot()), (std::vector<std::string>{"default/a"}));
  ASSERT_EQ(set.snapshot().errors.size(), 1u);
  EXPECT_NE(set.snapshot().errors[0].message.find("Permission denied"), std::string::npos);
}

TEST(ManifestSetTest, FileWithoutDaemonSetIsReported) {
  ManifestSet set;
  set.update({{"/m/cm.yaml", std::string("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"), {}}});
  EXPECT_TRUE(set.snapshot().daemonSets.empty());
  ASSERT_EQ(set.snapshot().errors.size(), 1u);
  EXPECT_NE(set.snapshot().errors[0].message.find("no DaemonSet"), std::string::npos);
}

// update() says whether the snapshot changed, so the directory source builds and
// publishes one only then (a periodic rescan of an unchanged directory builds none).
TEST(ManifestSetTest, UpdateReportsWhetherTheSnapshotChanged) {
  const std::string a1 = daemonSetYaml("a", "img:1");
  const std::string b1 = daemonSetYaml("b", "img:1");
  struct Step {
    const char* what;
    std::vector<FileReading> files;
    bool changed;
  };
  const std::vector<Step> steps = {
      {"first scan", {{"/m/a.yaml", a1, {}}, {"/m/b.yaml", b1, {}}}, true},
      {"same content again", {{"/m/a.yaml", a1, {}}, {"/m/b.yaml", b1, {}}}, false},
      {"comment only: same DaemonSet", {{"/m/a.yaml", "# note\n" + a1, {}}, {"/m/b.yaml", b1, {}}}, false},
      {"new image", {{"/m/a.yaml", daemonSetYaml("a", "img:2"), {}}, {"/m/b.yaml", b1, {}}}, true},
      {"broken edit: error appears", {{"/m/a.yaml", std::string("kind: [\n"), {}}, {"/m/b.yaml", b1, {}}}, true},
      {"still broken the same way", {{"/m/a.yaml", std::string("kind: [\n"), {}}, {"/m/b.yaml", b1, {}}}, false},
      {"file removed", {{"/m/b.yaml", b1, {}}}, true},
      {"duplicate appears", {{"/m/b.yaml", b1, {}}, {"/m/c.yaml", b1, {}}}, true},
      {"duplicate unchanged", {{"/m/b.yaml", b1, {}}, {"/m/c.yaml", b1, {}}}, false},
  };
  ManifestSet set;
  for (const auto& step : steps) {
    SCOPED_TRACE(step.what);
    EXPECT_EQ(set.update(step.files), step.changed);
  }
  // The copy already in force stays while the duplicate is reported.
  EXPECT_EQ(keys(set.snapshot()), (std::vector<std::string>{"default/b"}));
  EXPECT_EQ(set.snapshot().daemonSets[0].origin, "file:/m/b.yaml");
  EXPECT_EQ(set.snapshot().errors.size(), 2u);
}

}  // namespace
}  // namespace daemonlet::sources
