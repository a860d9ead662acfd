#include <gtest/gtest.h>

#include "decode_test_util.h"

namespace daemonlet::model {
namespace {

using testing::describeAll;
using testing::hasDiagnostic;
using testing::kMinimalDaemonSet;

TEST(DecodeFileTest, DecodesDaemonSetsAndSkipsOtherKinds) {
  const std::string text = std::string(
                               "apiVersion: v1\n"
                               "kind: ServiceAccount\n"
                               "metadata: {name: agent, namespace: kube-system}\n"
                               "---\n") +
                           kMinimalDaemonSet +
                           "---\n"
                           "apiVersion: v1\n"
                           "kind: Namespace\n"
                           "metadata: {name: monitoring}\n";
  const DecodedFile file = decodeFile(text, "all.yaml");
  EXPECT_TRUE(file.errors.empty()) << describeAll(file.errors);
  ASSERT_EQ(file.daemonSets.size(), 1u);
  EXPECT_EQ(file.daemonSets[0].metadata.name, "agent");
  EXPECT_EQ(file.daemonSets[0].source.file, "all.yaml");
  EXPECT_EQ(file.daemonSets[0].source.documentIndex, 1);
  EXPECT_EQ(file.daemonSets[0].source.line, 5);
  EXPECT_EQ(file.skipped, (std::vector<std::string>{"v1/ServiceAccount kube-system/agent (document 0)",
                                                    "v1/Namespace monitoring (document 2)"}));
}

TEST(DecodeFileTest, AppliesDefaults) {
  const DecodedFile file = decodeFile(kMinimalDaemonSet, "ds.yaml");
  ASSERT_EQ(file.daemonSets.size(), 1u) << describeAll(file.errors);
  const DaemonSet& ds = file.daemonSets[0];
  EXPECT_EQ(ds.spec.updateStrategy.type, "RollingUpdate");
  EXPECT_EQ(ds.spec.revisionHistoryLimit, 10);
  EXPECT_EQ(ds.spec.template_.spec.restartPolicy, "Always");
  EXPECT_EQ(ds.raw["spec"]["revisionHistoryLimit"], 10);  // raw holds the defaulted object
}

TEST(DecodeFileTest, DaemonSetListAndJson) {
  const std::string list = R"({"apiVersion":"apps/v1","kind":"DaemonSetList","items":[
    {"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"a"},"spec":{"template":{"spec":{"containers":[]}}}},
    {"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"b"},"spec":{"template":{"spec":{"containers":[]}}}}
  ]})";
  const DecodedFile file = decodeFile(list, "list.json");
  EXPECT_TRUE(file.errors.empty()) << describeAll(file.errors);
  ASSERT_EQ(file.daemonSets.size(), 2u);
  EXPECT_EQ(file.daemonSets[1].metadata.name, "b");
  EXPECT_EQ(file.daemonSets[1].source.documentIndex, 1);
}

TEST(DecodeFileTest, OldApiVersionIsAnErrorWithPath) {
  std::string yaml = kMinimalDaemonSet;
  yaml.replace(0, std::string("apiVersion: apps/v1").size(), "apiVersion: extensions/v1beta1");
  const DecodedFile file = decodeFile(yaml, "old.yaml");
  EXPECT_TRUE(file.daemonSets.empty());
  EXPECT_TRUE(hasDiagnostic(file.errors, "apiVersion", "extensions/v1beta1 is not supported"))
      << describeAll(file.errors);
}

TEST(DecodeFileTest, ErrorsAndWarningsCarryTheLocation) {
  const std::string text = std::string("kind: ConfigMap\napiVersion: v1\n---\n") + kMinimalDaemonSet +
                           "        ports: [{containerPort: \"80\"}]\n        bogus: 1\n";
  const DecodedFile file = decodeFile(text, "bad.yaml");
  ASSERT_EQ(file.errors.size(), 1u) << describeAll(file.errors);
  EXPECT_EQ(file.errors[0].fieldPath, "spec.template.spec.containers[0].ports[0].containerPort");
  EXPECT_EQ(file.errors[0].where.file, "bad.yaml");
  EXPECT_EQ(file.errors[0].where.documentIndex, 1);
  EXPECT_EQ(file.errors[0].where.line, 4);
  ASSERT_EQ(file.warnings.size(), 1u);
  EXPECT_EQ(file.warnings[0].fieldPath, "spec.template.spec.containers[0].bogus");
}

TEST(DecodeFileTest, UnreadableContentIsOneError) {
  const DecodedFile file = decodeFile("a: [1,\n", "broken.yaml");
  ASSERT_EQ(file.errors.size(), 1u);
  EXPECT_NE(file.errors[0].message.find("line "), std::string::npos);
  EXPECT_EQ(file.errors[0].where.file, "broken.yaml");
}

TEST(DecodeFileTest, DocumentsThatAreNotObjectsOrLackKindAreErrors) {
  const DecodedFile file = decodeFile("just a string\n---\n[1, 2]\n---\nmetadata: {name: x}\n", "odd.yaml");
  EXPECT_EQ(file.errors.size(), 4u) << describeAll(file.errors);
  EXPECT_TRUE(file.daemonSets.empty());
}

}  // namespace
}  // namespace daemonlet::model
